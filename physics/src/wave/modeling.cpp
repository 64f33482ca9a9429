// Differentiable 2D SEM modeling (modeling.hpp): the forward stepping of the wave solver on a
// gridded model, its exact discrete adjoint (same Kokkos stiffness kernel), the tangent-linear
// (Born) model for the dot-product test, and binomial / store-all checkpointing.
// Derivation and conventions: docs/theory/adjoint.md.
#include <cstring>
#include <memory>

#include "hyseis/physics/wave/checkpoint.hpp"
#include "hyseis/physics/wave/misfit.hpp"
#include "hyseis/physics/wave/modeling.hpp"
#include "hyseis/solvers/adjoint_kernels.hpp"
#include "solver_impl.hpp"

namespace hyseis::physics::wave {

using detail::DVec;
using detail::view;
using detail::zero_all;
namespace ks = hyseis::solvers;

namespace {
struct Bilinear {
  std::array<int, 4> idx{};
  std::array<double, 4> w{};
};

/// Bilinear weights of (x, z) on the grid, clamped outside (GriddedModel's convention).
Bilinear bilinear(const ModelGrid& g, double x, double z) {
  auto locate = [](double s, int n, int& i0, double& t) {
    if (n == 1) {
      i0 = 0;
      t = 0;
      return;
    }
    s = std::clamp(s, 0.0, static_cast<double>(n - 1));
    i0 = std::min(static_cast<int>(std::floor(s)), n - 2);
    t = s - i0;
  };
  int ix, iz;
  double tx, tz;
  locate((x - g.x0) / g.dx, g.nx, ix, tx);
  locate((z - g.z0) / g.dz, g.nz, iz, tz);
  const int ix1 = g.nx == 1 ? ix : ix + 1, iz1 = g.nz == 1 ? iz : iz + 1;
  Bilinear b;
  b.idx = {{iz * g.nx + ix, iz * g.nx + ix1, iz1 * g.nx + ix, iz1 * g.nx + ix1}};
  b.w = {{(1 - tz) * (1 - tx), (1 - tz) * tx, tz * (1 - tx), tz * tx}};
  return b;
}

std::string num(double v) {
  std::ostringstream os;
  os.precision(8);
  os << v;
  return os.str();
}
}  // namespace

struct Modeling::Impl {
  using Solver = detail::WaveSolver<2>;
  WaveProblem problem;  // owned: the solver keeps a reference
  ModelGrid grid;
  MPI_Comm comm;
  AdjointOptions opt;
  double rho_const;
  bool elastic;
  int nc;
  std::unique_ptr<Solver> s;
  bool dt_fixed = false;
  int npg = 0;  // grid nodes

  std::vector<Bilinear> pt_w, bd_w;  // interpolation of (cell,q) points and boundary samples
  // current model
  bool have_model = false;
  std::vector<double> params;
  std::vector<double> vp, vs, rh;     // per (cell, q)
  std::vector<double> bvp, bvs, brh;  // per boundary sample
  DVec inv_mass_eff;
  std::vector<PointGradient> last_points;  // per-point gradient of the last adjoint run
  // wavefield storage for the backward pass, kept between calls
  std::vector<std::vector<double>> stored_states, slots;
  // store_all keeps only what the reverse sweep reads: a (all), u (elastic: the stiffness
  // derivative), v on the damped entries (the Stacey derivative); binomial slots keep (u, v, a).
  std::vector<int> damped;  // local entries with non-zero Stacey damping
  Kokkos::View<int*, ks::MemSpace> damped_idx;  // the same, for the adjoint kernels
  // receivers: adjoint injection weights per (receiver, component), ghost-consistent
  std::vector<std::vector<Solver::SparseSource>> rec_inj;

