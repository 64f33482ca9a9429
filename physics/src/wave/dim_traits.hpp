#pragma once
// Private: everything of the wave solver that depends on the space dimension *other than*
// deal.II. The deal.II-facing solver (solver.cpp, detail::WaveSolver<dim>) is generic in `dim`;
// it reaches dimension-specific things only through the two traits below, both specialised for
// dim = 2 only:
//
//  - SemKernels<dim> / StiffnessOperator<dim>: the Kokkos SEM kernels of solvers/kernels, which
//    exist per dimension (SemMeshHost2D, ElasticOperator2D, AcousticOperator2D). A 3D kernel is
//    added by specialising SemKernels<3> here (and writing the operators in solvers/kernels);
//    the generic solver does not change.
//  - ProblemCoordinates<dim>: how the problem description (problem.hpp, 2D: x horizontal, z up)
//    maps onto points, vectors and tensors of R^dim (mesh box, boundary ids, source vectors,
//    material and analytic-field evaluation, the plane of the gridded image).
//
// Only solver.cpp includes this header (it pulls in Kokkos and deal.II's Point/Tensor).
#include <deal.II/base/point.h>
#include <deal.II/base/tensor.h>

#include <array>
#include <optional>
#include <stdexcept>
#include <vector>

#include "hyseis/physics/wave/problem.hpp"
#include "hyseis/solvers/sem_kernels.hpp"
#include "medium.hpp"

namespace hyseis::physics::wave::detail {

// ---- Kokkos kernels per dimension -------------------------------------------------------------

/// The SEM kernels of one dimension. The primary template marks a dimension without kernels;
/// a specialisation provides
///   MeshHost:          a host mesh description with the fields degree, n_cells, n_nodes,
///                      cell_nodes (n_cells * (p+1)^dim, lexicographic q, first index fastest),
///                      inv_jacobian (n_cells * (p+1)^dim * dim*dim, row-major
///                      d xi_d / d x_i on the kernels' reference cell [-1,1]^dim) and
///                      jxw (n_cells * (p+1)^dim);
///   ElasticOperator:   constructed from (mesh, lambda, mu), apply(u, r): r = K u, dim
///                      interleaved components per node;
///   AcousticOperator:  constructed from (mesh, inv_rho), apply(p, r): r = K p.
template <int dim>
struct SemKernels {
  static constexpr bool available = false;
};

template <>
struct SemKernels<2> {
  static constexpr bool available = true;
  using MeshHost = solvers::SemMeshHost2D;
  using ElasticOperator = solvers::ElasticOperator2D;
  using AcousticOperator = solvers::AcousticOperator2D;
};

/// The stiffness operator r = K u of either physics, as the generic solver sees it.
template <int dim>
class StiffnessOperator {
  static_assert(SemKernels<dim>::available,
                "hyseis wave solver: there are no Kokkos SEM kernels for this dimension; "
                "specialise detail::SemKernels<dim> (physics/src/wave/dim_traits.hpp) with the "
                "operators of solvers/kernels");

public:
  using Kernels = SemKernels<dim>;
  using MeshHost = typename Kernels::MeshHost;

  /// Elastic (lambda, mu per (cell, q)) when `elastic`, acoustic (inv_rho per (cell, q))
  /// otherwise; the unused material vectors are ignored.
  StiffnessOperator(bool elastic, const MeshHost& mesh, const std::vector<double>& lambda,
                    const std::vector<double>& mu, const std::vector<double>& inv_rho) {
    if (elastic)
      elastic_.emplace(mesh, lambda, mu);
    else
      acoustic_.emplace(mesh, inv_rho);
  }
  void apply(solvers::ConstVector x, solvers::Vector r) const {
    if (elastic_)
      elastic_->apply(x, r);
    else
      acoustic_->apply(x, r);
  }

private:
  std::optional<typename Kernels::ElasticOperator> elastic_;
  std::optional<typename Kernels::AcousticOperator> acoustic_;
};

// ---- the problem description in dim dimensions ------------------------------------------------

/// Mapping of the (2D, x-z) WaveProblem onto R^dim. The primary template marks a dimension the
/// problem description does not cover yet.
template <int dim>
struct ProblemCoordinates {
  static_assert(dim == 2,
                "hyseis wave solver: the problem description (problem.hpp) is 2D (x, z); a "
                "solver in another dimension needs its own description and a "
                "detail::ProblemCoordinates<dim> specialisation (physics/src/wave/dim_traits.hpp)");
};

template <>
struct ProblemCoordinates<2> {
  static constexpr int dim = 2;
  using Point = dealii::Point<dim>;

  /// Coordinate names, used in messages and for component names ("ux", "uz").
  static constexpr std::array<const char*, dim> names{{"x", "z"}};
  /// The axes spanned by the gridded image (GriddedField: first = "x", second = "z").
  static constexpr std::array<int, 2> image_axes{{0, 1}};
  /// Coefficients of the coordinates in the power-iteration start vector (rough_start).
  static constexpr std::array<double, dim> rough_coefficients{{12.9898, 78.233}};

  /// The point of the domain at description coordinates (x, z); also the image pixel centre.
  static Point point(double x, double z) { return Point(x, z); }
  static Point lower(const MeshOptions& m) { return Point(m.xmin, m.zmin); }
  static Point upper(const MeshOptions& m) { return Point(m.xmax, m.zmax); }
  static std::array<unsigned, dim> subdivisions(const MeshOptions& m) {
    return {{static_cast<unsigned>(m.nx), static_cast<unsigned>(m.nz)}};
  }
  /// Boundary type per boundary id of GridGenerator::subdivided_hyper_rectangle(colorize = true):
  /// 0 = left (x = xmin), 1 = right, 2 = bottom (z = zmin), 3 = top (z = zmax).
  static std::array<BoundaryType, 2 * dim> boundary_types(const BoundaryOptions& b) {
    return {{b.left, b.right, b.bottom, b.top}};
  }
  static Point location(const SourceOptions& s) { return Point(s.x, s.z); }
  static Point location(const Receiver& r) { return Point(r.x, r.z); }
  /// Force vector (fx, fz) and moment tensor [[Mxx, Mxz], [Mxz, Mzz]] of a source.
  static dealii::Tensor<1, dim> force(const SourceOptions& s) {
    dealii::Tensor<1, dim> f;
    f[0] = s.fx;
    f[1] = s.fz;
    return f;
  }
  static dealii::Tensor<2, dim> moment(const SourceOptions& s) {
    dealii::Tensor<2, dim> m;
    m[0][0] = s.mxx;
    m[0][1] = s.mxz;
    m[1][0] = s.mxz;
    m[1][1] = s.mzz;
    return m;
  }
  static Material material(const Medium& medium, const Point& x) { return medium.at(x[0], x[1]); }
  /// An analytic field (FieldFn) at x: {x-component, z-component} (acoustic: [0]).
  static std::array<double, dim> field(const FieldFn& fn, const Point& x, double t) {
    return fn(x[0], x[1], t);
  }
};

}  // namespace hyseis::physics::wave::detail
