// Physics-informed GMPE: baseline + residual MLP with autograd physics penalties and synthetic
// augmentation (see pi_gmpe.hpp).
#include "hyseis/hybrid/gmpe/pi_gmpe.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/learning/nn/train.hpp"
#include "hyseis/learning/regression/nn_gmpe.hpp"

namespace hyseis::hybrid::gmpe {

namespace reg = learning::regression;
namespace lnn = learning::nn;

namespace {

struct ResNetImpl : torch::nn::Module {
  ResNetImpl(std::int64_t in, const std::vector<std::int64_t>& hidden, std::int64_t out, lnn::Activation act)
      : xs(in), ys(out), mlp(in, hidden, out, act) {
    register_module("xs", xs);
    register_module("ys", ys);
    register_module("mlp", mlp);
  }
  torch::Tensor forward(const torch::Tensor& x) { return ys->inverse(mlp->forward(xs->forward(x))); }
  lnn::Standardizer xs;
  lnn::Standardizer ys;
  lnn::MLP mlp;
};
TORCH_MODULE(ResNet);

torch::Tensor to_tensor(const Eigen::MatrixXd& m) {
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> f = m;
  return torch::from_blob(f.data(), {f.rows(), f.cols()}, torch::kFloat64).to(torch::kFloat32).clone();
}

Eigen::MatrixXd to_eigen(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kFloat64).contiguous();
  Eigen::MatrixXd m(c.size(0), c.size(1));
  const double* p = c.data_ptr<double>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = p[i * m.cols() + j];
  return m;
}

Eigen::MatrixXd rows_of(const Eigen::MatrixXd& m, const std::vector<int>& idx) {
  Eigen::MatrixXd r(Eigen::Index(idx.size()), m.cols());
  for (std::size_t i = 0; i < idx.size(); ++i) r.row(Eigen::Index(i)) = m.row(idx[i]);
  return r;
}

// Predictor rows (GmFlatfile layout) drawn over a box; rrup from rjb and ztor.
Eigen::MatrixXd sample_predictors(int n, double m0, double m1, double r0, double r1, bool log_r, double v0, double v1,
                                  double z1, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double rakes[3] = {0.0, 90.0, -90.0};
  Eigen::MatrixXd P(n, reg::kNumPredictors);
  for (int k = 0; k < n; ++k) {
    const double m = m0 + (m1 - m0) * u(rng);
    const double r = log_r ? std::exp(std::log(r0) + (std::log(r1) - std::log(r0)) * u(rng)) : r0 + (r1 - r0) * u(rng);
    const double v = std::exp(std::log(v0) + (std::log(v1) - std::log(v0)) * u(rng));
    const double z = z1 * u(rng);
    const double rake = rakes[std::min(2, int(3 * u(rng)))];
    P(k, reg::kMag) = m;
    P(k, reg::kRjb) = r;
    P(k, reg::kRrup) = std::sqrt(r * r + z * z);
    P(k, reg::kZtor) = z;
    P(k, reg::kVs30) = v;
    P(k, reg::kRake) = rake;
    P(k, reg::kDip) = rake == 0.0 ? 90.0 : 45.0;
  }
  return P;
}

Eigen::MatrixXd scale_distance(Eigen::MatrixXd P, double f) {
  P.col(reg::kRjb) *= f;
  P.col(reg::kRrup) *= f;
  return P;
}

Eigen::MatrixXd shift_mag(Eigen::MatrixXd P, double dm) {
  P.col(reg::kMag).array() += dm;
  return P;
}

}  // namespace

struct PiGmpe::Impl {
  ResNet net{nullptr};
};

