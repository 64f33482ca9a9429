// Classical pickers with analytically known answers: STA/LTA of a variance step, trigger on/off,
// AIC minimum at the change point.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/picking/classic.hpp"

using namespace hyseis::learning::picking;

namespace {
// Alternating +-a then +-b from sample k0: a^2 before, b^2 after, exactly.
std::vector<double> step(std::size_t n, std::size_t k0, double a, double b) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = (i % 2 ? -1.0 : 1.0) * (i < k0 ? a : b);
  return x;
}
}  // namespace

TEST(StaLta, ClassicVarianceStep) {
  const int nsta = 10, nlta = 100;
  const std::size_t k0 = 500;
  const double a = 1.0, b = 3.0;
  const auto cf = classic_sta_lta(step(1000, k0, a, b), nsta, nlta);
  for (int i = 0; i < nlta - 1; ++i) EXPECT_EQ(cf[i], 0.0);
  for (std::size_t i = nlta - 1; i < k0; ++i) EXPECT_NEAR(cf[i], 1.0, 1e-12);
  // i = k0 - 1 + m, m = 1..nsta: STA = (m b^2 + (nsta - m) a^2)/nsta, LTA = (m b^2 + (nlta - m) a^2)/nlta.
  for (int m = 1; m <= nlta; ++m) {
    const double sta = (std::min(m, nsta) * b * b + (nsta - std::min(m, nsta)) * a * a) / nsta;
    const double lta = (m * b * b + (nlta - m) * a * a) / nlta;
    EXPECT_NEAR(cf[k0 - 1 + m], sta / lta, 1e-12) << m;
  }
  EXPECT_NEAR(cf[k0 - 1 + nsta], 9.0 / ((10 * 9.0 + 90) / 100.0), 1e-12);  // = 5
  for (std::size_t i = k0 - 1 + nlta; i < 1000; ++i) EXPECT_NEAR(cf[i], 1.0, 1e-12);
  EXPECT_THROW(classic_sta_lta({1, 2, 3}, 5, 5), hyseis::core::InvalidInput);
}

TEST(StaLta, RecursiveVarianceStep) {
  const int nsta = 10, nlta = 100;
  const std::size_t k0 = 3000, n = 4000;
  const double a = 1.0, b = 3.0;
  const auto cf = recursive_sta_lta(step(n, k0, a, b), nsta, nlta);
  for (int i = 0; i < nlta; ++i) EXPECT_EQ(cf[i], 0.0);
  // Closed form: with cs = 1/nsta, after i >= 1 samples of a^2: STA_i = a^2 (1 - (1-cs)^i);
  // after the step (m = i - k0 + 1 samples of b^2): STA = b^2 + (STA_{k0-1} - b^2)(1-cs)^m.
  auto ew = [](double c, double pre, double post, std::size_t i_pre, std::size_t m, double init) {
    const double s_pre = pre + (init - pre) * std::pow(1 - c, static_cast<double>(i_pre));
    return post + (s_pre - post) * std::pow(1 - c, static_cast<double>(m));
  };
  for (std::size_t i : {std::size_t(100), std::size_t(1000), k0 - 1, k0, k0 + 5, k0 + 50, k0 + 500}) {
    const std::size_t ipre = std::min(i, k0 - 1), m = i >= k0 ? i - k0 + 1 : 0;
    const double sta = ew(1.0 / nsta, a * a, b * b, ipre, m, 0.0);
    const double lta = ew(1.0 / nlta, a * a, b * b, ipre, m, 1e-99);
    EXPECT_NEAR(cf[i], sta / lta, 1e-9 * sta / lta) << i;
  }
  // Peak of the ratio after a long quiet period: for b^2/a^2 = 9 it exceeds 3 shortly after k0.
  double peak = 0;
  for (std::size_t i = k0; i < k0 + 100; ++i) peak = std::max(peak, cf[i]);
  EXPECT_GT(peak, 3.0);
}

TEST(Trigger, OnOffSemantics) {
  //                          0    1    2    3    4    5    6    7    8    9   10   11   12
  const std::vector<double> cf{0.0, 1.0, 4.0, 5.0, 3.0, 2.0, 0.5, 0.2, 4.5, 1.5, 1.5, 1.2, 0.9};
  const auto t = trigger_onset(cf, 3.5, 1.0);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].on, 2u);
  EXPECT_EQ(t[0].off, 5u);   // last sample > 1.0 before falling to 0.5
  EXPECT_EQ(t[1].on, 8u);
  EXPECT_EQ(t[1].off, 11u);
  // Still on at the end: closes at the last sample.
  const auto u = trigger_onset({0, 5, 5, 5}, 3.5, 1.0);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].off, 3u);
  // max_len cuts (or drops) long triggers.
  const auto v = trigger_onset(cf, 3.5, 1.0, 2);
  EXPECT_EQ(v[0].off, 4u);
  EXPECT_EQ(trigger_onset(cf, 3.5, 1.0, 2, true).size(), 0u);
  EXPECT_TRUE(trigger_onset(cf, 10.0, 1.0).empty());
}

TEST(Aic, MinimumAtChangePoint) {
  for (std::size_t k0 : {50u, 200u, 351u}) {
    const auto x = step(400, k0, 1.0, 4.0);
    const auto a = aic(x);
    std::size_t imin = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i] < a[imin]) imin = i;
    EXPECT_EQ(imin, k0);
    EXPECT_EQ(aic_pick(x, 0, x.size()), k0);
    // Closed form at k0 (both parts pure): k0 ln var1 + (N - k0 - 1) ln var2.
    const double m1 = (k0 % 2) ? 1.0 / k0 : 0.0;  // mean of +-1 over k0 samples
    const double v1 = 1.0 - m1 * m1;
    const std::size_t n2 = 400 - k0 - 1;
    const double m2 = (n2 % 2) ? ((k0 + 1) % 2 ? -4.0 : 4.0) / n2 : 0.0;
    const double v2 = 16.0 - m2 * m2;
    EXPECT_NEAR(a[k0], k0 * std::log(v1) + n2 * std::log(v2), 1e-8);
  }
  // Noisy version: Gaussian noise sigma 1 -> 5 at 700; the pick is within a few samples.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> g(0, 1);
  std::vector<double> x(1500);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = g(rng) * (i < 700 ? 1.0 : 5.0);
  EXPECT_NEAR(static_cast<double>(aic_pick(x, 200, 1200)), 700.0, 3.0);
  EXPECT_THROW(aic_pick(x, 10, 12), hyseis::core::InvalidInput);
}

TEST(StaLtaAic, PicksOnsetInNoise) {
  const double fs = 100;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> g(0, 1);
  std::vector<double> x(6000);
  const std::size_t onset = 3217;
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = g(rng);
    if (i >= onset) x[i] += 20.0 * std::exp(-static_cast<double>(i - onset) / 150.0) * std::sin(2 * 3.14159265 * 5.0 * (i - onset) / fs);
  }
  StaLtaAicOptions o;
  const auto picks = stalta_aic_picks(x, fs, o);
  ASSERT_FALSE(picks.empty());
  EXPECT_NEAR(static_cast<double>(picks.front().sample), static_cast<double>(onset), 5.0);
  EXPECT_GT(picks.front().peak_cf, o.thr_on);
  o.lta_s = 0.1;
  EXPECT_THROW(stalta_aic_picks(x, fs, o), hyseis::core::InvalidInput);
}
