// Quasi-static FE model of the antiplane earthquake cycle: elastic layer (0 < z < H) over a
// Maxwell half-space, deal.II FE_Q on a graded rectangle [0, L] x [0, Z] (x >= 0 half of the
// odd field, z = depth). See docs/theory/viscoelastic-cycle.md.
//
// Unknown: w'(x, z, t) = w - (v t / 2), the displacement relative to the far-field block motion
// of the x > 0 plate (a rigid, stress-free motion). Then w' is driven only by the slip deficit
// delta(t) = S(t) - v t on the fault above D (S: cumulative coseismic slip), imposed as
// w'(0, z) = delta/2 (z < D), 0 below D (antisymmetry; below D the fault creeps at the plate
// rate, which the block motion carries). Far boundaries: w' = 0 (or traction free).
//
// Constitutive law with engineering shear strains g = grad w, viscous part g_v (Maxwell cells):
//   sigma = mu (grad w - g_v),   d g_v / dt = sigma / eta = (grad w - g_v) / tau,
// equilibrium div sigma = 0, sigma . n = 0 at z = 0. Theta scheme (b = dt/tau), eliminated at the
// quadrature points:
//   g_v^{n+1} = [P + b th grad w^{n+1}] / (1 + b th),   P = (1 - b(1-th)) g_v^n + b(1-th) grad w^n,
//   int mu/(1 + b th) grad phi . grad w^{n+1} = int mu grad phi . P / (1 + b th)   (Maxwell cells),
// so the matrix is constant: it is factorised once (UMFPACK) and every step is a back-solve.
// Velocities are evaluated exactly from the state: K wdot = int mu grad phi . (grad w - g_v)/tau,
// wdot = delta_dot/2 = -v/2 on the fault.
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/dofs/dof_tools.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_values.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/grid_tools.h>
#include <deal.II/grid/tria.h>
#include <deal.II/lac/dynamic_sparsity_pattern.h>
#include <deal.II/lac/precondition.h>
#include <deal.II/lac/solver_cg.h>
#include <deal.II/lac/solver_control.h>
#include <deal.II/lac/sparse_direct.h>
#include <deal.II/lac/sparse_matrix.h>
#include <deal.II/lac/sparsity_pattern.h>
#include <deal.II/lac/vector.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace hyseis::physics::cycle {

