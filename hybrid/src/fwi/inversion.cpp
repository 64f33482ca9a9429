#include "hyseis/hybrid/fwi/inversion.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"

namespace hyseis::hybrid::fwi {

void InversionOptions::validate(int n_params, int n_stages) const {
  HYSEIS_REQUIRE(int(stage_iterations.size()) == n_stages, core::InvalidInput,
                 "fwi: stage_iterations has " << stage_iterations.size() << " entries, the data have " << n_stages
                                              << " frequency stages");
  for (int it : stage_iterations)
    HYSEIS_REQUIRE(it >= 0, core::InvalidInput, "fwi: stage_iterations must be >= 0, got " << it);
  HYSEIS_REQUIRE(lower < upper, core::InvalidInput, "fwi: bounds [" << lower << ", " << upper << "] need lower < upper");
  HYSEIS_REQUIRE(preconditioner.size() == 0 || preconditioner.size() == n_params, core::InvalidInput,
                 "fwi: preconditioner has " << preconditioner.size() << " values, the model " << n_params);
  for (Eigen::Index i = 0; i < preconditioner.size(); ++i)
    HYSEIS_REQUIRE(preconditioner[i] > 0 && std::isfinite(preconditioner[i]), core::InvalidInput,
                   "fwi: preconditioner value " << i << " is " << preconditioner[i] << ", must be > 0");
  HYSEIS_REQUIRE(initial_step > 0 && std::isfinite(initial_step), core::InvalidInput,
                 "fwi: initial_step must be > 0, got " << initial_step);
  HYSEIS_REQUIRE(!resume || !checkpoint_file.empty(), core::InvalidInput, "fwi: resume needs a checkpoint file");
  lbfgs.validate();
}

namespace {

using Clock = std::chrono::steady_clock;

// Everything needed to continue exactly: written after every iteration.
struct Checkpoint {
  int stage = 0;            // current stage
  int in_stage = 0;         // 1: the L-BFGS state below belongs to `stage`; 0: stage not started
  int eval_offset = 0;      // evaluations of completed stages
  double c = 0;             // preconditioning scale (0 = not yet chosen)
  std::vector<double> lbfgs, prior;
  Eigen::VectorXd model;
  std::vector<IterationRecord> history;
  std::vector<double> stage_status;  // LbfgsbStatus codes of completed stages
};

void save(const std::string& file, const Checkpoint& ck) {
  core::h5::Writer w(file);
  w.attribute("/", "stage", double(ck.stage));
  w.attribute("/", "in_stage", double(ck.in_stage));
  w.attribute("/", "eval_offset", double(ck.eval_offset));
  w.attribute("/", "c", ck.c);
  w.attribute("/", "content", "FWI inversion checkpoint (hyseis): L-BFGS-B state, prior state, model, history");
  std::vector<double> l{double(ck.lbfgs.size())};
  l.insert(l.end(), ck.lbfgs.begin(), ck.lbfgs.end());
  w.write("lbfgs_state", l);
  std::vector<double> p{double(ck.prior.size())};
  p.insert(p.end(), ck.prior.begin(), ck.prior.end());
  w.write("prior_state", p);
  w.write("model", {std::size_t(ck.model.size())}, ck.model.data());
  std::vector<double> h;
  for (const auto& r : ck.history)
    h.insert(h.end(), {double(r.stage), double(r.iteration), r.data_misfit, r.prior, r.total, r.model_rmse,
                       double(r.evaluations), r.seconds});
  h.insert(h.begin(), double(h.size()));
  w.write("history", h);
  std::vector<double> s{double(ck.stage_status.size())};
  s.insert(s.end(), ck.stage_status.begin(), ck.stage_status.end());
  w.write("stage_status", s);
  w.commit();
}

std::vector<double> unprefix(const std::vector<double>& v, const std::string& file, const char* what) {
  HYSEIS_REQUIRE(!v.empty() && std::size_t(v[0]) == v.size() - 1, core::IoError,
                 "fwi: checkpoint '" << file << "' has a malformed '" << what << "' dataset");
  return {v.begin() + 1, v.end()};
}

Checkpoint load(const std::string& file, int n_params) {
  namespace h5 = core::h5;
  Checkpoint ck;
  ck.stage = int(h5::read_attribute(file, "/", "stage"));
  ck.in_stage = int(h5::read_attribute(file, "/", "in_stage"));
  ck.eval_offset = int(h5::read_attribute(file, "/", "eval_offset"));
  ck.c = h5::read_attribute(file, "/", "c");
  ck.lbfgs = unprefix(h5::read_dataset(file, "lbfgs_state").data, file, "lbfgs_state");
  ck.prior = unprefix(h5::read_dataset(file, "prior_state").data, file, "prior_state");
  const auto m = h5::read_dataset(file, "model").data;
  HYSEIS_REQUIRE(int(m.size()) == n_params, core::IoError,
                 "fwi: checkpoint '" << file << "' holds a model of " << m.size() << " values, this inversion has "
                                     << n_params << " (different configuration?)");
  ck.model = Eigen::Map<const Eigen::VectorXd>(m.data(), Eigen::Index(m.size()));
  const auto h = unprefix(h5::read_dataset(file, "history").data, file, "history");
  HYSEIS_REQUIRE(h.size() % 8 == 0, core::IoError, "fwi: checkpoint '" << file << "' has a malformed history");
  for (std::size_t k = 0; k < h.size(); k += 8)
    ck.history.push_back({int(h[k]), int(h[k + 1]), h[k + 2], h[k + 3], h[k + 4], h[k + 5], int(h[k + 6]), h[k + 7]});
  ck.stage_status = unprefix(h5::read_dataset(file, "stage_status").data, file, "stage_status");
  return ck;
}

double rmse(const Eigen::VectorXd& m, const Eigen::VectorXd& truth) {
  return truth.size() == m.size() ? std::sqrt((m - truth).squaredNorm() / double(m.size())) : 0.0;
}

}  // namespace

InversionResult invert(ShotObjective& data, Prior& prior, const Eigen::VectorXd& m0, const InversionOptions& opt,
                       MPI_Comm comm, const Eigen::VectorXd& truth, const IterationFn& on_iteration) {
  const int n = data.n_params(), n_stages = data.n_stages();
  opt.validate(n, n_stages);
  HYSEIS_REQUIRE(m0.size() == n, core::InvalidInput, "fwi: starting model has " << m0.size() << " values, expected " << n);
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const auto t0 = Clock::now();
  const Eigen::VectorXd p = opt.preconditioner.size() ? opt.preconditioner : Eigen::VectorXd::Ones(n);

  Checkpoint ck;
  InversionResult res;
  ck.model = m0.cwiseMax(opt.lower).cwiseMin(opt.upper);
  if (opt.resume && std::filesystem::exists(opt.checkpoint_file)) {
    ck = load(opt.checkpoint_file, n);
    prior.set_state(ck.prior);
    res.resumed = true;
  }
  auto write_checkpoint = [&]() {
    if (opt.checkpoint_file.empty() || rank != 0) return;
    ck.prior = prior.state();
    save(opt.checkpoint_file, ck);
  };

  // Cache of the last evaluation (the accepted point after a line search).
  Eigen::VectorXd cache_m, cache_gdata;
  double cache_fdata = 0, cache_fprior = 0;
  bool cache_valid = false;
  auto eval_at_m = [&](const Eigen::VectorXd& m, Eigen::VectorXd& gm) {
    if (!(cache_valid && cache_m.size() == m.size() && cache_m == m)) {
      const ShotsEvaluation ev = evaluate_shots(data, m, comm);
      cache_m = m;
      cache_gdata = ev.gradient;
      cache_fdata = ev.misfit;
      cache_valid = true;
    }
    Eigen::VectorXd gp;
    cache_fprior = prior.value_gradient(m, &gp);
    gm = cache_gdata + gp;
    return cache_fdata + cache_fprior;
  };

  for (; ck.stage < n_stages; ++ck.stage) {
    data.set_stage(ck.stage);
    cache_valid = false;
    solvers::LbfgsbOptions lo = opt.lbfgs;
    lo.max_iterations = opt.stage_iterations[std::size_t(ck.stage)];
    if (lo.max_evaluations == 0) lo.max_evaluations = 3 * std::max(1, lo.max_iterations) + 5;
    if (ck.c == 0) {  // choose the preconditioning scale from the gradient at the starting model
      prior.start_stage(ck.model);
      Eigen::VectorXd gm;
      eval_at_m(ck.model, gm);
      const double num = (p.array() * gm.array()).matrix().norm();
      const double den = (p.array().square() * gm.array()).abs().maxCoeff();
      ck.c = den > 0 ? opt.initial_step * num / den : 1.0;
      ck.in_stage = 0;
    }
    const Eigen::VectorXd cp = ck.c * p;
    solvers::Lbfgsb solver((opt.lower / cp.array()).matrix(), (opt.upper / cp.array()).matrix(), lo);
    auto fun = [&](const Eigen::VectorXd& x, Eigen::VectorXd& gx) {
      const Eigen::VectorXd m = cp.cwiseProduct(x);
      Eigen::VectorXd gm;
      const double f = eval_at_m(m, gm);
      gx = cp.cwiseProduct(gm);
      return f;
    };
    auto record = [&](const solvers::LbfgsbState& st) {
      IterationRecord r;
      r.stage = ck.stage;
      r.iteration = st.iteration;
      r.data_misfit = cache_fdata;
      r.prior = cache_fprior;
      r.total = st.f;
      r.model_rmse = rmse(ck.model, truth);
      r.evaluations = ck.eval_offset + st.evaluations;
      r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      ck.history.push_back(r);
      if (on_iteration) on_iteration(r, ck.model);
    };
    solvers::LbfgsbState st;
    if (ck.in_stage) {
      st = solvers::LbfgsbState::unpack(ck.lbfgs);
    } else {
      if (ck.stage > 0 || !ck.history.empty()) prior.start_stage(ck.model);
      st = solver.start(fun, (ck.model.array() / cp.array()).matrix());
      if (opt.carry_memory && !ck.lbfgs.empty()) {  // curvature pairs of the previous stage
        const auto prev = solvers::LbfgsbState::unpack(ck.lbfgs);
        st.s = prev.s;
        st.y = prev.y;
      }
      ck.model = cp.cwiseProduct(st.x);
      ck.in_stage = 1;
      ck.lbfgs = st.pack();
      record(st);
      write_checkpoint();
    }
    const auto result = solver.minimize(fun, st, [&](solvers::LbfgsbState& s) {
      ck.model = cp.cwiseProduct(s.x);
      if (prior.refresh(ck.model, s.iteration)) {  // the prior changed: value and gradient at x again
        Eigen::VectorXd gm;
        s.f = eval_at_m(ck.model, gm);
        s.g = cp.cwiseProduct(gm);
      }
      ck.lbfgs = s.pack();
      record(s);
      write_checkpoint();
      return true;
    });
    ck.model = cp.cwiseProduct(result.state.x);
    ck.eval_offset += result.state.evaluations;
    ck.stage_status.push_back(double(int(result.status)));
    ck.in_stage = 0;
    ck.lbfgs = result.state.pack();  // kept for carry_memory; in_stage = 0 marks it finished
    if (ck.stage + 1 < n_stages) {
      ++ck.stage;
      write_checkpoint();  // next stage not started yet
      --ck.stage;
    }
  }
  ck.in_stage = 0;
  write_checkpoint();
  res.model = ck.model;
  res.history = ck.history;
  for (double s : ck.stage_status) res.stage_status.push_back(solvers::to_string(solvers::LbfgsbStatus(int(s))));
  return res;
}

}  // namespace hyseis::hybrid::fwi
