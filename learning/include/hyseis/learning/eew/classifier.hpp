#pragma once
// On-sensor earthquake / non-earthquake classification from the MyShake features (Kong, Allen,
// Schreier & Kwon 2016, Sci. Adv. 2:e1501055): inputs x = [log10 IQR, ZC, log10 CAV] of one 2 s
// window (features.hpp; IQR and CAV floored at 1e-9 before the log), output P(earthquake).
//  - MyShakeAnn: the MyShake ANN as a small MLP (3 -> hidden... -> 1 logit, tanh by default) behind a
//    Standardizer, trained with binary cross-entropy by the shared loop (learning/nn/train.hpp).
//  - LogisticModel: the baseline, logistic regression fitted by Newton / IRLS with a small ridge
//    (plain C++, no torch), P = sigmoid(w·z + b) on standardised inputs z.
// Metrics: accuracy, precision, recall at a threshold; ROC curve and its area (AUC = Mann–Whitney U
// statistic with ties counted 1/2).
// Torch stays out of this header (pimpl).
#include <array>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "hyseis/learning/eew/activity.hpp"
#include "hyseis/learning/eew/features.hpp"

namespace hyseis::learning::eew {

using FeatureVec = std::array<double, 3>;

/// [log10 max(IQR, 1e-9), ZC, log10 max(CAV, 1e-9)].
FeatureVec classifier_input(const MyShakeFeatures& f);
/// Features of a whole ThreeComp taken as one window.
FeatureVec classifier_input(const ThreeComp& a);

/// Labelled samples: label 1 = earthquake, 0 = not; kind = -1 for earthquakes, else int(Activity).
struct LabelledSet {
  std::vector<FeatureVec> x;
  std::vector<int> label;
  std::vector<int> kind;
  std::size_t size() const { return x.size(); }
  void append(const LabelledSet& o);
};

struct DatasetOptions {
  int eq_windows_per_record = 20;
  int windows_per_activity = 1000;
  double window_s = 2.0;
  EqWindowOptions eq;
};

/// Earthquake windows from the given records plus synthetic activity windows (all five kinds,
/// `windows_per_activity` each), all with the same rng.
LabelledSet build_dataset(const std::vector<EqRecord>& records, const DatasetOptions& opt, std::mt19937_64& rng);

/// Splits records by index into train / validation / test (fractions of the shuffled list, seeded).
struct RecordSplit {
  std::vector<EqRecord> train, val, test;
};
RecordSplit split_records(const std::vector<EqRecord>& records, double train_fraction, double val_fraction,
                          std::uint64_t seed);

class Classifier {
public:
  virtual ~Classifier() = default;
  virtual double probability(const FeatureVec& x) const = 0;
  virtual std::vector<double> probabilities(const std::vector<FeatureVec>& x) const;
};

struct LogisticOptions {
  double ridge = 1e-4;     ///< L2 penalty on w (not b), on standardised inputs
  int max_iterations = 50;
  double tolerance = 1e-10;  ///< stop when the Newton step's max |Δ| falls below
};

class LogisticModel final : public Classifier {
public:
  /// Fits on x (n >= 2 with both labels present). InvalidInput otherwise.
  void fit(const std::vector<FeatureVec>& x, const std::vector<int>& label, const LogisticOptions& opt = {});
  double probability(const FeatureVec& x) const override;
  std::array<double, 3> w{}, mean{}, scale{{1, 1, 1}};
  double b = 0.0;
  int iterations = 0;
  double gradient_norm = 0.0;  ///< |∇ penalised log-likelihood| at the solution
};

struct AnnOptions {
  std::vector<std::int64_t> hidden{16, 16};
  std::string activation = "tanh";
  int epochs = 200;
  std::int64_t batch_size = 256;
  double learning_rate = 3e-3;
  double weight_decay = 1e-4;
  int patience = 25;
  std::uint64_t seed = 1;
  bool progress = false;
  std::string checkpoint;  ///< optional: resume / checkpoint file of the shared loop
};

struct AnnHistory {
  std::vector<double> train_loss, val_loss;
  int best_epoch = -1, epochs_run = 0;
};

class MyShakeAnn final : public Classifier {
public:
  explicit MyShakeAnn(const AnnOptions& opt = {});
  ~MyShakeAnn() override;
  MyShakeAnn(MyShakeAnn&&) noexcept;
  MyShakeAnn& operator=(MyShakeAnn&&) noexcept;
  /// Trains with the shared loop (BCE with logits); the validation set drives early stopping.
  AnnHistory train(const LabelledSet& train, const LabelledSet& val);
  double probability(const FeatureVec& x) const override;
  std::vector<double> probabilities(const std::vector<FeatureVec>& x) const override;
  void save(const std::string& path) const;
  void load(const std::string& path);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct BinaryMetrics {
  double threshold = 0.5;
  long tp = 0, fp = 0, tn = 0, fn = 0;
  double accuracy = 0, precision = 0, recall = 0, f1 = 0, auc = 0;
};
/// Metrics of scores against labels at `threshold` (score >= threshold => earthquake).
BinaryMetrics binary_metrics(const std::vector<double>& score, const std::vector<int>& label, double threshold = 0.5);
/// ROC area (Mann–Whitney U / (n_pos n_neg), ties 1/2). Needs both classes.
double roc_auc(const std::vector<double>& score, const std::vector<int>& label);
/// ROC curve points (false-positive rate, true-positive rate), thresholds descending, from (0,0) to (1,1).
void roc_curve(const std::vector<double>& score, const std::vector<int>& label, std::vector<double>& fpr,
               std::vector<double>& tpr);

/// Per-kind confusion: for kind k (-1 = earthquake, 0..4 = Activity), the number of samples and how
/// many were classified as earthquake at the threshold.
struct KindConfusion {
  int kind = -1;
  long n = 0, predicted_eq = 0;
};
std::vector<KindConfusion> per_kind_confusion(const std::vector<double>& score, const std::vector<int>& kind,
                                              double threshold = 0.5);

}  // namespace hyseis::learning::eew