namespace {

using namespace dealii;
using core::InvalidInput;
using core::NumericalError;
using Clock = std::chrono::steady_clock;

bool finite_positive(double v) { return std::isfinite(v) && v > 0; }

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Cell sizes: uniform h0 up to `fine_end` (with `breaks` forced as mesh lines), then geometric.
std::vector<double> graded_steps(const std::vector<double>& breaks, double fine_end, double h0, double growth,
                                 double length) {
  std::vector<double> steps;
  double x = 0;
  std::vector<double> marks = breaks;
  marks.push_back(fine_end);
  for (double m : marks) {
    if (m <= x + 1e-9 * length) continue;
    const int n = static_cast<int>(std::ceil((m - x) / h0 - 1e-9));
    for (int i = 0; i < n; ++i) steps.push_back((m - x) / n);
    x = m;
  }
  double h = steps.empty() ? h0 : steps.back();
  while (x < length) {
    h *= growth;
    if (x + h * (1 + 0.5 * growth) >= length) {
      steps.push_back(length - x);
      break;
    }
    steps.push_back(h);
    x += h;
  }
  return steps;
}

/// Geometric refinement toward the coordinate `c` (a mesh line): the cells touching it are split
/// into pieces h/2^L, h/2^L, h/2^(L-1), ..., h/2, the smallest next to c (grading toward the
/// singular dislocation tip, where the error of a uniform mesh is only O(h)).
std::vector<double> refine_toward(const std::vector<double>& steps, double c, int levels) {
  if (levels <= 0) return steps;
  std::vector<double> out;
  double x = 0;
  const double tol = 1e-9 * std::max(1.0, std::abs(c));
  for (double h : steps) {
    const bool right_of = std::abs(x - c) < tol, left_of = std::abs(x + h - c) < tol;
    if (!right_of && !left_of) {
      out.push_back(h);
    } else {
      std::vector<double> piece = {h / std::pow(2.0, levels)};
      for (int l = levels; l >= 1; --l) piece.push_back(h / std::pow(2.0, l));
      if (left_of) std::reverse(piece.begin(), piece.end());
      out.insert(out.end(), piece.begin(), piece.end());
    }
    x += h;
  }
  return out;
}

/// Point evaluation data: the dofs of the containing cell and the shape values there.
struct Probe {
  std::vector<types::global_dof_index> dofs;
  std::vector<double> phi;
  double eval(const Vector<double>& v) const {
    double s = 0;
    for (std::size_t i = 0; i < dofs.size(); ++i) s += phi[i] * v[dofs[i]];
    return s;
  }
};

/// A constant SPD matrix with Dirichlet rows/columns eliminated, factorised once.
class ConstrainedSolver {
public:
  void init(const SparsityPattern& sp, const SparseMatrix<double>& A, const std::vector<char>& constrained,
            bool direct) {
    direct_ = direct;
    A_ = &A;
    constrained_ = &constrained;
    Amod_.reinit(sp);
    Amod_.copy_from(A);
    double diag = 0;
    for (unsigned i = 0; i < A.m(); ++i) diag += A.diag_element(i);
    diag_ = diag / A.m();
    for (unsigned i = 0; i < A.m(); ++i)
      for (auto it = Amod_.begin(i); it != Amod_.end(i); ++it)
        if (constrained[i] || constrained[it->column()]) it->value() = (it->column() == i) ? diag_ : 0.0;
    if (direct_) {
      lu_ = std::make_unique<SparseDirectUMFPACK>();
      lu_->initialize(Amod_);
    } else {
      ssor_.initialize(Amod_, PreconditionSSOR<SparseMatrix<double>>::AdditionalData(1.2));
    }
  }
  /// Solves A x = b on the free dofs with x = g on the constrained ones (b, g full vectors;
  /// b's constrained entries are ignored). x is also the CG start.
  void solve(const Vector<double>& b, const Vector<double>& g, Vector<double>& x) const {
    Vector<double> rhs(b.size()), Ag(b.size());
    A_->vmult(Ag, g);
    const auto& c = *constrained_;
    for (unsigned i = 0; i < b.size(); ++i) rhs[i] = c[i] ? diag_ * g[i] : b[i] - Ag[i];
    if (direct_) {
      lu_->vmult(x, rhs);
    } else {
      SolverControl control(20000, 1e-13 * std::max(rhs.l2_norm(), 1e-300));
      SolverCG<Vector<double>> cg(control);
      cg.solve(Amod_, x, rhs, ssor_);
    }
    for (unsigned i = 0; i < x.size(); ++i)
      if (c[i]) x[i] = g[i];
  }

private:
  bool direct_ = true;
  const SparseMatrix<double>* A_ = nullptr;
  const std::vector<char>* constrained_ = nullptr;
  SparseMatrix<double> Amod_;
  std::unique_ptr<SparseDirectUMFPACK> lu_;
  PreconditionSSOR<SparseMatrix<double>> ssor_;
  double diag_ = 1;
};

class CycleModel {
public:
  explicit CycleModel(const ViscoelasticCycleOptions& o) : o_(o), fe_(o.fe_degree), dof_(tria_) {
    const double H = o.layer_thickness, D = o.locking_depth;
    std::vector<std::vector<double>> steps(2);
    steps[0] = graded_steps({}, o.fine_width, o.cell_size, o.growth, o.domain_width);
    std::vector<double> zb = {D};
    if (H > D * (1 + 1e-12)) zb.push_back(H);
    steps[1] = graded_steps(zb, H + 0.5 * o.fine_width, o.cell_size, o.growth, o.domain_depth);
    steps[0] = refine_toward(steps[0], 0.0, o.tip_levels);
    steps[1] = refine_toward(steps[1], D, o.tip_levels);
    double L = 0, Z = 0;
    for (double h : steps[0]) L += h;
    for (double h : steps[1]) Z += h;
    GridGenerator::subdivided_hyper_rectangle(tria_, steps, Point<2>(0, 0), Point<2>(L, Z), true);
    dof_.distribute_dofs(fe_);
    const unsigned n = dof_.n_dofs();

    DynamicSparsityPattern dsp(n, n);
    DoFTools::make_sparsity_pattern(dof_, dsp);
    sp_.copy_from(dsp);

    // Dirichlet data: fault side (id 0) with weight 1 above D, 1/2 at the tip, 0 below;
    // far sides (id 1: x = L, id 3: z = Z) fixed at 0 unless traction free.
    std::vector<Point<2>> support(n);
    DoFTools::map_dofs_to_support_points(MappingQ1<2>(), dof_, support);
    constrained_.assign(n, 0);
    fault_weight_.assign(n, 0.0);
    const IndexSet fault = DoFTools::extract_boundary_dofs(dof_, ComponentMask(), {0});
    for (auto i : fault) {
      constrained_[i] = 1;
      const double z = support[i][1];
      const double tol = 1e-9 * H;
      fault_weight_[i] = z < D - tol ? 1.0 : (z < D + tol ? 0.5 : 0.0);
    }
    if (o.far_boundary == "dirichlet") {
      const IndexSet far = DoFTools::extract_boundary_dofs(dof_, ComponentMask(), {1, 3});
      for (auto i : far) constrained_[i] = 1, fault_weight_[i] = 0.0;
    }

    // Per-cell data: dofs, JxW, shape gradients at the quadrature points, material.
    const QGauss<2> quad(fe_.degree + 1);
    FEValues<2> fv(fe_, quad, update_gradients | update_JxW_values);
    nq_ = quad.size();
    nd_ = fe_.n_dofs_per_cell();
    std::vector<types::global_dof_index> ld(nd_);
    for (const auto& cell : dof_.active_cell_iterators()) {
      fv.reinit(cell);
      cell->get_dof_indices(ld);
      dofs_.insert(dofs_.end(), ld.begin(), ld.end());
      maxwell_.push_back(cell->center()[1] > H ? 1 : 0);
      for (unsigned q = 0; q < nq_; ++q) {
        jxw_.push_back(fv.JxW(q));
        for (unsigned i = 0; i < nd_; ++i) {
          grads_.push_back(fv.shape_grad(i, q)[0]);
          grads_.push_back(fv.shape_grad(i, q)[1]);
        }
      }
    }
    n_cells_ = static_cast<unsigned>(maxwell_.size());
  }

