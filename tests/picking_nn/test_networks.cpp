// Deep pickers: shapes and shape errors, peak detection, sliding-window inference, save/load,
// and small overfit runs (a network that cannot learn 8 impulsive onsets is broken).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/picking/continuous.hpp"
#include "hyseis/learning/picking/deep.hpp"
#include "hyseis/learning/picking/networks.hpp"

namespace pk = hyseis::learning::picking;
using hyseis::core::InvalidInput;
using hyseis::core::IoError;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Noise, then a P burst on Z (channel 0) and a larger S burst on the horizontals.
pk::LabelledTrace toy_trace(std::size_t L, double p, double s, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> N(0, 0.05);
  pk::LabelledTrace t;
  t.channels.assign(3, std::vector<double>(L));
  for (auto& c : t.channels)
    for (auto& v : c) v = N(rng);
  for (std::size_t k = 0; k < L; ++k) {
    const double tp = static_cast<double>(k) - p, ts = static_cast<double>(k) - s;
    if (tp >= 0) t.channels[0][k] += std::exp(-tp / 40.0) * std::sin(0.6 * tp);
    if (ts >= 0) {
      t.channels[1][k] += 2.0 * std::exp(-ts / 40.0) * std::sin(0.3 * ts);
      t.channels[2][k] += 2.0 * std::exp(-ts / 40.0) * std::cos(0.3 * ts);
    }
  }
  t.p_sample = p;
  t.s_sample = s;
  return t;
}
}  // namespace

TEST(PickingNN, PhaseNetShapesAndErrors) {
  torch::set_num_threads(1);
  pk::PhaseNet net;
  net->eval();
  torch::NoGradGuard ng;
  for (std::int64_t L : {3001, 1000, 401, 256}) {
    auto y = net->forward(torch::randn({2, 3, L}));
    EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{2, 3, L})) << "L = " << L;
  }
  try {
    net->forward(torch::randn({2, 1, 3001}));
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("expected input [batch, 3, samples >= 256], got [2, 1, 3001]"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(net->forward(torch::randn({3, 3001})), InvalidInput);
  EXPECT_THROW(net->forward(torch::randn({1, 3, 10})), InvalidInput);
  pk::PhaseNetOptions bad;
  bad.kernel = 3;  // (3+1)/2 < stride 4: up-sampling would not cover the skip
  EXPECT_THROW(bad.validate(), InvalidInput);
}

TEST(PickingNN, GpdShapesAndErrors) {
  torch::set_num_threads(1);
  pk::GPD net;
  net->eval();
  torch::NoGradGuard ng;
  EXPECT_EQ(net->options.flat_features(), 256 * 25);
  auto y = net->forward(torch::randn({4, 3, 400}));
  EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{4, 3}));
  try {
    net->forward(torch::randn({4, 3, 401}));
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("GPD: expected input [batch, 3, 400], got [4, 3, 401]"), std::string::npos);
  }
}

TEST(PickingNN, FindPeaksThresholdAndDistance) {
  //                         0    1    2    3    4    5    6    7    8    9   10   11
  std::vector<double> p = {0.0, 0.5, 0.9, 0.5, 0.2, 0.7, 0.1, 0.1, 0.4, 0.4, 0.1, 0.35};
  auto a = pk::find_peaks(p, 0.3, 1);
  ASSERT_EQ(a.size(), 3u);  // 2 (0.9), 5 (0.7), plateau 8-9 -> 8; 11 is at the edge (no right neighbour, as scipy)
  EXPECT_EQ(a[0].sample, 2u);
  EXPECT_EQ(a[1].sample, 5u);
  EXPECT_EQ(a[2].sample, 8u);
  auto b = pk::find_peaks(p, 0.3, 4);  // 5 is within 4 of the higher peak at 2; 8 is not within 4 of 2
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].sample, 2u);
  EXPECT_EQ(b[1].sample, 8u);
  EXPECT_TRUE(pk::find_peaks(p, 0.95, 1).empty());
}

