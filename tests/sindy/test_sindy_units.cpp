// PDE discovery building blocks: finite-difference and polynomial-fit derivatives, candidate
// libraries (strong and weak form), STRidge on planted sparse models, noise, input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/sindy/stridge.hpp"

using namespace hyseis::learning::sindy;
using hyseis::core::InvalidInput;

namespace {

double poly_value(const std::vector<double>& c, double x, int m) {   // d^m/dx^m of sum c_k x^k
  double v = 0;
  for (std::size_t k = static_cast<std::size_t>(m); k < c.size(); ++k) {
    double f = 1;
    for (int j = 0; j < m; ++j) f *= static_cast<double>(k - static_cast<std::size_t>(j));
    v += c[k] * f * std::pow(x, static_cast<double>(k) - m);
  }
  return v;
}

Field<double> make_field(int nx, int nt, double L, double T, bool periodic, double (*fn)(double, double)) {
  Field<double> f;
  for (int i = 0; i < nx; ++i) f.x.push_back(periodic ? L * i / nx : L * i / (nx - 1));
  for (int n = 0; n < nt; ++n) f.t.push_back(T * n / (nt - 1));
  f.u.resize(static_cast<std::size_t>(nx) * nt);
  for (int n = 0; n < nt; ++n)
    for (int i = 0; i < nx; ++i) f(i, n) = fn(f.x[i], f.t[n]);
  f.periodic_x = periodic;
  return f;
}

}  // namespace

TEST(SindyDerivatives, FornbergWeightsClassic) {
  const auto w1 = fd_weights(1, {-1, 0, 1});
  EXPECT_NEAR(w1[0], -0.5, 1e-15);
  EXPECT_NEAR(w1[1], 0.0, 1e-15);
  EXPECT_NEAR(w1[2], 0.5, 1e-15);
  const auto w2 = fd_weights(2, {-2, -1, 0, 1, 2});
  const double ref[] = {-1.0 / 12, 4.0 / 3, -5.0 / 2, 4.0 / 3, -1.0 / 12};
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(w2[k], ref[k], 1e-14);
  const auto w4 = fd_weights(4, {-2, -1, 0, 1, 2});
  const double ref4[] = {1, -4, 6, -4, 1};
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(w4[k], ref4[k], 1e-12);
}

TEST(SindyDerivatives, FiniteDifferencesExactOnPolynomials) {
  // A stencil of accuracy a for derivative m is exact on polynomials of degree m + a - 1,
  // in the interior and (off-centred, same order) at the ends.
  const double h = 0.1;
  std::vector<double> x(40);
  for (int i = 0; i < 40; ++i) x[i] = -2.0 + h * i;
  for (int acc : {2, 4, 6})
    for (int m = 1; m <= 4; ++m) {
      std::vector<double> c(static_cast<std::size_t>(m + acc));
      for (std::size_t k = 0; k < c.size(); ++k) c[k] = std::cos(1.0 + k);   // arbitrary
      std::vector<double> y(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) y[i] = poly_value(c, x[i], 0);
      DiffSpec s;
      s.fd_accuracy = acc;
      const auto d = diff(y, h, m, s);
      double scale = 0, err = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        scale = std::max(scale, std::abs(poly_value(c, x[i], m)));
        err = std::max(err, std::abs(d[i] - poly_value(c, x[i], m)));
      }
      EXPECT_LT(err, 1e-7 * scale) << "accuracy " << acc << ", derivative " << m;
    }
}

TEST(SindyDerivatives, PeriodicConvergenceOrder) {
  // d^m/dx^m sin(x) on a periodic grid: error ~ h^a.
  for (int m : {1, 2, 3, 4})
    for (int acc : {2, 4}) {
      double err[2];
      for (int r = 0; r < 2; ++r) {
        const int n = 64 << r;
        const double h = 2 * M_PI / n;
        std::vector<double> y(n);
        for (int i = 0; i < n; ++i) y[i] = std::sin(i * h);
        DiffSpec s;
        s.fd_accuracy = acc;
        const auto d = diff(y, h, m, s, true);
        err[r] = 0;
        for (int i = 0; i < n; ++i) err[r] = std::max(err[r], std::abs(d[i] - std::sin(i * h + m * M_PI / 2)));
      }
      const double order = std::log2(err[0] / err[1]);
      EXPECT_NEAR(order, acc, 0.15) << "derivative " << m << ", accuracy " << acc;
    }
}

