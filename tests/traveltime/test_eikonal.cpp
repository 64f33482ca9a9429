// Fast-sweeping eikonal solver: constant-gradient analytic solution (first vs second order)
// and the adjoint-state gradient against finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/traveltime/eikonal.hpp"

namespace tt = hyseis::physics::traveltime;

namespace {
// v(y) = v0 + g y on [0, 1]^2, source at (0.5, 0.2) (a node for n = 20k+1).
constexpr double v0 = 2.0, gr = 1.5;
double vel(double y) { return v0 + gr * y; }

double max_error(int n, int order, bool analytic_box) {
  tt::NodeGrid g;
  g.nx = g.ny = n;
  g.h = 1.0 / (n - 1);
  Eigen::VectorXd s(g.nodes());
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) s[j * n + i] = 1 / vel(j * g.h);
  const tt::Point2 src{0.5, 0.2};
  auto exact = [&](double x, double y) {
    return tt::constant_gradient_time(vel(src.y), vel(y), gr, std::hypot(x - src.x, y - src.y));
  };
  std::vector<std::pair<int, double>> fixed;
  const double box = 0.1;  // analytic values within a fixed physical radius: isolates the scheme's order
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      if (analytic_box && std::hypot(i * g.h - src.x, j * g.h - src.y) <= box) fixed.emplace_back(j * n + i, exact(i * g.h, j * g.h));
  tt::EikonalOptions o;
  o.order = order;
  tt::Eikonal2D eik(g, o);
  const Eigen::VectorXd T = eik.solve(s, src, fixed);
  double err = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) err = std::max(err, std::abs(T[j * n + i] - exact(i * g.h, j * g.h)));
  return err;
}
}  // namespace

TEST(Eikonal, ConstantGradientFirstAndSecondOrder) {
  double e1[3], e2[3];
  const int ns[3] = {41, 81, 161};
  for (int k = 0; k < 3; ++k) {
    e1[k] = max_error(ns[k], 1, true);
    e2[k] = max_error(ns[k], 2, true);
  }
  const double p1 = std::log2(e1[1] / e1[2]), p2 = std::log2(e2[1] / e2[2]);
  std::cout << "constant-gradient max error: first order " << e1[0] << " " << e1[1] << " " << e1[2] << " (order "
            << p1 << "); second order " << e2[0] << " " << e2[1] << " " << e2[2] << " (order " << p2 << ")\n";
  EXPECT_GT(p1, 0.7);
  EXPECT_GT(p2, 1.6);
  EXPECT_LT(e2[2], 0.2 * e1[2]);
  // The default point-source start also converges (first order, up to the log factor).
  EXPECT_LT(max_error(161, 1, false), max_error(41, 1, false));
}

TEST(Eikonal, HomogeneousMediumAlongAxesIsExact) {
  tt::NodeGrid g;
  g.nx = 31;
  g.ny = 21;
  g.h = 0.5;
  tt::Eikonal2D eik(g);
  Eigen::VectorXd s = Eigen::VectorXd::Constant(g.nodes(), 0.25);
  const Eigen::VectorXd t = eik.forward(s, {5.0, 5.0}, {{14.0, 5.0}, {5.0, 9.0}});
  EXPECT_NEAR(t[0], 0.25 * 9, 1e-12);
  EXPECT_NEAR(t[1], 0.25 * 4, 1e-12);
}

TEST(Eikonal, AdjointStateGradientMatchesFiniteDifferences) {
  tt::NodeGrid g;
  g.nx = 17;
  g.ny = 15;
  g.h = 1.0;
  tt::Eikonal2D eik(g);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.9, 1.1);
  Eigen::VectorXd s(g.nodes());
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) s[j * g.nx + i] = (0.3 + 0.01 * j + 0.02 * std::sin(0.5 * i)) * u(rng);
  const tt::Point2 src{3.0, 2.0};
  const std::vector<tt::Point2> rec{{15.5, 13.2}, {16.0, 4.0}, {8.3, 14.0}, {1.0, 12.5}, {12.0, 9.0}};
  const Eigen::VectorXd tobs = eik.forward(s, src, rec) * 1.05;
  auto J = [&](const Eigen::VectorXd& m) { return 0.5 * (eik.forward(m, src, rec) - tobs).squaredNorm(); };
  const Eigen::VectorXd r = eik.forward(s, src, rec) - tobs;
  const Eigen::VectorXd grad = eik.vjp(s, src, rec, r);
  Eigen::VectorXd fd(g.nodes());
  const double eps = 1e-7;
  for (int n = 0; n < g.nodes(); ++n) {
    Eigen::VectorXd sp = s, sm = s;
    sp[n] += eps;
    sm[n] -= eps;
    fd[n] = (J(sp) - J(sm)) / (2 * eps);
  }
  const double cosine = grad.dot(fd) / (grad.norm() * fd.norm());
  std::cout << "eikonal adjoint-state gradient vs finite differences: cosine " << cosine << ", rel diff "
            << (grad - fd).norm() / fd.norm() << "\n";
  EXPECT_GE(cosine, 0.999);
}

TEST(Eikonal, BadInput) {
  tt::NodeGrid g;
  g.nx = g.ny = 5;
  tt::Eikonal2D eik(g);
  Eigen::VectorXd s = Eigen::VectorXd::Constant(25, 1.0);
  EXPECT_THROW(eik.solve(s, {7.0, 1.0}), hyseis::core::InvalidInput);
  s[3] = -1;
  EXPECT_THROW(eik.solve(s, {1.0, 1.0}), hyseis::core::InvalidInput);
  tt::EikonalOptions o;
  o.order = 3;
  EXPECT_THROW(tt::Eikonal2D(g, o), hyseis::core::InvalidInput);
}