  unsigned n_dofs() const { return dof_.n_dofs(); }
  unsigned n_cells() const { return n_cells_; }
  const SparsityPattern& sparsity() const { return sp_; }
  const std::vector<char>& constrained() const { return constrained_; }

  /// Stiffness with modulus mu in the layer and mu * maxwell_factor in the half-space.
  void assemble(SparseMatrix<double>& A, double maxwell_factor) const {
    A.reinit(sp_);
    FullMatrix<double> k(nd_, nd_);
    std::vector<types::global_dof_index> ld(nd_);
    for (unsigned c = 0; c < n_cells_; ++c) {
      k = 0;
      const double mu = o_.shear_modulus * (maxwell_[c] ? maxwell_factor : 1.0);
      for (unsigned q = 0; q < nq_; ++q) {
        const double* g = &grads_[(std::size_t(c) * nq_ + q) * nd_ * 2];
        const double f = mu * jxw_[std::size_t(c) * nq_ + q];
        for (unsigned i = 0; i < nd_; ++i)
          for (unsigned j = 0; j < nd_; ++j) k(i, j) += f * (g[2 * i] * g[2 * j] + g[2 * i + 1] * g[2 * j + 1]);
      }
      for (unsigned i = 0; i < nd_; ++i) ld[i] = dofs_[std::size_t(c) * nd_ + i];
      A.add(ld, k);
    }
  }

  /// Dirichlet vector: fault weight * value on the fault, 0 on the other constrained dofs.
  Vector<double> dirichlet(double fault_value) const {
    Vector<double> g(n_dofs());
    for (unsigned i = 0; i < n_dofs(); ++i) g[i] = fault_weight_[i] * fault_value;
    return g;
  }