TEST(PickingNN, ScorePicksByHand) {
  // truths 100, 200, 300, NaN; picks 105 (TP), 230 (FP), none, 50 (FP, no truth)
  auto s = pk::score_picks({105, 230, kNaN, 50}, {100, 200, 300, kNaN}, 10, 100.0);
  EXPECT_EQ(s.picked, 3u);
  EXPECT_EQ(s.with_truth, 3u);
  EXPECT_EQ(s.true_positives, 1u);
  EXPECT_NEAR(s.precision, 1.0 / 3, 1e-12);
  EXPECT_NEAR(s.recall, 1.0 / 3, 1e-12);
  EXPECT_NEAR(s.residual_mean_s, 0.05, 1e-12);
  EXPECT_EQ(s.residuals_s.size(), 2u);
}

TEST(PickingNN, SlidingInferenceMatchesWindowsAndPadsShortTraces) {
  torch::set_num_threads(1);
  pk::DeepPickerOptions o;
  o.window = 256;
  o.seed = 3;
  pk::DeepPicker m(o);
  auto t = toy_trace(256, 80, 150, 1);
  // One window: predict == predict_windows on the normalised window.
  std::vector<float> x(3 * 256);
  for (int c = 0; c < 3; ++c)
    for (int k = 0; k < 256; ++k) x[c * 256 + k] = static_cast<float>(t.channels[c][k]);
  pk::normalize_window(x.data(), 3, 256);
  const auto w = m.predict_windows(x, 1);
  const auto p = m.predict(t.channels, 100.0);
  for (int k = 0; k < 256; ++k) {
    EXPECT_NEAR(p.p[k], w[k], 1e-6);
    EXPECT_NEAR(p.s[k], w[256 + k], 1e-6);
    EXPECT_NEAR(p.p[k] + p.s[k] + p.noise[k], 1.0, 1e-5);
  }
  // A long trace: every sample covered, probabilities still sum to 1; a short one is padded.
  auto longt = toy_trace(1000, 300, 500, 2);
  const auto pl = m.predict(longt.channels, 100.0, {0.5, 10, 4});
  ASSERT_EQ(pl.p.size(), 1000u);
  for (std::size_t k = 0; k < 1000; ++k) EXPECT_NEAR(pl.p[k] + pl.s[k] + pl.noise[k], 1.0, 1e-5);
  // The first 128 samples are seen only by window 0: equal to predicting the first 256 samples.
  std::vector<std::vector<double>> head(3);
  for (int c = 0; c < 3; ++c) head[c].assign(longt.channels[c].begin(), longt.channels[c].begin() + 256);
  const auto ph = m.predict(head, 100.0);
  for (int k = 0; k < 128; ++k) EXPECT_NEAR(pl.p[k], ph.p[k], 1e-6);
  auto shortt = toy_trace(100, 30, 60, 3);
  EXPECT_EQ(m.predict(shortt.channels, 100.0).p.size(), 100u);
  // Bad input
  EXPECT_THROW(m.predict(shortt.channels, 50.0), InvalidInput);
  auto two = shortt.channels;
  two.pop_back();
  EXPECT_THROW(m.predict(two, 100.0), InvalidInput);
  auto nan = shortt.channels;
  nan[1][7] = kNaN;
  EXPECT_THROW(m.predict(nan, 100.0), InvalidInput);
  auto uneq = shortt.channels;
  uneq[2].pop_back();
  EXPECT_THROW(m.predict(uneq, 100.0), InvalidInput);
  EXPECT_THROW(m.predict_windows(std::vector<float>(10), 1), InvalidInput);
}

