// Gauss-Lobatto-Legendre points, weights and Lagrange derivative matrix.
#include <cmath>
#include <stdexcept>

#include "hyseis/solvers/sem_kernels.hpp"

namespace hyseis::solvers {

namespace {
// Legendre polynomial P_n and its derivative at x (three-term recurrence).
void legendre(int n, double x, double& p, double& dp) {
  double p0 = 1.0, p1 = x;
  if (n == 0) { p = 1.0; dp = 0.0; return; }
  for (int k = 2; k <= n; ++k) {
    const double pk = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
    p0 = p1;
    p1 = pk;
  }
  p = p1;
  dp = (std::abs(x) < 1.0) ? n * (p0 - x * p1) / (1.0 - x * x) : 0.5 * n * (n + 1) * (x > 0 ? 1.0 : (n % 2 ? 1.0 : -1.0));
}
}  // namespace

Gll1D gll_rule(int degree) {
  if (degree < 1 || degree > 16) throw std::invalid_argument("gll_rule: degree must be in 1..16");
  const int n = degree + 1;
  Gll1D r;
  r.degree = degree;
  r.points.assign(n, 0.0);
  r.weights.assign(n, 0.0);
  r.points[0] = -1.0;
  r.points[n - 1] = 1.0;
  // Interior points: roots of P'_p, found by Newton from Chebyshev-Gauss-Lobatto guesses.
  for (int i = 1; i < n - 1; ++i) {
    double x = -std::cos(M_PI * i / degree);
    for (int it = 0; it < 100; ++it) {
      // q(x) = P'_p(x); q'(x) from the Legendre ODE: (1-x^2) P'' = 2x P' - p(p+1) P
      double p, dp;
      legendre(degree, x, p, dp);
      const double d2p = (2.0 * x * dp - degree * (degree + 1.0) * p) / (1.0 - x * x);
      const double dx = dp / d2p;
      x -= dx;
      if (std::abs(dx) < 1e-16) break;
    }
    r.points[i] = x;
  }
  for (int i = 0; i < n; ++i) {
    double p, dp;
    legendre(degree, r.points[i], p, dp);
    r.weights[i] = 2.0 / (degree * (degree + 1.0) * p * p);
  }
  // Derivative matrix D[i][j] = l_j'(x_i) (standard closed form).
  r.deriv.assign(n * n, 0.0);
  std::vector<double> pv(n);
  for (int i = 0; i < n; ++i) {
    double dp;
    legendre(degree, r.points[i], pv[i], dp);
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double d;
      if (i != j)
        d = pv[i] / (pv[j] * (r.points[i] - r.points[j]));
      else if (i == 0)
        d = -0.25 * degree * (degree + 1.0);
      else if (i == n - 1)
        d = 0.25 * degree * (degree + 1.0);
      else
        d = 0.0;
      r.deriv[i * n + j] = d;
    }
  return r;
}

}  // namespace hyseis::solvers