  /// Calls f(cell, q, gx, gz, JxW, grad_ptr) with grad w at every quadrature point of Maxwell cells.
  template <class F>
  void for_maxwell_points(const Vector<double>& w, F&& f) const {
    for (unsigned c = 0; c < n_cells_; ++c) {
      if (!maxwell_[c]) continue;
      const auto* ld = &dofs_[std::size_t(c) * nd_];
      for (unsigned q = 0; q < nq_; ++q) {
        const double* g = &grads_[(std::size_t(c) * nq_ + q) * nd_ * 2];
        double gx = 0, gz = 0;
        for (unsigned i = 0; i < nd_; ++i) {
          gx += w[ld[i]] * g[2 * i];
          gz += w[ld[i]] * g[2 * i + 1];
        }
        f(c, q, gx, gz);
      }
    }
  }
  /// b_i += mu JxW grad phi_i . F over Maxwell quadrature points; F[(c nq + q) * 2 + k].
  void add_rhs(const std::vector<double>& F, double scale, Vector<double>& b) const {
    for (unsigned c = 0; c < n_cells_; ++c) {
      if (!maxwell_[c]) continue;
      const auto* ld = &dofs_[std::size_t(c) * nd_];
      for (unsigned q = 0; q < nq_; ++q) {
        const std::size_t cq = std::size_t(c) * nq_ + q;
        const double* g = &grads_[cq * nd_ * 2];
        const double fx = scale * o_.shear_modulus * jxw_[cq] * F[2 * cq];
        const double fz = scale * o_.shear_modulus * jxw_[cq] * F[2 * cq + 1];
        for (unsigned i = 0; i < nd_; ++i) b[ld[i]] += g[2 * i] * fx + g[2 * i + 1] * fz;
      }
    }
  }
  std::size_t n_points() const { return std::size_t(n_cells_) * nq_; }

  Probe probe(double x, double z) const {
    static const MappingQ1<2> mapping;
    const auto cp = GridTools::find_active_cell_around_point(mapping, dof_, Point<2>(x, z));
    Probe p;
    p.dofs.resize(nd_);
    cp.first->get_dof_indices(p.dofs);
    Point<2> ref = cp.second;
    for (unsigned d = 0; d < 2; ++d) ref[d] = std::min(1.0, std::max(0.0, ref[d]));
    for (unsigned i = 0; i < nd_; ++i) p.phi.push_back(fe_.shape_value(i, ref));
    return p;
  }

private:
  const ViscoelasticCycleOptions& o_;
  Triangulation<2> tria_;
  FE_Q<2> fe_;
  DoFHandler<2> dof_;
  SparsityPattern sp_;
  std::vector<char> constrained_;
  std::vector<double> fault_weight_;
  unsigned nq_ = 0, nd_ = 0, n_cells_ = 0;
  std::vector<types::global_dof_index> dofs_;
  std::vector<double> jxw_, grads_;
  std::vector<char> maxwell_;
};

void check_finite(const Vector<double>& v, const char* what) {
  for (double x : v)
    HYSEIS_REQUIRE(std::isfinite(x), NumericalError, "viscoelastic cycle: non-finite values in " << what);
}

}  // namespace

