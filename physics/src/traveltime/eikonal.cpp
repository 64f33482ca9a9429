#include "hyseis/physics/traveltime/eikonal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "hyseis/core/error.hpp"

namespace hyseis::physics::traveltime {

using core::InvalidInput;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Godunov update with (value, coefficient) per axis: solve cx^2 (T-a)^2 + cy^2 (T-b)^2 = f^2.
double godunov(double a, double ca, double b, double cb, double f) {
  if (!std::isfinite(a) && !std::isfinite(b)) return kInf;
  if (!std::isfinite(b)) return a + f / ca;
  if (!std::isfinite(a)) return b + f / cb;
  // Try the two-sided solution.
  const double A = ca * ca + cb * cb, B = -2 * (ca * ca * a + cb * cb * b),
               C = ca * ca * a * a + cb * cb * b * b - f * f;
  const double disc = B * B - 4 * A * C;
  if (disc >= 0) {
    const double t = (-B + std::sqrt(disc)) / (2 * A);
    if (t >= std::max(a, b)) return t;
  }
  return std::min(a + f / ca, b + f / cb);
}
}  // namespace

void NodeGrid::validate() const {
  HYSEIS_REQUIRE(nx >= 2 && ny >= 2, InvalidInput, "eikonal grid needs at least 2 x 2 nodes, got " << nx << " x " << ny);
  HYSEIS_REQUIRE(std::isfinite(h) && h > 0, InvalidInput, "eikonal grid: h must be > 0, got " << h);
}

void EikonalOptions::validate() const {
  HYSEIS_REQUIRE(order == 1 || order == 2, InvalidInput, "eikonal: order must be 1 or 2, got " << order);
  HYSEIS_REQUIRE(max_sweeps >= 1, InvalidInput, "eikonal: max_sweeps must be >= 1");
  HYSEIS_REQUIRE(tolerance >= 0, InvalidInput, "eikonal: tolerance must be >= 0");
  HYSEIS_REQUIRE(source_box >= 0, InvalidInput, "eikonal: source_box must be >= 0");
}

double constant_gradient_time(double v0, double v, double g, double r) {
  if (g == 0) return r / v0;
  return std::acosh(1 + g * g * r * r / (2 * v0 * v)) / g;
}

Eikonal2D::Eikonal2D(NodeGrid grid, EikonalOptions opt) : grid_(grid), opt_(opt) {
  grid_.validate();
  opt_.validate();
}

void Eikonal2D::check(const Eigen::VectorXd& s, const Point2& src) const {
  HYSEIS_REQUIRE(s.size() == grid_.nodes(), InvalidInput, "eikonal: slowness has " << s.size() << " values, grid has "
                                                                                    << grid_.nodes() << " nodes");
  HYSEIS_REQUIRE(s.allFinite() && s.minCoeff() > 0, InvalidInput, "eikonal: slowness must be finite and > 0");
  const double xmax = grid_.x0 + (grid_.nx - 1) * grid_.h, ymax = grid_.y0 + (grid_.ny - 1) * grid_.h;
  HYSEIS_REQUIRE(src.x >= grid_.x0 && src.x <= xmax && src.y >= grid_.y0 && src.y <= ymax, InvalidInput,
                 "eikonal: source (" << src.x << ", " << src.y << ") lies outside the grid");
}

std::vector<std::pair<int, double>> Eikonal2D::source_nodes(const Eigen::VectorXd& s, const Point2& src) const {
  const auto& g = grid_;
  const int is = std::clamp(int(std::lround((src.x - g.x0) / g.h)), 0, g.nx - 1);
  const int js = std::clamp(int(std::lround((src.y - g.y0) / g.h)), 0, g.ny - 1);
  const double s0 = s[js * g.nx + is];
  const int r = std::max(1, opt_.source_box);
  std::vector<std::pair<int, double>> out;
  for (int j = std::max(0, js - r); j <= std::min(g.ny - 1, js + r); ++j)
    for (int i = std::max(0, is - r); i <= std::min(g.nx - 1, is + r); ++i)
      out.emplace_back(j * g.nx + i, s0 * std::hypot(g.x0 + i * g.h - src.x, g.y0 + j * g.h - src.y));
  return out;
}

