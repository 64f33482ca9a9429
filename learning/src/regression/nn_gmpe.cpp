// NN GMPE (Derras et al. 2014 style) on the shared training loop.
#include "hyseis/learning/regression/nn_gmpe.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/learning/nn/train.hpp"
#include "hyseis/learning/regression/gm_dataset.hpp"

namespace hyseis::learning::regression {

namespace {

struct NetImpl : torch::nn::Module {
  NetImpl(std::int64_t in, const std::vector<std::int64_t>& hidden, std::int64_t out, nn::Activation act)
      : xs(in), ys(out), mlp(in, hidden, out, act) {
    register_module("xs", xs);
    register_module("ys", ys);
    register_module("mlp", mlp);
  }
  torch::Tensor forward_std(const torch::Tensor& x) { return mlp->forward(xs->forward(x)); }
  torch::Tensor forward(const torch::Tensor& x) { return ys->inverse(forward_std(x)); }
  nn::Standardizer xs;
  nn::Standardizer ys;
  nn::MLP mlp;
};
TORCH_MODULE(Net);

torch::Tensor to_tensor(const Eigen::MatrixXd& m) {
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> f = m.cast<float>();
  return torch::from_blob(f.data(), {f.rows(), f.cols()}, torch::kFloat32).clone();
}

Eigen::MatrixXd to_eigen(const torch::Tensor& t) {
  const torch::Tensor c = t.to(torch::kFloat64).contiguous();
  Eigen::MatrixXd m(c.size(0), c.size(1));
  const double* p = c.data_ptr<double>();
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = p[i * m.cols() + j];
  return m;
}

}  // namespace

struct NnGmpe::Impl {
  Net net{nullptr};
  std::int64_t n_in = 0, n_out = 0;
};

void NnGmpeOptions::validate() const {
  if (hidden.empty()) throw core::InvalidInput("nn.hidden: give at least one hidden layer");
  for (auto h : hidden)
    if (h < 1 || h > 4096) throw core::InvalidInput("nn.hidden: layer widths must be in [1, 4096]");
  (void)nn::activation_from_string(activation);
  if (epochs < 1) throw core::InvalidInput("nn.epochs: must be >= 1");
  if (!(learning_rate > 0)) throw core::InvalidInput("nn.learning_rate: must be > 0");
  if (!(weight_decay >= 0)) throw core::InvalidInput("nn.weight_decay: must be >= 0");
  if (!(validation_fraction > 0 && validation_fraction < 1))
    throw core::InvalidInput("nn.validation_fraction: must be in (0, 1)");
  if (patience < 0) throw core::InvalidInput("nn.patience: must be >= 0");
}

NnGmpe::NnGmpe(NnGmpeOptions options) : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  options_.validate();
}
NnGmpe::~NnGmpe() = default;
NnGmpe::NnGmpe(NnGmpe&&) noexcept = default;
NnGmpe& NnGmpe::operator=(NnGmpe&&) noexcept = default;

bool NnGmpe::fitted() const { return impl_ && !impl_->net.is_empty(); }
int NnGmpe::outputs() const { return fitted() ? int(impl_->n_out) : 0; }

std::vector<bool> split_events(const std::vector<int>& event_index, int n_events, double fraction, std::uint64_t seed) {
  std::vector<int> order(static_cast<std::size_t>(n_events));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  int n_val = int(std::lround(fraction * n_events));
  if (n_events >= 2) n_val = std::clamp(n_val, 1, n_events - 1);
  else n_val = 0;
  std::vector<bool> ev_val(std::size_t(n_events), false);
  for (int i = 0; i < n_val; ++i) ev_val[std::size_t(order[std::size_t(i)])] = true;
  std::vector<bool> rec(event_index.size());
  for (std::size_t k = 0; k < event_index.size(); ++k) rec[k] = ev_val[std::size_t(event_index[k])];
  return rec;
}