void PiGmpeOptions::validate() const {
  baseline.validate();
  if (hidden.empty()) throw core::InvalidInput("hybrid.hidden: give at least one hidden layer");
  for (auto h : hidden)
    if (h < 1 || h > 4096) throw core::InvalidInput("hybrid.hidden: layer widths must be in [1, 4096]");
  const auto act = lnn::activation_from_string(activation);
  if (weight_magnitude > 0 && act == lnn::Activation::relu)
    throw core::InvalidInput("hybrid.activation: relu has no curvature; the magnitude penalty needs a smooth "
                             "activation (tanh, gelu, softplus, silu)");
  if (epochs < 1) throw core::InvalidInput("hybrid.epochs: must be >= 1");
  if (!(learning_rate > 0)) throw core::InvalidInput("hybrid.learning_rate: must be > 0");
  if (!(weight_decay >= 0)) throw core::InvalidInput("hybrid.weight_decay: must be >= 0");
  if (!(validation_fraction > 0 && validation_fraction < 1))
    throw core::InvalidInput("hybrid.validation_fraction: must be in (0, 1)");
  if (!(weight_distance >= 0) || !(weight_magnitude >= 0) || !(augment_weight >= 0))
    throw core::InvalidInput("hybrid: penalty and augmentation weights must be >= 0");
  if (!(max_mag_slope > 0)) throw core::InvalidInput("hybrid.max_mag_slope: must be > 0");
  if (collocation_points < 1 || collocation_batch < 1)
    throw core::InvalidInput("hybrid.collocation_points / collocation_batch: must be >= 1");
  if (!(colloc_m_max > colloc_m_min) || !(colloc_r_min > 0) || !(colloc_r_max > colloc_r_min))
    throw core::InvalidInput("hybrid: collocation box needs m_min < m_max and 0 < r_min < r_max");
  if (augment_points < 0 || !(augment_m_max > augment_m_min) || !(augment_r_max > 0))
    throw core::InvalidInput("hybrid: augmentation box needs points >= 0, m_min < m_max, r_max > 0");
  if (!(vs30_min > 0) || !(vs30_max > vs30_min)) throw core::InvalidInput("hybrid: need 0 < vs30_min < vs30_max");
}

PiGmpe::PiGmpe(PiGmpeOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  options_.validate();
}
PiGmpe::~PiGmpe() = default;
PiGmpe::PiGmpe(PiGmpe&&) noexcept = default;
PiGmpe& PiGmpe::operator=(PiGmpe&&) noexcept = default;
bool PiGmpe::fitted() const { return impl_ && !impl_->net.is_empty(); }

Eigen::MatrixXd PiGmpe::predict_baseline(const Eigen::MatrixXd& P) const {
  return baseline_ln_median(options_.baseline, imts_, P);
}

Eigen::MatrixXd PiGmpe::predict(const Eigen::MatrixXd& P) const {
  if (!fitted()) throw core::InvalidInput("PiGmpe::predict: the model is not fitted");
  const Eigen::MatrixXd base = predict_baseline(P);
  torch::NoGradGuard ng;
  impl_->net->eval();
  return base + to_eigen(impl_->net->forward(to_tensor(reg::gm_features(P, options_.distance))));
}

