// Adjoint validation: the gradient of the SEM wave modeling checked against independent
// references (the linearised forward model for the dot-product test, the misfit itself for the
// Taylor and finite-difference tests), checkpointing against storing every state, and the same
// through the LibTorch bridge. The checks live in physics/wave/gradient_checks and
// hybrid/autograd/bridge_checks (shared with tests/adjoint).
#include "hyseis/validation/adjoint_cases.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "case_util.hpp"
#include "hyseis/hybrid/autograd/bridge_checks.hpp"
#include "hyseis/physics/wave/gradient_checks.hpp"

namespace hyseis::validation {

namespace {

namespace pw = physics::wave;
using detail::make_metric;

void gradient_metrics(const std::string& name, bool elastic, pw::MisfitType type, const Options& o,
                      std::vector<Metric>& out) {
  const std::string tag = type == pw::MisfitType::l2 ? "l2" : "cc";
  const pw::checks::GradientCheckReport r = pw::checks::check_gradient(elastic, type, o.quick ? 4 : 8, o.comm);
  std::ostringstream net;
  net << (elastic ? "elastic" : "acoustic") << " 8x4 cells, p = 4, " << r.n_steps << " steps, Stacey + free top";
  if (type == pw::MisfitType::l2)  // the linearised pair does not depend on the misfit
    out.push_back(make_metric(name, "dot_product_rel", r.dot_product_rel, 1e-10, "<=",
                              "|<J dm, dd> - <dm, J^T dd>| / |<J dm, dd>|, Born jvp vs adjoint vjp; " + net.str()));
  double worst = 0;
  std::ostringstream sl;
  sl << "Taylor remainder slopes";
  for (double s : r.taylor_slopes) {
    worst = std::max(worst, std::abs(s - 2.0));
    sl << " " << s;
  }
  out.push_back(make_metric(name, "taylor_slope_dev_" + tag, worst, 0.1, "<=", sl.str() + " (|slope - 2|)"));
  out.push_back(make_metric(name, "fd_cosine_" + tag, r.fd_cosine, 0.999, ">=",
                            "adjoint vs central FD (h = 0.5 m/s) over random directions"));
  out.push_back(make_metric(name, "fd_rel_error_" + tag, r.fd_rel_error, 0.01, "<=",
                            "||g_adj - g_fd|| / ||g_fd|| over random directions"));
}

CaseResult physics_case(const std::string& name, bool elastic, const Options& o) {
  CaseResult res;
  gradient_metrics(name, elastic, pw::MisfitType::l2, o, res.metrics);
  gradient_metrics(name, elastic, pw::MisfitType::cc_traveltime, o, res.metrics);
  return res;
}

CaseResult checkpointing(const Options& o) {
  const std::string name = "adjoint_checkpointing";
  CaseResult res;
  for (bool elastic : {false, true}) {
    const auto r = pw::checks::check_checkpointing(elastic, 5, o.comm);
    const std::string tag = elastic ? "elastic" : "acoustic";
    res.metrics.push_back(make_metric(name, "max_rel_diff_" + tag, r.max_rel_difference, 1e-12, "<=",
                                      "gradient binomial(5 snapshots) vs store_all"));
    std::ostringstream note;
    note << r.n_steps << " steps: store_all " << r.memory_store_all_mib << " MiB / " << r.steps_store_all
         << " steps, binomial " << r.memory_binomial_mib << " MiB / " << r.steps_binomial << " steps";
    res.metrics.push_back(make_metric(name, "memory_ratio_" + tag, r.memory_binomial_mib / r.memory_store_all_mib,
                                      6.0 / (r.n_steps + 1) * (1 + 1e-9), "<=",
                                      note.str() + " (binomial holds 5 + 1 states)"));
  }
  return res;
}

CaseResult bridge(const Options& o) {
  const std::string name = "adjoint_torch_bridge";
  CaseResult res;
  const int nd = o.quick ? 4 : 8;
  for (bool elastic : {false, true}) {
    const auto r = hybrid::autograd::check_wave_bridge(elastic, nd, o.comm);
    const std::string tag = elastic ? "wave_elastic" : "wave_acoustic";
    res.metrics.push_back(make_metric(name, "fd_cosine_" + tag, r.cosine, 0.999, ">=",
                                      "LibTorch MSE + tanh loss through WaveFunction, backward vs central FD"));
    res.metrics.push_back(make_metric(name, "fd_rel_error_" + tag, r.rel_error, 0.01, "<=", "same, relative error"));
  }
  const auto e = hybrid::autograd::check_eikonal_bridge(nd);
  res.metrics.push_back(make_metric(name, "fd_cosine_eikonal", e.cosine, 0.999, ">=",
                                    "LibTorch loss through EikonalFunction, backward vs central FD"));
  res.metrics.push_back(make_metric(name, "fd_rel_error_eikonal", e.rel_error, 0.01, "<=", "same, relative error"));
  return res;
}

}  // namespace

std::vector<Case> adjoint_cases() {
  return {
      {"adjoint_acoustic",
       "acoustic SEM gradient w.r.t. gridded vp: dot-product, Taylor and FD checks, L2 and CC travel-time misfits",
       "the linearised (Born) forward model and the misfit itself (finite differences)",
       [](const Options& o) { return physics_case("adjoint_acoustic", false, o); }},
      {"adjoint_elastic",
       "elastic SEM gradient w.r.t. gridded vp, vs, rho: dot-product, Taylor and FD checks, both misfits",
       "the linearised (Born) forward model and the misfit itself (finite differences)",
       [](const Options& o) { return physics_case("adjoint_elastic", true, o); }},
      {"adjoint_checkpointing", "binomial (revolve) checkpointing vs storing every state: same gradient, less memory",
       "store_all gradient", checkpointing},
      {"adjoint_torch_bridge", "LibTorch autograd through the wave and eikonal bridges vs finite differences",
       "finite differences of the same LibTorch loss", bridge},
  };
}

}  // namespace hyseis::validation