  Impl(const WaveProblem& base, const ModelGrid& g, MPI_Comm c, AdjointOptions o, double rho)
      : problem(base), grid(g), comm(c), opt(o), rho_const(rho), elastic(base.physics == Physics::elastic),
        nc(elastic ? 2 : 1) {
    HYSEIS_REQUIRE(g.nx >= 1 && g.nz >= 1 && g.dx > 0 && g.dz > 0 && std::isfinite(g.x0) && std::isfinite(g.z0),
                   core::InvalidInput,
                   "Modeling: model grid needs nx, nz >= 1 and dx, dz > 0 (got nx = "
                       << g.nx << ", nz = " << g.nz << ", dx = " << g.dx << ", dz = " << g.dz << ")");
    HYSEIS_REQUIRE(elastic || (std::isfinite(rho) && rho > 0), core::InvalidInput,
                   "Modeling: density rho = " << rho << " must be > 0");
    HYSEIS_REQUIRE(opt.snapshots >= 0, core::InvalidInput,
                   "Modeling: AdjointOptions.snapshots = " << opt.snapshots << " must be >= 0 (0 = auto)");
    HYSEIS_REQUIRE(base.receivers.size() > 0, core::InvalidInput, "Modeling: at least one receiver is required");
    npg = g.nx * g.nz;
    // The construction medium fixes dt when dt = 0 and it is given; otherwise dt is chosen from
    // the first model passed to forward/gradient/vjp.
    const bool has_medium = base.medium.gridded.has_value() || !base.medium.layers.empty();
    if (!has_medium) problem.medium.layers = {Layer{0, 3000, elastic ? 1500.0 : 0.0, rho}};
    problem.medium.gridded.reset();
    if (base.medium.gridded) problem.medium = base.medium;
    SourceOptions dummy;
    dummy.type = elastic ? SourceType::force : SourceType::pressure;
    dummy.x = 0.5 * (base.mesh.xmin + base.mesh.xmax);
    dummy.z = 0.5 * (base.mesh.zmin + base.mesh.zmax);
    problem.sources = {dummy};
    problem.snapshots = SnapshotOptions{};
    problem.snapshots.image_nx = problem.snapshots.image_nz = 0;
    problem.analytic = AnalyticFields{};
    problem.time.energy_every = 0;
    problem.validate();
    HYSEIS_REQUIRE(Kokkos::is_initialized(), core::Error, "Modeling: Kokkos is not initialised");
    detail::ensure_p4est_initialised();
    s = std::make_unique<Solver>(problem, comm);
    if (has_medium || problem.time.dt > 0) fix_dt();
    // interpolation weights
    for (const auto& y : s->mat_point_) pt_w.push_back(bilinear(grid, y[0], y[1]));
    for (const auto& b : s->bsamples_) bd_w.push_back(bilinear(grid, b.y[0], b.y[1]));
    // receivers
    rec_inj.assign(problem.receivers.size(), std::vector<Solver::SparseSource>(nc));
    std::vector<const Solver::LocalReceiver*> mine(problem.receivers.size(), nullptr);
    for (const auto& lr : s->recs_) mine[lr.index] = &lr;
    for (std::size_t r = 0; r < problem.receivers.size(); ++r)
      for (int c = 0; c < nc; ++c) {
        DVec& f = s->f_;
        zero_all(f);
        if (mine[r])
          for (std::size_t q = 0; q < mine[r]->node.size(); ++q)
            f.local_element(nc * mine[r]->node[q] + c) += mine[r]->w[q];
        f.compress(dealii::VectorOperation::add);
        f.update_ghost_values();
        for (int i = 0; i < s->n_local_; ++i)
          if (f.local_element(i) != 0.0) {
            rec_inj[r][c].idx.push_back(i);
            rec_inj[r][c].w.push_back(f.local_element(i));
          }
        zero_all(f);
      }
    inv_mass_eff.reinit(s->part_);
  }

  void fix_dt() {
    s->estimate_time_step();
    problem.time.dt = s->dt_;  // keeps dt (and n_steps) for every later model
    dt_fixed = true;
  }

  int n_params() const { return (elastic ? 3 : 1) * npg; }
  double dt() const { return s->dt_; }
  int nsteps() const { return s->n_steps_; }

  // ---- material ----------------------------------------------------------------------------
  void check_params(const std::vector<double>& p) const {
    HYSEIS_REQUIRE(static_cast<int>(p.size()) == n_params(), core::InvalidInput,
                   "Modeling: params has " << p.size() << " entries, expected " << n_params()
                                           << (elastic ? " (3 * nx * nz: vp | vs | rho)" : " (nx * nz: vp)"));
    const char* names[3] = {"vp", "vs", "rho"};
    for (int i = 0; i < n_params(); ++i) {
      const int f = i / npg, k = i % npg;
      HYSEIS_REQUIRE(std::isfinite(p[i]) && p[i] > 0, core::InvalidInput,
                     "Modeling: params " << names[f] << "[" << k << "] (ix = " << k % grid.nx << ", iz = "
                                         << k / grid.nx << ") = " << p[i] << " must be finite and > 0");
      if (elastic && f == 1)
        HYSEIS_REQUIRE(p[i] < detail::kMaxVsOverVp * p[k], core::InvalidInput,
                       "Modeling: params vs[" << k << "] = " << p[i] << " must be < vp*sqrt(3)/2 = "
                                              << detail::kMaxVsOverVp * p[k]);
    }
  }

  double interp(const Bilinear& b, const std::vector<double>& p, int field) const {
    double v = 0;
    for (int j = 0; j < 4; ++j) v += b.w[j] * p[field * npg + b.idx[j]];
    return v;
  }

  /// Mass and damping of material (vp, vs, rh) at points / boundary samples, or their
  /// directional derivative when `d*` are given (tangent mode: linear in the perturbation).
  void assemble_mass_damping(DVec& mass, DVec& damp, const std::vector<double>* dvp = nullptr,
                             const std::vector<double>* dvs = nullptr, const std::vector<double>* drh = nullptr,
                             const std::vector<double>* dbvp = nullptr, const std::vector<double>* dbvs = nullptr,
                             const std::vector<double>* dbrh = nullptr) {
    const bool tangent = dvp != nullptr;
    (void)dvs;  // the mass does not depend on vs
    zero_all(mass);
    zero_all(damp);
    const auto& mesh = s->mesh_;
    for (std::size_t pq = 0; pq < vp.size(); ++pq) {
      const int k = mesh.cell_nodes[pq];
      const double jxw = mesh.jxw[pq];
      if (elastic) {
        const double m = tangent ? (*drh)[pq] * jxw : rh[pq] * jxw;
        for (int c = 0; c < nc; ++c) mass.local_element(nc * k + c) += m;
      } else {
        const double v = vp[pq];
        mass.local_element(k) += tangent ? -2 * jxw / (rho_const * v * v * v) * (*dvp)[pq] : jxw / (rho_const * v * v);
      }
    }
    for (std::size_t b = 0; b < s->bsamples_.size(); ++b) {
      const auto& bs = s->bsamples_[b];
      if (elastic) {
        for (int c = 0; c < nc; ++c) {
          const double nn = bs.n[c] * bs.n[c];
          double d;
          if (tangent)
            d = (*dbrh)[b] * (bvp[b] * nn + bvs[b] * (1 - nn)) + brh[b] * ((*dbvp)[b] * nn + (*dbvs)[b] * (1 - nn));
          else
            d = brh[b] * bvp[b] * nn + brh[b] * bvs[b] * (1 - nn);
          damp.local_element(nc * bs.k + c) += bs.jxw * d;
        }
      } else {
        const double v = bvp[b];
        damp.local_element(bs.k) +=
            tangent ? -bs.jxw / (rho_const * v * v) * (*dbvp)[b] : bs.jxw / (rho_const * v);
      }
    }
    for (DVec* v : {&mass, &damp}) {
      v->compress(dealii::VectorOperation::add);
      v->update_ghost_values();
    }
  }