PiGmpeFitReport PiGmpe::fit(const reg::GmFlatfile& data) {
  const PiGmpeOptions& o = options_;
  if (data.size() < 4) throw core::InvalidInput("PiGmpe::fit: need at least 4 records");
  imts_ = data.imts;
  const Eigen::Index K = Eigen::Index(imts_.size());
  lnn::seed_everything(o.seed, o.threads);
  std::mt19937_64 rng(o.seed + 101);

  // Records: features and residuals with respect to the baseline.
  const Eigen::MatrixXd X = reg::gm_features(data.predictors, o.distance);
  const Eigen::MatrixXd R = data.ln_y - predict_baseline(data.predictors);
  const std::vector<bool> is_val =
      reg::split_events(data.event_index, data.n_events(), o.validation_fraction, o.seed + 17);
  std::vector<int> tr, va;
  for (std::size_t k = 0; k < is_val.size(); ++k) (is_val[k] ? va : tr).push_back(int(k));
  if (va.empty()) va = tr;
  const torch::Tensor xt = to_tensor(rows_of(X, tr)), rt = to_tensor(rows_of(R, tr));
  const torch::Tensor xv = to_tensor(rows_of(X, va)), rv = to_tensor(rows_of(R, va));

  // Synthetic augmentation: residual 0 (= the baseline) where records are sparse.
  torch::Tensor xa;
  if (o.augment_points > 0 && o.augment_weight > 0) {
    const Eigen::MatrixXd Pa = sample_predictors(o.augment_points, o.augment_m_min, o.augment_m_max, 0.0,
                                                 o.augment_r_max, false, o.vs30_min, o.vs30_max, 5.0, rng);
    xa = to_tensor(reg::gm_features(Pa, o.distance));
  }

  // Collocation points: features, d u / d lnR, and the baseline's derivatives (central differences).
  // Stratified: half over the whole box, half above the saturation magnitude (where the
  // curvature constraint acts).
  const int n_all = (o.collocation_points + 1) / 2, n_sat = o.collocation_points - n_all;
  Eigen::MatrixXd Pc(o.collocation_points, reg::kNumPredictors);
  Pc.topRows(n_all) = sample_predictors(n_all, o.colloc_m_min, o.colloc_m_max, o.colloc_r_min, o.colloc_r_max, true,
                                        o.vs30_min, o.vs30_max, 10.0, rng);
  if (n_sat > 0)
    Pc.bottomRows(n_sat) = sample_predictors(n_sat, std::max(o.m_saturation, o.colloc_m_min), o.colloc_m_max,
                                             o.colloc_r_min, o.colloc_r_max, true, o.vs30_min, o.vs30_max, 10.0, rng);
  const double dl = 0.05, dm = 0.05;
  const Eigen::MatrixXd B0 = predict_baseline(Pc);
  const Eigen::MatrixXd dB_dlnr =
      (predict_baseline(scale_distance(Pc, std::exp(dl))) - predict_baseline(scale_distance(Pc, std::exp(-dl)))) /
      (2 * dl);
  const Eigen::MatrixXd Bp = predict_baseline(shift_mag(Pc, dm)), Bm = predict_baseline(shift_mag(Pc, -dm));
  const Eigen::MatrixXd dB_dm = (Bp - Bm) / (2 * dm);
  const Eigen::MatrixXd d2B_dm2 = (Bp - 2 * B0 + Bm) / (dm * dm);
  Eigen::MatrixXd du_dlnr(Pc.rows(), 1), sat(Pc.rows(), 1);
  for (Eigen::Index k = 0; k < Pc.rows(); ++k) {
    const double r = o.distance == reg::GmDistance::rjb ? Pc(k, reg::kRjb) : Pc(k, reg::kRrup);
    du_dlnr(k, 0) = r * r / (r * r + 36.0);  // u = 0.5 ln(r^2 + 6^2)
    sat(k, 0) = Pc(k, reg::kMag) >= o.m_saturation ? 1.0 : 0.0;
  }
  const torch::Tensor xc = to_tensor(reg::gm_features(Pc, o.distance));
  const torch::Tensor t_dB_dlnr = to_tensor(dB_dlnr), t_dB_dm = to_tensor(dB_dm), t_d2B = to_tensor(d2B_dm2);
  const torch::Tensor t_du = to_tensor(du_dlnr), t_sat = to_tensor(sat);

  impl_->net = ResNet(reg::kNumGmFeatures, o.hidden, K, lnn::activation_from_string(o.activation));
  ResNet& net = impl_->net;
  net->xs->fit(xt);
  net->ys->fit(rt);

  double last_pd = 0, last_pm = 0;
  auto penalties = [&](const torch::Tensor& ic, torch::Tensor& pd, torch::Tensor& pm) {
    const torch::Tensor x = xc.index_select(0, ic).clone().set_requires_grad(true);
    const torch::Tensor out = net->forward(x);
    const torch::Tensor du = t_du.index_select(0, ic).squeeze(1), s = t_sat.index_select(0, ic).squeeze(1);
    pd = torch::zeros({}, torch::kFloat32);
    pm = torch::zeros({}, torch::kFloat32);
    for (Eigen::Index j = 0; j < K; ++j) {
      const auto g = torch::autograd::grad({out.select(1, j).sum()}, {x}, {}, true, true)[0];
      const torch::Tensor dlnr = g.select(1, 1) * du + t_dB_dlnr.index_select(0, ic).select(1, j);
      pd = pd + torch::relu(dlnr).pow(2).mean();
      if (o.weight_magnitude > 0) {
        const torch::Tensor dM = g.select(1, 0);
        const auto g2 = torch::autograd::grad({dM.sum()}, {x}, {}, true, true)[0];
        const torch::Tensor curv = g2.select(1, 0) + t_d2B.index_select(0, ic).select(1, j);
        const torch::Tensor slope = dM + t_dB_dm.index_select(0, ic).select(1, j);
        // Curvature penalty averaged over the points above the saturation magnitude only.
        pm = pm + (torch::relu(curv).pow(2) * s).sum() / torch::clamp_min(s.sum(), 1.0) + torch::relu(slope - o.max_mag_slope).pow(2).mean() +
             torch::relu(-slope).pow(2).mean();
      }
    }
    pd = pd / double(K);
    pm = pm / double(K);
  };

  lnn::TrainOptions to;
  to.epochs = o.epochs;
  to.batch_size = o.batch_size;
  to.learning_rate = o.learning_rate;
  to.weight_decay = o.weight_decay;
  to.patience = o.patience;
  to.seed = o.seed;
  to.label = "pi_gmpe";
  to.progress = o.progress;
  const std::int64_t nc = xc.size(0), cb = std::min<std::int64_t>(o.collocation_batch, nc);
  auto loss = [&](const torch::Tensor& idx) {
    torch::Tensor l = torch::mse_loss(net->forward(xt.index_select(0, idx)), rt.index_select(0, idx));
    if (xa.defined()) {
      const auto ia = torch::randint(xa.size(0), {std::min<std::int64_t>(idx.size(0), xa.size(0))}, torch::kInt64);
      l = l + o.augment_weight * net->forward(xa.index_select(0, ia)).pow(2).mean();
    }
    if (o.weight_distance > 0 || o.weight_magnitude > 0) {
      const auto ic = torch::randint(nc, {cb}, torch::kInt64);
      torch::Tensor pd, pm;
      penalties(ic, pd, pm);
      last_pd = pd.item<double>();
      last_pm = pm.item<double>();
      l = l + o.weight_distance * pd + o.weight_magnitude * pm;
    }
    return l;
  };
  // Validation objective = the training objective on the validation events (data MSE) plus the
  // augmentation term and the penalties over *all* collocation points, so that the restored
  // best epoch is one that honours the constraints (a data-only criterion can pick an early,
  // unconstrained epoch).
  const torch::Tensor all_c = torch::arange(nc, torch::kInt64);
  auto val = [&]() {
    double v = torch::mse_loss(net->forward(xv), rv).item<double>();
    if (xa.defined()) v += o.augment_weight * net->forward(xa).pow(2).mean().item<double>();
    if (o.weight_distance > 0 || o.weight_magnitude > 0) {
      torch::AutoGradMode grad_on(true);
      torch::Tensor pd, pm;
      penalties(all_c, pd, pm);
      v += o.weight_distance * pd.item<double>() + o.weight_magnitude * pm.item<double>();
    }
    return v;
  };
  const lnn::TrainHistory h = lnn::train(*net, xt.size(0), loss, val, to);
  net->eval();
  PiGmpeFitReport rep;
  rep.epochs_run = h.epochs_run;
  rep.best_epoch = h.best_epoch;
  rep.best_val_loss = h.best_val;
  rep.train_loss = h.train_loss;
  rep.val_loss = h.val_loss;
  {
    // Penalties of the restored (best) network over all collocation points.
    torch::Tensor pd, pm;
    penalties(all_c, pd, pm);
    rep.final_distance_penalty = pd.item<double>();
    rep.final_magnitude_penalty = pm.item<double>();
  }
  (void)last_pd;
  (void)last_pm;
  return rep;
}

