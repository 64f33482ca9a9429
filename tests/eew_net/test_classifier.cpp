// On-sensor classifier (issue 6): signal generators, metrics, logistic baseline, MyShake ANN trained
// on NCEDC earthquake windows vs synthetic human-activity windows.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/eew/classifier.hpp"

using namespace hyseis::learning::eew;
using hyseis::core::InvalidInput;

namespace {
std::string ncedc_file() {
  std::string root = std::string(HYSEIS_SOURCE_DIR) + "/../shared/validation";
  if (const char* env = std::getenv("HYSEIS_VALIDATION_DATA"); env && *env) root = env;
  return root + "/phasenet_ncedc_picks/phasenet_ncedc_154.h5";
}
// CDF of the chi distribution with 3 degrees of freedom (|v| of a 3-D standard normal vector).
double chi3_cdf(double x) { return std::erf(x / std::sqrt(2.0)) - std::sqrt(2.0 / M_PI) * x * std::exp(-x * x / 2); }
double chi3_quantile(double p) {
  double lo = 0, hi = 10;
  for (int i = 0; i < 200; ++i) {
    const double m = 0.5 * (lo + hi);
    (chi3_cdf(m) < p ? lo : hi) = m;
  }
  return 0.5 * (lo + hi);
}
}  // namespace

// IQR of the vector sum of white Gaussian noise = sigma (q75 - q25) of the chi(3) distribution.
TEST(EewClassifier, SensorNoiseIqrMatchesChi3) {
  std::mt19937_64 rng(3);
  const double sigma = 0.01;
  const ThreeComp a = sensor_noise(400000, 100.0, sigma, rng);
  const auto f = window_features(a.x, a.y, a.z, 100.0);
  const double expect = sigma * (chi3_quantile(0.75) - chi3_quantile(0.25));
  EXPECT_NEAR(f.iqr, expect, 0.01 * expect);  // sampling error of a quantile at n = 4e5: ~0.3 %
}

// Generators: amplitudes in their documented ranges; walking and running are periodic at the step rate
// (autocorrelation of the vector sum peaks at a lag inside [1/f_max, 1/f_min]).
TEST(EewClassifier, ActivityGeneratorsAreInTheirRanges) {
  std::mt19937_64 rng(5);
  for (int rep = 0; rep < 20; ++rep) {
    const ThreeComp r = synth_activity(Activity::resting, 2.0, 100.0, rng);
    EXPECT_EQ(r.size(), 200u);
    EXPECT_LT(peak_vector(r), 0.2);
    for (auto [act, flo, fhi] : {std::tuple{Activity::walking, 1.6, 2.4}, std::tuple{Activity::running, 2.5, 3.3}}) {
      const ThreeComp w = synth_activity(act, 20.0, 100.0, rng);
      std::vector<double> v(w.size());
      double m = 0;
      for (std::size_t i = 0; i < w.size(); ++i) { v[i] = std::sqrt(w.x[i] * w.x[i] + w.y[i] * w.y[i] + w.z[i] * w.z[i]); m += v[i]; }
      m /= double(v.size());
      int best = 0;
      double bestc = -1e300;
      for (int lag = 20; lag <= 100; ++lag) {  // 0.2 .. 1.0 s
        double c = 0;
        for (std::size_t i = 0; i + lag < v.size(); ++i) c += (v[i] - m) * (v[i + lag] - m);
        c /= double(v.size() - lag);
        if (c > bestc) { bestc = c; best = lag; }
      }
      // The vector sum of the fundamental + harmonics repeats once per step: lag = 1/f (± jitter, ± a sample).
      const double f = 100.0 / best;
      EXPECT_GT(f, 0.9 * flo) << activity_name(act);
      EXPECT_LT(f, 1.1 * fhi) << activity_name(act);
    }
  }
  EXPECT_THROW(synth_activity(Activity::walking, 2.0, 20.0, rng), InvalidInput);
  EXPECT_THROW(synth_activity(Activity::walking, 0.0, 100.0, rng), InvalidInput);
}

// ROC AUC against hand-computed values (scikit-learn's documentation example gives 0.75).
TEST(EewClassifier, RocAucHandValues) {
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}), 0.75);
  EXPECT_DOUBLE_EQ(roc_auc({0.5, 0.5}, {0, 1}), 0.5);
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.2, 0.9}, {0, 0, 1}), 1.0);
  std::vector<double> fpr, tpr;
  roc_curve({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}, fpr, tpr);
  ASSERT_EQ(fpr.size(), 5u);
  double area = 0;
  for (std::size_t i = 1; i < fpr.size(); ++i) area += (fpr[i] - fpr[i - 1]) * 0.5 * (tpr[i] + tpr[i - 1]);
  EXPECT_DOUBLE_EQ(area, 0.75);  // trapezoid area under the curve = Mann–Whitney AUC
  const auto m = binary_metrics({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}, 0.38);
  EXPECT_EQ(m.tp, 1); EXPECT_EQ(m.fp, 1); EXPECT_EQ(m.tn, 1); EXPECT_EQ(m.fn, 1);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
  EXPECT_THROW(roc_auc({0.1, 0.2}, {1, 1}), InvalidInput);
}