  void install(const std::vector<double>& p) {
    if (have_model && p == params) return;
    check_params(p);
    params = p;
    const std::size_t npt = pt_w.size(), nb = bd_w.size();
    vp.resize(npt);
    vs.assign(npt, 0.0);
    rh.assign(npt, rho_const);
    bvp.resize(nb);
    bvs.assign(nb, 0.0);
    brh.assign(nb, rho_const);
    for (std::size_t i = 0; i < npt; ++i) {
      vp[i] = interp(pt_w[i], p, 0);
      if (elastic) {
        vs[i] = interp(pt_w[i], p, 1);
        rh[i] = interp(pt_w[i], p, 2);
      }
    }
    for (std::size_t i = 0; i < nb; ++i) {
      bvp[i] = interp(bd_w[i], p, 0);
      if (elastic) {
        bvs[i] = interp(bd_w[i], p, 1);
        brh[i] = interp(bd_w[i], p, 2);
      }
    }
    s->lam_.assign(npt, 0.0);
    s->mu_.assign(npt, 0.0);
    s->irho_.assign(npt, 1.0 / rho_const);
    if (elastic)
      for (std::size_t i = 0; i < npt; ++i) {
        s->mu_[i] = rh[i] * vs[i] * vs[i];
        s->lam_[i] = rh[i] * (vp[i] * vp[i] - 2 * vs[i] * vs[i]);
      }
    s->op_.reset();
    s->op_.emplace(elastic, s->mesh_, s->lam_, s->mu_, s->irho_);
    assemble_mass_damping(s->mass_, s->damp_);
    for (int i = 0; i < s->n_local_; ++i) {
      const bool fixed = s->dirichlet_.local_element(i / nc) > 0;
      s->inv_mass_.local_element(i) = fixed ? 0.0 : 1.0 / s->mass_.local_element(i);
    }
    if (!dt_fixed)
      fix_dt();
    else
      s->estimate_time_step();  // CFL check of this model at the fixed dt (throws NumericalError)
    for (int i = 0; i < s->n_local_; ++i) {
      const double im = s->inv_mass_.local_element(i);
      inv_mass_eff.local_element(i) = im > 0 ? 1.0 / (1.0 / im + 0.5 * s->dt_ * s->damp_.local_element(i)) : 0.0;
    }
    damped.clear();
    if (s->has_damping_)
      for (int i = 0; i < s->n_local_; ++i)
        if (s->damp_.local_element(i) != 0.0) damped.push_back(i);
    damped_idx = Kokkos::View<int*, ks::MemSpace>("hyseis::adjoint::damped", damped.size());
    {
      auto h = Kokkos::create_mirror_view(damped_idx);
      for (std::size_t j = 0; j < damped.size(); ++j) h(j) = damped[j];
      Kokkos::deep_copy(damped_idx, h);
    }
    have_model = true;
  }

  // ---- shots -------------------------------------------------------------------------------
  Solver::SparseSource shot_weights(const SourceOptions& so) {
    const MeshOptions& m = problem.mesh;
    const double tol = 1e-9 * std::max(m.xmax - m.xmin, m.zmax - m.zmin);
    HYSEIS_REQUIRE(std::isfinite(so.x) && std::isfinite(so.z) && so.x >= m.xmin - tol && so.x <= m.xmax + tol &&
                       so.z >= m.zmin - tol && so.z <= m.zmax + tol,
                   core::InvalidInput,
                   "Modeling: shot at (x = " << so.x << ", z = " << so.z << ") lies outside the model domain ["
                                             << m.xmin << ", " << m.xmax << "] x [" << m.zmin << ", " << m.zmax << "]");
    if (elastic)
      HYSEIS_REQUIRE(so.type != SourceType::pressure, core::InvalidInput,
                     "Modeling: elastic physics needs a force or moment_tensor shot, got pressure");
    else
      HYSEIS_REQUIRE(so.type == SourceType::pressure, core::InvalidInput,
                     "Modeling: acoustic physics needs a pressure shot");
    HYSEIS_REQUIRE(std::isfinite(so.f0) && so.f0 > 0 && std::isfinite(so.amplitude) && std::isfinite(so.time_shift),
                   core::InvalidInput, "Modeling: shot f0 must be > 0 and amplitude, time_shift finite");
    return s->source_weights(so);
  }

  // ---- time stepping on the solver's state (u_, v_, a_) ------------------------------------
  double time(int n) const { return problem.time.t_start + n * s->dt_; }