ConstraintReport PiGmpe::check_constraints(double m_min, double m_max, int nm, double r_min, double r_max, int nr,
                                           const std::vector<double>& vs30s, double tol) const {
  if (!fitted()) throw core::InvalidInput("PiGmpe::check_constraints: the model is not fitted");
  if (nm < 2 || nr < 2 || vs30s.empty() || !(m_max > m_min) || !(r_min > 0) || !(r_max > r_min))
    throw core::InvalidInput("PiGmpe::check_constraints: need nm, nr >= 2, m_min < m_max, 0 < r_min < r_max, Vs30s");
  std::vector<std::array<double, 7>> rows;
  const double rakes[2] = {0.0, 90.0};
  for (double v : vs30s)
    for (double rake : rakes)
      for (int i = 0; i < nm; ++i)
        for (int j = 0; j < nr; ++j) {
          const double m = m_min + (m_max - m_min) * i / (nm - 1);
          const double r = std::exp(std::log(r_min) + (std::log(r_max) - std::log(r_min)) * j / (nr - 1));
          rows.push_back({m, r, r, 0.0, v, rake, rake == 0.0 ? 90.0 : 45.0});
        }
  Eigen::MatrixXd P(Eigen::Index(rows.size()), reg::kNumPredictors);
  for (std::size_t k = 0; k < rows.size(); ++k)
    for (int c = 0; c < reg::kNumPredictors; ++c) P(Eigen::Index(k), c) = rows[k][std::size_t(c)];
  const double dl = 0.05, dm = 0.05;
  ConstraintReport rep;
  rep.points = int(P.rows()) * int(imts_.size());
  auto derivs = [&](auto&& f, Eigen::MatrixXd& dlnr, Eigen::MatrixXd& d2m, Eigen::MatrixXd& d1m) {
    const Eigen::MatrixXd y0 = f(P);
    dlnr = (f(scale_distance(P, std::exp(dl))) - f(scale_distance(P, std::exp(-dl)))) / (2 * dl);
    const Eigen::MatrixXd yp = f(shift_mag(P, dm)), ym = f(shift_mag(P, -dm));
    d2m = (yp - 2 * y0 + ym) / (dm * dm);
    d1m = (yp - ym) / (2 * dm);
  };
  Eigen::MatrixXd dlnr, d2m, d1m;
  derivs([&](const Eigen::MatrixXd& Q) { return predict(Q); }, dlnr, d2m, d1m);
  int nd = 0, nmv = 0, nsat = 0;
  rep.max_dlny_dlnr = -1e300;
  rep.max_d2lny_dm2 = -1e300;
  rep.min_dlny_dm = 1e300;
  rep.max_dlny_dm = -1e300;
  for (Eigen::Index k = 0; k < P.rows(); ++k)
    for (Eigen::Index j = 0; j < dlnr.cols(); ++j) {
      rep.max_dlny_dlnr = std::max(rep.max_dlny_dlnr, dlnr(k, j));
      if (dlnr(k, j) > tol) ++nd;
      rep.min_dlny_dm = std::min(rep.min_dlny_dm, d1m(k, j));
      rep.max_dlny_dm = std::max(rep.max_dlny_dm, d1m(k, j));
      // Curvature only where the whole stencil lies above the saturation magnitude.
      if (P(k, reg::kMag) - dm >= options_.m_saturation) {
        ++nsat;
        rep.max_d2lny_dm2 = std::max(rep.max_d2lny_dm2, d2m(k, j));
        if (d2m(k, j) > tol) ++nmv;
      }
    }
  rep.fraction_distance_violations = double(nd) / rep.points;
  rep.fraction_magnitude_violations = nsat ? double(nmv) / nsat : 0.0;
  Eigen::MatrixXd bl, b2, b1;
  derivs([&](const Eigen::MatrixXd& Q) { return predict_baseline(Q); }, bl, b2, b1);
  rep.baseline_max_dlny_dlnr = bl.maxCoeff();
  rep.baseline_max_d2lny_dm2 = -1e300;
  for (Eigen::Index k = 0; k < P.rows(); ++k)
    if (P(k, reg::kMag) - dm >= options_.m_saturation)
      rep.baseline_max_d2lny_dm2 = std::max(rep.baseline_max_d2lny_dm2, b2.row(k).maxCoeff());
  return rep;
}