void ViscoelasticCycleOptions::validate() const {
  auto pos = [](double v, const char* name) {
    HYSEIS_REQUIRE(finite_positive(v), InvalidInput, "viscoelastic_cycle." << name << ": must be > 0, got " << v);
  };
  pos(layer_thickness, "layer_thickness");
  pos(locking_depth, "locking_depth");
  HYSEIS_REQUIRE(locking_depth <= layer_thickness * (1 + 1e-12), InvalidInput,
                 "viscoelastic_cycle.locking_depth: must be <= layer_thickness (" << layer_thickness << "), got "
                                                                              << locking_depth);
  pos(recurrence, "recurrence");
  HYSEIS_REQUIRE(finite_positive(relaxation_time), InvalidInput,
                 "viscoelastic_cycle.relaxation_time: must be > 0 (viscosity > 0), got " << relaxation_time);
  HYSEIS_REQUIRE(std::isfinite(slip), InvalidInput, "viscoelastic_cycle.slip: must be finite, got " << slip);
  pos(shear_modulus, "shear_modulus");
  HYSEIS_REQUIRE(cycles >= 2, InvalidInput, "viscoelastic_cycle.cycles: must be >= 2, got " << cycles);
  HYSEIS_REQUIRE(steps_per_cycle >= 20 && steps_per_cycle % 20 == 0, InvalidInput,
                 "viscoelastic_cycle.steps_per_cycle: must be a positive multiple of 20, got " << steps_per_cycle);
  HYSEIS_REQUIRE(theta >= 0.5 && theta <= 1.0, InvalidInput,
                 "viscoelastic_cycle.theta: must be in [0.5, 1], got " << theta);
  HYSEIS_REQUIRE(fe_degree >= 1 && fe_degree <= 4, InvalidInput,
                 "viscoelastic_cycle.fe_degree: must be in [1, 4], got " << fe_degree);
  pos(cell_size, "cell_size");
  HYSEIS_REQUIRE(cell_size <= locking_depth, InvalidInput,
                 "viscoelastic_cycle.cell_size: must be <= locking_depth (" << locking_depth << "), got " << cell_size);
  pos(fine_width, "fine_width");
  HYSEIS_REQUIRE(tip_levels >= 0 && tip_levels <= 12, InvalidInput,
                 "viscoelastic_cycle.tip_levels: must be in [0, 12], got " << tip_levels);
  HYSEIS_REQUIRE(std::isfinite(growth) && growth >= 1.0 && growth <= 2.0, InvalidInput,
                 "viscoelastic_cycle.growth: must be in [1, 2], got " << growth);
  HYSEIS_REQUIRE(finite_positive(domain_width) && domain_width > 2 * fine_width, InvalidInput,
                 "viscoelastic_cycle.domain_width: must be > 2 fine_width (" << 2 * fine_width << "), got "
                                                                             << domain_width);
  HYSEIS_REQUIRE(finite_positive(domain_depth) && domain_depth > 2 * (layer_thickness + fine_width), InvalidInput,
                 "viscoelastic_cycle.domain_depth: must be > 2 (layer_thickness + fine_width) = "
                     << 2 * (layer_thickness + fine_width) << ", got " << domain_depth);
  const double cells_est = (fine_width / cell_size + std::log(domain_width / cell_size) / std::log(std::max(growth, 1.0001))) *
                           ((layer_thickness + fine_width) / cell_size + std::log(domain_depth / cell_size) / std::log(std::max(growth, 1.0001)));
  HYSEIS_REQUIRE(cells_est < 2e6, InvalidInput,
                 "viscoelastic_cycle: mesh would have ~" << cells_est << " cells (> 2e6): increase cell_size or growth");
  HYSEIS_REQUIRE(far_boundary == "dirichlet" || far_boundary == "neumann", InvalidInput,
                 "viscoelastic_cycle.far_boundary: must be 'dirichlet' or 'neumann', got '" << far_boundary << "'");
  HYSEIS_REQUIRE(linear_solver == "direct" || linear_solver == "cg", InvalidInput,
                 "viscoelastic_cycle.linear_solver: must be 'direct' or 'cg', got '" << linear_solver << "'");
  for (double x : profile_x)
    HYSEIS_REQUIRE(std::isfinite(x) && x > 0 && x < domain_width, InvalidInput,
                   "viscoelastic_cycle.profile_x: stations must lie in (0, domain_width), got " << x
                       << (x == 0 ? " (on the fault trace)" : ""));
  for (double p : profile_phases) {
    HYSEIS_REQUIRE(std::isfinite(p) && p > 0 && p <= 1, InvalidInput,
                   "viscoelastic_cycle.profile_phases: must be in (0, 1], got " << p);
    const double k = p * steps_per_cycle;
    HYSEIS_REQUIRE(std::abs(k - std::round(k)) < 1e-9, InvalidInput,
                   "viscoelastic_cycle.profile_phases: " << p << " does not fall on a time step (steps_per_cycle = "
                                                         << steps_per_cycle << ")");
  }
  HYSEIS_REQUIRE(record_cycles >= 0 && record_cycles < cycles, InvalidInput,
                 "viscoelastic_cycle.record_cycles: must be in [0, cycles), got " << record_cycles);
}