  void add_force(const Solver::SparseSource& src, const SourceOptions& so, double t) {
    const double g = source_time_function(so, t);
    for (std::size_t i = 0; i < src.idx.size(); ++i) s->f_.local_element(src.idx[i]) += g * src.w[i];
  }
  void clear_force(const Solver::SparseSource& src) {
    for (const int i : src.idx) s->f_.local_element(i) = 0.0;
  }
  DVec& recorded() {
    switch (problem.record) {
      case RecordQuantity::velocity: return s->v_;
      case RecordQuantity::acceleration: return s->a_;
      default: return s->u_;
    }
  }
  const ks::Vector no_damping;

  /// x_0: at rest, a_0 = M^-1 f_0 (u_0 = v_0 = 0).
  void init_state(const Solver::SparseSource& src, const SourceOptions& so) {
    zero_all(s->u_);
    zero_all(s->v_);
    zero_all(s->a_);
    zero_all(s->r_);
    add_force(src, so, time(0));
    ks::newmark_correct(0.0, view(s->inv_mass_), view(s->f_), view(s->r_), no_damping, view(s->v_), view(s->a_));
    clear_force(src);
  }
  /// x_n -> x_{n+1}, exactly as WaveSolver::run.
  void step(int n, const Solver::SparseSource& src, const SourceOptions& so) {
    ks::newmark_predict(s->dt_, view(s->u_), view(s->v_), view(s->a_));
    s->apply_k(s->u_, s->r_);
    add_force(src, so, time(n + 1));
    if (s->has_damping_)
      ks::newmark_correct(s->dt_, view(inv_mass_eff), view(s->f_), view(s->r_), view(s->damp_), view(s->v_),
                          view(s->a_));
    else
      ks::newmark_correct(s->dt_, view(inv_mass_eff), view(s->f_), view(s->r_), no_damping, view(s->v_), view(s->a_));
    clear_force(src);
  }
  void record(int n, DVec& y, std::vector<double>& buf) {
    const int ns = s->n_steps_ + 1;
    for (const auto& lr : s->recs_)
      for (int c = 0; c < nc; ++c) {
        double v = 0;
        for (std::size_t q = 0; q < lr.node.size(); ++q) v += lr.w[q] * y.local_element(nc * lr.node[q] + c);
        buf[(static_cast<std::size_t>(lr.index) * nc + c) * ns + n] = v;
      }
  }
  Traces gather(const std::vector<double>& buf) {
    std::vector<double> sum(buf.size());
    MPI_Allreduce(buf.data(), sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM, comm);
    const int ns = s->n_steps_ + 1;
    const std::size_t nr = problem.receivers.size();
    Traces d(nr, std::vector<std::vector<double>>(nc, std::vector<double>(ns)));
    for (std::size_t r = 0; r < nr; ++r)
      for (int c = 0; c < nc; ++c) std::copy_n(sum.begin() + (r * nc + c) * ns, ns, d[r][c].begin());
    return d;
  }
  void check_finite(int n) {
    const double m = ks::max_abs_or_nan(view(s->u_));
    const int bad = dealii::Utilities::MPI::max(std::isfinite(m) ? 0 : 1, comm);
    HYSEIS_REQUIRE(bad == 0, core::NumericalError,
                   "Modeling: the wavefield became NaN/Inf at step " << n << " (dt = " << num(s->dt_) << " s)");
  }

  Seismograms skeleton() const {
    Seismograms seis;
    for (int n = 0; n <= s->n_steps_; ++n) seis.time.push_back(time(n));
    for (const auto& rc : problem.receivers) {
      seis.receiver_names.push_back(rc.name);
      seis.receiver_xz.push_back(std::array<double, 2>{{rc.x, rc.z}});
    }
    if (elastic) {
      seis.components = {"x", "z"};
      switch (problem.record) {
        case RecordQuantity::velocity: seis.quantity = "velocity"; seis.unit = "m/s"; break;
        case RecordQuantity::acceleration: seis.quantity = "acceleration"; seis.unit = "m/s^2"; break;
        default: seis.quantity = "displacement"; seis.unit = "m"; break;
      }
    } else {
      seis.components = {"p"};
      switch (problem.record) {
        case RecordQuantity::velocity: seis.quantity = "dp/dt"; seis.unit = "Pa/s"; break;
        case RecordQuantity::acceleration: seis.quantity = "d2p/dt2"; seis.unit = "Pa/s^2"; break;
        default: seis.quantity = "pressure"; seis.unit = "Pa"; break;
      }
    }
    return seis;
  }

  int n_snapshots() const {
    const int N = s->n_steps_;
    return opt.snapshots > 0 ? opt.snapshots : std::max(1, static_cast<int>(std::ceil(std::sqrt(N))));
  }
  /// Stores the current state (index k) in binomial slot `slot`.
  void store_slot(int slot, int k) {
    const std::size_t nl = s->n_local_;
    if (slots.size() <= static_cast<std::size_t>(slot)) slots.resize(slot + 1);
    slots[slot].resize(3 * nl);
    save(slots[slot]);
    slots[slot].push_back(k);  // the index rides along
  }