TEST(SindyDerivatives, PolynomialFitExactOnPolynomialsAndRobustToNoise) {
  DiffSpec p;
  p.method = DiffMethod::PolyFit;
  p.poly_degree = 5;
  p.poly_half_width = 8;
  const double h = 0.05;
  std::vector<double> x(60), y(60);
  const std::vector<double> c = {0.3, -1.0, 0.5, 0.25, -0.1, 0.02};
  for (int i = 0; i < 60; ++i) {
    x[i] = -1.5 + h * i;
    y[i] = poly_value(c, x[i], 0);
  }
  for (int m = 0; m <= 4; ++m) {
    const auto d = diff(y, h, m, p);
    for (int i = 0; i < 60; ++i) EXPECT_NEAR(d[i], poly_value(c, x[i], m), 1e-8 * (1 + std::abs(poly_value(c, x[i], m))));
  }
  // Noisy sine (noise 1e-3): the local fit beats finite differences by a wide margin.
  const int n = 400;
  const double hh = 2 * M_PI / n;
  Rng rng(7);
  std::vector<double> s(n);
  for (int i = 0; i < n; ++i) s[i] = std::sin(i * hh) + 1e-3 * rng.normal();
  DiffSpec fd;
  p.poly_degree = 4;
  p.poly_half_width = 25;
  for (int m : {1, 2}) {
    const auto dp = diff(s, hh, m, p, true);
    const auto df = diff(s, hh, m, fd, true);
    double ep = 0, ef = 0;
    for (int i = 0; i < n; ++i) {
      const double ex = std::sin(i * hh + m * M_PI / 2);
      ep = std::max(ep, std::abs(dp[i] - ex));
      ef = std::max(ef, std::abs(df[i] - ex));
    }
    EXPECT_LT(ep, 0.05 * ef) << "derivative " << m << ": poly " << ep << ", FD " << ef;
    EXPECT_LT(ep, m == 1 ? 1e-2 : 0.2) << "derivative " << m;
  }
}

TEST(SindyLibrary, TermNamesAndColumns) {
  LibraryOptions o;
  o.max_poly = 2;
  o.max_deriv = 2;
  const std::vector<std::string> ref = {"1", "u", "u^2", "u_x", "u u_x", "u^2 u_x", "u_xx", "u u_xx", "u^2 u_xx"};
  EXPECT_EQ(strong_term_names(o), ref);
  o.abs_factor = true;
  const std::vector<std::string> mono = {"", "u", "|u|", "u^2", "u|u|", "|u|^2"};
  const auto ms = monomials(o);
  ASSERT_EQ(ms.size(), mono.size());
  for (std::size_t k = 0; k < ms.size(); ++k) EXPECT_EQ(monomial_name(ms[k]), mono[k]);
  EXPECT_EQ(strong_term_names(o).size(), 3u * 6u);

  // Columns are the products they are named after.
  auto f = make_field(64, 20, 2 * M_PI, 1.0, true, [](double x, double t) { return std::sin(x - t) + 0.5; });
  StrongFormOptions so;
  so.library.max_poly = 2;
  so.library.max_deriv = 2;
  so.dx.fd_accuracy = 6;
  so.dt.fd_accuracy = 6;
  const auto sys = build_strong_system(f, so);
  ASSERT_EQ(sys.names, ref);
  EXPECT_EQ(sys.rows(), 64u * (20u - 2u * 3u));   // periodic x: every point; t trimmed by the stencil
  const auto ux = diff_x(f, 1, so.dx);
  // Row 0 is (ix = 0, it = 3).
  const double u = f(0, 3);
  EXPECT_DOUBLE_EQ(sys.theta(0, 0), 1.0);
  EXPECT_DOUBLE_EQ(sys.theta(0, 2), u * u);
  EXPECT_DOUBLE_EQ(sys.theta(0, 4), u * ux[3 * 64]);
  EXPECT_NEAR(sys.lhs(0), -std::cos(f.x[0] - f.t[3]), 1e-6);

  WeakFormOptions wo;
  wo.max_poly = 2;
  wo.max_deriv = 2;
  const std::vector<std::string> wref = {"1", "u", "u^2", "u_x", "u u_x", "u_xx", "(u^2)_xx"};
  EXPECT_EQ(weak_term_names(wo), wref);
}

