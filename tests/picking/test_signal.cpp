// solvers/signal: detrend, taper, Butterworth SOS (analytic corner gains), zero-phase filtering,
// decimation and resampling.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/solvers/signal.hpp"

using namespace hyseis::solvers::signal;

namespace {
constexpr double kPi = 3.14159265358979323846;

std::vector<double> sine(std::size_t n, double f, double fs, double amp = 1.0, double phase = 0.0) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = amp * std::sin(2 * kPi * f * i / fs + phase);
  return x;
}

// Least-squares amplitude and phase of a sinusoid of frequency f on x[b, e).
void fit_sine(const std::vector<double>& x, double f, double fs, std::size_t b, std::size_t e, double& amp,
              double& phase) {
  double ss = 0, sc = 0, s2 = 0, c2 = 0, scx = 0;
  for (std::size_t i = b; i < e; ++i) {
    const double s = std::sin(2 * kPi * f * i / fs), c = std::cos(2 * kPi * f * i / fs);
    ss += x[i] * s;
    sc += x[i] * c;
    s2 += s * s;
    c2 += c * c;
    scx += s * c;
  }
  const double det = s2 * c2 - scx * scx;
  const double a = (ss * c2 - sc * scx) / det, bcoef = (sc * s2 - ss * scx) / det;
  amp = std::hypot(a, bcoef);
  phase = std::atan2(bcoef, a);
}
}  // namespace

TEST(Signal, DetrendRemovesLine) {
  std::vector<double> x(101);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 3.0 - 0.25 * i + std::sin(2 * kPi * i / 20.0) * 0;
  detrend_linear(x);
  for (double v : x) EXPECT_NEAR(v, 0.0, 1e-12);
  // A line plus an orthogonal (odd-symmetric-free) residue keeps the residue.
  std::vector<double> y(5);
  const double r[5] = {1, -2, 2, -2, 1};  // sum 0, sum t*r = 0 (t = -2..2)
  for (int i = 0; i < 5; ++i) y[i] = 7 + 2 * i + r[i];
  detrend_linear(y);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(y[i], r[i], 1e-12);
}

TEST(Signal, CosineTaperShape) {
  std::vector<double> x(100, 1.0);
  cosine_taper(x, 0.1);
  EXPECT_DOUBLE_EQ(x[0], 0.0);
  EXPECT_DOUBLE_EQ(x[99], 0.0);
  EXPECT_NEAR(x[5], 0.5, 1e-12);  // 0.5 (1 - cos(pi 5/10))
  EXPECT_NEAR(x[94], 0.5, 1e-12);
  for (std::size_t i = 10; i < 90; ++i) EXPECT_DOUBLE_EQ(x[i], 1.0);
  EXPECT_THROW(cosine_taper(x, 0.6), hyseis::core::InvalidInput);
}

TEST(Signal, ButterworthCornerGains) {
  const double fs = 100;
  for (int order : {1, 2, 3, 4, 6}) {
    const Sos bp = butterworth_bandpass(order, 1.0, 10.0, fs);
    EXPECT_EQ(bp.size(), static_cast<std::size_t>(order));
    EXPECT_NEAR(sos_gain(bp, 1.0, fs), 1 / std::sqrt(2.0), 1e-9) << order;
    EXPECT_NEAR(sos_gain(bp, 10.0, fs), 1 / std::sqrt(2.0), 1e-9) << order;
    const double f0 = fs / kPi * std::atan(std::sqrt(2 * fs * std::tan(kPi * 1 / fs) * 2 * fs * std::tan(kPi * 10 / fs)) / (2 * fs));
    EXPECT_NEAR(sos_gain(bp, f0, fs), 1.0, 1e-9);
    EXPECT_NEAR(sos_gain(bp, 0.0, fs), 0.0, 1e-12);
    EXPECT_NEAR(sos_gain(bp, 50.0, fs), 0.0, 1e-9);
    const Sos lp = butterworth_lowpass(order, 5.0, fs);
    EXPECT_NEAR(sos_gain(lp, 0.0, fs), 1.0, 1e-12);
    EXPECT_NEAR(sos_gain(lp, 5.0, fs), 1 / std::sqrt(2.0), 1e-9);
    const Sos hp = butterworth_highpass(order, 5.0, fs);
    EXPECT_NEAR(sos_gain(hp, 50.0, fs), 1.0, 1e-12);
    EXPECT_NEAR(sos_gain(hp, 5.0, fs), 1 / std::sqrt(2.0), 1e-9);
  }
  // Analytic magnitude of the digital Butterworth low-pass: 1/sqrt(1 + (tan(pi f/fs)/tan(pi fc/fs))^(2N)).
  const Sos lp = butterworth_lowpass(4, 5.0, fs);
  for (double f : {1.0, 3.0, 7.0, 20.0}) {
    const double r = std::tan(kPi * f / fs) / std::tan(kPi * 5.0 / fs);
    EXPECT_NEAR(sos_gain(lp, f, fs), 1 / std::sqrt(1 + std::pow(r, 8)), 1e-9) << f;
  }
  EXPECT_THROW(butterworth_bandpass(4, 10, 1, fs), hyseis::core::InvalidInput);
  EXPECT_THROW(butterworth_bandpass(4, 1, 60, fs), hyseis::core::InvalidInput);
  EXPECT_THROW(butterworth_lowpass(0, 1, fs), hyseis::core::InvalidInput);
}