  /// Forward run recording the data; `store` (optional) receives every state (store_all);
  /// `binomial_chain`: also store x_0 and the first-sweep states of the binomial schedule in
  /// their slots, so that the reversal need not redo that sweep.
  Traces run_forward(const Solver::SparseSource& src, const SourceOptions& so, std::vector<std::vector<double>>* store,
                     bool binomial_chain = false) {
    const int N = s->n_steps_;
    std::vector<double> buf(problem.receivers.size() * nc * (N + 1), 0.0);
    init_state(src, so);
    // The stored states are reused between calls (allocated, and paged in, once).
    if (store) {
      store->resize(static_cast<std::size_t>(N) + 1);
      for (auto& x : *store) x.resize(stored_size());
    }
    int kept = 0;
    auto keep = [&]() {
      if (store) save_stored((*store)[kept++]);
    };
    std::vector<int> slot_of;  // state index -> binomial slot (-1: not stored)
    if (binomial_chain) {
      slot_of.assign(static_cast<std::size_t>(N) + 1, -1);
      slot_of[0] = 0;
      const std::vector<int> chain = binomial_first_chain(N, n_snapshots());
      for (std::size_t k = 0; k < chain.size(); ++k) slot_of[chain[k]] = static_cast<int>(k) + 1;
    }
    auto chain_keep = [&](int k) {
      if (binomial_chain && slot_of[k] >= 0) store_slot(slot_of[k], k);
    };
    keep();
    chain_keep(0);
    record(0, recorded(), buf);
    for (int n = 0; n < N; ++n) {
      step(n, src, so);
      if ((n + 1) % 50 == 0 || n + 1 == N) check_finite(n + 1);
      record(n + 1, recorded(), buf);
      keep();
      chain_keep(n + 1);
    }
    return gather(buf);
  }
  /// Layout of a stored state (store_all): [a | u | v]; compact_store: [a | u (elastic) | v on
  /// `damped`] (what the reverse sweep reads).
  bool stores_u() const { return elastic || !opt.compact_store; }
  std::size_t stored_v() const { return opt.compact_store ? damped.size() : static_cast<std::size_t>(s->n_local_); }
  std::size_t stored_size() const {
    return static_cast<std::size_t>(s->n_local_) * (stores_u() ? 2 : 1) + stored_v();
  }
  void save_stored(std::vector<double>& x) {
    const std::size_t n = s->n_local_;
    std::copy_n(s->a_.begin(), n, x.begin());
    std::size_t o = n;
    if (stores_u()) {
      std::copy_n(s->u_.begin(), n, x.begin() + o);
      o += n;
    }
    const double* v = s->v_.begin();
    if (opt.compact_store)
      for (std::size_t j = 0; j < damped.size(); ++j) x[o + j] = v[damped[j]];
    else
      std::copy_n(v, n, x.begin() + o);
  }
  void save(std::vector<double>& x) {
    const std::size_t n = s->n_local_;
    std::copy_n(s->u_.begin(), n, x.begin());
    std::copy_n(s->v_.begin(), n, x.begin() + n);
    std::copy_n(s->a_.begin(), n, x.begin() + 2 * n);
  }
  void load(const std::vector<double>& x) {
    const std::size_t n = s->n_local_;
    std::copy_n(x.begin(), n, s->u_.begin());
    std::copy_n(x.begin() + n, n, s->v_.begin());
    std::copy_n(x.begin() + 2 * n, n, s->a_.begin());
  }