TEST(SindyLibrary, BumpDerivativesMatchFiniteDifferences) {
  const int m = 200, p = 6;
  for (int k = 1; k <= 4; ++k) {
    const auto v0 = bump_derivative(p, k - 1, m), v1 = bump_derivative(p, k, m);
    DiffSpec s;
    s.fd_accuracy = 6;
    const auto d = diff(v0, 1.0 / m, 1, s);
    for (std::size_t j = 0; j < v1.size(); ++j) EXPECT_NEAR(d[j], v1[j], 1e-6 * (1 + std::abs(v1[j]))) << "k " << k;
    EXPECT_NEAR(v1.front(), 0.0, 1e-12);   // k < p: vanishes at the ends
  }
}

TEST(SindyStridge, RecoversPlantedSparseModel) {
  const Eigen::Index N = 2000, P = 12;
  Rng rng(3);
  LinearSystem<double> sys;
  sys.theta.resize(N, P);
  for (Eigen::Index i = 0; i < N; ++i)
    for (Eigen::Index j = 0; j < P; ++j) sys.theta(i, j) = rng.normal() * (1.0 + j);   // unequal scales
  Vec<double> w = Vec<double>::Zero(P);
  w(2) = 1.5;
  w(5) = -0.2;
  w(9) = 0.03;
  sys.lhs = sys.theta * w;
  for (Eigen::Index i = 0; i < N; ++i) sys.lhs(i) += 1e-3 * rng.normal();
  for (Eigen::Index j = 0; j < P; ++j) sys.names.push_back("t" + std::to_string(j));
  const auto m = train_stridge(sys, TrainOptions{});
  const auto c = compare_to_truth(m, {"t2", "t5", "t9"}, {1.5, -0.2, 0.03});
  EXPECT_TRUE(c.support_ok) << m.equation();
  EXPECT_LT(c.max_rel_error, 1e-3) << c.detail;
  // A single STRidge call with a tolerance between the small and the large normalised weights.
  const auto ws = stridge(sys.theta, sys.lhs, 1.0, StridgeOptions{});
  for (Eigen::Index j = 0; j < P; ++j)
    if (j == 2 || j == 5 || j == 9) EXPECT_NEAR(ws[j], w(j), 1e-3 * std::abs(w(j)) + 1e-5);
    else EXPECT_EQ(ws[j], 0.0) << "t" << j;
}

TEST(SindyStridge, AdvectionDiffusionStrongAndWeak) {
  // u = exp(-nu k^2 t) sin(k (x - c t)): u_t = -c u_x + nu u_xx.
  auto fn = [](double x, double t) { return std::exp(-0.1 * 4 * t) * std::sin(2 * (x - 0.7 * t)) + 0.3 * std::exp(-0.1 * t) * std::cos(x - 0.7 * t); };
  auto f = make_field(128, 101, 2 * M_PI, 2.0, true, fn);
  StrongFormOptions so;
  so.library.max_poly = 2;
  so.library.max_deriv = 3;
  so.dx.fd_accuracy = 6;
  so.dt.fd_accuracy = 6;
  const auto ms = train_stridge(build_strong_system(f, so), TrainOptions{});
  const auto cs = compare_to_truth(ms, {"u_x", "u_xx"}, {-0.7, 0.1});
  EXPECT_TRUE(cs.support_ok) << ms.equation();
  EXPECT_LT(cs.max_rel_error, 1e-4) << cs.detail;

  WeakFormOptions wo;
  wo.max_poly = 2;
  wo.max_deriv = 3;
  wo.half_width_x = 16;
  wo.half_width_t = 10;
  const auto mw = train_stridge(build_weak_system(f, wo), TrainOptions{});
  const auto cw = compare_to_truth(mw, {"u_x", "u_xx"}, {-0.7, 0.1});
  EXPECT_TRUE(cw.support_ok) << mw.equation();
  EXPECT_LT(cw.max_rel_error, 5e-4) << cw.detail;
}

