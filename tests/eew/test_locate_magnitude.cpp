// EEW location by grid search (with not-yet-triggered stations) and Pd magnitude (issue 6).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/eew/locate.hpp"
#include "hyseis/learning/eew/magnitude.hpp"

using namespace hyseis::learning::eew;
using hyseis::core::InvalidInput;

namespace {
std::vector<LocStation> synth(const std::vector<std::pair<double, double>>& xy, double x, double y, double z, double t0,
                              double t_now, const LayeredModel& m) {
  std::vector<LocStation> st;
  for (auto [sx, sy] : xy) {
    const double ta = t0 + m.travel_time(std::hypot(sx - x, sy - y), z);
    st.push_back({sx, sy, ta <= t_now, ta <= t_now ? ta : 0.0});
  }
  return st;
}
}  // namespace

TEST(EewLocate, LayeredTravelTime) {
  LayeredModel m{{0.0, 5.0}, {4.0, 8.0}};
  // Vertical ray to 10 km: 5/4 + 5/8.
  EXPECT_NEAR(m.travel_time(0.0, 10.0), 1.25 + 0.625, 1e-12);
  // Oblique: length scales both segments equally.
  EXPECT_NEAR(m.travel_time(10.0, 10.0), std::sqrt(2.0) * 1.875, 1e-12);
  EXPECT_NEAR(m.travel_time(12.0, 0.0), 3.0, 1e-12);
  LayeredModel c;  // constant 6 km/s
  EXPECT_NEAR(c.travel_time(30.0, 40.0), 50.0 / 6.0, 1e-12);
}

TEST(EewLocate, RecoversSyntheticHypocentre) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0.0, 100.0);
  std::vector<std::pair<double, double>> xy;
  for (int i = 0; i < 20; ++i) xy.push_back({u(rng), u(rng)});
  const double X = 43.3, Y = 57.6, Z = 10.0, T0 = 5.0;
  LocGrid g{0, 100, 1, 0, 100, 1, 0, 20, 2};
  for (const LayeredModel& m : {LayeredModel{}, LayeredModel{{0.0, 4.0, 15.0}, {4.5, 6.0, 6.8}}})
    for (Norm nrm : {Norm::L2, Norm::L1}) {
      const auto st = synth(xy, X, Y, Z, T0, 1e9, m);
      const auto r = locate_grid(st, 1e9, m, g, {nrm, 1.0});
      EXPECT_LT(std::hypot(r.x - X, r.y - Y), 1.0);
      EXPECT_LE(std::abs(r.z - Z), 2.0 + 1e-9);
      EXPECT_NEAR(r.t0, T0, 0.2);
    }
}

TEST(EewLocate, NotYetTriggeredShrinksAmbiguity) {
  // Three collinear triggered stations: arrival times alone cannot tell y from -y (mirror image).
  // An untriggered station on the -y side removes the mirror solution.
  LayeredModel m;
  const double X = 8, Y = 6, Z = 8, T0 = 0.0, t_now = 17.0 / 6.0;
  std::vector<std::pair<double, double>> xy = {{0, 0}, {10, 0}, {20, 0}, {8, -12}, {40, 30}, {-20, 30}};
  const auto st = synth(xy, X, Y, Z, T0, t_now, m);
  int ntrig = 0;
  for (const auto& s : st) ntrig += s.triggered;
  ASSERT_EQ(ntrig, 3);
  ASSERT_TRUE(st[0].triggered && st[1].triggered && st[2].triggered);
  LocGrid g{-20, 40, 1, -30, 30, 1, Z, Z, 1};
  const auto with = locate_grid(st, t_now, m, g, {Norm::L2, 1.0});
  const auto without = locate_grid(st, t_now, m, g, {Norm::L2, 0.0});
  const double tol = 0.01;  // s^2
  const int n_with = with.count_below(tol), n_without = without.count_below(tol);
  EXPECT_GE(n_with, 1);
  EXPECT_LT(n_with, n_without);
  // Without the constraint, the mirror (8, -6) fits as well as the truth.
  const auto idx = [&](double x, double y) { return std::size_t((y - g.y0) / g.dy) * with.nx + std::size_t((x - g.x0) / g.dx); };
  EXPECT_LT(without.misfit_grid[idx(8, -6)], 1e-20);
  EXPECT_GT(with.misfit_grid[idx(8, -6)], 1.0);
  EXPECT_LT(with.misfit_grid[idx(8, 6)], 1e-20);
  // All remaining low-misfit nodes lie on the true side.
  for (int iy = 0; iy < with.ny; ++iy)
    for (int ix = 0; ix < with.nx; ++ix)
      if (with.misfit_grid[std::size_t(iy) * with.nx + ix] <= tol) EXPECT_GT(g.y0 + iy * g.dy, 0.0);
  EXPECT_LT(std::hypot(with.x - X, with.y - Y), 1.0);
}