TEST(Signal, ZeroPhaseFilteringMeasured) {
  const double fs = 100;
  const std::size_t n = 6000;
  const Sos bp = butterworth_bandpass(4, 1.0, 10.0, fs);
  // Corner: one pass 1/sqrt(2), forward-backward 1/2, phase 0.
  for (double f : {1.0, 10.0}) {
    const auto x = sine(n, f, fs, 1.0, 0.3);
    const auto y = sosfiltfilt(bp, x);
    double a, ph, a0, ph0;
    fit_sine(y, f, fs, 1500, 4500, a, ph);
    fit_sine(x, f, fs, 1500, 4500, a0, ph0);
    EXPECT_NEAR(a, 0.5, 2e-3) << f;
    EXPECT_NEAR(ph - ph0, 0.0, 2e-3) << f;
    const auto yc = sosfilt(bp, x);
    fit_sine(yc, f, fs, 1500, 4500, a, ph);
    EXPECT_NEAR(a, 1 / std::sqrt(2.0), 2e-3) << f;
  }
  // Pass band: amplitude preserved, no shift.
  const auto x = sine(n, 3.0, fs, 2.5, 1.1);
  const auto y = bandpass(x, 1.0, 10.0, fs);
  double a, ph, a0, ph0;
  fit_sine(y, 3.0, fs, 1000, 5000, a, ph);
  fit_sine(x, 3.0, fs, 1000, 5000, a0, ph0);
  EXPECT_NEAR(a / 2.5, std::pow(sos_gain(bp, 3.0, fs), 2), 1e-3);
  EXPECT_NEAR(a, 2.5, 0.01);
  EXPECT_NEAR(ph - ph0, 0.0, 1e-3);
  // A symmetric pulse stays symmetric about the same sample (zero phase).
  std::vector<double> p(2001, 0.0);
  p[1000] = 1.0;
  const auto q = sosfiltfilt(bp, p);
  std::size_t imax = 0;
  for (std::size_t i = 0; i < q.size(); ++i)
    if (q[i] > q[imax]) imax = i;
  EXPECT_EQ(imax, 1000u);
  for (std::size_t k = 1; k < 300; ++k) EXPECT_NEAR(q[1000 - k], q[1000 + k], 1e-10);
  // Constant input through a low-pass: steady-state initial conditions, no edge transient.
  const auto c = sosfiltfilt(butterworth_lowpass(4, 5.0, fs), std::vector<double>(500, 3.0));
  for (double v : c) EXPECT_NEAR(v, 3.0, 1e-9);
}

TEST(Signal, DecimateAndResample) {
  const double fs = 100;
  const auto x = sine(4000, 2.0, fs, 1.0, 0.4);
  const auto d = decimate(x, 4);
  ASSERT_EQ(d.size(), 1000u);
  for (std::size_t k = 100; k < 900; ++k) EXPECT_NEAR(d[k], x[4 * k], 2e-3);
  // An alias-prone tone above the new Nyquist (12.5 Hz) is suppressed.
  const auto hi = decimate(sine(4000, 20.0, fs), 4);
  for (std::size_t k = 100; k < 900; ++k) EXPECT_LT(std::abs(hi[k]), 1e-3);

  // Arbitrary ratio 100 -> 40 Hz and 100 -> 250 Hz: band-limited sine is reproduced.
  for (double fo : {40.0, 250.0}) {
    const auto y = resample(x, fs, fo);
    EXPECT_EQ(y.size(), static_cast<std::size_t>(std::floor(3999 * fo / fs + 1e-9)) + 1);
    for (std::size_t k = y.size() / 10; k < y.size() * 9 / 10; ++k) {
      const double t = k / fo;
      EXPECT_NEAR(y[k], std::sin(2 * kPi * 2.0 * t + 0.4), 5e-3) << fo << " " << k;
    }
  }
  EXPECT_THROW(resample(x, 0.0, 10.0), hyseis::core::InvalidInput);
  auto bad = x;
  bad[17] = std::nan("");
  EXPECT_THROW(resample(bad, fs, 40.0), hyseis::core::InvalidInput);
  EXPECT_THROW(bandpass(bad, 1.0, 10.0, fs), hyseis::core::InvalidInput);
  EXPECT_THROW(detrend_linear(bad), hyseis::core::InvalidInput);
  EXPECT_THROW(decimate(x, 0), hyseis::core::InvalidInput);
}

// Reference values from scipy 1.10.1 (Debian python3-scipy), computed independently with
//   sos = scipy.signal.butter(4, [1, 10], 'bandpass', fs=100, output='sos')
//   scipy.signal.sosfiltfilt(sos, x), scipy.signal.sosfilt(sos, x)
// for x_i = sin(0.3 i) + 0.5 cos(0.05 i^1.3) + 0.002 i, i = 0..399. (scipy factors the
// sections differently; the cascade, and hence the output, is the same.)
TEST(Signal, MatchesScipyReference) {
  std::vector<double> x(400);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = std::sin(0.3 * i) + 0.5 * std::cos(0.05 * std::pow(static_cast<double>(i), 1.3)) + 0.002 * i;
  const Sos sos = butterworth_bandpass(4, 1.0, 10.0, 100.0);
  const auto y = sosfiltfilt(sos, x);
  const auto yc = sosfilt(sos, x);
  const struct { std::size_t k; double ff, f; } ref[] = {
      {0, 0.023899955747618107, 0.001681407564341196},   {1, 0.3342151588627482, 0.013438794156330404},
      {7, 0.9103978607996236, 0.7232623622072312},       {50, 0.622879100884588, 0.9376549534001067},
      {199, -0.01368243299298072, 0.29268511374207895},  {333, -0.2160805175383061, -0.5173707911879584},
      {398, -0.008303424956338457, -0.33506433932775603}, {399, 0.19445158040771315, 0.029937013934770162}};
  for (const auto& r : ref) {
    EXPECT_NEAR(y[r.k], r.ff, 1e-9) << r.k;
    EXPECT_NEAR(yc[r.k], r.f, 1e-9) << r.k;
  }
}