TEST(SindyStridge, ComplexFreeSchroedinger) {
  // u = sum of plane waves exp(i (k x - k^2 t / 2)): u_t = 0.5 i u_xx.
  Field<cplx> f;
  const int nx = 128, nt = 80;
  for (int i = 0; i < nx; ++i) f.x.push_back(2 * M_PI * i / nx);
  for (int n = 0; n < nt; ++n) f.t.push_back(0.01 * n);
  f.periodic_x = true;
  for (int n = 0; n < nt; ++n)
    for (int i = 0; i < nx; ++i) {
      cplx v = 0;
      for (int k = 1; k <= 3; ++k) v += std::exp(cplx(0, k * f.x[i] - 0.5 * k * k * f.t[n])) / double(k);
      f.u.push_back(v);
    }
  StrongFormOptions so;
  so.library.max_poly = 2;
  so.library.max_deriv = 2;
  so.library.abs_factor = true;
  so.dx.fd_accuracy = 8;
  so.dt.fd_accuracy = 8;
  const auto m = train_stridge(build_strong_system(f, so), TrainOptions{});
  const auto c = compare_to_truth(m, {"u_xx"}, {cplx(0, 0.5)});
  EXPECT_TRUE(c.support_ok) << m.equation();
  EXPECT_LT(c.max_rel_error, 1e-5) << c.detail;
}

TEST(SindyField, NoiseIsDeterministicAndScaled) {
  auto f = make_field(200, 50, 1.0, 1.0, false, [](double x, double t) { return std::sin(6 * x + t); });
  const auto a = add_noise(f, 0.01, 42), b = add_noise(f, 0.01, 42), c = add_noise(f, 0.01, 43);
  EXPECT_EQ(a.u, b.u);
  EXPECT_NE(a.u, c.u);
  std::vector<double> e(f.u.size());
  for (std::size_t k = 0; k < e.size(); ++k) e[k] = a.u[k] - f.u[k];
  EXPECT_NEAR(field_std(e) / field_std(f.u), 0.01, 0.0005);
  const auto p = permutation(100, 5);
  std::vector<bool> seen(100, false);
  for (auto k : p) seen[k] = true;
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 100);
}

TEST(SindyInput, ClearErrors) {
  DiffSpec s;
  s.fd_accuracy = 3;
  EXPECT_THROW(s.validate(1), InvalidInput);
  DiffSpec p;
  p.method = DiffMethod::PolyFit;
  p.poly_degree = 2;
  EXPECT_THROW(p.validate(3), InvalidInput);
  WeakFormOptions w;
  w.max_deriv = 4;
  w.power_x = 4;
  EXPECT_THROW(w.validate(), InvalidInput);
  auto f = make_field(20, 10, 1.0, 1.0, false, [](double x, double t) { return x + t; });
  f.x[5] += 0.01;
  EXPECT_THROW(f.validate(), InvalidInput);
  f = make_field(20, 10, 1.0, 1.0, false, [](double x, double t) { return x + t; });
  f.u[7] = std::nan("");
  EXPECT_THROW(f.validate(), InvalidInput);
  TrainOptions t;
  t.train_fraction = 1.0;
  EXPECT_THROW(t.validate(), InvalidInput);
  EXPECT_THROW(read_pde_find_file("/nonexistent/file.h5"), hyseis::core::Error);
}