  /// The reverse sweep: adjoint source `g` (d J / d data), gradient w.r.t. params.
  std::vector<double> adjoint(const Solver::SparseSource& src, const SourceOptions& so, const Traces& g,
                              double* memory_mib, long long* steps, const std::vector<std::vector<double>>* stored,
                              bool chain_stored = false) {
    const int N = s->n_steps_;
    const double dt = s->dt_;
    const std::size_t nl = s->n_local_;
    DVec ub(s->part_), vb(s->part_), ab(s->part_), w(s->part_), kw(s->part_);
    DVec gm(s->part_), gc(s->part_);  // sum_n w .* a_n, sum_n w .* v_n
    const std::size_t npt = pt_w.size();
    ks::Vector glam("hyseis::adjoint::g_lambda", elastic ? npt : 0), gmu("hyseis::adjoint::g_mu", elastic ? npt : 0);
    std::optional<ks::ElasticMaterialGradient2D> kgrad;
    if (elastic) kgrad.emplace(s->mesh_);
    // per-step accumulation in the kernel's batch layout, mapped to (cell, q) once at the end
    const std::size_t nlane = elastic ? kgrad->n_lane_points() : 0;
    ks::Vector llam("hyseis::adjoint::g_lambda_lanes", nlane), lmu("hyseis::adjoint::g_mu_lanes", nlane);
    DVec* ybar = problem.record == RecordQuantity::velocity       ? &vb
                 : problem.record == RecordQuantity::acceleration ? &ab
                                                                  : &ub;
    auto inject = [&](int k) {
      for (std::size_t r = 0; r < rec_inj.size(); ++r)
        for (int c = 0; c < nc; ++c) {
          const double gk = g[r][c][k];
          if (gk == 0.0) continue;
          const auto& inj = rec_inj[r][c];
          for (std::size_t i = 0; i < inj.idx.size(); ++i) ybar->local_element(inj.idx[i]) += gk * inj.w[i];
        }
    };
    // Displacement data are injected into ub, which the corrector does not read: the predictor
    // of step k+1 then runs fused with the corrector of step k (one pass over the vectors).
    const bool fuse = ybar == &ub;
    bool pending_predict = false;  // kw holds K w of step k+1, its predictor not yet applied
    // consume(k, x_k): the state is read through views (no copy for stored states); V is the
    // full velocity, or (v_compact) its values on the damped entries only. The corrector runs
    // on the undamped part (dense) and then on the damped entries (sparse, adjoint_damping).
    auto consume = [&](int k, ks::ConstVector U, ks::ConstVector V, bool v_compact, ks::ConstVector A) {
      if (!fuse) inject(k);
      if (k >= 1) {
        if (pending_predict)
          ks::newmark_adjoint_predict_correct_accumulate(dt, view(kw), view(inv_mass_eff), view(ub), view(vb),
                                                         view(w), A, view(gm));
        else
          ks::newmark_adjoint_correct_accumulate(dt, view(inv_mass_eff), no_damping, view(vb), view(ab), view(w), A,
                                                 no_damping, view(gm), view(gc));
        if (!damped.empty()) ks::adjoint_damping(damped_idx, view(s->damp_), V, v_compact, view(w), view(vb), view(gc));
        if (fuse) inject(k);  // into ub: after the fused predictor of step k+1, before that of step k
        if (elastic) kgrad->accumulate_lanes(U, view(w), -1.0, llam, lmu);
        s->apply_k(w, kw);
        if (fuse)
          pending_predict = true;
        else
          ks::newmark_adjoint_predict(dt, view(kw), view(ub), view(vb), view(ab));
      } else {
        if (pending_predict) ks::newmark_adjoint_predict(dt, view(kw), view(ub), view(vb), view(ab));
        pending_predict = false;
        if (fuse) inject(k);
        for (std::size_t i = 0; i < nl; ++i) w.local_element(i) = s->inv_mass_.local_element(i) * ab.local_element(i);
        ks::accumulate_product(view(w), A, view(gm));
      }
    };
    auto consume_current = [&](int k) { consume(k, view(s->u_), view(s->v_), false, view(s->a_)); };
    const double state_mib = 3.0 * nl * sizeof(double) / (1024.0 * 1024.0);
    if (stored) {
      // [a | u | v]; compact: [a | u (elastic) | v on the damped entries]
      using ConstUnmanaged = Kokkos::View<const double*, ks::MemSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;
      const std::size_t ou = stores_u() ? nl : 0, ov = nl + ou;
      for (int k = N; k >= 0; --k) {
        const double* x = (*stored)[k].data();
        const ConstUnmanaged V(x + ov, stored_v());
        consume(k, stores_u() ? ConstUnmanaged(x + ou, nl) : ConstUnmanaged(x, nl), V, opt.compact_store,
                ConstUnmanaged(x, nl));
      }
      *memory_mib = static_cast<double>(stored_size()) * sizeof(double) / (1024.0 * 1024.0) * (N + 1);
      *steps = 0;
    } else {
      const int snaps = n_snapshots();
      slots.resize(snaps + 1);
      int cur = 0;  // index of the current state
      ReversalCallbacks cb;
      if (chain_stored)
        cur = N;  // the recording sweep ended at x_N and filled the first-sweep slots
      else
        init_state(src, so);
      cb.advance = [&]() {
        step(cur, src, so);
        ++cur;
      };
      cb.store = [&](int slot) { store_slot(slot, cur); };
      cb.restore = [&](int slot) {
        load(slots[slot]);
        cur = static_cast<int>(slots[slot].back());
      };
      cb.consume = [&](int k) {
        if (k != cur) throw std::logic_error("Modeling: checkpoint schedule out of step");
        consume_current(k);
      };
      const ReversalStats st = binomial_reversal(N, snaps, cb, chain_stored);
      *memory_mib = state_mib * st.max_slots;
      *steps = st.forward_steps;
    }
    // ---- d J / d material at points, then onto the grid ----------------------------------------
    if (elastic) {
      kgrad->lanes_to_points(llam, glam);
      kgrad->lanes_to_points(lmu, gmu);
    }
    std::vector<double> grad(n_params(), 0.0);
    const auto& mesh = s->mesh_;
    auto h_lam = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), glam);
    auto h_mu = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), gmu);
    last_points.assign(npt + s->bsamples_.size(), PointGradient{});
    for (std::size_t i = 0; i < npt; ++i) {
      last_points[i].x = s->mat_point_[i][0];
      last_points[i].z = s->mat_point_[i][1];
    }
    for (std::size_t i = 0; i < s->bsamples_.size(); ++i) {
      last_points[npt + i].x = s->bsamples_[i].y[0];
      last_points[npt + i].z = s->bsamples_[i].y[1];
    }
    std::size_t sample = 0;  // the point being scattered
    auto scatter = [&](const Bilinear& b, int field, double v) {
      double* d[3] = {&last_points[sample].d_vp, &last_points[sample].d_vs, &last_points[sample].d_rho};
      *d[field] += v;
      for (int j = 0; j < 4; ++j) grad[field * npg + b.idx[j]] += b.w[j] * v;
    };
    for (std::size_t pq = 0; pq < npt; ++pq) {
      sample = pq;
      const int k = mesh.cell_nodes[pq];
      const double jxw = mesh.jxw[pq];
      if (elastic) {
        const double gM = gm.local_element(2 * k) + gm.local_element(2 * k + 1);
        const double gl = h_lam(pq), gmu_ = h_mu(pq);
        const double a = vp[pq], b = vs[pq], r = rh[pq];
        scatter(pt_w[pq], 0, gl * 2 * r * a);
        scatter(pt_w[pq], 1, gl * (-4 * r * b) + gmu_ * 2 * r * b);
        scatter(pt_w[pq], 2, -jxw * gM + gl * (a * a - 2 * b * b) + gmu_ * b * b);
      } else {
        const double v = vp[pq];
        scatter(pt_w[pq], 0, 2 * jxw / (rho_const * v * v * v) * gm.local_element(k));
      }
    }
    for (std::size_t bi = 0; bi < s->bsamples_.size(); ++bi) {
      sample = npt + bi;
      const auto& bs = s->bsamples_[bi];
      if (elastic) {
        double gp = 0, gs = 0, gr = 0;
        for (int c = 0; c < 2; ++c) {
          const double nn = bs.n[c] * bs.n[c], G = gc.local_element(2 * bs.k + c);
          gp -= G * bs.jxw * brh[bi] * nn;
          gs -= G * bs.jxw * brh[bi] * (1 - nn);
          gr -= G * bs.jxw * (bvp[bi] * nn + bvs[bi] * (1 - nn));
        }
        scatter(bd_w[bi], 0, gp);
        scatter(bd_w[bi], 1, gs);
        scatter(bd_w[bi], 2, gr);
      } else {
        const double v = bvp[bi];
        scatter(bd_w[bi], 0, bs.jxw / (rho_const * v * v) * gc.local_element(bs.k));
      }
    }
    std::vector<double> sum(grad.size());
    MPI_Allreduce(grad.data(), sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM, comm);
    double mem = *memory_mib, mem_max = 0;
    MPI_Allreduce(&mem, &mem_max, 1, MPI_DOUBLE, MPI_SUM, comm);
    *memory_mib = mem_max;
    return sum;
  }

  Traces jvp(const Solver::SparseSource& src, const SourceOptions& so, const std::vector<double>& dp) {
    HYSEIS_REQUIRE(static_cast<int>(dp.size()) == n_params(), core::InvalidInput,
                   "Modeling::jvp: dparams has " << dp.size() << " entries, expected " << n_params());
    for (std::size_t i = 0; i < dp.size(); ++i)
      HYSEIS_REQUIRE(std::isfinite(dp[i]), core::InvalidInput, "Modeling::jvp: dparams[" << i << "] is not finite");
    const std::size_t npt = pt_w.size(), nb = bd_w.size();
    std::vector<double> dvp(npt), dvs(npt, 0.0), drh(npt, 0.0), dbvp(nb), dbvs(nb, 0.0), dbrh(nb, 0.0);
    for (std::size_t i = 0; i < npt; ++i) {
      dvp[i] = interp(pt_w[i], dp, 0);
      if (elastic) {
        dvs[i] = interp(pt_w[i], dp, 1);
        drh[i] = interp(pt_w[i], dp, 2);
      }
    }
    for (std::size_t i = 0; i < nb; ++i) {
      dbvp[i] = interp(bd_w[i], dp, 0);
      if (elastic) {
        dbvs[i] = interp(bd_w[i], dp, 1);
        dbrh[i] = interp(bd_w[i], dp, 2);
      }
    }
    DVec dM(s->part_), dC(s->part_);
    assemble_mass_damping(dM, dC, &dvp, &dvs, &drh, &dbvp, &dbvs, &dbrh);
    std::optional<detail::StiffnessOperator<2>> dK;
    if (elastic) {
      std::vector<double> dlam(npt), dmu(npt);
      for (std::size_t i = 0; i < npt; ++i) {
        dlam[i] = 2 * rh[i] * vp[i] * dvp[i] - 4 * rh[i] * vs[i] * dvs[i] + (vp[i] * vp[i] - 2 * vs[i] * vs[i]) * drh[i];
        dmu[i] = 2 * rh[i] * vs[i] * dvs[i] + vs[i] * vs[i] * drh[i];
      }
      dK.emplace(true, s->mesh_, dlam, dmu, s->irho_);
    }
    const int N = s->n_steps_;
    const double dt = s->dt_;
    const int nl = s->n_local_;
    DVec du(s->part_), dv(s->part_), da(s->part_), dr(s->part_), ft(s->part_), tmp(s->part_);
    std::vector<double> buf(problem.receivers.size() * nc * (N + 1), 0.0);
    DVec* dy = problem.record == RecordQuantity::velocity       ? &dv
               : problem.record == RecordQuantity::acceleration ? &da
                                                                : &du;
    init_state(src, so);
    for (int i = 0; i < nl; ++i)
      da.local_element(i) = -s->inv_mass_.local_element(i) * dM.local_element(i) * s->a_.local_element(i);
    record(0, *dy, buf);
    for (int n = 0; n < N; ++n) {
      ks::newmark_predict(dt, view(du), view(dv), view(da));
      s->apply_k(du, dr);
      step(n, src, so);
      if (elastic) {
        std::swap(s->op_, dK);
        s->apply_k(s->u_, tmp);  // dK u_{n+1}
        std::swap(s->op_, dK);
      }
      for (int i = 0; i < nl; ++i)
        ft.local_element(i) = -(dM.local_element(i) * s->a_.local_element(i) +
                                dC.local_element(i) * s->v_.local_element(i) + (elastic ? tmp.local_element(i) : 0.0));
      if (s->has_damping_)
        ks::newmark_correct(dt, view(inv_mass_eff), view(ft), view(dr), view(s->damp_), view(dv), view(da));
      else
        ks::newmark_correct(dt, view(inv_mass_eff), view(ft), view(dr), no_damping, view(dv), view(da));
      record(n + 1, *dy, buf);
    }
    return gather(buf);
  }

  void check_cotangent(const Traces& g) const {
    const std::size_t nr = problem.receivers.size();
    const std::size_t ns = static_cast<std::size_t>(s->n_steps_) + 1;
    HYSEIS_REQUIRE(g.size() == nr, core::InvalidInput,
                   "Modeling::vjp: data cotangent has " << g.size() << " receivers, expected " << nr);
    for (std::size_t r = 0; r < nr; ++r) {
      HYSEIS_REQUIRE(static_cast<int>(g[r].size()) == nc, core::InvalidInput,
                     "Modeling::vjp: receiver " << r << " has " << g[r].size() << " components, expected " << nc);
      for (int c = 0; c < nc; ++c) {
        HYSEIS_REQUIRE(g[r][c].size() == ns, core::InvalidInput,
                       "Modeling::vjp: receiver " << r << " component " << c << " has " << g[r][c].size()
                                                  << " samples, expected " << ns);
        for (std::size_t n = 0; n < ns; ++n)
          HYSEIS_REQUIRE(std::isfinite(g[r][c][n]), core::InvalidInput,
                         "Modeling::vjp: NaN/Inf in the data cotangent at receiver " << r << " component " << c
                                                                                      << " sample " << n);
      }
    }
  }
};