TEST(PickingNN, SaveLoadRoundTripAndErrors) {
  torch::set_num_threads(1);
  const auto dir = std::filesystem::temp_directory_path() / "hyseis_picking_nn";
  std::filesystem::create_directories(dir);
  for (auto kind : {pk::PickerKind::phasenet, pk::PickerKind::gpd}) {
    pk::DeepPickerOptions o;
    o.kind = kind;
    o.window = kind == pk::PickerKind::gpd ? 400 : 512;
    o.filters = kind == pk::PickerKind::gpd ? std::vector<std::int64_t>{8, 8, 16, 16} : std::vector<std::int64_t>{4, 6, 8};
    o.hidden = 16;
    pk::DeepPicker m(o);
    const auto path = (dir / ("m_" + pk::to_string(kind) + ".pt")).string();
    m.save(path);
    auto m2 = pk::DeepPicker::load(path);
    EXPECT_EQ(m2.options().kind, kind);
    EXPECT_EQ(m2.options().filters, o.filters);
    EXPECT_EQ(m2.parameter_count(), m.parameter_count());
    auto t = toy_trace(900, 300, 500, 5);
    const auto a = m.predict(t.channels, 100.0), b = m2.predict(t.channels, 100.0);
    for (std::size_t k = 0; k < a.p.size(); ++k) ASSERT_EQ(a.p[k], b.p[k]);
    auto c = m.clone();
    const auto cc = c.predict(t.channels, 100.0);
    for (std::size_t k = 0; k < a.p.size(); ++k) ASSERT_EQ(a.p[k], cc.p[k]);
  }
  EXPECT_THROW(pk::DeepPicker::load((dir / "missing.pt").string()), IoError);
  {
    std::ofstream f(dir / "junk.pt");
    f << "not a torch archive";
  }
  EXPECT_THROW(pk::DeepPicker::load((dir / "junk.pt").string()), IoError);
}

// An ensemble's probabilities are the members' mean, sample by sample; members must agree in
// kind, channels, window and rate.
TEST(PickingNN, EnsembleAveragesItsMembers) {
  torch::set_num_threads(1);
  pk::DeepPickerOptions o;
  o.window = 512;
  o.filters = {4, 6, 8};
  pk::PickerEnsemble e;
  EXPECT_THROW(e.options(), InvalidInput);
  std::vector<pk::Probabilities> each;
  const auto t = toy_trace(1500, 400, 900, 7);
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    o.seed = seed;
    pk::DeepPicker m(o);
    each.push_back(m.predict(t.channels, 100.0));
    e.add(std::move(m));
  }
  ASSERT_EQ(e.size(), 3u);
  const auto avg = e.predict(t.channels, 100.0);
  ASSERT_EQ(avg.p.size(), t.channels[0].size());
  double spread = 0;
  for (std::size_t k = 0; k < avg.p.size(); ++k) {
    EXPECT_NEAR(avg.p[k], (each[0].p[k] + each[1].p[k] + each[2].p[k]) / 3, 1e-12);
    EXPECT_NEAR(avg.s[k], (each[0].s[k] + each[1].s[k] + each[2].s[k]) / 3, 1e-12);
    EXPECT_NEAR(avg.p[k] + avg.s[k] + avg.noise[k], 1.0, 1e-5);
    spread = std::max(spread, std::abs(each[0].p[k] - each[1].p[k]));
  }
  EXPECT_GT(spread, 1e-4);  // the members differ, so the test can tell a mean from a member
  auto w = o;
  w.window = 256;
  EXPECT_THROW(e.add(pk::DeepPicker(w)), InvalidInput);
  EXPECT_THROW(pk::PickerEnsemble::load({}), InvalidInput);
}

