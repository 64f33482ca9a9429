// Viscoelastic-cycle surrogate (LibTorch MLP through the shared training loop) and the GPS
// inversion through it (see surrogate.hpp).
#include "hyseis/hybrid/geodesy/surrogate.hpp"

#include <torch/torch.h>

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/learning/nn/train.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace hyseis::hybrid::geodesy {

namespace nn = learning::nn;
using core::InvalidInput;
using core::IoError;

// ------------------------------------------------------------------------------------------
// samples
// ------------------------------------------------------------------------------------------
void CycleSamples::append(const CycleSamples& o) {
  x_over_h.insert(x_over_h.end(), o.x_over_h.begin(), o.x_over_h.end());
  phase.insert(phase.end(), o.phase.begin(), o.phase.end());
  tau_over_t.insert(tau_over_t.end(), o.tau_over_t.begin(), o.tau_over_t.end());
  v_over_vp.insert(v_over_vp.end(), o.v_over_vp.begin(), o.v_over_vp.end());
}

CycleSamples savage_prescott_samples(const std::vector<double>& taus, const std::vector<double>& phases,
                                     const std::vector<double>& xh) {
  CycleSamples s;
  physics::cycle::SavagePrescottParams p;
  p.layer_thickness = p.locking_depth = 1;
  p.recurrence = 1;
  p.slip = 1;  // v_p = 1
  for (double tau : taus) {
    HYSEIS_REQUIRE(tau > 0, InvalidInput, "surrogate samples: tau/T must be > 0, got " << tau);
    p.relaxation_time = tau;
    for (double ph : phases) {
      HYSEIS_REQUIRE(ph > 0 && ph <= 1, InvalidInput, "surrogate samples: phase must be in (0, 1], got " << ph);
      const auto v = physics::cycle::savage_prescott_velocity(p, xh, ph);
      for (std::size_t i = 0; i < xh.size(); ++i) {
        s.x_over_h.push_back(xh[i]);
        s.phase.push_back(ph);
        s.tau_over_t.push_back(tau);
        s.v_over_vp.push_back(v[i]);
      }
    }
  }
  return s;
}

CycleSamples savage_prescott_grid(const SurrogateOptions& o, int n_tau, int n_phase, int n_x, bool held_out) {
  o.validate();
  HYSEIS_REQUIRE(n_tau >= 2 && n_phase >= 2 && n_x >= 2, InvalidInput, "surrogate grid: need >= 2 values per axis");
  const double sh = held_out ? 0.5 : 0.0;
  const int ct = held_out ? n_tau - 1 : n_tau, cp = held_out ? n_phase - 1 : n_phase, cx = held_out ? n_x - 1 : n_x;
  std::vector<double> taus, phases, xh;
  for (int i = 0; i < ct; ++i)
    taus.push_back(o.tau_min * std::pow(o.tau_max / o.tau_min, (i + sh) / (n_tau - 1)));
  for (int i = 0; i < cp; ++i) {
    const double u = (i + sh) / (n_phase - 1);
    phases.push_back(o.phase_min + (1 - o.phase_min) * u * u);
  }
  for (int i = 0; i < cx; ++i) xh.push_back(std::tan(M_PI / 2 * (0.01 + 0.96 * (i + sh) / (n_x - 1))));
  return savage_prescott_samples(taus, phases, xh);
}

void write_samples_hdf5(const std::string& path, const CycleSamples& s, const std::string& source) {
  core::h5::Writer w(path);
  w.write("samples/x_over_h", s.x_over_h);
  w.write("samples/phase", s.phase);
  w.write("samples/tau_over_t", s.tau_over_t);
  w.write("samples/v_over_vp", s.v_over_vp);
  w.attribute("/", "source", source);
  w.attribute("/", "units", "dimensionless: x/H, t/T, tau/T, v / plate rate (D = H)");
  w.commit();
}

CycleSamples read_samples_hdf5(const std::string& path) {
  HYSEIS_REQUIRE(std::filesystem::exists(path), IoError, "surrogate samples file '" << path << "' not found");
  CycleSamples s;
  s.x_over_h = core::h5::read_dataset(path, "samples/x_over_h").data;
  s.phase = core::h5::read_dataset(path, "samples/phase").data;
  s.tau_over_t = core::h5::read_dataset(path, "samples/tau_over_t").data;
  s.v_over_vp = core::h5::read_dataset(path, "samples/v_over_vp").data;
  const std::size_t n = s.v_over_vp.size();
  HYSEIS_REQUIRE(n > 0 && s.x_over_h.size() == n && s.phase.size() == n && s.tau_over_t.size() == n, IoError,
                 "surrogate samples file '" << path << "': datasets under /samples have different lengths");
  return s;
}

// ------------------------------------------------------------------------------------------
// network
// ------------------------------------------------------------------------------------------
void SurrogateOptions::validate() const {
  HYSEIS_REQUIRE(!hidden.empty(), InvalidInput, "surrogate.hidden: give at least one hidden layer");
  for (auto h : hidden) HYSEIS_REQUIRE(h >= 1 && h <= 4096, InvalidInput, "surrogate.hidden: sizes must be in [1, 4096]");
  (void)nn::activation_from_string(activation);
  HYSEIS_REQUIRE(tau_min > 0 && tau_max > tau_min, InvalidInput,
                 "surrogate.tau_range: need 0 < tau_min < tau_max (tau/T), got [" << tau_min << ", " << tau_max << "]");
  HYSEIS_REQUIRE(phase_min > 0 && phase_min < 1, InvalidInput, "surrogate.phase_min: must be in (0, 1)");
  HYSEIS_REQUIRE(epochs >= 1 && batch_size >= 1 && learning_rate > 0 && lr_decay > 0 && lr_decay <= 1 && patience >= 0,
                 InvalidInput, "surrogate: epochs, batch_size >= 1, learning_rate > 0, lr_decay in (0, 1], patience >= 0");
  HYSEIS_REQUIRE(threads >= 1, InvalidInput, "surrogate.threads: must be >= 1");
}

namespace {
struct NetImpl : torch::nn::Module {
  NetImpl(const SurrogateOptions& o)
      : mlp(3, o.hidden, 1, nn::activation_from_string(o.activation)), in_std(3), out_std(1) {
    register_module("mlp", mlp);
    register_module("in_std", in_std);
    register_module("out_std", out_std);
  }
  /// features [n, 3] -> r [n]
  torch::Tensor forward(const torch::Tensor& f) { return out_std->inverse(mlp->forward(in_std->forward(f))).squeeze(1); }
  nn::MLP mlp;
  nn::Standardizer in_std, out_std;
};
TORCH_MODULE(Net);

torch::Tensor features(const torch::Tensor& xh, const torch::Tensor& phase, const torch::Tensor& log_tau) {
  return torch::stack({(2 / M_PI) * torch::atan(torch::abs(xh)), phase, log_tau}, 1);
}
/// v / v_p from the network output (odd in x).
torch::Tensor assemble(const torch::Tensor& xh, const torch::Tensor& r) {
  return torch::sign(xh) * (r + torch::atan(torch::abs(xh)) / M_PI);
}
torch::Tensor t64(const std::vector<double>& v) {
  return torch::from_blob(const_cast<double*>(v.data()), {std::int64_t(v.size())}, torch::kFloat64).clone();
}
}  // namespace

struct ViscoelasticSurrogate::Impl {
  SurrogateOptions o;
  Net net{nullptr};
  /// v / v_p, differentiable (float64).
  torch::Tensor forward(const torch::Tensor& xh, const torch::Tensor& phase, const torch::Tensor& log_tau) {
    return assemble(xh, net->forward(features(xh, phase, log_tau)));
  }
};

ViscoelasticSurrogate::ViscoelasticSurrogate(const SurrogateOptions& o) : impl_(std::make_unique<Impl>()) {
  o.validate();
  impl_->o = o;
  nn::seed_everything(o.seed, o.threads);  // the initial weights depend on the seed only
  impl_->net = Net(o);
  impl_->net->to(torch::kFloat64);
}
ViscoelasticSurrogate::~ViscoelasticSurrogate() = default;
ViscoelasticSurrogate::ViscoelasticSurrogate(ViscoelasticSurrogate&&) noexcept = default;
ViscoelasticSurrogate& ViscoelasticSurrogate::operator=(ViscoelasticSurrogate&&) noexcept = default;
const SurrogateOptions& ViscoelasticSurrogate::options() const { return impl_->o; }

namespace {
void check_samples(const CycleSamples& s, const SurrogateOptions& o, const char* what) {
  HYSEIS_REQUIRE(s.size() > 0 && s.x_over_h.size() == s.size() && s.phase.size() == s.size() &&
                     s.tau_over_t.size() == s.size(),
                 InvalidInput, "surrogate " << what << " samples: empty or inconsistent lengths");
  for (std::size_t i = 0; i < s.size(); ++i) {
    HYSEIS_REQUIRE(s.tau_over_t[i] >= o.tau_min * (1 - 1e-12) && s.tau_over_t[i] <= o.tau_max * (1 + 1e-12), InvalidInput,
                   "surrogate " << what << " samples: tau/T = " << s.tau_over_t[i] << " outside the range [" << o.tau_min
                                << ", " << o.tau_max << "]");
    HYSEIS_REQUIRE(s.phase[i] > 0 && s.phase[i] <= 1, InvalidInput,
                   "surrogate " << what << " samples: phase " << s.phase[i] << " outside (0, 1]");
    HYSEIS_REQUIRE(std::isfinite(s.v_over_vp[i]) && std::isfinite(s.x_over_h[i]), InvalidInput,
                   "surrogate " << what << " samples: non-finite value at " << i);
  }
}
}  // namespace

SurrogateReport ViscoelasticSurrogate::train(const CycleSamples& tr, const CycleSamples& va) {
  const auto& o = impl_->o;
  check_samples(tr, o, "training");
  check_samples(va, o, "validation");
  nn::seed_everything(o.seed, o.threads);
  auto& net = impl_->net;
  net->to(torch::kFloat32);
  auto prep = [&](const CycleSamples& s, torch::Tensor& f, torch::Tensor& r) {
    const auto xh = t64(s.x_over_h), ph = t64(s.phase), lt = torch::log(t64(s.tau_over_t)), v = t64(s.v_over_vp);
    f = features(xh, ph, lt).to(torch::kFloat32);
    r = (torch::sign(xh) * v - torch::atan(torch::abs(xh)) / M_PI).to(torch::kFloat32).unsqueeze(1);
  };
  torch::Tensor ftr, rtr, fva, rva;
  prep(tr, ftr, rtr);
  prep(va, fva, rva);
  net->in_std->fit(ftr);
  net->out_std->fit(rtr);
  const auto ztr = net->out_std->forward(rtr), zva = net->out_std->forward(rva);
  const auto xtr = net->in_std->forward(ftr), xva = net->in_std->forward(fva);
  nn::TrainOptions to;
  to.epochs = o.epochs;
  to.batch_size = o.batch_size;
  to.learning_rate = o.learning_rate;
  to.lr_decay = o.lr_decay;
  to.patience = o.patience;
  to.seed = o.seed;
  to.progress = o.progress;
  to.label = "viscoelastic surrogate";
  const auto t0 = std::chrono::steady_clock::now();
  const auto h = nn::train(
      *net, ftr.size(0),
      [&](const torch::Tensor& idx) {
        return torch::mse_loss(net->mlp->forward(xtr.index_select(0, idx)), ztr.index_select(0, idx));
      },
      [&]() { return torch::mse_loss(net->mlp->forward(xva), zva).item<double>(); }, to);
  SurrogateReport rep;
  rep.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rep.epochs_run = h.epochs_run;
  rep.best_epoch = h.best_epoch;
  rep.best_val_loss = h.best_val;
  rep.train_loss = h.train_loss;
  rep.val_loss = h.val_loss;
  rep.final_train_loss = h.train_loss.empty() ? 0 : h.train_loss.back();
  net->to(torch::kFloat64);
  net->eval();
  return rep;
}

std::vector<double> ViscoelasticSurrogate::predict(const std::vector<double>& xh, const std::vector<double>& ph,
                                                   const std::vector<double>& tau) const {
  HYSEIS_REQUIRE(xh.size() == ph.size() && xh.size() == tau.size(), InvalidInput,
                 "surrogate predict: inputs have different lengths");
  torch::NoGradGuard ng;
  impl_->net->eval();
  const auto v = impl_->forward(t64(xh), t64(ph), torch::log(t64(tau))).contiguous();
  return std::vector<double>(v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
}

std::vector<double> ViscoelasticSurrogate::velocity(const std::vector<double>& x, double phase, double tau, double H,
                                                    double T, double vp) const {
  HYSEIS_REQUIRE(tau > 0, InvalidInput, "surrogate: relaxation time (viscosity) must be > 0, got " << tau);
  HYSEIS_REQUIRE(H > 0 && T > 0, InvalidInput, "surrogate: H and T must be > 0");
  std::vector<double> xh(x.size()), ph(x.size(), phase), tt(x.size(), tau / T);
  for (std::size_t i = 0; i < x.size(); ++i) xh[i] = x[i] / H;
  auto v = predict(xh, ph, tt);
  for (double& q : v) q *= vp;
  return v;
}

double ViscoelasticSurrogate::relative_l2(const CycleSamples& s) const {
  const auto p = predict(s.x_over_h, s.phase, s.tau_over_t);
  double num = 0, den = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    num += (p[i] - s.v_over_vp[i]) * (p[i] - s.v_over_vp[i]);
    den += s.v_over_vp[i] * s.v_over_vp[i];
  }
  return std::sqrt(num / den);
}

void ViscoelasticSurrogate::save(const std::string& path) const {
  const auto& o = impl_->o;
  core::json::Json j;
  j["model"] = "hyseis viscoelastic cycle surrogate (features: 2/pi atan(x/H), t/T, ln(tau/T); output v/v_p - atan(x/H)/pi)";
  j["hidden"] = o.hidden;
  j["activation"] = o.activation;
  j["tau_min"] = o.tau_min;
  j["tau_max"] = o.tau_max;
  j["phase_min"] = o.phase_min;
  core::json::write_atomic(path + ".json", j);
  nn::save_module(*impl_->net, path);
}

ViscoelasticSurrogate ViscoelasticSurrogate::load(const std::string& path) {
  HYSEIS_REQUIRE(std::filesystem::exists(path + ".json"), IoError,
                 "surrogate model '" << path << "': architecture file '" << path << ".json' not found");
  SurrogateOptions o;
  try {
    const auto j = core::json::read(path + ".json");
    o.hidden = j.at("hidden").get<std::vector<std::int64_t>>();
    o.activation = j.at("activation").get<std::string>();
    o.tau_min = j.at("tau_min").get<double>();
    o.tau_max = j.at("tau_max").get<double>();
    o.phase_min = j.at("phase_min").get<double>();
  } catch (const core::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw IoError("surrogate model '" + path + ".json': " + e.what());
  }
  ViscoelasticSurrogate s(o);
  nn::load_module(*s.impl_->net, path);
  s.impl_->net->eval();
  return s;
}

// ------------------------------------------------------------------------------------------
// inversion
// ------------------------------------------------------------------------------------------
void GpsVelocities::validate() const {
  const std::size_t n = x.size();
  HYSEIS_REQUIRE(n >= 3 && phase.size() == n && v.size() == n && sigma.size() == n, InvalidInput,
                 "GPS velocities: x, phase, v, sigma need the same length >= 3 (got " << x.size() << ", " << phase.size()
                                                                                      << ", " << v.size() << ", "
                                                                                      << sigma.size() << ")");
  HYSEIS_REQUIRE(recurrence > 0 && plate_rate != 0, InvalidInput, "GPS velocities: recurrence > 0 and plate rate != 0");
  for (std::size_t i = 0; i < n; ++i) {
    HYSEIS_REQUIRE(std::isfinite(x[i]) && x[i] != 0, InvalidInput,
                   "GPS velocities: station " << i << " at x = " << x[i] << " lies on the fault trace (x = 0)");
    HYSEIS_REQUIRE(phase[i] > 0 && phase[i] <= 1, InvalidInput,
                   "GPS velocities: phase " << phase[i] << " of datum " << i << " outside (0, 1]");
    HYSEIS_REQUIRE(sigma[i] > 0 && std::isfinite(v[i]), InvalidInput,
                   "GPS velocities: datum " << i << " needs a finite velocity and sigma > 0");
  }
}

void InversionOptions::validate() const {
  for (double t : start_tau) HYSEIS_REQUIRE(t > 0, InvalidInput, "inversion.start_tau: must be > 0 (viscosity), got " << t);
  for (double h : start_h) HYSEIS_REQUIRE(h > 0, InvalidInput, "inversion.start_depth: must be > 0, got " << h);
  HYSEIS_REQUIRE(iterations >= 1 && ensemble >= 0, InvalidInput, "inversion: iterations >= 1, ensemble >= 0");
}

namespace {
struct Fit {
  double q = 0, lh = 0, chi2 = 0;  // unconstrained parameter of tau, ln H
};

/// ln(tau/T) = lo + (hi - lo) sigmoid(q): keeps tau inside the trained range.
torch::Tensor log_tau_of(const torch::Tensor& q, double lo, double hi) { return lo + (hi - lo) * torch::sigmoid(q); }

Fit optimise(ViscoelasticSurrogate::Impl& S, const torch::Tensor& x, const torch::Tensor& ph, const torch::Tensor& v,
             const torch::Tensor& w, double vp, double q0, double lh0, int iters) {
  const double lo = std::log(S.o.tau_min), hi = std::log(S.o.tau_max);
  auto q = torch::full({1}, q0, torch::kFloat64).requires_grad_(true);
  auto lh = torch::full({1}, lh0, torch::kFloat64).requires_grad_(true);
  torch::optim::LBFGS opt({q, lh}, torch::optim::LBFGSOptions(1.0).max_iter(iters).line_search_fn("strong_wolfe")
                                       .tolerance_grad(1e-10).tolerance_change(1e-14));
  // chi2 / n keeps the gradient O(1) for L-BFGS's first step (min(1, 1/|g|_1) * lr)
  const double inv_n = 1.0 / double(x.size(0));
  auto closure = [&]() {
    opt.zero_grad();
    const auto lt = log_tau_of(q, lo, hi).expand({x.size(0)});
    const auto pred = vp * S.forward(x / torch::exp(lh), ph, lt);
    auto loss = ((pred - v) * (pred - v) * w).sum() * inv_n;
    loss.backward();
    return loss;
  };
  double prev = INFINITY;
  for (int round = 0; round < 4; ++round) {  // restart the history if the line search stalled early
    const double l = opt.step(closure).item<double>();
    if (std::abs(prev - l) <= 1e-12 * std::max(1.0, std::abs(l))) break;
    prev = l;
  }
  Fit f;
  f.q = q.item<double>();
  f.lh = lh.item<double>();
  {
    torch::NoGradGuard ng;
    const auto pred = vp * S.forward(x / std::exp(f.lh), ph, log_tau_of(q, lo, hi).expand({x.size(0)}));
    f.chi2 = ((pred - v) * (pred - v) * w).sum().item<double>();
  }
  return f;
}
double logit(double p) { return std::log(p / (1 - p)); }
}  // namespace

InversionResult invert_tau_depth(const ViscoelasticSurrogate& sur, const GpsVelocities& d, const InversionOptions& o) {
  d.validate();
  o.validate();
  const auto t0 = std::chrono::steady_clock::now();
  auto& S = sur.impl();
  S.net->eval();
  const double T = d.recurrence, vp = d.plate_rate;
  const double lo = std::log(S.o.tau_min), hi = std::log(S.o.tau_max);
  std::vector<double> st = o.start_tau, sh = o.start_h;
  if (st.empty())
    for (double f : {0.2, 0.5, 0.8}) st.push_back(T * std::exp(lo + f * (hi - lo)));
  if (sh.empty()) sh = {10, 20, 40};
  auto q_of_tau = [&](double tau) {
    const double u = (std::log(tau / T) - lo) / (hi - lo);
    return logit(std::clamp(u, 1e-3, 1 - 1e-3));
  };
  const auto x = t64(d.x), ph = t64(d.phase), v = t64(d.v);
  std::vector<double> wv(d.sigma.size());
  for (std::size_t i = 0; i < wv.size(); ++i) wv[i] = 1 / (d.sigma[i] * d.sigma[i]);
  const auto w = t64(wv);
  InversionResult R;
  R.n_data = int(d.x.size());
  Fit best;
  best.chi2 = INFINITY;
  for (double t : st)
    for (double h : sh) {
      const Fit f = optimise(S, x, ph, v, w, vp, q_of_tau(t), std::log(h), o.iterations);
      R.start_tau.push_back(t);
      R.start_h.push_back(h);
      R.start_chi2.push_back(f.chi2);
      R.end_tau.push_back(T * std::exp(lo + (hi - lo) / (1 + std::exp(-f.q))));
      R.end_h.push_back(std::exp(f.lh));
      if (f.chi2 < best.chi2) best = f;
    }
  const double log_tau_best = lo + (hi - lo) / (1 + std::exp(-best.q));
  R.tau = T * std::exp(log_tau_best);
  R.h = std::exp(best.lh);
  R.chi2 = best.chi2;
  // Gauss-Newton covariance in (ln tau, ln H): J_ij = d f_i / d theta_j by autograd.
  {
    auto lt = torch::full({1}, log_tau_best, torch::kFloat64).requires_grad_(true);
    auto lh = torch::full({1}, best.lh, torch::kFloat64).requires_grad_(true);
    const auto pred = vp * S.forward(x / torch::exp(lh), ph, lt.expand({x.size(0)}));
    Eigen::Matrix2d JtWJ = Eigen::Matrix2d::Zero();
    for (std::int64_t i = 0; i < pred.size(0); ++i) {
      const auto g = torch::autograd::grad({pred[i]}, {lt, lh}, {}, /*retain_graph=*/true);
      const double a = g[0].item<double>(), b = g[1].item<double>();
      JtWJ(0, 0) += wv[i] * a * a;
      JtWJ(0, 1) += wv[i] * a * b;
      JtWJ(1, 1) += wv[i] * b * b;
    }
    JtWJ(1, 0) = JtWJ(0, 1);
    const Eigen::Matrix2d C = JtWJ.inverse();
    R.tau_std = R.tau * std::sqrt(C(0, 0));
    R.h_std = R.h * std::sqrt(C(1, 1));
    R.corr_log = C(0, 1) / std::sqrt(C(0, 0) * C(1, 1));
  }
  // Ensemble: parametric bootstrap around the best fit.
  if (o.ensemble > 0) {
    std::vector<double> clean = sur.predict([&] {
      std::vector<double> xh(d.x.size());
      for (std::size_t i = 0; i < xh.size(); ++i) xh[i] = d.x[i] / R.h;
      return xh;
    }(), d.phase, std::vector<double>(d.x.size(), R.tau / T));
    std::mt19937_64 rng(o.seed);
    std::normal_distribution<double> g;
    for (int e = 0; e < o.ensemble; ++e) {
      std::vector<double> vn(clean.size());
      for (std::size_t i = 0; i < vn.size(); ++i) vn[i] = vp * clean[i] + d.sigma[i] * g(rng);
      const Fit f = optimise(S, x, ph, t64(vn), w, vp, best.q, best.lh, o.iterations);
      R.ensemble_tau.push_back(T * std::exp(lo + (hi - lo) / (1 + std::exp(-f.q))));
      R.ensemble_h.push_back(std::exp(f.lh));
    }
    auto ms = [](const std::vector<double>& a, double& m, double& s) {
      m = 0;
      for (double q : a) m += q;
      m /= double(a.size());
      s = 0;
      for (double q : a) s += (q - m) * (q - m);
      s = a.size() > 1 ? std::sqrt(s / double(a.size() - 1)) : 0;
    };
    ms(R.ensemble_tau, R.ensemble_tau_mean, R.ensemble_tau_std);
    ms(R.ensemble_h, R.ensemble_h_mean, R.ensemble_h_std);
  }
  R.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return R;
}

}  // namespace hyseis::hybrid::geodesy