Modeling::Modeling(const WaveProblem& base, const ModelGrid& grid, MPI_Comm comm, AdjointOptions opt, double rho)
    : impl_(std::make_unique<Impl>(base, grid, comm, opt, rho)) {}
Modeling::~Modeling() = default;

int Modeling::n_params() const { return impl_->n_params(); }
const ModelGrid& Modeling::grid() const { return impl_->grid; }
double Modeling::dt() const { return impl_->dt_fixed ? impl_->dt() : 0.0; }
int Modeling::n_steps() const { return impl_->dt_fixed ? impl_->nsteps() : 0; }

Seismograms Modeling::forward(const std::vector<double>& params, const SourceOptions& shot) {
  Impl& m = *impl_;
  m.install(params);
  const auto src = m.shot_weights(shot);
  Seismograms seis = m.skeleton();
  seis.data = m.run_forward(src, shot, nullptr);
  return seis;
}

GradientResult Modeling::gradient(const std::vector<double>& params, const SourceOptions& shot,
                                  const Seismograms& observed, MisfitType type) {
  Impl& m = *impl_;
  m.install(params);
  const auto src = m.shot_weights(shot);
  Seismograms syn = m.skeleton();
  syn.data.assign(m.problem.receivers.size(),
                  std::vector<std::vector<double>>(m.nc, std::vector<double>(m.nsteps() + 1, 0.0)));
  check_compatible(syn, observed);  // before any time stepping
  std::vector<std::vector<double>>& stored = m.stored_states;
  const bool store_all = m.opt.checkpointing == CheckpointMode::store_all;
  syn.data = m.run_forward(src, shot, store_all ? &stored : nullptr, !store_all);
  check_compatible(syn, observed);
  GradientResult res;
  Traces adj;
  res.misfit = misfit(syn.data, observed.data, m.dt(), type, &adj);
  long long steps = 0;
  res.gradient = m.adjoint(src, shot, adj, &res.wavefield_memory_mib, &steps, store_all ? &stored : nullptr,
                           /*chain_stored=*/!store_all);
  res.forward_steps = m.nsteps() + steps;
  return res;
}

