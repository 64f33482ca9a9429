#include "hyseis/learning/eew/classifier.hpp"

#include <torch/torch.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/nn/train.hpp"

namespace hyseis::learning::eew {
using hyseis::core::InvalidInput;

FeatureVec classifier_input(const MyShakeFeatures& f) {
  return {std::log10(std::max(f.iqr, 1e-9)), f.zc, std::log10(std::max(f.cav, 1e-9))};
}

FeatureVec classifier_input(const ThreeComp& a) { return classifier_input(window_features(a.x, a.y, a.z, a.fs)); }

void LabelledSet::append(const LabelledSet& o) {
  x.insert(x.end(), o.x.begin(), o.x.end());
  label.insert(label.end(), o.label.begin(), o.label.end());
  kind.insert(kind.end(), o.kind.begin(), o.kind.end());
}

LabelledSet build_dataset(const std::vector<EqRecord>& records, const DatasetOptions& opt, std::mt19937_64& rng) {
  if (opt.eq_windows_per_record < 0 || opt.windows_per_activity < 0) throw InvalidInput("eew build_dataset: negative counts");
  LabelledSet s;
  EqWindowOptions eo = opt.eq;
  eo.window_s = opt.window_s;
  for (const auto& r : records)
    for (int k = 0; k < opt.eq_windows_per_record; ++k) {
      s.x.push_back(classifier_input(earthquake_window(r, eo, rng)));
      s.label.push_back(1);
      s.kind.push_back(-1);
    }
  const double fs = records.empty() ? 100.0 : records.front().acc.fs;
  for (int a = 0; a < kActivityCount; ++a)
    for (int k = 0; k < opt.windows_per_activity; ++k) {
      s.x.push_back(classifier_input(synth_activity(Activity(a), opt.window_s, fs, rng)));
      s.label.push_back(0);
      s.kind.push_back(a);
    }
  return s;
}

RecordSplit split_records(const std::vector<EqRecord>& records, double train_fraction, double val_fraction,
                          std::uint64_t seed) {
  if (!(train_fraction > 0) || !(val_fraction >= 0) || !(train_fraction + val_fraction < 1))
    throw InvalidInput("eew split_records: need train > 0, val >= 0, train + val < 1");
  std::vector<std::size_t> idx(records.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(idx.begin(), idx.end(), rng);
  const std::size_t nt = std::size_t(std::llround(train_fraction * idx.size()));
  const std::size_t nv = std::size_t(std::llround(val_fraction * idx.size()));
  RecordSplit s;
  for (std::size_t k = 0; k < idx.size(); ++k)
    (k < nt ? s.train : k < nt + nv ? s.val : s.test).push_back(records[idx[k]]);
  return s;
}

std::vector<double> Classifier::probabilities(const std::vector<FeatureVec>& x) const {
  std::vector<double> p(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) p[i] = probability(x[i]);
  return p;
}

// ---------------------------------------------------------------- logistic regression (IRLS)
void LogisticModel::fit(const std::vector<FeatureVec>& x, const std::vector<int>& label, const LogisticOptions& opt) {
  const std::size_t n = x.size();
  if (n < 2 || label.size() != n) throw InvalidInput("eew LogisticModel::fit: need >= 2 samples and one label per sample");
  long npos = 0;
  for (int l : label) {
    if (l != 0 && l != 1) throw InvalidInput("eew LogisticModel::fit: labels must be 0 or 1");
    npos += l;
  }
  if (npos == 0 || npos == long(n)) throw InvalidInput("eew LogisticModel::fit: both classes must be present");
  for (int d = 0; d < 3; ++d) {
    double m = 0, v = 0;
    for (const auto& r : x) {
      if (!std::isfinite(r[d])) throw InvalidInput("eew LogisticModel::fit: non-finite feature");
      m += r[d];
    }
    m /= double(n);
    for (const auto& r : x) v += (r[d] - m) * (r[d] - m);
    mean[d] = m;
    scale[d] = v > 0 ? std::sqrt(v / double(n)) : 1.0;
  }
  Eigen::MatrixXd Z(n, 4);
  Eigen::VectorXd y(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (int d = 0; d < 3; ++d) Z(Eigen::Index(i), d) = (x[i][d] - mean[d]) / scale[d];
    Z(Eigen::Index(i), 3) = 1.0;
    y[Eigen::Index(i)] = label[i];
  }
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(4);
  Eigen::VectorXd reg = Eigen::VectorXd::Constant(4, opt.ridge * double(n));
  reg[3] = 0.0;
  auto gradient = [&](const Eigen::VectorXd& bt, Eigen::VectorXd& p) {
    p = (-(Z * bt)).array().exp().unaryExpr([](double e) { return 1.0 / (1.0 + e); });
    return Eigen::VectorXd(Z.transpose() * (y - p) - reg.cwiseProduct(bt));
  };
  Eigen::VectorXd p;
  iterations = 0;
  for (int it = 0; it < opt.max_iterations; ++it) {
    const Eigen::VectorXd g = gradient(beta, p);
    const Eigen::VectorXd wts = p.array() * (1.0 - p.array());
    Eigen::MatrixXd H = Z.transpose() * wts.asDiagonal() * Z;
    H.diagonal() += reg;
    H.diagonal().array() += 1e-12;
    const Eigen::VectorXd step = H.ldlt().solve(g);
    beta += step;
    iterations = it + 1;
    if (step.cwiseAbs().maxCoeff() < opt.tolerance) break;
  }
  gradient_norm = gradient(beta, p).norm();
  for (int d = 0; d < 3; ++d) w[d] = beta[d];
  b = beta[3];
}

double LogisticModel::probability(const FeatureVec& x) const {
  double s = b;
  for (int d = 0; d < 3; ++d) s += w[d] * (x[d] - mean[d]) / scale[d];
  return 1.0 / (1.0 + std::exp(-s));
}

// ---------------------------------------------------------------- MyShake ANN
namespace {
struct AnnNetImpl : torch::nn::Module {
  AnnNetImpl(const std::vector<std::int64_t>& hidden, nn::Activation act) {
    xs = register_module("xs", nn::Standardizer(3));
    mlp = register_module("mlp", nn::MLP(3, hidden, 1, act));
  }
  torch::Tensor forward(const torch::Tensor& x) { return mlp->forward(xs->forward(x)).squeeze(1); }  // logits
  nn::Standardizer xs{nullptr};
  nn::MLP mlp{nullptr};
};
TORCH_MODULE(AnnNet);

torch::Tensor to_tensor(const std::vector<FeatureVec>& x) {
  torch::Tensor t = torch::empty({std::int64_t(x.size()), 3}, torch::kFloat64);
  auto a = t.accessor<double, 2>();
  for (std::size_t i = 0; i < x.size(); ++i)
    for (int d = 0; d < 3; ++d) a[std::int64_t(i)][d] = x[i][d];
  return t;
}
torch::Tensor labels(const std::vector<int>& y) {
  torch::Tensor t = torch::empty({std::int64_t(y.size())}, torch::kFloat64);
  for (std::size_t i = 0; i < y.size(); ++i) t[std::int64_t(i)] = double(y[i]);
  return t;
}
}  // namespace

struct MyShakeAnn::Impl {
  AnnOptions opt;
  AnnNet net{nullptr};
  bool trained = false;
};

MyShakeAnn::MyShakeAnn(const AnnOptions& opt) : impl_(std::make_unique<Impl>()) {
  if (opt.hidden.empty()) throw InvalidInput("eew MyShakeAnn: give at least one hidden layer");
  for (auto h : opt.hidden)
    if (h < 1) throw InvalidInput("eew MyShakeAnn: hidden widths must be >= 1");
  impl_->opt = opt;
  impl_->net = AnnNet(opt.hidden, nn::activation_from_string(opt.activation));
  impl_->net->to(torch::kFloat64);
}
MyShakeAnn::~MyShakeAnn() = default;
MyShakeAnn::MyShakeAnn(MyShakeAnn&&) noexcept = default;
MyShakeAnn& MyShakeAnn::operator=(MyShakeAnn&&) noexcept = default;

AnnHistory MyShakeAnn::train(const LabelledSet& tr, const LabelledSet& va) {
  if (tr.size() < 2 || va.size() < 1) throw InvalidInput("eew MyShakeAnn::train: empty training or validation set");
  const auto& o = impl_->opt;
  nn::seed_everything(o.seed);
  impl_->net = AnnNet(o.hidden, nn::activation_from_string(o.activation));
  impl_->net->to(torch::kFloat64);
  AnnNet& net = impl_->net;
  const torch::Tensor xt = to_tensor(tr.x), yt = labels(tr.label), xv = to_tensor(va.x), yv = labels(va.label);
  net->xs->fit(xt);
  // Class-balanced BCE: each class contributes half of the loss whatever the class sizes.
  const double npos = yt.sum().item<double>(), nneg = double(tr.size()) - npos;
  if (npos < 1 || nneg < 1) throw InvalidInput("eew MyShakeAnn::train: both classes must be in the training set");
  const double wpos = 0.5 * double(tr.size()) / npos, wneg = 0.5 * double(tr.size()) / nneg;
  auto weights = [&](const torch::Tensor& y) { return y * wpos + (1 - y) * wneg; };
  const torch::Tensor wt = weights(yt), wv = weights(yv);
  nn::TrainOptions to;
  to.epochs = o.epochs;
  to.batch_size = o.batch_size;
  to.learning_rate = o.learning_rate;
  to.weight_decay = o.weight_decay;
  to.patience = o.patience;
  to.seed = o.seed;
  to.label = "eew_ann";
  to.progress = o.progress;
  to.checkpoint = o.checkpoint;
  auto loss = [&](const torch::Tensor& idx) {
    return torch::binary_cross_entropy_with_logits(net->forward(xt.index_select(0, idx)), yt.index_select(0, idx),
                                                   wt.index_select(0, idx));
  };
  auto val = [&]() { return torch::binary_cross_entropy_with_logits(net->forward(xv), yv, wv).item<double>(); };
  const nn::TrainHistory h = nn::train(*net, xt.size(0), loss, val, to);
  net->eval();
  impl_->trained = true;
  AnnHistory r;
  r.train_loss = h.train_loss;
  r.val_loss = h.val_loss;
  r.best_epoch = h.best_epoch;
  r.epochs_run = h.epochs_run;
  return r;
}

std::vector<double> MyShakeAnn::probabilities(const std::vector<FeatureVec>& x) const {
  if (!impl_->trained) throw InvalidInput("eew MyShakeAnn: the model is not trained or loaded");
  for (std::size_t i = 0; i < x.size(); ++i)
    for (double v : x[i])
      if (!std::isfinite(v)) throw InvalidInput("eew MyShakeAnn: non-finite feature in sample " + std::to_string(i));
  if (x.empty()) return {};
  torch::NoGradGuard ng;
  impl_->net->eval();
  const torch::Tensor p = torch::sigmoid(impl_->net->forward(to_tensor(x))).contiguous();
  return std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
}

double MyShakeAnn::probability(const FeatureVec& x) const { return probabilities({x})[0]; }

void MyShakeAnn::save(const std::string& path) const {
  if (!impl_->trained) throw InvalidInput("eew MyShakeAnn::save: the model is not trained");
  nn::save_module(*impl_->net, path);
}

void MyShakeAnn::load(const std::string& path) {
  nn::load_module(*impl_->net, path);
  impl_->net->eval();
  impl_->trained = true;
}

// ---------------------------------------------------------------- metrics
double roc_auc(const std::vector<double>& score, const std::vector<int>& label) {
  if (score.size() != label.size()) throw InvalidInput("eew roc_auc: scores and labels differ in length");
  std::vector<std::size_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  // Mid-ranks over ties.
  double rank_sum_pos = 0;
  long npos = 0, nneg = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && score[idx[j]] == score[idx[i]]) ++j;
    const double mid = 0.5 * double(i + 1 + j);  // mean of ranks i+1..j
    for (std::size_t k = i; k < j; ++k)
      if (label[idx[k]] == 1) rank_sum_pos += mid;
    i = j;
  }
  for (int l : label) (l == 1 ? npos : nneg)++;
  if (npos == 0 || nneg == 0) throw InvalidInput("eew roc_auc: both classes are needed");
  return (rank_sum_pos - 0.5 * double(npos) * double(npos + 1)) / (double(npos) * double(nneg));
}