ViscoelasticCycleResult run_viscoelastic_cycle(const ViscoelasticCycleOptions& o) {
  o.validate();
  const auto t_setup = Clock::now();
  CycleModel m(o);
  const bool direct = o.linear_solver == "direct";
  const int N = o.steps_per_cycle;
  const double T = o.recurrence, tau = o.relaxation_time, s = o.slip, vp = s / T;
  const double dt = T / N, b = dt / tau, th = o.theta;

  SparseMatrix<double> K, Keff;
  m.assemble(K, 1.0);
  m.assemble(Keff, 1.0 / (1 + b * th));
  ConstrainedSolver el, eff;
  el.init(m.sparsity(), K, m.constrained(), direct);
  eff.init(m.sparsity(), Keff, m.constrained(), direct);

  std::vector<Probe> probes;
  for (double x : o.profile_x) probes.push_back(m.probe(x, 0.0));

  ViscoelasticCycleResult r;
  r.profile_x = o.profile_x;
  r.phases = o.profile_phases;
  r.velocity.assign(r.phases.size(), {});
  r.velocity_previous_cycle.assign(r.phases.size(), {});
  r.n_dofs = m.n_dofs();
  r.n_cells = m.n_cells();
  r.setup_seconds = seconds_since(t_setup);
  const auto t_solve = Clock::now();

  const std::size_t np = m.n_points();
  Vector<double> w(m.n_dofs()), b_vec(m.n_dofs()), wdot(m.n_dofs());
  std::vector<double> gv(2 * np, 0.0), P(2 * np, 0.0);

  // delta(t) on (kT, (k+1)T]: s (1 - phase); delta(kT-) = 0, delta(kT+) = s.
  int n = 0;
  if (o.relaxed_start) {
    // Relaxed state of the mean deficit s/2 (reached at phase 1/2): one backward-Euler step with
    // an effectively infinite time step (b = 1e6), i.e. the half-space stress relaxed to 1e-6.
    const double bb = 1e6;
    SparseMatrix<double> Kr;
    m.assemble(Kr, 1.0 / (1 + bb));
    ConstrainedSolver rel;
    rel.init(m.sparsity(), Kr, m.constrained(), true);
    b_vec = 0;
    rel.solve(b_vec, m.dirichlet(0.25 * s), w);
    n = N / 2;
  }
  // Index helper: quadrature point storage is over all cells (elastic ones stay zero).
  auto update_points = [&](const Vector<double>& wv, auto&& f) {
    m.for_maxwell_points(wv, [&](unsigned c, unsigned q, double gx, double gz) {
      const std::size_t cq = std::size_t(c) * (np / m.n_cells()) + q;
      f(cq, gx, gz);
    });
  };
  if (o.relaxed_start) {
    const double bb = 1e6;
    update_points(w, [&](std::size_t cq, double gx, double gz) {
      gv[2 * cq] = bb * gx / (1 + bb);
      gv[2 * cq + 1] = bb * gz / (1 + bb);
    });
  }

  const int n_end = o.cycles * N;
  const int n_rec = n_end - o.record_cycles * N;
  double rec_offset_t = 0;
  std::vector<double> rec_offset;
  std::vector<double> pre;
  auto velocity_at = [&](std::vector<double>& out) {
    b_vec = 0;
    std::vector<double>& F = P;
    std::fill(F.begin(), F.end(), 0.0);
    update_points(w, [&](std::size_t cq, double gx, double gz) {
      F[2 * cq] = (gx - gv[2 * cq]) / tau;
      F[2 * cq + 1] = (gz - gv[2 * cq + 1]) / tau;
    });
    m.add_rhs(F, 1.0, b_vec);
    el.solve(b_vec, m.dirichlet(-0.5 * vp), wdot);
    check_finite(wdot, "the velocity field");
    out.clear();
    for (const auto& p : probes) out.push_back(p.eval(wdot) + 0.5 * vp);
  };
  auto record = [&](int step) {
    if (o.record_cycles == 0 || step < n_rec) return;
    const double t = step * dt;
    std::vector<double> row;
    for (const auto& p : probes) row.push_back(p.eval(w) + 0.5 * vp * t);
    if (r.record_time.empty()) {
      rec_offset_t = t;
      rec_offset = row;
    }
    for (std::size_t i = 0; i < row.size(); ++i) row[i] -= rec_offset[i];
    r.record_time.push_back(t - rec_offset_t);
    r.record_displacement.push_back(std::move(row));
  };

  for (;; ++n) {
    // Outputs at t_n (pre-earthquake state when n is a multiple of N).
    const int cyc = (n % N == 0) ? n / N - 1 : n / N;
    const int k_in = (n % N == 0) ? N : n % N;
    if (n > 0 && (cyc == o.cycles - 1 || cyc == o.cycles - 2)) {
      for (std::size_t ip = 0; ip < r.phases.size(); ++ip) {
        if (static_cast<int>(std::lround(r.phases[ip] * N)) != k_in) continue;
        velocity_at(cyc == o.cycles - 1 ? r.velocity[ip] : r.velocity_previous_cycle[ip]);
      }
    }
    if (n >= n_rec && (n % N != 0 || n > n_rec)) record(n);
    if (n == n_end) break;
    if (n % N == 0) {
      // Earthquake: elastic response with the viscous strain frozen; deficit 0 -> s.
      if (n == n_end - N) {
        pre.clear();
        for (const auto& p : probes) pre.push_back(p.eval(w));
      }
      b_vec = 0;
      std::vector<double> F(2 * np);
      for (std::size_t i = 0; i < F.size(); ++i) F[i] = gv[i];
      m.add_rhs(F, 1.0, b_vec);
      el.solve(b_vec, m.dirichlet(0.5 * s), w);
      check_finite(w, "the coseismic displacement");
      if (n == n_end - N) {
        r.coseismic.clear();
        for (std::size_t i = 0; i < probes.size(); ++i) r.coseismic.push_back(probes[i].eval(w) - pre[i]);
      }
      if (n >= n_rec) record(n);  // post-earthquake sample
    }
    // Theta step n -> n+1.
    std::fill(P.begin(), P.end(), 0.0);
    update_points(w, [&](std::size_t cq, double gx, double gz) {
      P[2 * cq] = (1 - b * (1 - th)) * gv[2 * cq] + b * (1 - th) * gx;
      P[2 * cq + 1] = (1 - b * (1 - th)) * gv[2 * cq + 1] + b * (1 - th) * gz;
    });
    b_vec = 0;
    m.add_rhs(P, 1.0 / (1 + b * th), b_vec);
    const int k1 = (n + 1) % N;
    const double delta = (k1 == 0) ? 0.0 : s * (1.0 - double(k1) / N);
    eff.solve(b_vec, m.dirichlet(0.5 * delta), w);
    update_points(w, [&](std::size_t cq, double gx, double gz) {
      gv[2 * cq] = (P[2 * cq] + b * th * gx) / (1 + b * th);
      gv[2 * cq + 1] = (P[2 * cq + 1] + b * th * gz) / (1 + b * th);
    });
    ++r.n_steps;
    if (r.n_steps % 200 == 0) check_finite(w, "the displacement");
  }
  check_finite(w, "the displacement");

  double vmax = 0, dmax = 0;
  // (with the relaxed start at T/2 and cycles = 2, phases < 1/2 have no previous-cycle profile)
  for (std::size_t ip = 0; ip < r.phases.size(); ++ip)
    for (std::size_t i = 0; i < r.velocity[ip].size(); ++i) {
      vmax = std::max(vmax, std::abs(r.velocity[ip][i]));
      if (r.velocity_previous_cycle[ip].size() == r.velocity[ip].size())
        dmax = std::max(dmax, std::abs(r.velocity[ip][i] - r.velocity_previous_cycle[ip][i]));
    }
  r.periodicity_error = vmax > 0 ? dmax / vmax : 0.0;
  r.solve_seconds = seconds_since(t_solve);
  return r;
}