Eigen::VectorXd Eikonal2D::solve(const Eigen::VectorXd& s, const Point2& src,
                                 const std::vector<std::pair<int, double>>& fixed_in, int* iterations) const {
  check(s, src);
  const auto& g = grid_;
  const int nx = g.nx, ny = g.ny;
  const auto fixed = fixed_in.empty() ? source_nodes(s, src) : fixed_in;
  Eigen::VectorXd T = Eigen::VectorXd::Constant(g.nodes(), kInf);
  std::vector<char> is_fixed(g.nodes(), 0);
  for (const auto& [n, t] : fixed) {
    HYSEIS_REQUIRE(n >= 0 && n < g.nodes(), InvalidInput, "eikonal: fixed node " << n << " out of range");
    T[n] = t;
    is_fixed[n] = 1;
  }
  int total = 0;
  for (int phase = 1; phase <= opt_.order; ++phase) {
    for (int it = 0; it < opt_.max_sweeps; ++it) {
      ++total;
      double change = 0;
      for (int sweep = 0; sweep < 4; ++sweep) {
        const bool fx = sweep == 0 || sweep == 3, fy = sweep < 2;
        for (int jj = 0; jj < ny; ++jj) {
          const int j = fy ? jj : ny - 1 - jj;
          for (int ii = 0; ii < nx; ++ii) {
            const int i = fx ? ii : nx - 1 - ii;
            const int n = j * nx + i;
            if (is_fixed[n]) continue;
            const double f = s[n];
            // Per axis: the smaller upwind neighbour; second order where two upwind nodes exist
            // and are monotone.
            auto axis = [&](int stride, int pos, int len, double& val, double& coef) {
              double best = kInf;
              val = kInf;
              coef = 1 / g.h;
              for (int d : {-1, 1}) {
                const int p1 = pos + d;
                if (p1 < 0 || p1 >= len) continue;
                const double t1 = T[n + d * stride];
                if (!std::isfinite(t1)) continue;
                double v = t1, c = 1 / g.h;
                if (phase == 2) {
                  const int p2 = pos + 2 * d;
                  if (p2 >= 0 && p2 < len) {
                    const double t2 = T[n + 2 * d * stride];
                    if (std::isfinite(t2) && t2 <= t1) {
                      v = (4 * t1 - t2) / 3;
                      c = 3 / (2 * g.h);
                    }
                  }
                }
                if (t1 < best) {
                  best = t1;
                  val = v;
                  coef = c;
                }
              }
            };
            double a, ca, b, cb;
            axis(1, i, nx, a, ca);
            axis(nx, j, ny, b, cb);
            const double tn = godunov(a, ca, b, cb, f);
            const double told = T[n];
            const double tnew = phase == 1 ? std::min(told, tn) : tn;
            if (std::isfinite(tnew)) {
              if (std::isfinite(told)) change = std::max(change, std::abs(tnew - told));
              else change = kInf;
              T[n] = tnew;
            }
          }
        }
      }
      const double tmax = T.maxCoeff();
      if (std::isfinite(tmax) && change <= opt_.tolerance * std::max(tmax, 1e-300)) break;
    }
  }
  HYSEIS_REQUIRE(T.allFinite(), core::NumericalError, "eikonal: unreached nodes after " << total << " iterations");
  if (iterations) *iterations = total;
  return T;
}