void roc_curve(const std::vector<double>& score, const std::vector<int>& label, std::vector<double>& fpr,
               std::vector<double>& tpr) {
  if (score.size() != label.size()) throw InvalidInput("eew roc_curve: scores and labels differ in length");
  std::vector<std::size_t> idx(score.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  long npos = 0, nneg = 0;
  for (int l : label) (l == 1 ? npos : nneg)++;
  if (npos == 0 || nneg == 0) throw InvalidInput("eew roc_curve: both classes are needed");
  fpr = {0.0};
  tpr = {0.0};
  long tp = 0, fp = 0;
  for (std::size_t i = 0; i < idx.size();) {
    std::size_t j = i;
    while (j < idx.size() && score[idx[j]] == score[idx[i]]) {
      (label[idx[j]] == 1 ? tp : fp)++;
      ++j;
    }
    fpr.push_back(double(fp) / nneg);
    tpr.push_back(double(tp) / npos);
    i = j;
  }
}

BinaryMetrics binary_metrics(const std::vector<double>& score, const std::vector<int>& label, double threshold) {
  if (score.size() != label.size() || score.empty()) throw InvalidInput("eew binary_metrics: need equal, non-empty scores and labels");
  BinaryMetrics m;
  m.threshold = threshold;
  for (std::size_t i = 0; i < score.size(); ++i) {
    const bool p = score[i] >= threshold;
    if (label[i] == 1) (p ? m.tp : m.fn)++;
    else (p ? m.fp : m.tn)++;
  }
  const double n = double(score.size());
  m.accuracy = double(m.tp + m.tn) / n;
  m.precision = m.tp + m.fp > 0 ? double(m.tp) / double(m.tp + m.fp) : 0.0;
  m.recall = m.tp + m.fn > 0 ? double(m.tp) / double(m.tp + m.fn) : 0.0;
  m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0.0;
  long npos = m.tp + m.fn, nneg = m.tn + m.fp;
  m.auc = (npos > 0 && nneg > 0) ? roc_auc(score, label) : 0.0;
  return m;
}

std::vector<KindConfusion> per_kind_confusion(const std::vector<double>& score, const std::vector<int>& kind,
                                              double threshold) {
  if (score.size() != kind.size()) throw InvalidInput("eew per_kind_confusion: scores and kinds differ in length");
  std::map<int, KindConfusion> m;
  for (std::size_t i = 0; i < score.size(); ++i) {
    auto& c = m[kind[i]];
    c.kind = kind[i];
    ++c.n;
    if (score[i] >= threshold) ++c.predicted_eq;
  }
  std::vector<KindConfusion> out;
  for (auto& [k, c] : m) out.push_back(c);
  return out;
}

}  // namespace hyseis::learning::eew
