// 2D spectral-element wave solver: deal.II (p4est mesh, DoF numbering, distributed vectors,
// VTU output) + the Kokkos SEM kernels of hyseis_kernels (stiffness application, Newmark
// updates). See docs/theory/wave-solver.md for the equations and the parallel design.
//
// Parallel layout. The scalar DoFHandler (FE_Q on GLL points) numbers the GLL nodes; each rank
// holds the nodes of its locally owned cells (locally active DoFs): owned nodes first, then
// ghost nodes, contiguously, as LinearAlgebra::distributed::Vector stores them. Node k of that
// local numbering is entry k (acoustic) or entries 2k, 2k+1 (elastic; a second partitioner
// with the interleaved global indices 2g, 2g+1). Every rank updates owned *and* ghost entries
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
#include <mutex>
#include <limits>
#include <optional>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/wave/detail.hpp"
#include "hyseis/physics/wave/solver.hpp"
#include "hyseis/solvers/sem_kernels.hpp"
#include "medium.hpp"

namespace hyseis::physics::wave {

namespace {

using namespace dealii;
using DVec = LinearAlgebra::distributed::Vector<double>;
namespace ks = hyseis::solvers;

constexpr int kNanCheckEvery = 50;
constexpr int kPowerIterations = 80;
constexpr double kCflSafety = 0.98;

ks::UnmanagedVector view(DVec& v) {
  const auto& p = *v.get_partitioner();
  return ks::UnmanagedVector(v.begin(), p.locally_owned_size() + p.n_ghost_indices());
}
/// Zeros owned and ghost entries (ghost entries are kept as exact copies by the solver).
void zero_all(DVec& v) {
  const auto& p = *v.get_partitioner();
  std::fill_n(v.begin(), p.locally_owned_size() + p.n_ghost_indices(), 0.0);
  v.zero_out_ghost_values();
}

/// Lexicographic -> hierarchic map of FE_Q(degree), checked against the tensor GLL rule.
std::vector<unsigned int> lex_to_hier(int degree) {
  return FETools::lexicographic_to_hierarchic_numbering<2>(static_cast<unsigned int>(degree));
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

/// Affine geometry of a rectangle/parallelogram cell: x = X0 + xi E1 + eta E2, (xi, eta) in
/// [0,1]^2, xi along the lexicographic i direction.
struct CellGeom {
  double x0, z0, e1x, e1z, e2x, e2z;
  double inv[2][2];  // d(xi,eta)/d(x,z)
  double cx, cz;     // centre
  double bx0, bx1, bz0, bz1;  // bounding box (from the vertices)
  void finish() {
    const double det = e1x * e2z - e2x * e1z;
    inv[0][0] = e2z / det;
    inv[0][1] = -e2x / det;
    inv[1][0] = -e1z / det;
    inv[1][1] = e1x / det;
    cx = x0 + 0.5 * (e1x + e2x);
    cz = z0 + 0.5 * (e1z + e2z);
  }
  void unit(double x, double z, double& xi, double& eta) const {
    xi = inv[0][0] * (x - x0) + inv[0][1] * (z - z0);
    eta = inv[1][0] * (x - x0) + inv[1][1] * (z - z0);
  }
};

/// Weights of a point functional on one cell's nodes (local node indices).
struct PointStencil {
  std::vector<int> node;
  std::vector<double> w[2];  // per component (elastic) or w[0] (scalar)
};

/// Finds the cell containing (x, z) deterministically across ranks: among all cells that
/// contain the point (tolerance 1e-10 in unit coordinates) the one with the smallest centre
/// (cx, then cz) wins, independently of the partition. Returns the local cell index on the
/// owning rank and -1 elsewhere.
int locate(const std::vector<CellGeom>& cells, const MeshOptions& mo, double x, double z,
           MPI_Comm comm, double& xi, double& eta) {
  // validate() accepts points up to 1e-9 * size outside the domain: move them onto it.
  x = std::clamp(x, mo.xmin, mo.xmax);
  z = std::clamp(z, mo.zmin, mo.zmax);
  const double tol = 1e-10;
  int best = -1;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    double a, b;
    cells[c].unit(x, z, a, b);
    if (a < -tol || a > 1 + tol || b < -tol || b > 1 + tol) continue;
    if (best < 0 || cells[c].cx < cells[best].cx ||
        (cells[c].cx == cells[best].cx && cells[c].cz < cells[best].cz))
      best = static_cast<int>(c);
  }
  const double mine[3] = {best >= 0 ? 1.0 : 0.0, best >= 0 ? cells[best].cx : 0.0,
                          best >= 0 ? cells[best].cz : 0.0};
  int nranks = 1, rank = 0;
  MPI_Comm_size(comm, &nranks);
  MPI_Comm_rank(comm, &rank);
  std::vector<double> all(3 * nranks);
  MPI_Allgather(mine, 3, MPI_DOUBLE, all.data(), 3, MPI_DOUBLE, comm);
  int owner = -1;
  for (int r = 0; r < nranks; ++r) {
    if (all[3 * r] == 0.0) continue;
    if (owner < 0 || all[3 * r + 1] < all[3 * owner + 1] ||
        (all[3 * r + 1] == all[3 * owner + 1] && all[3 * r + 2] < all[3 * owner + 2]))
      owner = r;
  }
  HYSEIS_REQUIRE(owner >= 0, core::InvalidInput,
                 "point (x = " << x << ", z = " << z << ") lies in no cell of the mesh");
  if (owner != rank) return -1;
  cells[best].unit(x, z, xi, eta);
  xi = std::clamp(xi, 0.0, 1.0);
  eta = std::clamp(eta, 0.0, 1.0);
  return best;
}

double allreduce_sum(double v, MPI_Comm comm) {
  double r = 0;
  MPI_Allreduce(&v, &r, 1, MPI_DOUBLE, MPI_SUM, comm);
  return r;
}

/// Pseudo-random value in [-1/2, 1/2) from a node position (normalised to the domain) and a
/// component: the power-iteration start vector. It depends on the geometry only, not on the
/// DoF numbering (which changes with the partition), so every rank count gets the same
/// lambda_max up to round-off and hence the same dt.
double rough_start(double xn, double zn, int c) {
  const double s = std::sin(1e3 * (12.9898 * xn + 78.233 * zn + 37.719 * c)) * 43758.5453;
  return s - std::floor(s) - 0.5;
}

std::string fmt(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

/// libsc/p4est are initialised by deal.II's MPI_InitFinalize, which hyseis' mains do not use
/// (they call MPI_Init_thread + Kokkos::ScopeGuard). Without it p4est logs every mesh
/// operation; register both packages once, silently, unless someone already did.
void ensure_p4est_initialised() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (p4est_package_id < 0) {
      sc_init(MPI_COMM_WORLD, 0, 0, nullptr, SC_LP_SILENT);
      p4est_init(nullptr, SC_LP_SILENT);
    }
  });
}

}  // namespace