std::vector<double> viscoelastic_coseismic_step(const ViscoelasticCycleOptions& o, const std::vector<double>& x,
                                                const std::vector<double>& z) {
  o.validate();
  HYSEIS_REQUIRE(x.size() == z.size(), InvalidInput,
                 "viscoelastic_coseismic_step: x and z have different sizes (" << x.size() << " vs " << z.size() << ")");
  for (std::size_t i = 0; i < x.size(); ++i) {
    HYSEIS_REQUIRE(std::isfinite(x[i]) && x[i] > 0 && x[i] < o.domain_width, InvalidInput,
                   "viscoelastic_coseismic_step: x must lie in (0, domain_width), got " << x[i]);
    HYSEIS_REQUIRE(std::isfinite(z[i]) && z[i] >= 0 && z[i] < o.domain_depth, InvalidInput,
                   "viscoelastic_coseismic_step: z must lie in [0, domain_depth), got " << z[i]);
  }
  CycleModel m(o);
  SparseMatrix<double> K;
  m.assemble(K, 1.0);
  ConstrainedSolver el;
  el.init(m.sparsity(), K, m.constrained(), o.linear_solver == "direct");
  Vector<double> w(m.n_dofs()), b(m.n_dofs());
  el.solve(b, m.dirichlet(0.5 * o.slip), w);
  check_finite(w, "the coseismic displacement");
  std::vector<double> out;
  for (std::size_t i = 0; i < x.size(); ++i) out.push_back(m.probe(x[i], z[i]).eval(w));
  return out;
}

}  // namespace hyseis::physics::cycle
