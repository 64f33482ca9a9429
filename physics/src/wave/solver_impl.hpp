#pragma once
// Private header of the wave solver (solver.cpp, modeling.cpp): the helpers and the declaration
// of detail::WaveSolver<dim>.
//
// Spectral-element wave solver: deal.II (p4est mesh, DoF numbering, distributed vectors, VTU
// output) + the Kokkos SEM kernels of hyseis_kernels (stiffness application, Newmark updates).
// See docs/theory/wave-solver.md for the equations and the parallel design.
//
// Dimension. The deal.II-facing solver, detail::WaveSolver<dim>, is written for any `dim` (in
// the deal.II style: the class template is defined here and explicitly instantiated below, for
// dim = 2 only). What depends on the dimension beyond deal.II lives in dim_traits.hpp:
// SemKernels<dim> / StiffnessOperator<dim> couple to the Kokkos operators (2D only today), and
// ProblemCoordinates<dim> maps the 2D (x, z) problem description onto R^dim. run() is the
// entry point and instantiates the 2D solver.
//
// Parallel layout. The scalar DoFHandler (FE_Q on GLL points) numbers the GLL nodes; each rank
// holds the nodes of its locally owned cells (locally active DoFs): owned nodes first, then
// ghost nodes, contiguously, as LinearAlgebra::distributed::Vector stores them. Node k of that
// local numbering is entry k (acoustic) or entries dim*k + c (elastic; a second partitioner
// with the interleaved global indices dim*g + c). Every rank updates owned *and* ghost entries
// with identical arithmetic; the only communication per step is the assembly of r = K u
// (compress(add) + update_ghost_values), so ghost copies stay bitwise equal to their owners.
#include <deal.II/base/index_set.h>
#include <deal.II/base/mpi.h>
#include <deal.II/base/partitioner.h>
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/distributed/tria.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_tools.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/lac/la_parallel_vector.h>
#include <deal.II/numerics/data_out.h>

#include <p4est.h>
#include <sc.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>

#include "dim_traits.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/physics/wave/detail.hpp"
#include "hyseis/physics/wave/modeling.hpp"
#include "hyseis/physics/wave/solver.hpp"
#include "hyseis/solvers/sem_kernels.hpp"
#include "medium.hpp"