namespace detail {
GllNumbering gll_numbering(int degree) {
  GllNumbering out;
  const QGaussLobatto<2> q(degree + 1);
  const FE_Q<2> fe(QGaussLobatto<1>(degree + 1));
  const auto l2h = lex_to_hier(degree);
  for (unsigned i = 0; i < q.size(); ++i) {
    out.quadrature_points.push_back(std::array<double, 2>{{q.point(i)[0], q.point(i)[1]}});
    const Point<2> s = fe.get_unit_support_points()[l2h[i]];
    out.support_points.push_back(std::array<double, 2>{{s[0], s[1]}});
  }
  return out;
}
}  // namespace detail

RunResult run(const WaveProblem& problem, MPI_Comm comm, const ProgressFn& progress) {
  problem.validate();
  HYSEIS_REQUIRE(Kokkos::is_initialized(), core::Error,
                 "wave solver: Kokkos is not initialised (create a Kokkos::ScopeGuard in main, "
                 "after MPI_Init)");
  ensure_p4est_initialised();
  const int rank = static_cast<int>(Utilities::MPI::this_mpi_process(comm));
  const int nranks = static_cast<int>(Utilities::MPI::n_mpi_processes(comm));
  const bool elastic = problem.physics == Physics::elastic;
  const int nc = elastic ? 2 : 1;
  const detail::Medium medium(problem.medium, problem.physics);
  const MeshOptions& mo = problem.mesh;
  const int p = mo.degree, n1 = p + 1, nq = n1 * n1;

  // ---- mesh and node numbering --------------------------------------------------------------
  parallel::distributed::Triangulation<2> tria(comm);
  GridGenerator::subdivided_hyper_rectangle(
      tria, {static_cast<unsigned>(mo.nx), static_cast<unsigned>(mo.nz)},
      Point<2>(mo.xmin, mo.zmin), Point<2>(mo.xmax, mo.zmax), /*colorize=*/true);
  // colorize: boundary id 0 = left (x = xmin), 1 = right, 2 = bottom (z = zmin), 3 = top.
  tria.refine_global(static_cast<unsigned>(mo.refinements));
  const BoundaryType side_type[4] = {problem.boundaries.left, problem.boundaries.right,
                                     problem.boundaries.bottom, problem.boundaries.top};

  const QGaussLobatto<1> gll1(n1);
  const QGaussLobatto<2> gll2(n1);
  const FE_Q<2> fe(gll1);
  DoFHandler<2> dof(tria);
  dof.distribute_dofs(fe);
  const IndexSet owned = dof.locally_owned_dofs();
  IndexSet active;
  DoFTools::extract_locally_active_dofs(dof, active);
  IndexSet ghost = active;
  ghost.subtract_set(owned);
  const auto part1 = std::make_shared<const Utilities::MPI::Partitioner>(owned, ghost, comm);
  std::shared_ptr<const Utilities::MPI::Partitioner> part = part1;
  if (elastic) {
    IndexSet owned2(2 * dof.n_dofs()), ghost2(2 * dof.n_dofs());
    for (auto it = owned.begin_intervals(); it != owned.end_intervals(); ++it)
      owned2.add_range(2 * *it->begin(), 2 * (it->last() + 1));
    std::vector<types::global_dof_index> g2;
    for (const auto g : ghost) {
      g2.push_back(2 * g);
      g2.push_back(2 * g + 1);
    }
    ghost2.add_indices(g2.begin(), g2.end());
    owned2.compress();
    ghost2.compress();
    part = std::make_shared<const Utilities::MPI::Partitioner>(owned2, ghost2, comm);
  }
  const int n_local_nodes = static_cast<int>(part1->locally_owned_size() + part1->n_ghost_indices());
  const int n_owned = static_cast<int>(part->locally_owned_size());
  const int n_local = nc * n_local_nodes;

  const auto l2h = lex_to_hier(p);
  for (int q = 0; q < nq; ++q) {  // internal invariant: FE_Q support points == GLL tensor points
    const Point<2> s = fe.get_unit_support_points()[l2h[q]];
    if (s.distance(gll2.point(q)) > 1e-12)
      throw std::logic_error("wave solver: FE_Q support points do not match QGaussLobatto<2>");
  }

  // ---- geometry, material, mass, damping ----------------------------------------------------
  ks::SemMeshHost2D mesh;
  mesh.degree = p;
  mesh.n_nodes = n_local_nodes;
  std::vector<std::array<double, 2>> node_xz(n_local_nodes);
  std::vector<CellGeom> geom;
  std::vector<double> lam, mu, irho;
  DVec mass(part), damp(part), dirichlet(part1);
  bool has_damping = false, has_dirichlet = false;

  FEValues<2> fev(fe, gll2, update_quadrature_points | update_inverse_jacobians | update_JxW_values);
  FEFaceValues<2> fefv(fe, gll1, update_quadrature_points | update_normal_vectors | update_JxW_values);
  std::vector<types::global_dof_index> dofs(fe.n_dofs_per_cell());
  std::vector<int> local(nq);
  for (const auto& cell : dof.active_cell_iterators()) {
    if (!cell->is_locally_owned()) continue;
    fev.reinit(cell);
    cell->get_dof_indices(dofs);
    CellGeom cg{};
    for (int q = 0; q < nq; ++q) {
      const int k = static_cast<int>(part1->global_to_local(dofs[l2h[q]]));
      local[q] = k;
      mesh.cell_nodes.push_back(k);
      const Point<2> x = fev.quadrature_point(q);
      node_xz[k] = std::array<double, 2>{{x[0], x[1]}};
      // The kernels' reference cell is [-1,1]^2 (gll_rule); deal.II's is [0,1]^2, so
      // d(xi_kernel)/dx = 2 d(xi_dealii)/dx. jxw is the physical measure, the same in both.
      const auto ij = fev.inverse_jacobian(q);
      mesh.inv_jacobian.insert(mesh.inv_jacobian.end(),
                               {2 * ij[0][0], 2 * ij[0][1], 2 * ij[1][0], 2 * ij[1][1]});
      mesh.jxw.push_back(fev.JxW(q));
    }
    cg.x0 = node_xz[local[0]][0];
    cg.z0 = node_xz[local[0]][1];
    cg.e1x = node_xz[local[p]][0] - cg.x0;
    cg.e1z = node_xz[local[p]][1] - cg.z0;
    cg.e2x = node_xz[local[p * n1]][0] - cg.x0;
    cg.e2z = node_xz[local[p * n1]][1] - cg.z0;
    cg.finish();
    cg.bx0 = cg.bz0 = std::numeric_limits<double>::max();
    cg.bx1 = cg.bz1 = -std::numeric_limits<double>::max();
    for (unsigned v = 0; v < 4; ++v) {
      cg.bx0 = std::min(cg.bx0, cell->vertex(v)[0]);
      cg.bx1 = std::max(cg.bx1, cell->vertex(v)[0]);
      cg.bz0 = std::min(cg.bz0, cell->vertex(v)[1]);
      cg.bz1 = std::max(cg.bz1, cell->vertex(v)[1]);
    }
    // Material at a point nudged towards the cell centre: a layer interface on a cell face is
    // then seen sharply by both cells (each takes its own side's properties).
    auto material = [&](double x, double z) {
      const double s = 1e-6;
      return medium.at(x + s * (cg.cx - x), z + s * (cg.cz - z));
    };
    for (int q = 0; q < nq; ++q) {
      const auto [x, z] = node_xz[local[q]];
      const detail::Material m = material(x, z);
      const double jxw = mesh.jxw[mesh.jxw.size() - nq + q];
      if (elastic) {
        mu.push_back(m.rho * m.vs * m.vs);
        lam.push_back(m.rho * (m.vp * m.vp - 2 * m.vs * m.vs));
        mass.local_element(2 * local[q]) += m.rho * jxw;
        mass.local_element(2 * local[q] + 1) += m.rho * jxw;
      } else {
        irho.push_back(1.0 / m.rho);
        mass.local_element(local[q]) += jxw / (m.rho * m.vp * m.vp);
      }
    }
    geom.push_back(cg);
    for (unsigned f = 0; f < GeometryInfo<2>::faces_per_cell; ++f) {
      if (!cell->face(f)->at_boundary()) continue;
      const auto bid = cell->face(f)->boundary_id();
      if (bid > 3) continue;
      const BoundaryType bt = side_type[bid];
      if (bt == BoundaryType::free && elastic) continue;  // traction-free: natural condition
      fefv.reinit(cell, f);
      const double h = std::hypot(cg.e1x, cg.e1z) + std::hypot(cg.e2x, cg.e2z);
      for (unsigned q = 0; q < fefv.n_quadrature_points; ++q) {
        const Point<2> x = fefv.quadrature_point(q);
        int k = -1;
        for (int c = 0; c < nq; ++c)
          if (std::hypot(node_xz[local[c]][0] - x[0], node_xz[local[c]][1] - x[1]) < 1e-9 * h)
            k = local[c];
        if (k < 0) throw std::logic_error("wave solver: face GLL point is not a cell node");
        if (bt == BoundaryType::free) {  // acoustic pressure release p = 0
          dirichlet.local_element(k) = 1.0;
          has_dirichlet = true;
          continue;
        }
        has_damping = true;
        const detail::Material m = material(x[0], x[1]);
        const Tensor<1, 2> n = fefv.normal_vector(q);
        const double jxw = fefv.JxW(q);
        if (elastic) {
          const double cn = m.rho * m.vp, ct = m.rho * m.vs;
          damp.local_element(2 * k) += jxw * (cn * n[0] * n[0] + ct * (1 - n[0] * n[0]));
          damp.local_element(2 * k + 1) += jxw * (cn * n[1] * n[1] + ct * (1 - n[1] * n[1]));
        } else {
          damp.local_element(k) += jxw / (m.rho * m.vp);
        }
      }
    }
  }
  mesh.n_cells = static_cast<int>(geom.size());
  // Flags are identical on all ranks only after a reduction (a rank may have no boundary).
  has_damping = Utilities::MPI::max(has_damping ? 1 : 0, comm) > 0;
  has_dirichlet = Utilities::MPI::max(has_dirichlet ? 1 : 0, comm) > 0;
  for (DVec* v : {&mass, &damp}) {
    v->compress(VectorOperation::add);
    v->update_ghost_values();
  }
  dirichlet.compress(VectorOperation::add);
  dirichlet.update_ghost_values();
  DVec inv_mass(part);
  for (int i = 0; i < n_local; ++i) {
    const bool fixed = dirichlet.local_element(i / nc) > 0;
    inv_mass.local_element(i) = fixed ? 0.0 : 1.0 / mass.local_element(i);
  }

  std::optional<ks::ElasticOperator2D> eop;
  std::optional<ks::AcousticOperator2D> aop;
  if (elastic)
    eop.emplace(mesh, lam, mu);
  else
    aop.emplace(mesh, irho);
  auto apply_k = [&](DVec& x, DVec& r) {
    r.zero_out_ghost_values();
    if (elastic)
      eop->apply(view(x), view(r));
    else
      aop->apply(view(x), view(r));
    r.compress(VectorOperation::add);
    r.update_ghost_values();
  };

  // ---- stability limit: power iteration on M^-1 K -------------------------------------------
  DVec u(part), v(part), a(part), r(part), f(part);
  double lambda_max = 0;
  {
    for (int i = 0; i < n_local; ++i) {
      const auto& xz = node_xz[i / nc];
      u.local_element(i) = inv_mass.local_element(i) > 0
                               ? rough_start((xz[0] - mo.xmin) / (mo.xmax - mo.xmin),
                                             (xz[1] - mo.zmin) / (mo.zmax - mo.zmin), i % nc)
                               : 0.0;
    }
    for (int it = 0; it < kPowerIterations; ++it) {
      apply_k(u, r);
      double s[2] = {0, 0};  // x^T K x, x^T M x
      for (int i = 0; i < n_owned; ++i) {
        s[0] += u.local_element(i) * r.local_element(i);
        if (inv_mass.local_element(i) > 0) s[1] += u.local_element(i) * u.local_element(i) / inv_mass.local_element(i);
      }
      double g[2];
      MPI_Allreduce(s, g, 2, MPI_DOUBLE, MPI_SUM, comm);
      if (g[1] <= 0) break;
      lambda_max = std::max(lambda_max, g[0] / g[1]);
      // x <- M^-1 K x, normalised in the M norm
      double ny = 0;
      for (int i = 0; i < n_local; ++i) u.local_element(i) = inv_mass.local_element(i) * r.local_element(i);
      for (int i = 0; i < n_owned; ++i)
        if (inv_mass.local_element(i) > 0) ny += u.local_element(i) * u.local_element(i) / inv_mass.local_element(i);
      ny = std::sqrt(allreduce_sum(ny, comm));
      if (!(ny > 0)) break;
      for (int i = 0; i < n_local; ++i) u.local_element(i) /= ny;
    }
  }
  HYSEIS_REQUIRE(lambda_max > 0 && std::isfinite(lambda_max), core::NumericalError,
                 "wave solver: could not estimate the stability limit (lambda_max = " << lambda_max << ")");
  const double dt_stable = kCflSafety * 2.0 / std::sqrt(lambda_max);

  const TimeOptions& to = problem.time;
  double dt = to.dt;
  int n_steps = 0;
  if (dt > 0) {
    HYSEIS_REQUIRE(dt <= dt_stable, core::NumericalError,
                   "time.dt = " << fmt(dt) << " s exceeds the stability (CFL) limit " << fmt(dt_stable)
                                << " s of this mesh and model; reduce time.dt or set it to 0 "
                                   "(chosen from time.cfl)");
    n_steps = static_cast<int>(std::ceil(to.duration / dt - 1e-9));
  } else {
    n_steps = static_cast<int>(std::ceil(to.duration / (to.cfl * dt_stable)));
    dt = to.duration / n_steps;
  }
  n_steps = std::max(n_steps, 1);

  // ---- sources and receivers ----------------------------------------------------------------
  const Lagrange1D lag(p);
  std::vector<double> lx(n1), ldx(n1), lz(n1), ldz(n1);
  // phi and grad phi of the cell's nodes at unit point (xi, eta)
  auto shape = [&](const CellGeom& cg, double xi, double eta, std::vector<double>& val,
                   std::vector<double>& gx, std::vector<double>& gz) {
    lag.eval(xi, lx.data(), ldx.data());
    lag.eval(eta, lz.data(), ldz.data());
    val.resize(nq);
    gx.resize(nq);
    gz.resize(nq);
    for (int j = 0; j < n1; ++j)
      for (int i = 0; i < n1; ++i) {
        const double dxi = ldx[i] * lz[j], deta = lx[i] * ldz[j];
        val[j * n1 + i] = lx[i] * lz[j];
        gx[j * n1 + i] = cg.inv[0][0] * dxi + cg.inv[1][0] * deta;
        gz[j * n1 + i] = cg.inv[0][1] * dxi + cg.inv[1][1] * deta;
      }
  };
  std::vector<double> val, gx, gz;

  struct SparseSource {
    std::vector<int> idx;
    std::vector<double> w;
  };
  std::vector<SparseSource> src(problem.sources.size());
  for (std::size_t s = 0; s < problem.sources.size(); ++s) {
    const SourceOptions& so = problem.sources[s];
    double xi = 0, eta = 0;
    const int c = locate(geom, mo, so.x, so.z, comm, xi, eta);
    zero_all(f);
    if (c >= 0) {
      shape(geom[c], xi, eta, val, gx, gz);
      for (int q = 0; q < nq; ++q) {
        const int k = mesh.cell_nodes[c * nq + q];
        switch (so.type) {
          case SourceType::force:
            f.local_element(2 * k) += so.fx * val[q];
            f.local_element(2 * k + 1) += so.fz * val[q];
            break;
          case SourceType::moment_tensor:  // f = -div(M delta): rhs_i = M grad(phi_i)(x_s)
            f.local_element(2 * k) += so.mxx * gx[q] + so.mxz * gz[q];
            f.local_element(2 * k + 1) += so.mxz * gx[q] + so.mzz * gz[q];
            break;
          case SourceType::pressure: f.local_element(k) += val[q]; break;
        }
      }
    }
    f.compress(VectorOperation::add);
    f.update_ghost_values();
    for (int i = 0; i < n_local; ++i)
      if (f.local_element(i) != 0.0) {
        src[s].idx.push_back(i);
        src[s].w.push_back(f.local_element(i));
      }
  }
  zero_all(f);

  struct LocalReceiver {
    int index;
    std::vector<int> node;
    std::vector<double> w;
  };
  std::vector<LocalReceiver> recs;
  for (std::size_t i = 0; i < problem.receivers.size(); ++i) {
    double xi = 0, eta = 0;
    const int c = locate(geom, mo, problem.receivers[i].x, problem.receivers[i].z, comm, xi, eta);
    if (c < 0) continue;
    shape(geom[c], xi, eta, val, gx, gz);
    LocalReceiver lr{static_cast<int>(i), {}, {}};
    for (int q = 0; q < nq; ++q) {
      lr.node.push_back(mesh.cell_nodes[c * nq + q]);
      lr.w.push_back(val[q]);
    }
    recs.push_back(std::move(lr));
  }

  // ---- result skeleton ----------------------------------------------------------------------
  RunResult result;
  Seismograms& seis = result.seismograms;
  const int n_samples = n_steps + 1;
  for (int n = 0; n < n_samples; ++n) seis.time.push_back(to.t_start + n * dt);
  for (const auto& rc : problem.receivers) {
    seis.receiver_names.push_back(rc.name);
    seis.receiver_xz.push_back(std::array<double, 2>{{rc.x, rc.z}});
  }
  DVec* recorded = &u;
  if (elastic) {
    seis.components = {"x", "z"};
    switch (problem.record) {
      case RecordQuantity::velocity: seis.quantity = "velocity"; seis.unit = "m/s"; recorded = &v; break;
      case RecordQuantity::acceleration: seis.quantity = "acceleration"; seis.unit = "m/s^2"; recorded = &a; break;
      default: seis.quantity = "displacement"; seis.unit = "m"; break;
    }
  } else {
    seis.components = {"p"};
    switch (problem.record) {
      case RecordQuantity::velocity: seis.quantity = "dp/dt"; seis.unit = "Pa/s"; recorded = &v; break;
      case RecordQuantity::acceleration: seis.quantity = "d2p/dt2"; seis.unit = "Pa/s^2"; recorded = &a; break;
      default: seis.quantity = "pressure"; seis.unit = "Pa"; break;
    }
  }
  const std::size_t n_rec = problem.receivers.size();
  std::vector<double> rec_data(n_rec * nc * n_samples, 0.0);  // [r][c][n]
  auto record = [&](int n) {
    for (const auto& lr : recs)
      for (int c = 0; c < nc; ++c) {
        double s = 0;
        for (std::size_t q = 0; q < lr.node.size(); ++q) s += lr.w[q] * recorded->local_element(nc * lr.node[q] + c);
        rec_data[(lr.index * nc + c) * n_samples + n] = s;
      }
  };

  // gridded snapshot
  const SnapshotOptions& so = problem.snapshots;
  const bool want_image = so.image_nx > 0 && so.image_nz > 0;
  int n_image = n_steps;
  if (so.image_time >= 0)
    n_image = std::clamp(static_cast<int>(std::lround((so.image_time - to.t_start) / dt)), 0, n_steps);
  auto grid_field = [&](const std::string& name, double t) {
    GriddedField g;
    g.nx = so.image_nx;
    g.nz = so.image_nz;
    g.xmin = mo.xmin;
    g.xmax = mo.xmax;
    g.zmin = mo.zmin;
    g.zmax = mo.zmax;
    g.time = t;
    g.name = name;
    g.values.assign(static_cast<std::size_t>(g.nx) * g.nz, 0.0);
    return g;
  };
  const double hx = (mo.xmax - mo.xmin) / std::max(so.image_nx, 1);
  const double hz = (mo.zmax - mo.zmin) / std::max(so.image_nz, 1);
  auto capture_image = [&](double t) {
    GriddedField g = grid_field(elastic ? "|u|" : "p", t);
    std::vector<double> vals(nq);
    for (std::size_t c = 0; c < geom.size(); ++c) {
      const CellGeom& cg = geom[c];
      const int ix0 = std::max(0, static_cast<int>(std::floor((cg.bx0 - mo.xmin) / hx - 0.5)) - 1);
      const int ix1 = std::min(g.nx - 1, static_cast<int>(std::ceil((cg.bx1 - mo.xmin) / hx - 0.5)) + 1);
      const int iz0 = std::max(0, static_cast<int>(std::floor((cg.bz0 - mo.zmin) / hz - 0.5)) - 1);
      const int iz1 = std::min(g.nz - 1, static_cast<int>(std::ceil((cg.bz1 - mo.zmin) / hz - 0.5)) + 1);
      for (int iz = iz0; iz <= iz1; ++iz) {
        const double z = mo.zmin + (iz + 0.5) * hz;
        if (!(z >= cg.bz0 && z < cg.bz1)) continue;  // half-open: each pixel in exactly one cell
        for (int ix = ix0; ix <= ix1; ++ix) {
          const double x = mo.xmin + (ix + 0.5) * hx;
          if (!(x >= cg.bx0 && x < cg.bx1)) continue;
          double xi, eta;
          cg.unit(x, z, xi, eta);
          lag.eval(std::clamp(xi, 0.0, 1.0), lx.data(), nullptr);
          lag.eval(std::clamp(eta, 0.0, 1.0), lz.data(), nullptr);
          double s[2] = {0, 0};
          for (int j = 0; j < n1; ++j)
            for (int i = 0; i < n1; ++i) {
              const int k = mesh.cell_nodes[c * nq + j * n1 + i];
              for (int cc = 0; cc < nc; ++cc) s[cc] += lx[i] * lz[j] * u.local_element(nc * k + cc);
            }
          g.values[static_cast<std::size_t>(iz) * g.nx + ix] = elastic ? std::hypot(s[0], s[1]) : s[0];
        }
      }
    }
    std::vector<double> sum(g.values.size());
    MPI_Allreduce(g.values.data(), sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM, comm);
    g.values = std::move(sum);
    result.snapshot = std::move(g);
  };

  // VTU snapshots
  auto write_vtu = [&](int n) {
    const std::filesystem::path prefix(so.vtu_prefix);
    std::string dir = prefix.parent_path().string();
    dir = dir.empty() ? std::string("./") : dir + "/";
    if (rank == 0) std::filesystem::create_directories(dir);
    MPI_Barrier(comm);
    std::vector<DVec> comp(nc, DVec(part1));
    for (int c = 0; c < nc; ++c)
      for (int k = 0; k < n_local_nodes; ++k) comp[c].local_element(k) = u.local_element(nc * k + c);
    for (auto& c : comp) c.update_ghost_values();
    DataOut<2> out;
    out.attach_dof_handler(dof);
    if (elastic) {
      out.add_data_vector(comp[0], "ux");
      out.add_data_vector(comp[1], "uz");
    } else {
      out.add_data_vector(comp[0], "p");
    }
    out.build_patches(static_cast<unsigned>(p));
    out.write_vtu_with_pvtu_record(dir, prefix.filename().string(), static_cast<unsigned>(n / so.every),
                                   comm, 5);
  };

  // ---- initial state ------------------------------------------------------------------------
  const AnalyticFields& an = problem.analytic;
  zero_all(u);
  zero_all(v);
  for (int k = 0; k < n_local_nodes; ++k) {
    if (dirichlet.local_element(k) > 0) continue;
    const auto [x, z] = node_xz[k];
    if (an.initial_u) {
      const auto val0 = an.initial_u(x, z, to.t_start);
      for (int c = 0; c < nc; ++c) u.local_element(nc * k + c) = val0[c];
    }
    if (an.initial_v) {
      const auto val0 = an.initial_v(x, z, to.t_start);
      for (int c = 0; c < nc; ++c) v.local_element(nc * k + c) = val0[c];
    }
  }
  auto set_force = [&](double t) {
    for (std::size_t s = 0; s < src.size(); ++s) {
      const double g = source_time_function(problem.sources[s], t);
      for (std::size_t i = 0; i < src[s].idx.size(); ++i) f.local_element(src[s].idx[i]) += g * src[s].w[i];
    }
  };
  auto clear_force = [&]() {
    for (const auto& s : src)
      for (const int i : s.idx) f.local_element(i) = 0.0;
  };
  // Damping enters with the end-of-step velocity v_{n+1} = v_{n+1/2} + dt/2 a_{n+1}:
  //   M a_{n+1} + C v_{n+1} = f - K u_{n+1}  <=>  a_{n+1} = (f - K u - C v_{n+1/2}) / (M + dt/2 C),
  // i.e. newmark_correct with the effective inverse mass 1/(M + dt/2 C). This is Newmark's
  // gamma = 1/2 treatment of a diagonal damping (second order, no extra stability limit);
  // damping on the half-step velocity alone is unstable at Stacey corners for cfl ~ 0.5.
  DVec inv_mass_eff(part);
  for (int i = 0; i < n_local; ++i) {
    const double im = inv_mass.local_element(i);
    inv_mass_eff.local_element(i) = im > 0 ? 1.0 / (1.0 / im + 0.5 * dt * damp.local_element(i)) : 0.0;
  }
  const ks::Vector no_damping;
  auto correct = [&](double step) {
    DVec& im = step > 0 ? inv_mass_eff : inv_mass;
    if (has_damping)
      ks::newmark_correct(step, view(im), view(f), view(r), view(damp), view(v), view(a));
    else
      ks::newmark_correct(step, view(im), view(f), view(r), no_damping, view(v), view(a));
  };
  auto check_finite = [&](int n) {
    const double m = ks::max_abs_or_nan(view(u));
    const int bad = Utilities::MPI::max(std::isfinite(m) ? 0 : 1, comm);
    HYSEIS_REQUIRE(bad == 0, core::NumericalError,
                   "wave solver: the wavefield became NaN/Inf at step " << n << " (t = " << fmt(to.t_start + n * dt)
                                                                       << " s, dt = " << fmt(dt) << " s, dt_stable = "
                                                                       << fmt(dt_stable) << " s)");
  };

  apply_k(u, r);
  set_force(to.t_start);
  correct(0.0);  // a0 = M^-1 (f0 - K u0 - C v0)
  clear_force();
  check_finite(0);
  record(0);
  if (want_image && n_image == 0) capture_image(to.t_start);
  if (so.every > 0) write_vtu(0);

  // ---- time loop ----------------------------------------------------------------------------
  RunStats& st = result.stats;
  const int progress_every = std::max(1, n_steps / 100);
  MPI_Barrier(comm);
  const double t0 = MPI_Wtime();
  for (int n = 0; n < n_steps; ++n) {
    const double t1 = to.t_start + (n + 1) * dt;
    ks::newmark_predict(dt, view(u), view(v), view(a));  // u = u_{n+1}, v = v_{n+1/2}
    if (to.energy_every > 0 && n % to.energy_every == 0) {
      double e[2] = {0, 0};
      for (int i = 0; i < n_owned; ++i) {
        if (inv_mass.local_element(i) > 0)
          e[0] += v.local_element(i) * v.local_element(i) / inv_mass.local_element(i);
        e[1] += u.local_element(i) * r.local_element(i);  // r = K u_n
      }
      double g[2];
      MPI_Allreduce(e, g, 2, MPI_DOUBLE, MPI_SUM, comm);
      st.energy_time.push_back(to.t_start + (n + 0.5) * dt);
      st.energy.push_back(0.5 * (g[0] + g[1]));
    }
    apply_k(u, r);
    set_force(t1);
    correct(dt);
    clear_force();
    if ((n + 1) % kNanCheckEvery == 0 || n + 1 == n_steps) check_finite(n + 1);
    record(n + 1);
    if (want_image && n + 1 == n_image) capture_image(t1);
    if (so.every > 0 && (n + 1) % so.every == 0) write_vtu(n + 1);
    if (progress && rank == 0 && ((n + 1) % progress_every == 0 || n + 1 == n_steps)) progress(n + 1, n_steps);
  }
  const double wall = Utilities::MPI::max(MPI_Wtime() - t0, comm);

  // ---- gather results -----------------------------------------------------------------------
  {
    std::vector<double> sum(rec_data.size());
    if (!rec_data.empty())
      MPI_Allreduce(rec_data.data(), sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM, comm);
    seis.data.assign(n_rec, std::vector<std::vector<double>>(nc, std::vector<double>(n_samples)));
    for (std::size_t i = 0; i < n_rec; ++i)
      for (int c = 0; c < nc; ++c)
        std::copy_n(sum.begin() + (i * nc + c) * n_samples, n_samples, seis.data[i][c].begin());
  }
  if (want_image) {
    GriddedField g = grid_field("vp", 0.0);
    for (int iz = 0; iz < g.nz; ++iz)
      for (int ix = 0; ix < g.nx; ++ix)
        g.values[static_cast<std::size_t>(iz) * g.nx + ix] =
            medium.at(mo.xmin + (ix + 0.5) * hx, mo.zmin + (iz + 0.5) * hz).vp;
    result.vp_model = std::move(g);
  }

  if (an.exact_u) {
    const double tf = to.t_start + n_steps * dt;
    double e[2] = {0, 0};
    for (int c = 0; c < mesh.n_cells; ++c)
      for (int q = 0; q < nq; ++q) {
        const int k = mesh.cell_nodes[c * nq + q];
        const auto ex = an.exact_u(node_xz[k][0], node_xz[k][1], tf);
        for (int cc = 0; cc < nc; ++cc) {
          const double d = u.local_element(nc * k + cc) - ex[cc];
          e[0] += mesh.jxw[c * nq + q] * d * d;
          e[1] += mesh.jxw[c * nq + q] * ex[cc] * ex[cc];
        }
      }
    double g[2];
    MPI_Allreduce(e, g, 2, MPI_DOUBLE, MPI_SUM, comm);
    st.l2_error_final = std::sqrt(g[0]);
    st.l2_norm_exact_final = std::sqrt(g[1]);
  }

  st.dt = dt;
  st.dt_stable = dt_stable;
  st.n_steps = n_steps;
  st.n_cells = static_cast<long long>(tria.n_global_active_cells());
  st.n_gll_points = static_cast<long long>(dof.n_dofs());
  st.n_dofs = static_cast<long long>(nc) * dof.n_dofs();
  st.wall_time_loop = wall;
  st.point_updates_per_s = wall > 0 ? static_cast<double>(st.n_gll_points) * n_steps / wall : 0.0;
  st.mpi_ranks = nranks;
  return result;
}

}  // namespace hyseis::physics::wave