std::vector<double> Modeling::vjp(const std::vector<double>& params, const SourceOptions& shot,
                                  const std::vector<std::vector<std::vector<double>>>& data_cotangent) {
  Impl& m = *impl_;
  m.install(params);
  m.check_cotangent(data_cotangent);
  const auto src = m.shot_weights(shot);
  double mem = 0;
  long long steps = 0;
  std::vector<std::vector<double>>& stored = m.stored_states;
  const bool store_all = m.opt.checkpointing == CheckpointMode::store_all;
  if (store_all) m.run_forward(src, shot, &stored);
  return m.adjoint(src, shot, data_cotangent, &mem, &steps, store_all ? &stored : nullptr);
}

std::vector<double> Modeling::vjp_with_forward(const std::vector<double>& params, const SourceOptions& shot,
                                               const CotangentFn& cotangent, Seismograms* synthetics) {
  Impl& m = *impl_;
  m.install(params);
  const auto src = m.shot_weights(shot);
  std::vector<std::vector<double>>& stored = m.stored_states;
  const bool store_all = m.opt.checkpointing == CheckpointMode::store_all;
  Seismograms syn = m.skeleton();
  syn.data = m.run_forward(src, shot, store_all ? &stored : nullptr, !store_all);
  const Traces g = cotangent(syn);
  m.check_cotangent(g);
  double mem = 0;
  long long steps = 0;
  std::vector<double> grad = m.adjoint(src, shot, g, &mem, &steps, store_all ? &stored : nullptr,
                                       /*chain_stored=*/!store_all);
  if (synthetics) *synthetics = std::move(syn);
  return grad;
}

std::vector<PointGradient> Modeling::point_gradient() const { return impl_->last_points; }

std::vector<std::vector<std::vector<double>>> Modeling::jvp(const std::vector<double>& params,
                                                            const SourceOptions& shot,
                                                            const std::vector<double>& dparams) {
  Impl& m = *impl_;
  m.install(params);
  const auto src = m.shot_weights(shot);
  return m.jvp(src, shot, dparams);
}

}  // namespace hyseis::physics::wave
