// MyShake features (issue 6): analytic checks.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/eew/features.hpp"

using namespace hyseis::learning::eew;
using hyseis::core::InvalidInput;

TEST(EewFeatures, SineZeroCrossingRateIsTwiceFrequency) {
  const double fs = 100.0, f = 5.0;
  const std::size_t n = 201;  // T = 2 s
  std::vector<double> ax(n), ay(n, 0.0), az(n);
  for (std::size_t i = 0; i < n; ++i) {
    ax[i] = std::sin(2 * M_PI * f * i / fs + 0.3);
    az[i] = 0.5 * std::sin(2 * M_PI * 1.0 * i / fs + 0.3);  // slower component: max picks x
  }
  const auto ft = window_features(ax, ay, az, fs);
  EXPECT_NEAR(ft.zc, 2 * f, 1.0 / 2.0 + 1e-12);  // within one crossing over T
}

TEST(EewFeatures, ConstantAmplitudeCav) {
  const double fs = 50.0;
  const std::size_t n = 101;  // T = 2 s
  std::vector<double> ax(n, 3.0), ay(n, -4.0), az(n, 0.0);  // |a| = 5
  const auto ft = window_features(ax, ay, az, fs);
  EXPECT_NEAR(ft.cav, 5.0 * 2.0, 1e-12);
  EXPECT_NEAR(ft.iqr, 0.0, 1e-12);
  EXPECT_EQ(ft.zc, 0.0);
}

TEST(EewFeatures, IqrOfUniformRamp) {
  // v_i = i for i = 0..100 -> Q25 = 25, Q75 = 75, IQR = 50 exactly (type 7).
  const std::size_t n = 101;
  std::vector<double> ax(n), ay(n, 0.0), az(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) ax[i] = double(i);
  const auto ft = window_features(ax, ay, az, 50.0);
  EXPECT_NEAR(ft.iqr, 50.0, 1e-12);
  // CAV of a ramp 0..100 over T = 2 s: trapezoid exact = 100·2/2 = 100.
  EXPECT_NEAR(ft.cav, 100.0, 1e-9);
  EXPECT_NEAR(quantile({1.0, 2.0, 3.0, 4.0}, 0.5), 2.5, 1e-15);
}

TEST(EewFeatures, SlidingWindowsCountAndStart) {
  const double fs = 100.0;
  std::vector<double> ax(1000, 1.0), ay(1000, 0.0), az(1000, 0.0);  // 10 s
  const auto fts = sliding_features(ax, ay, az, fs, 2.0, 1.0);
  ASSERT_EQ(fts.size(), 9u);  // starts 0..8 s, windows of 200 samples
  EXPECT_NEAR(fts[3].t_start, 3.0, 1e-12);
  EXPECT_NEAR(fts[3].cav, 1.0 * 199 / fs, 1e-12);
}

TEST(EewFeatures, BadInputThrows) {
  std::vector<double> e;
  std::vector<double> a(10, 1.0), b(9, 1.0);
  EXPECT_THROW(window_features(e, e, e, 100.0), InvalidInput);
  EXPECT_THROW(window_features(a, b, a, 100.0), InvalidInput);
  EXPECT_THROW(window_features(a, a, a, 0.0), InvalidInput);
  EXPECT_THROW(window_features(a, a, a, -1.0), InvalidInput);
  auto c = a;
  c[4] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(window_features(a, c, a, 100.0), InvalidInput);
  EXPECT_THROW(sliding_features(a, a, a, 100.0, 0.0, 1.0), InvalidInput);
  EXPECT_THROW(quantile({}, 0.5), InvalidInput);
}

// Streaming features of many sensors equal window_features() on the same windows, bit for bit, for
// several window / step lengths (incl. the 2-sample edge case and ties in the vector sum).
TEST(EewFeatures, StreamingEqualsWindowFeatures) {
  using namespace hyseis::learning::eew;
  std::mt19937_64 rng(17);
  std::normal_distribution<double> g;
  struct Case { std::size_t win, step; };
  for (const Case c : {Case{200, 100}, Case{7, 3}, Case{2, 1}, Case{10, 10}}) {
    const std::size_t ns = 5, packets = 6, total = packets * c.step;
    std::vector<std::vector<double>> X(ns), Y(ns), Z(ns);
    for (std::size_t s = 0; s < ns; ++s)
      for (std::size_t i = 0; i < total; ++i) {
        const bool tie = s == 4;  // quantised samples: many equal vector sums
        X[s].push_back(tie ? std::round(g(rng)) : g(rng) + 0.3 * std::sin(0.2 * double(i) * double(s + 1)));
        Y[s].push_back(tie ? std::round(g(rng)) : 0.5 * g(rng));
        Z[s].push_back(tie ? 0.0 : 2.0 * g(rng));
      }
    StreamingFeatures sf(ns, c.win, c.step, 100.0);
    std::vector<MyShakeFeatures> out;
    for (std::size_t k = 0; k < packets; ++k) {
      std::vector<double> px, py, pz;
      for (std::size_t s = 0; s < ns; ++s)
        for (std::size_t i = 0; i < c.step; ++i) {
          px.push_back(X[s][k * c.step + i]);
          py.push_back(Y[s][k * c.step + i]);
          pz.push_back(Z[s][k * c.step + i]);
        }
      if (k % 2) {
        sf.update(px.data(), py.data(), pz.data(), out);  // fused path
      } else {
        sf.push(px.data(), py.data(), pz.data());
        sf.compute(out);
      }
      if (!sf.ready()) continue;
      const std::size_t end = (k + 1) * c.step, beg = end - c.win;
      for (std::size_t s = 0; s < ns; ++s) {
        const std::vector<double> wx(X[s].begin() + long(beg), X[s].begin() + long(end)),
            wy(Y[s].begin() + long(beg), Y[s].begin() + long(end)), wz(Z[s].begin() + long(beg), Z[s].begin() + long(end));
        const auto ref = window_features(wx, wy, wz, 100.0);
        EXPECT_EQ(out[s].iqr, ref.iqr) << "win " << c.win << " sensor " << s << " packet " << k;
        EXPECT_EQ(out[s].zc, ref.zc) << "win " << c.win << " sensor " << s;
        EXPECT_EQ(out[s].cav, ref.cav) << "win " << c.win << " sensor " << s;
      }
    }
  }
  EXPECT_THROW(StreamingFeatures(3, 1, 1, 100.0), std::exception);
  EXPECT_THROW(StreamingFeatures(3, 10, 11, 100.0), std::exception);
}