NnGmpeFitReport NnGmpe::fit(const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y, const std::vector<int>& event_index,
                            int n_events) {
  if (X.rows() != Y.rows() || std::size_t(X.rows()) != event_index.size() || X.rows() < 4 || Y.cols() < 1)
    throw core::InvalidInput("NnGmpe::fit: features, ln_y and event_index must have the same (>= 4) rows");
  if (!X.allFinite() || !Y.allFinite()) throw core::InvalidInput("NnGmpe::fit: non-finite feature or target");
  nn::seed_everything(options_.seed, options_.threads);
  const std::vector<bool> is_val = split_events(event_index, n_events, options_.validation_fraction, options_.seed + 17);
  std::vector<int> tr, va;
  for (std::size_t k = 0; k < is_val.size(); ++k) (is_val[k] ? va : tr).push_back(int(k));
  if (va.empty()) va = tr;  // a single event: validate on the training data
  auto rows = [](const Eigen::MatrixXd& m, const std::vector<int>& idx) {
    Eigen::MatrixXd r(Eigen::Index(idx.size()), m.cols());
    for (std::size_t i = 0; i < idx.size(); ++i) r.row(Eigen::Index(i)) = m.row(idx[i]);
    return r;
  };
  const torch::Tensor xt = to_tensor(rows(X, tr)), yt = to_tensor(rows(Y, tr));
  const torch::Tensor xv = to_tensor(rows(X, va)), yv = to_tensor(rows(Y, va));
  impl_->n_in = X.cols();
  impl_->n_out = Y.cols();
  impl_->net = Net(impl_->n_in, options_.hidden, impl_->n_out, nn::activation_from_string(options_.activation));
  Net& net = impl_->net;
  net->xs->fit(xt);
  net->ys->fit(yt);
  const torch::Tensor yt_s = net->ys->forward(yt), yv_s = net->ys->forward(yv);
  nn::TrainOptions to;
  to.epochs = options_.epochs;
  to.batch_size = options_.batch_size;
  to.learning_rate = options_.learning_rate;
  to.weight_decay = options_.weight_decay;
  to.patience = options_.patience;
  to.seed = options_.seed;
  to.label = "nn_gmpe";
  to.progress = options_.progress;
  auto loss = [&](const torch::Tensor& idx) {
    return torch::mse_loss(net->forward_std(xt.index_select(0, idx)), yt_s.index_select(0, idx));
  };
  auto val = [&]() { return torch::mse_loss(net->forward_std(xv), yv_s).item<double>(); };
  const nn::TrainHistory h = nn::train(*net, xt.size(0), loss, val, to);
  net->eval();
  NnGmpeFitReport r;
  r.epochs_run = h.epochs_run;
  r.best_epoch = h.best_epoch;
  r.best_val_loss = h.best_val;
  r.train_loss = h.train_loss;
  r.val_loss = h.val_loss;
  return r;
}

Eigen::MatrixXd NnGmpe::predict(const Eigen::MatrixXd& X) const {
  if (!fitted()) throw core::InvalidInput("NnGmpe::predict: the model is not fitted");
  if (X.cols() != impl_->n_in)
    throw core::InvalidInput("NnGmpe::predict: expected " + std::to_string(impl_->n_in) + " feature columns, got " +
                             std::to_string(X.cols()));
  torch::NoGradGuard ng;
  impl_->net->eval();
  return to_eigen(impl_->net->forward(to_tensor(X)));
}

void NnGmpe::save(const std::string& prefix) const {
  if (!fitted()) throw core::InvalidInput("NnGmpe::save: the model is not fitted");
  nn::save_module(*impl_->net, prefix + ".pt");
  core::json::Json j;
  j["type"] = "nn_gmpe";
  j["inputs"] = impl_->n_in;
  j["outputs"] = impl_->n_out;
  j["hidden"] = options_.hidden;
  j["activation"] = options_.activation;
  core::json::write_atomic(prefix + ".json", j);
}

NnGmpe NnGmpe::load(const std::string& prefix) {
  const core::json::Json j = core::json::read(prefix + ".json");
  try {
    if (j.at("type").get<std::string>() != "nn_gmpe")
      throw core::IoError(prefix + ".json: 'type' is not nn_gmpe");
    NnGmpeOptions o;
    o.hidden = j.at("hidden").get<std::vector<std::int64_t>>();
    o.activation = j.at("activation").get<std::string>();
    NnGmpe m(o);
    m.impl_->n_in = j.at("inputs").get<std::int64_t>();
    m.impl_->n_out = j.at("outputs").get<std::int64_t>();
    m.impl_->net = Net(m.impl_->n_in, o.hidden, m.impl_->n_out, nn::activation_from_string(o.activation));
    nn::load_module(*m.impl_->net, prefix + ".pt");
    m.impl_->net->eval();
    return m;
  } catch (const core::json::Json::exception& e) {
    throw core::IoError(prefix + ".json: " + e.what());
  } catch (const core::InvalidInput& e) {
    throw core::IoError(prefix + ".json: " + e.what());
  }
}

}  // namespace hyseis::learning::regression