namespace {
// A small PhaseNet, 8 toy traces and the training options of the overfit tests.
struct ToyPhaseNet {
  pk::DeepPicker m;
  std::vector<pk::LabelledTrace> train;
  pk::PickerTrainOptions to;
  ToyPhaseNet() : m(options()) {
    torch::set_num_threads(2);
    for (int i = 0; i < 8; ++i) train.push_back(toy_trace(360, 60 + 10 * i, 160 + 12 * i, 100 + i));
    to.epochs = 40;
    to.batch_size = 8;
    to.learning_rate = 5e-3;
    to.crops_per_trace = 2;
    to.progress = false;
    to.seed = 1;
  }
  static pk::DeepPickerOptions options() {
    pk::DeepPickerOptions o;
    o.window = 256;
    o.filters = {8, 11, 16, 22};
    o.seed = 11;
    return o;
  }
  // P and S picks (threshold 0.3) within 5 samples of the labels of trace t, on `ch`.
  void count_good(const pk::LabelledTrace& t, const std::vector<std::vector<double>>& ch, int& good_p,
                  int& good_s) const {
    const auto pr = m.predict(ch, 100.0);
    const auto picks = pk::extract_picks(pr, {0.3, 0.3, 1.0}, 0, "XX", "T", "", "HH?", "phasenet");
    for (const auto& p : picks) {
      const double smp = p.time_us / 1e4;
      if (p.phase == "P" && std::abs(smp - t.p_sample) <= 5) ++good_p;
      if (p.phase == "S" && std::abs(smp - t.s_sample) <= 5) ++good_s;
    }
  }
};
}  // namespace

TEST(PickingNN, PhaseNetOverfitsImpulsiveOnsets) {
  ToyPhaseNet toy;
  auto& m = toy.m;
  const auto& train = toy.train;
  const auto rep = m.train(train, {}, toy.to);
  EXPECT_LT(rep.train_loss.back(), 0.5 * rep.train_loss.front());
  int good_p = 0, good_s = 0;
  for (const auto& t : train) toy.count_good(t, t.channels, good_p, good_s);
  EXPECT_GE(good_p, 7) << "P picks within 5 samples on 8 training traces";
  EXPECT_GE(good_s, 7) << "S picks within 5 samples on 8 training traces";

  // Continuous segments (as read from MiniSEED): E starts 0.2 s after Z and N; the picks keep
  // absolute times. Trace 0 has P at sample 60 (0.6 s) and S at 160 (1.6 s).
  const std::int64_t T0 = 1500000000000000LL;
  std::vector<hyseis::core::mseed::Segment> segs(3);
  const char* cha[] = {"HHZ", "HHN", "HHE"};
  for (int c = 0; c < 3; ++c) {
    segs[c].network = "XX";
    segs[c].station = "T";
    segs[c].channel = cha[c];
    segs[c].sampling_rate = 100;
    const std::size_t skip = c == 2 ? 20 : 0;
    segs[c].start = T0 + static_cast<std::int64_t>(skip) * 10000;
    segs[c].data.assign(train[0].channels[c].begin() + static_cast<long>(skip), train[0].channels[c].end());
  }
  const auto cp = pk::pick_segments(m, segs, {});
  bool p_ok = false, s_ok = false;
  for (const auto& p : cp) {
    EXPECT_EQ(p.channel, "HH?");
    if (p.phase == "P" && std::llabs(p.time_us - (T0 + 600000)) <= 50000) p_ok = true;
    if (p.phase == "S" && std::llabs(p.time_us - (T0 + 1600000)) <= 50000) s_ok = true;
  }
  EXPECT_TRUE(p_ok);
  EXPECT_TRUE(s_ok);
  segs[1].sampling_rate = 50;
  EXPECT_THROW(pk::pick_segments(m, segs, {}), InvalidInput);
  segs[1].sampling_rate = 100;
  segs[1].channel = "HHX";
  EXPECT_THROW(pk::pick_segments(m, segs, {}), InvalidInput);
}