namespace {
/// Bilinear weights of a point in the node grid: (node, weight) x 4.
std::vector<std::pair<int, double>> bilinear(const NodeGrid& g, const Point2& p) {
  const double fx = (p.x - g.x0) / g.h, fy = (p.y - g.y0) / g.h;
  HYSEIS_REQUIRE(fx >= -1e-9 && fy >= -1e-9 && fx <= g.nx - 1 + 1e-9 && fy <= g.ny - 1 + 1e-9, InvalidInput,
                 "eikonal: receiver (" << p.x << ", " << p.y << ") lies outside the grid");
  const int i = std::clamp(int(std::floor(fx)), 0, g.nx - 2), j = std::clamp(int(std::floor(fy)), 0, g.ny - 2);
  const double u = std::clamp(fx - i, 0.0, 1.0), v = std::clamp(fy - j, 0.0, 1.0);
  return {{j * g.nx + i, (1 - u) * (1 - v)},
          {j * g.nx + i + 1, u * (1 - v)},
          {(j + 1) * g.nx + i, (1 - u) * v},
          {(j + 1) * g.nx + i + 1, u * v}};
}
}  // namespace

Eigen::VectorXd Eikonal2D::forward(const Eigen::VectorXd& s, const Point2& src, const std::vector<Point2>& rec) const {
  const Eigen::VectorXd T = solve(s, src);
  Eigen::VectorXd out(Eigen::Index(rec.size()));
  for (std::size_t r = 0; r < rec.size(); ++r) {
    double v = 0;
    for (const auto& [n, w] : bilinear(grid_, rec[r])) v += w * T[n];
    out[Eigen::Index(r)] = v;
  }
  return out;
}

Eigen::VectorXd Eikonal2D::vjp(const Eigen::VectorXd& s, const Point2& src, const std::vector<Point2>& rec,
                               const Eigen::VectorXd& res) const {
  HYSEIS_REQUIRE(res.size() == Eigen::Index(rec.size()), InvalidInput, "eikonal vjp: residual size mismatch");
  // Adjoint of the first-order discrete system.
  Eikonal2D first(grid_, [&] {
    EikonalOptions o = opt_;
    o.order = 1;
    return o;
  }());
  const auto fixed = source_nodes(s, src);
  const Eigen::VectorXd T = first.solve(s, src, fixed);
  const auto& g = grid_;
  const int nx = g.nx, ny = g.ny, N = g.nodes();
  std::vector<char> is_fixed(N, 0);
  for (const auto& fn : fixed) is_fixed[fn.first] = 1;
  Eigen::VectorXd lam = Eigen::VectorXd::Zero(N), grad = Eigen::VectorXd::Zero(N);
  for (std::size_t r = 0; r < rec.size(); ++r)
    for (const auto& [n, w] : bilinear(g, rec[r])) lam[n] += w * res[Eigen::Index(r)];
  std::vector<int> order(N);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return T[a] > T[b]; });
  const int is = std::clamp(int(std::lround((src.x - g.x0) / g.h)), 0, nx - 1);
  const int js = std::clamp(int(std::lround((src.y - g.y0) / g.h)), 0, ny - 1);
  const int src_node = js * nx + is;
  for (int n : order) {
    const double l = lam[n];
    if (l == 0) continue;
    if (is_fixed[n]) {  // T = s[src_node] * distance
      const int i = n % nx, j = n / nx;
      grad[src_node] += l * std::hypot(g.x0 + i * g.h - src.x, g.y0 + j * g.h - src.y);
      continue;
    }
    const int i = n % nx, j = n / nx;
    auto upwind = [&](int stride, int pos, int len) {
      int best = -1;
      for (int d : {-1, 1}) {
        const int p = pos + d;
        if (p < 0 || p >= len) continue;
        if (best < 0 || T[n + d * stride] < T[best]) best = n + d * stride;
      }
      return best;
    };
    const int na = upwind(1, i, nx), nb = upwind(nx, j, ny);
    const double a = T[na], b = T[nb], f = s[n], h = g.h;
    const double Tn = T[n];
    const bool two = std::abs(a - b) < f * h && Tn > std::max(a, b);
    if (two) {
      const double D = (Tn - a) + (Tn - b);
      grad[n] += l * f * h * h / D;
      lam[na] += l * (Tn - a) / D;
      lam[nb] += l * (Tn - b) / D;
    } else {
      const int m = a <= b ? na : nb;
      grad[n] += l * h;
      lam[m] += l;
    }
  }
  return grad;
}

}  // namespace hyseis::physics::traveltime