void PiGmpe::save(const std::string& prefix) const {
  if (!fitted()) throw core::InvalidInput("PiGmpe::save: the model is not fitted");
  lnn::save_module(*impl_->net, prefix + ".pt");
  core::json::Json j;
  j["type"] = "pi_gmpe";
  j["imts"] = imts_;
  j["baseline"] = {{"model", options_.baseline.model},
                   {"stress_drop", options_.baseline.stress_drop},
                   {"kappa0", options_.baseline.kappa0},
                   {"n_freq", options_.baseline.n_freq}};
  j["distance"] = options_.distance == reg::GmDistance::rjb ? "rjb" : "rrup";
  j["hidden"] = options_.hidden;
  j["activation"] = options_.activation;
  j["m_saturation"] = options_.m_saturation;
  core::json::write_atomic(prefix + ".json", j);
}

PiGmpe PiGmpe::load(const std::string& prefix) {
  const core::json::Json j = core::json::read(prefix + ".json");
  try {
    if (j.at("type").get<std::string>() != "pi_gmpe") throw core::IoError(prefix + ".json: 'type' is not pi_gmpe");
    PiGmpeOptions o;
    const auto& b = j.at("baseline");
    o.baseline.model = b.at("model").get<std::string>();
    o.baseline.stress_drop = b.at("stress_drop").get<double>();
    o.baseline.kappa0 = b.at("kappa0").get<double>();
    o.baseline.n_freq = b.at("n_freq").get<int>();
    o.distance = j.at("distance").get<std::string>() == "rrup" ? reg::GmDistance::rrup : reg::GmDistance::rjb;
    o.hidden = j.at("hidden").get<std::vector<std::int64_t>>();
    o.activation = j.at("activation").get<std::string>();
    o.m_saturation = j.at("m_saturation").get<double>();
    PiGmpe m(o);
    m.imts_ = j.at("imts").get<std::vector<std::string>>();
    m.impl_->net = ResNet(reg::kNumGmFeatures, o.hidden, std::int64_t(m.imts_.size()),
                          lnn::activation_from_string(o.activation));
    lnn::load_module(*m.impl_->net, prefix + ".pt");
    m.impl_->net->eval();
    return m;
  } catch (const core::json::Json::exception& e) {
    throw core::IoError(prefix + ".json: " + e.what());
  } catch (const core::InvalidInput& e) {
    throw core::IoError(prefix + ".json: " + e.what());
  }
}

}  // namespace hyseis::hybrid::gmpe