TEST(PickingNN, GpdOverfitsImpulsiveOnsets) {
  torch::set_num_threads(2);
  pk::DeepPickerOptions o;
  o.kind = pk::PickerKind::gpd;
  o.window = 128;
  o.filters = {8, 8, 16, 16};
  o.hidden = 32;
  o.seed = 5;
  pk::DeepPicker m(o);
  std::vector<pk::LabelledTrace> train;
  for (int i = 0; i < 8; ++i) train.push_back(toy_trace(500, 150 + 10 * i, 300 + 15 * i, 200 + i));
  pk::PickerTrainOptions to;
  to.epochs = 25;
  to.batch_size = 16;
  to.learning_rate = 3e-3;
  to.gpd_jitter_s = 0.05;
  to.gpd_copies = 3;
  to.progress = false;
  const auto rep = m.train(train, {}, to);
  EXPECT_LT(rep.train_loss.back(), 0.2);
  int good = 0;
  for (const auto& t : train) {
    const auto pr = m.predict(t.channels, 100.0, {0.5, 2, 64});
    const auto pp = pk::find_peaks(pr.p, 0.5, 100);
    for (const auto& p : pp)
      if (std::abs(static_cast<double>(p.sample) - t.p_sample) <= 10) ++good;
  }
  EXPECT_GE(good, 7) << "GPD P peaks within 10 samples on 8 training traces";
}

// The augmentations keep labels aligned: crops anywhere in the trace (some without P), polarity
// flips and added noise; the toy onsets are still learnt to within 5 samples, on the traces and
// on their polarity-flipped copies. Bad values are errors.
TEST(PickingNN, PhaseNetLearnsWithAugmentation) {
  ToyPhaseNet toy;
  toy.to.crops_per_trace = 3;
  toy.to.random_crop_fraction = 0.3;
  toy.to.polarity_flip = true;
  toy.to.noise_fraction = 0.5;
  toy.to.noise_max_rel = 0.2;
  // Real-noise augmentation with a pool of coloured (random-walk) records, shorter than the
  // window (repeated) and with fewer channels than the data (the last one is reused).
  std::mt19937_64 nr(11);
  std::normal_distribution<double> N(0.0, 1.0);
  for (std::size_t len : {150u, 700u}) {
    std::vector<std::vector<double>> rec(len == 150 ? 1 : 3, std::vector<double>(len));
    for (auto& c : rec)
      for (std::size_t k = 1; k < len; ++k) c[k] = 0.95 * c[k - 1] + N(nr);
    toy.to.noise_pool.push_back(rec);
  }
  toy.to.real_noise_fraction = 0.5;
  toy.to.real_noise_max_rel = 0.2;
  const auto rep = toy.m.train(toy.train, {}, toy.to);
  EXPECT_LT(rep.train_loss.back(), 0.5 * rep.train_loss.front());
  int good_p = 0, good_s = 0;
  for (const auto& t : toy.train) {
    auto flipped = t.channels;
    for (auto& c : flipped)
      for (auto& a : c) a = -a;
    toy.count_good(t, t.channels, good_p, good_s);
    toy.count_good(t, flipped, good_p, good_s);
  }
  EXPECT_GE(good_p, 13) << "P picks within 5 samples on 16 traces (8 and their flips)";
  EXPECT_GE(good_s, 13) << "S picks within 5 samples on 16 traces (8 and their flips)";
  using Mod = void (*)(pk::PickerTrainOptions&);
  for (Mod bad : std::initializer_list<Mod>{[](pk::PickerTrainOptions& t) { t.random_crop_fraction = 1.5; },
                   [](pk::PickerTrainOptions& t) { t.drop_horizontals = -0.1; },
                   [](pk::PickerTrainOptions& t) { t.noise_fraction = 2; },
                   [](pk::PickerTrainOptions& t) { t.noise_max_rel = -1; },
                   [](pk::PickerTrainOptions& t) { t.real_noise_fraction = 1.5; },
                   [](pk::PickerTrainOptions& t) { t.real_noise_max_rel = -0.5; },
                   [](pk::PickerTrainOptions& t) { t.noise_pool = {{{1.0, 2.0}, {1.0}}}; },
                   [](pk::PickerTrainOptions& t) { t.noise_pool = {{}}; }}) {
    pk::PickerTrainOptions t;
    bad(t);
    EXPECT_THROW(t.validate(), hyseis::core::InvalidInput);
  }
}