namespace hyseis::physics::wave {

namespace detail {

using namespace dealii;
using DVec = LinearAlgebra::distributed::Vector<double>;
namespace ks = hyseis::solvers;

constexpr int kNanCheckEvery = 50;
constexpr int kPowerIterations = 80;
constexpr double kCflSafety = 0.98;

inline ks::UnmanagedVector view(DVec& v) {
  const auto& p = *v.get_partitioner();
  return ks::UnmanagedVector(v.begin(), p.locally_owned_size() + p.n_ghost_indices());
}
/// Zeros owned and ghost entries (ghost entries are kept as exact copies by the solver).
inline void zero_all(DVec& v) {
  const auto& p = *v.get_partitioner();
  std::fill_n(v.begin(), p.locally_owned_size() + p.n_ghost_indices(), 0.0);
  v.zero_out_ghost_values();
}

/// Lexicographic -> hierarchic map of FE_Q(degree), checked against the tensor GLL rule.
template <int dim>
std::vector<unsigned int> lex_to_hier(int degree) {
  return FETools::lexicographic_to_hierarchic_numbering<dim>(static_cast<unsigned int>(degree));
}

/// 1D Lagrange basis on the GLL nodes mapped to [0, 1].
struct Lagrange1D {
  std::vector<double> t;
  explicit Lagrange1D(int degree) {
    const QGaussLobatto<1> q(degree + 1);
    for (unsigned i = 0; i < q.size(); ++i) t.push_back(q.point(i)[0]);
  }
  void eval(double s, double* val, double* der) const {
    const int n = static_cast<int>(t.size());
    for (int i = 0; i < n; ++i) {
      double v = 1, d = 0;
      for (int m = 0; m < n; ++m) {
        if (m == i) continue;
        const double inv = 1.0 / (t[i] - t[m]);
        d = d * (s - t[m]) * inv + v * inv;
        v *= (s - t[m]) * inv;
      }
      val[i] = v;
      if (der) der[i] = d;
    }
  }
};

/// Euclidean length (std::hypot, which avoids overflow).
template <int dim>
double length(const Tensor<1, dim>& t) {
  if constexpr (dim == 1)
    return std::abs(t[0]);
  else if constexpr (dim == 2)
    return std::hypot(t[0], t[1]);
  else
    return std::hypot(t[0], t[1], t[2]);
}

/// Affine geometry of a parallelogram/parallelepiped cell: x = X0 + sum_d xi_d E_d with
/// xi in [0,1]^dim, xi_d along the lexicographic direction d.
template <int dim>
struct CellGeom {
  Point<dim> x0;
  Tensor<1, dim> e[dim];       // edge vectors E_d
  double inv[dim][dim];        // d xi_d / d x_i
  Point<dim> centre;
  Point<dim> lo, hi;           // bounding box (from the vertices)
  void finish() {
    if constexpr (dim == 2) {
      const double det = e[0][0] * e[1][1] - e[1][0] * e[0][1];
      inv[0][0] = e[1][1] / det;
      inv[0][1] = -e[1][0] / det;
      inv[1][0] = -e[0][1] / det;
      inv[1][1] = e[0][0] / det;
    } else {
      Tensor<2, dim> jac;  // jac[i][d] = d x_i / d xi_d
      for (int i = 0; i < dim; ++i)
        for (int d = 0; d < dim; ++d) jac[i][d] = e[d][i];
      const Tensor<2, dim> ij = invert(jac);
      for (int d = 0; d < dim; ++d)
        for (int i = 0; i < dim; ++i) inv[d][i] = ij[d][i];
    }
    for (int i = 0; i < dim; ++i) {
      double s = e[0][i];
      for (int d = 1; d < dim; ++d) s += e[d][i];
      centre[i] = x0[i] + 0.5 * s;
    }
  }
  /// Unit coordinates xi of the physical point x.
  void unit(const Point<dim>& x, double* xi) const {
    for (int d = 0; d < dim; ++d) {
      double s = inv[d][0] * (x[0] - x0[0]);
      for (int i = 1; i < dim; ++i) s += inv[d][i] * (x[i] - x0[i]);
      xi[d] = s;
    }
  }
  /// Sum of the edge lengths (a length scale of the cell).
  double size() const {
    double h = length(e[0]);
    for (int d = 1; d < dim; ++d) h += length(e[d]);
    return h;
  }
};

/// Lexicographic order of points: first coordinate first.
template <int dim>
bool lex_less(const Point<dim>& a, const Point<dim>& b) {
  for (int d = 0; d < dim; ++d)
    if (a[d] != b[d]) return a[d] < b[d];
  return false;
}

inline double allreduce_sum(double v, MPI_Comm comm) {
  double r = 0;
  MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_SUM, comm);
  return r;
}

/// Pseudo-random value in [-1/2, 1/2) from a node position (normalised to the domain) and a
/// component: the power-iteration start vector. It depends on the geometry only, not on the
/// DoF numbering (which changes with the partition), so every rank count gets the same
/// lambda_max up to round-off and hence the same dt.
template <int dim>
double rough_start(const Point<dim>& xn, int c) {
  const auto& k = detail::ProblemCoordinates<dim>::rough_coefficients;
  double a = k[0] * xn[0];
  for (int d = 1; d < dim; ++d) a += k[d] * xn[d];
  const double s = std::sin(1e3 * (a + 37.719 * c)) * 43758.5453;
  return s - std::floor(s) - 0.5;
}

inline std::string fmt(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

/// libsc/p4est are initialised by deal.II's MPI_InitFinalize, which hyseis' mains do not use
/// (they call MPI_Init_thread + Kokkos::ScopeGuard). Without it p4est logs every mesh
/// operation; register both packages once, silently, unless someone already did.
inline void ensure_p4est_initialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (p4est_package_id < 0) {
      sc_init(MPI_COMM_WORLD, 0, 0, nullptr, SC_LP_SILENT);
      p4est_init(nullptr, SC_LP_SILENT);
    }
  });
}

}  // namespace detail