TEST(EewLocate, BadInputThrows) {
  LayeredModel m;
  LocGrid g{0, 10, 1, 0, 10, 1, 5, 5, 1};
  std::vector<LocStation> none = {{0, 0, false, 0}};
  EXPECT_THROW(locate_grid(none, 1.0, m, g), InvalidInput);
  std::vector<LocStation> late = {{0, 0, true, 2.0}};
  EXPECT_THROW(locate_grid(late, 1.0, m, g), InvalidInput);
  std::vector<LocStation> ok = {{0, 0, true, 0.5}};
  LocGrid bad = g;
  bad.dx = 0;
  EXPECT_THROW(locate_grid(ok, 1.0, m, bad), InvalidInput);
  EXPECT_THROW(locate_grid(ok, 1.0, LayeredModel{{0.0}, {-1.0}}, g), InvalidInput);
  EXPECT_THROW(locate_grid(ok, std::numeric_limits<double>::quiet_NaN(), m, g), InvalidInput);
}

TEST(EewMagnitude, ExactRecovery) {
  const double a = 5.39, b = 1.38, c = 1.23;
  std::vector<PdSample> s;
  for (int i = 0; i < 30; ++i) {
    const double lpd = -2.0 + 0.13 * i, lr = 1.0 + 0.07 * ((i * 7) % 19);
    s.push_back({a + b * lpd + c * lr, std::pow(10.0, lr), std::pow(10.0, lpd)});
  }
  const auto m = fit_pd_magnitude(s);
  EXPECT_NEAR(m.a, a, 1e-9);
  EXPECT_NEAR(m.b, b, 1e-9);
  EXPECT_NEAR(m.c, c, 1e-9);
  EXPECT_NEAR(m.sigma, 0.0, 1e-9);
  EXPECT_NEAR(m.magnitude(0.1, 100.0), a - b + 2 * c, 1e-9);
  EXPECT_NEAR(m.network_magnitude({0.1, 1.0}, {100.0, 10.0}), 0.5 * ((a - b + 2 * c) + (a + c)), 1e-9);
}

TEST(EewMagnitude, NoisyRecovery) {
  const double a = 5.39, b = 1.38, c = 1.23, sd = 0.2;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> ulpd(-2.0, 2.0), ulr(1.0, 2.3);
  std::normal_distribution<double> n01(0.0, 1.0);
  std::vector<PdSample> s;
  for (int i = 0; i < 2000; ++i) {
    const double lpd = ulpd(rng), lr = ulr(rng);
    s.push_back({a + b * lpd + c * lr + sd * n01(rng), std::pow(10.0, lr), std::pow(10.0, lpd)});
  }
  const auto m = fit_pd_magnitude(s);
  EXPECT_NEAR(m.a, a, 0.08);
  EXPECT_NEAR(m.b, b, 0.03);
  EXPECT_NEAR(m.c, c, 0.06);
  EXPECT_NEAR(m.sigma, sd, 0.02);
}

TEST(EewMagnitude, BadInputThrows) {
  EXPECT_THROW(fit_pd_magnitude({}), InvalidInput);
  EXPECT_THROW(fit_pd_magnitude({{5, 10, 1}, {6, 10, 2}}), InvalidInput);
  EXPECT_THROW(fit_pd_magnitude({{5, 10, 1}, {6, 10, 2}, {7, 10, 3}, {6, 10, 0.5}}), InvalidInput);  // R constant
  EXPECT_THROW(fit_pd_magnitude({{5, 10, 1}, {6, 20, -2}, {7, 30, 3}}), InvalidInput);
  EXPECT_THROW(fit_pd_magnitude({{std::nan(""), 10, 1}, {6, 20, 2}, {7, 30, 3}}), InvalidInput);
  PdMagnitudeModel m{1, 1, 1};
  EXPECT_THROW(m.magnitude(0.0, 10.0), InvalidInput);
  EXPECT_THROW(m.network_magnitude({}, {}), InvalidInput);
}
