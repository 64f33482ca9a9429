#include "hyseis/physics/traveltime/eikonal_checks.hpp"

#include <cmath>
#include <random>
#include <vector>

#include "hyseis/physics/traveltime/eikonal.hpp"

namespace hyseis::physics::traveltime {

namespace {
constexpr double kV0 = 2.0, kGrad = 1.5;
double vel(double y) { return kV0 + kGrad * y; }
}  // namespace

double constant_gradient_max_error(int n, int order, bool analytic_box) {
  NodeGrid g;
  g.nx = g.ny = n;
  g.h = 1.0 / (n - 1);
  Eigen::VectorXd s(g.nodes());
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) s[j * n + i] = 1 / vel(j * g.h);
  const Point2 src{0.5, 0.2};
  auto exact = [&](double x, double y) {
    return constant_gradient_time(vel(src.y), vel(y), kGrad, std::hypot(x - src.x, y - src.y));
  };
  std::vector<std::pair<int, double>> fixed;
  const double box = 0.1;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i)
      if (analytic_box && std::hypot(i * g.h - src.x, j * g.h - src.y) <= box)
        fixed.emplace_back(j * n + i, exact(i * g.h, j * g.h));
  EikonalOptions o;
  o.order = order;
  const Eigen::VectorXd T = Eikonal2D(g, o).solve(s, src, fixed);
  double err = 0;
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) err = std::max(err, std::abs(T[j * n + i] - exact(i * g.h, j * g.h)));
  return err;
}

GradientCheck eikonal_gradient_check() {
  NodeGrid g;
  g.nx = 17;
  g.ny = 15;
  g.h = 1.0;
  Eikonal2D eik(g);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.9, 1.1);
  Eigen::VectorXd s(g.nodes());
  for (int j = 0; j < g.ny; ++j)
    for (int i = 0; i < g.nx; ++i) s[j * g.nx + i] = (0.3 + 0.01 * j + 0.02 * std::sin(0.5 * i)) * u(rng);
  const Point2 src{3.0, 2.0};
  const std::vector<Point2> rec{{15.5, 13.2}, {16.0, 4.0}, {8.3, 14.0}, {1.0, 12.5}, {12.0, 9.0}};
  const Eigen::VectorXd tobs = eik.forward(s, src, rec) * 1.05;
  auto J = [&](const Eigen::VectorXd& m) { return 0.5 * (eik.forward(m, src, rec) - tobs).squaredNorm(); };
  const Eigen::VectorXd grad = eik.vjp(s, src, rec, eik.forward(s, src, rec) - tobs);
  Eigen::VectorXd fd(g.nodes());
  const double eps = 1e-7;
  for (int n = 0; n < g.nodes(); ++n) {
    Eigen::VectorXd sp = s, sm = s;
    sp[n] += eps;
    sm[n] -= eps;
    fd[n] = (J(sp) - J(sm)) / (2 * eps);
  }
  GradientCheck c;
  c.cosine = grad.dot(fd) / (grad.norm() * fd.norm());
  c.relative_diff = (grad - fd).norm() / fd.norm();
  return c;
}

}  // namespace hyseis::physics::traveltime