namespace detail {

/// The SEM wave solver in `dim` dimensions: construction sets up mesh, DoFs, geometry,
/// material, mass, damping, the stiffness operator, dt, sources and receivers; run() steps.
template <int dim>
class WaveSolver {
  static_assert(SemKernels<dim>::available,
                "hyseis wave solver: no Kokkos SEM kernels for this dimension (see "
                "detail::SemKernels in physics/src/wave/dim_traits.hpp)");

public:
  /// `problem` must be validated and outlive the solver; collective over `comm`.
  WaveSolver(const WaveProblem& problem, MPI_Comm comm);
  RunResult run(const ProgressFn& progress);

private:
  // The differentiable modeling (modeling.cpp) reuses mesh, DoFs, geometry, apply_k, the time
  // step estimate and the source/receiver weights, and installs its own material.
  friend struct hyseis::physics::wave::Modeling::Impl;

  using Coords = ProblemCoordinates<dim>;
  using MeshHost = typename SemKernels<dim>::MeshHost;

  /// Weights of a source on the local vector entries.
  struct SparseSource {
    std::vector<int> idx;
    std::vector<double> w;
  };
  /// A receiver owned by this rank: interpolation weights on its cell's nodes.
  struct LocalReceiver {
    int index;
    std::vector<int> node;
    std::vector<double> w;
  };

  void setup_mesh_and_dofs();
  void assemble_geometry_and_matrices();
  void estimate_time_step();
  void setup_sources_and_receivers();
  /// Weights on the local vector entries (owned and ghost, consistent across ranks) of a source:
  /// f = sum_i w_i e_{idx_i}; collective.
  SparseSource source_weights(const SourceOptions& so);

  /// r = K x (owned and ghost entries of r exact).
  void apply_k(DVec& x, DVec& r);
  /// Finds the cell containing x deterministically across ranks (see the definition).
  int locate(Point<dim> x, double* xi) const;
  /// phi and grad phi of a cell's nodes at unit point xi.
  void shape(const CellGeom<dim>& cg, const double* xi, std::vector<double>& val,
             std::vector<Tensor<1, dim>>& grad);
  /// An empty (zero) field `name` at time t on the image grid.
  GriddedField grid_field(const std::string& name, double t) const;
  /// The wavefield on the image grid (elastic |u|, acoustic p), complete on every rank.
  GriddedField capture_image(double t);
  void write_vtu(int n);

  const WaveProblem& problem_;
  const MPI_Comm comm_;
  const int rank_, nranks_;
  const bool elastic_;
  const int nc_;  // components per node: dim (elastic) or 1 (acoustic)
  const Medium medium_;
  const MeshOptions& mo_;
  const int p_, n1_, nq_;
  const Point<dim> lo_, hi_;  // the domain box
  int stride_[dim];           // lexicographic stride of direction d: n1^d
  std::vector<std::array<int, dim>> qindex_;  // q -> (i_0, ..., i_{dim-1})

  parallel::distributed::Triangulation<dim> tria_;
  const QGaussLobatto<1> gll1_;
  const QGaussLobatto<dim> gll_;
  const FE_Q<dim> fe_;
  DoFHandler<dim> dof_;
  std::shared_ptr<const Utilities::MPI::Partitioner> part1_;  // scalar (one entry per node)
  std::shared_ptr<const Utilities::MPI::Partitioner> part_;   // nc_ entries per node
  int n_local_nodes_ = 0, n_owned_ = 0, n_local_ = 0;
  std::vector<unsigned int> l2h_;

  MeshHost mesh_;
  std::vector<Point<dim>> node_x_;  // local node -> position
  std::vector<CellGeom<dim>> geom_;
  /// Where the material of each (cell, q) was evaluated (the node nudged into the cell).
  std::vector<Point<dim>> mat_point_;
  /// One contribution to the Stacey damping: node k, face JxW, outward normal, material point.
  struct BoundarySample {
    int k;
    double jxw;
    Tensor<1, dim> n;
    Point<dim> y;
  };
  std::vector<BoundarySample> bsamples_;
  std::vector<double> lam_, mu_, irho_;
  DVec mass_, damp_, dirichlet_, inv_mass_;
  bool has_damping_ = false, has_dirichlet_ = false;
  std::optional<StiffnessOperator<dim>> op_;

  DVec u_, v_, a_, r_, f_;
  double dt_stable_ = 0, dt_ = 0;
  int n_steps_ = 0;

  const Lagrange1D lag_;
  std::vector<double> l_[dim], dl_[dim];  // 1D basis values / derivatives per direction
  std::vector<SparseSource> src_;
  std::vector<LocalReceiver> recs_;
};

}  // namespace detail
}  // namespace hyseis::physics::wave
