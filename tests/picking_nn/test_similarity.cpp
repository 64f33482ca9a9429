// Template matching: FFT NCC against the direct sum (1e-5), exact copies give 1, and repeating
// events buried in noise are all found with no false detection at 8 x MAD.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/similarity/template_matching.hpp"

namespace sim = hyseis::learning::similarity;

namespace {
std::vector<double> noise(std::size_t n, std::uint64_t seed, double sd = 1.0) {
  std::mt19937_64 r(seed);
  std::normal_distribution<double> N(0, sd);
  std::vector<double> x(n);
  for (auto& v : x) v = N(r);
  return x;
}
}  // namespace

TEST(Similarity, FftMatchesDirectNcc) {
  for (auto [n, m] : {std::pair<std::size_t, std::size_t>{1000, 37}, {5000, 256}, {70000, 400}, {300, 300}, {513, 2}}) {
    auto x = noise(n, n + m);
    for (std::size_t i = 0; i < n; ++i) x[i] += 50.0 + 0.01 * i;  // offset and trend: windows are demeaned
    const auto t = noise(m, 3 * m);
    const auto a = sim::normalized_xcorr(t, x), b = sim::normalized_xcorr_direct(t, x);
    ASSERT_EQ(a.size(), n - m + 1);
    ASSERT_EQ(b.size(), a.size());
    double worst = 0;
    for (std::size_t k = 0; k < a.size(); ++k) worst = std::max(worst, std::abs(a[k] - b[k]));
    EXPECT_LT(worst, 1e-5) << "n " << n << " m " << m;
  }
}

TEST(Similarity, CopiesCorrelateToOneAndEdgeCases) {
  auto x = noise(4000, 5);
  const std::vector<double> t(x.begin() + 1234, x.begin() + 1234 + 200);
  auto cc = sim::normalized_xcorr(t, x);
  EXPECT_NEAR(cc[1234], 1.0, 1e-9);
  std::vector<double> scaled(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) scaled[i] = -3.0 * t[i] + 7.0;
  cc = sim::normalized_xcorr(scaled, x);
  EXPECT_NEAR(cc[1234], -1.0, 1e-9);
  for (double v : cc) EXPECT_LE(std::abs(v), 1.0);
  // A flat data window gives 0, not NaN; a flat template gives all zeros.
  std::vector<double> flat(1000, 2.0);
  for (double v : sim::normalized_xcorr(t, flat)) EXPECT_EQ(v, 0.0);
  for (double v : sim::normalized_xcorr(std::vector<double>(50, 1.0), x)) EXPECT_EQ(v, 0.0);
  EXPECT_THROW(sim::normalized_xcorr(x, t), hyseis::core::InvalidInput);
  auto bad = x;
  bad[17] = std::nan("");
  EXPECT_THROW(sim::normalized_xcorr(t, bad), hyseis::core::InvalidInput);
  EXPECT_NEAR(sim::mad({1, 2, 3, 4, 100}), 1.0, 1e-12);
}

// Three stations, an event waveform repeated 6 times with moveouts 0 / 35 / 80 samples and
// amplitudes 0.5-1.5 x the noise standard deviation, in 60 000 samples of white noise.
TEST(Similarity, RepeatingEventsInNoiseAreAllDetected) {
  const std::size_t N = 60000, M = 300;
  const std::vector<std::size_t> moveout{0, 35, 80};
  std::vector<std::vector<double>> data, tmpl;
  std::vector<std::vector<double>> wave(3);
  for (int c = 0; c < 3; ++c) {
    auto w = noise(M, 100 + c);
    for (std::size_t i = 0; i < M; ++i) w[i] *= std::exp(-static_cast<double>(i) / 80.0);  // decaying burst
    double sd = 0;
    for (double v : w) sd += v * v;
    sd = std::sqrt(sd / M);
    for (auto& v : w) v /= sd;  // unit rms over the window
    wave[c] = w;
    data.push_back(noise(N, 200 + c));
  }
  const std::vector<std::size_t> events{3000, 12000, 20500, 33000, 41000, 52000};
  const std::vector<double> amp{0.5, 1.0, 1.5, 0.7, 1.2, 0.9};
  for (std::size_t e = 0; e < events.size(); ++e)
    for (int c = 0; c < 3; ++c)
      for (std::size_t i = 0; i < M; ++i) data[c][events[e] + moveout[c] + i] += amp[e] * wave[c][i];
  // Templates: the noise-free waveform (as if cut from a well-recorded master event).
  for (int c = 0; c < 3; ++c) tmpl.push_back(wave[c]);
  const auto st = sim::stacked_xcorr(tmpl, data, moveout);
  const auto det = sim::detect(st, {8.0, 200});
  ASSERT_EQ(det.size(), events.size()) << "threshold " << (det.empty() ? 0.0 : det[0].threshold);
  for (std::size_t e = 0; e < events.size(); ++e) {
    EXPECT_EQ(det[e].sample, events[e]);
    EXPECT_GT(det[e].cc, det[e].threshold);
  }
}