// Logistic regression with one binary feature and no ridge: the MLE reproduces the empirical class
// frequencies in each group exactly (closed form).
TEST(EewClassifier, LogisticMatchesClosedForm) {
  std::vector<FeatureVec> x;
  std::vector<int> y;
  for (int i = 0; i < 100; ++i) { x.push_back({0.0, 1.0, 2.0}); y.push_back(i < 20 ? 1 : 0); }  // P = 0.2
  for (int i = 0; i < 50; ++i) { x.push_back({1.0, 1.0, 2.0}); y.push_back(i < 35 ? 1 : 0); }   // P = 0.7
  LogisticModel lr;
  LogisticOptions o;
  o.ridge = 0.0;
  lr.fit(x, y, o);
  EXPECT_NEAR(lr.probability({0.0, 1.0, 2.0}), 0.2, 1e-10);
  EXPECT_NEAR(lr.probability({1.0, 1.0, 2.0}), 0.7, 1e-10);
  EXPECT_LT(lr.gradient_norm, 1e-8);
  EXPECT_THROW(lr.fit(x, std::vector<int>(x.size(), 1)), InvalidInput);
}

// End to end on the real NCEDC records: records split 60/20/20 *by record* (no record's windows in
// two splits), synthetic activity drawn with different seeds per split.
TEST(EewClassifier, AnnAndLogisticOnNcedcVsActivity) {
  if (!std::filesystem::exists(ncedc_file())) GTEST_SKIP() << "NCEDC data not found at " << ncedc_file();
  torch::set_num_threads(1);
  const auto recs = load_ncedc_records(ncedc_file());
  EXPECT_EQ(recs.size(), 115u);  // 154 records minus 39 one-component ones (36 EHZ, 3 SHZ)
  const RecordSplit sp = split_records(recs, 0.6, 0.2, 11);
  DatasetOptions dopt;
  dopt.eq_windows_per_record = 20;
  dopt.windows_per_activity = 400;
  std::mt19937_64 r1(1), r2(2), r3(3);
  const LabelledSet tr = build_dataset(sp.train, dopt, r1);
  DatasetOptions small = dopt;
  small.windows_per_activity = 150;
  const LabelledSet va = build_dataset(sp.val, small, r2), te = build_dataset(sp.test, small, r3);
  AnnOptions ao;
  ao.epochs = 60;
  ao.patience = 15;
  MyShakeAnn ann(ao);
  const AnnHistory h = ann.train(tr, va);
  EXPECT_GT(h.epochs_run, 0);
  LogisticModel lr;
  lr.fit(tr.x, tr.label);
  const auto pa = ann.probabilities(te.x), pl = lr.probabilities(te.x);
  const auto ma = binary_metrics(pa, te.label), ml = binary_metrics(pl, te.label);
  std::printf("test n=%zu  ANN: acc %.4f prec %.4f rec %.4f AUC %.4f | logistic: acc %.4f prec %.4f rec %.4f AUC %.4f\n",
              te.size(), ma.accuracy, ma.precision, ma.recall, ma.auc, ml.accuracy, ml.precision, ml.recall, ml.auc);
  for (const auto& c : per_kind_confusion(pa, te.kind))
    std::printf("  kind %-9s n=%ld predicted earthquake %ld\n", c.kind < 0 ? "earthquake" : activity_name(Activity(c.kind)).c_str(),
                c.n, c.predicted_eq);
  // Measured (seeded, deterministic): ANN AUC 0.988, accuracy 0.955; logistic AUC 0.79, accuracy 0.70.
  EXPECT_GT(ma.auc, 0.97);
  EXPECT_GT(ma.accuracy, 0.93);
  EXPECT_GT(ma.auc, ml.auc + 0.1);  // the non-linear ANN separates what a linear boundary cannot
  // Save / load round trip.
  const std::string path = (std::filesystem::temp_directory_path() / "hyseis_eew_ann_test.pt").string();
  ann.save(path);
  MyShakeAnn back(ao);
  back.load(path);
  const auto pb = back.probabilities(te.x);
  for (std::size_t i = 0; i < pa.size(); ++i) ASSERT_DOUBLE_EQ(pa[i], pb[i]);
  std::filesystem::remove(path);
}
