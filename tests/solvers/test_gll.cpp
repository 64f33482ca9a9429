// Gauss-Lobatto-Legendre rule and derivative matrix.
#include <gtest/gtest.h>

#include <cmath>

#include "kernel_test_utils.hpp"

using namespace hyseis::solvers;

TEST(Gll, Degree4KnownValues) {
  const Gll1D r = gll_rule(4);
  ASSERT_EQ(r.points.size(), 5u);
  const double s = std::sqrt(3.0 / 7.0);
  const double pts[5] = {-1.0, -s, 0.0, s, 1.0};
  const double wts[5] = {1.0 / 10, 49.0 / 90, 32.0 / 45, 49.0 / 90, 1.0 / 10};
  for (int i = 0; i < 5; ++i) {
    EXPECT_NEAR(r.points[i], pts[i], 1e-15) << i;
    EXPECT_NEAR(r.weights[i], wts[i], 1e-15) << i;
  }
}

TEST(Gll, Degree2And3KnownValues) {
  const Gll1D r2 = gll_rule(2);
  EXPECT_NEAR(r2.weights[0], 1.0 / 3, 1e-15);
  EXPECT_NEAR(r2.weights[1], 4.0 / 3, 1e-15);
  const Gll1D r3 = gll_rule(3);
  EXPECT_NEAR(r3.points[2], 1.0 / std::sqrt(5.0), 1e-15);
  EXPECT_NEAR(r3.weights[1], 5.0 / 6, 1e-15);
}

TEST(Gll, WeightsSymmetricSumToTwoAndExactness) {
  for (int p = 1; p <= 12; ++p) {
    const Gll1D r = gll_rule(p);
    ASSERT_EQ(static_cast<int>(r.points.size()), p + 1);
    double sum = 0;
    for (int i = 0; i <= p; ++i) {
      sum += r.weights[i];
      EXPECT_NEAR(r.points[i], -r.points[p - i], 1e-14) << "p=" << p;
      EXPECT_NEAR(r.weights[i], r.weights[p - i], 1e-14) << "p=" << p;
      if (i > 0) EXPECT_LT(r.points[i - 1], r.points[i]);
    }
    EXPECT_NEAR(sum, 2.0, 1e-14) << "p=" << p;
    // Exact for x^k, k <= 2p-1; not exact for x^{2p}.
    for (int k = 0; k <= 2 * p; ++k) {
      double q = 0;
      for (int i = 0; i <= p; ++i) q += r.weights[i] * std::pow(r.points[i], k);
      const double exact = (k % 2) ? 0.0 : 2.0 / (k + 1);
      if (k <= 2 * p - 1)
        EXPECT_NEAR(q, exact, 2e-14) << "p=" << p << " k=" << k;
      else
        EXPECT_GT(std::abs(q - exact), 1e-9) << "p=" << p << " (GLL is not exact for x^2p)";
    }
  }
}

TEST(Gll, DerivativeMatrixExactOnPolynomials) {
  for (int p = 1; p <= 12; ++p) {
    const Gll1D r = gll_rule(p);
    const int n = p + 1;
    for (int k = 0; k <= p; ++k)
      for (int i = 0; i < n; ++i) {
        double d = 0;
        for (int j = 0; j < n; ++j) d += r.deriv[i * n + j] * std::pow(r.points[j], k);
        const double exact = k == 0 ? 0.0 : k * std::pow(r.points[i], k - 1);
        EXPECT_NEAR(d, exact, 1e-12 * (1 + p * p)) << "p=" << p << " k=" << k << " i=" << i;
      }
    // Matches the naive product-formula derivatives of the Lagrange basis.
    const auto dn = hyseis::solvers::test::lagrange_deriv_naive(r.points);
    for (int i = 0; i < n * n; ++i) EXPECT_NEAR(r.deriv[i], dn[i], 1e-12 * (1 + p * p)) << "p=" << p;
  }
}

TEST(Gll, RejectsBadDegree) {
  EXPECT_THROW(gll_rule(0), std::invalid_argument);
  EXPECT_THROW(gll_rule(17), std::invalid_argument);
}
