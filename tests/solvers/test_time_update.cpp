// Explicit Newmark helpers on harmonic oscillators, and the NaN-aware max norm.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "kernel_test_utils.hpp"

using namespace hyseis::solvers;
namespace t = hyseis::solvers::test;

namespace {
// Oscillators m u'' + c u' + k u = 0 with m = 1/inv_mass, k = 1 (r = u), u(0) = 1, u'(0) = 0.
// Returns u(T) of every oscillator.
std::vector<double> integrate(const std::vector<double>& inv_mass, const std::vector<double>& c,
                              double T, int steps) {
  const std::size_t n = inv_mass.size();
  const double dt = T / steps;
  Vector u = t::to_view(std::vector<double>(n, 1.0)), v("v", n), a("a", n), r("r", n), f("f", n);
  Vector im = t::to_view(inv_mass), damp = t::to_view(c);
  // a(0) = M^-1 (f - K u)
  Kokkos::deep_copy(r, u);
  newmark_correct(0.0, im, f, r, damp, v, a);
  for (int s = 0; s < steps; ++s) {
    newmark_predict(dt, u, v, a);
    Kokkos::deep_copy(r, u);
    newmark_correct(dt, im, f, r, damp, v, a);
  }
  return t::to_host(u);
}
}  // namespace

TEST(Newmark, HarmonicOscillatorSecondOrderPhaseError) {
  const std::vector<double> w2 = {1.0, 4.0, 9.0};  // omega^2 = k/m = inv_mass
  const double T = 10.0;
  std::vector<double> err_prev;
  for (int steps : {1000, 2000, 4000}) {
    const auto u = integrate(w2, {}, T, steps);
    std::vector<double> err(w2.size());
    for (std::size_t i = 0; i < w2.size(); ++i) err[i] = std::abs(u[i] - std::cos(std::sqrt(w2[i]) * T));
    for (std::size_t i = 0; i < w2.size(); ++i) {
      EXPECT_LT(err[i], 2e-3) << "omega^2=" << w2[i];
      if (!err_prev.empty()) {
        const double ratio = err_prev[i] / err[i];
        EXPECT_GT(ratio, 3.6) << "omega^2=" << w2[i];
        EXPECT_LT(ratio, 4.4) << "omega^2=" << w2[i];
      }
    }
    err_prev = err;
  }
}

TEST(Newmark, DampedOscillatorConverges) {
  // m = 0.5, k = 1, c = 0.2: gamma = c/(2m) = 0.2, omega_d = sqrt(k/m - gamma^2).
  const double m = 0.5, c = 0.2, T = 5.0;
  const double g = c / (2 * m), wd = std::sqrt(1.0 / m - g * g);
  const double exact = std::exp(-g * T) * (std::cos(wd * T) + g / wd * std::sin(wd * T));
  double prev = 0;
  for (int steps : {2000, 4000, 8000}) {
    const double e = std::abs(integrate({1.0 / m}, {c}, T, steps)[0] - exact);
    EXPECT_LT(e, 5e-3);
    if (prev > 0) EXPECT_LT(e, 0.6 * prev);
    prev = e;
  }
}

TEST(Newmark, PredictCorrectFormulas) {
  Vector u = t::to_view({1.0, 2.0}), v = t::to_view({0.5, -1.0}), a = t::to_view({2.0, 4.0});
  newmark_predict(0.1, u, v, a);
  auto uh = t::to_host(u), vh = t::to_host(v);
  EXPECT_DOUBLE_EQ(uh[0], 1.0 + 0.05 + 0.01);
  EXPECT_DOUBLE_EQ(uh[1], 2.0 - 0.1 + 0.02);
  EXPECT_DOUBLE_EQ(vh[0], 0.5 + 0.1);
  EXPECT_DOUBLE_EQ(vh[1], -1.0 + 0.2);
  Vector im = t::to_view({2.0, 0.5}), f = t::to_view({3.0, 1.0}), r = t::to_view({1.0, 3.0});
  Vector d = t::to_view({1.0, 0.0});
  newmark_correct(0.1, im, f, r, d, v, a);
  auto ah = t::to_host(a);
  vh = t::to_host(v);
  EXPECT_DOUBLE_EQ(ah[0], 2.0 * (3.0 - 1.0 - 0.6));
  EXPECT_DOUBLE_EQ(ah[1], 0.5 * (1.0 - 3.0));
  EXPECT_DOUBLE_EQ(vh[0], 0.6 + 0.05 * ah[0]);
  EXPECT_THROW(newmark_predict(0.1, u, v, Vector("short", 1)), std::invalid_argument);
}

TEST(MaxAbsOrNan, FiniteNanAndInf) {
  EXPECT_DOUBLE_EQ(max_abs_or_nan(t::to_view({1.0, -3.5, 2.0})), 3.5);
  EXPECT_DOUBLE_EQ(max_abs_or_nan(Vector("empty", 0)), 0.0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(std::isnan(max_abs_or_nan(t::to_view({1.0, nan, 2.0}))));
  EXPECT_TRUE(std::isnan(max_abs_or_nan(t::to_view({nan}))));
  EXPECT_TRUE(std::isnan(max_abs_or_nan(t::to_view({1.0, -inf}))));
  std::vector<double> big(10000, 1.0);
  big[9999] = -1e300;
  EXPECT_DOUBLE_EQ(max_abs_or_nan(t::to_view(big)), 1e300);
}

TEST(Newmark, FusedCorrectPredictEqualsSeparateCalls) {
  for (bool damped : {false, true}) {
    const std::size_t n = 1001;
    const auto im = t::random_vector(n, 0.5, 2.0, 1), f = t::random_vector(n, -1, 1, 2);
    const auto r = t::random_vector(n, -1, 1, 3), c = t::random_vector(n, 0.0, 0.3, 4);
    const auto u0 = t::random_vector(n, -1, 1, 5), v0 = t::random_vector(n, -1, 1, 6);
    const auto a0 = t::random_vector(n, -1, 1, 7);
    Vector vim = t::to_view(im), vf = t::to_view(f), vr = t::to_view(r);
    Vector vc = damped ? t::to_view(c) : Vector();
    Vector u1 = t::to_view(u0), v1 = t::to_view(v0), a1 = t::to_view(a0);
    Vector u2 = t::to_view(u0), v2 = t::to_view(v0), a2 = t::to_view(a0);
    const double dt = 0.013;
    newmark_correct(dt, vim, vf, vr, vc, v1, a1);
    newmark_predict(dt, u1, v1, a1);
    newmark_correct_predict(dt, vim, vf, vr, vc, u2, v2, a2);
    EXPECT_LT(t::max_abs_diff(t::to_host(u1), t::to_host(u2)), 1e-15);
    EXPECT_LT(t::max_abs_diff(t::to_host(v1), t::to_host(v2)), 1e-15);
    EXPECT_LT(t::max_abs_diff(t::to_host(a1), t::to_host(a2)), 1e-15);
    // and the step really changed the state
    EXPECT_GT(t::max_abs_diff(t::to_host(u2), u0), 1e-4);
  }
}
