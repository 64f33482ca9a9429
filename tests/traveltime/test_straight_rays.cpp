// Straight-ray matrix against exact geometry.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/traveltime/straight_rays.hpp"

namespace tt = hyseis::physics::traveltime;

namespace {
tt::Grid2D grid(int nx, int ny, double dx = 1, double dy = 1, double x0 = 0, double y0 = 0) {
  tt::Grid2D g;
  g.nx = nx;
  g.ny = ny;
  g.dx = dx;
  g.dy = dy;
  g.x0 = x0;
  g.y0 = y0;
  return g;
}
double row_sum(const tt::SparseMatrix& A, int r) {
  double s = 0;
  for (tt::SparseMatrix::InnerIterator it(A, r); it; ++it) s += it.value();
  return s;
}
}  // namespace

TEST(StraightRays, AxisAlignedRayInsideCells) {
  auto g = grid(10, 5);
  auto cells = tt::ray_cells(g, {{0.0, 2.5}, {10.0, 2.5}});
  ASSERT_EQ(cells.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(cells[i].first, g.index(i, 2));
    EXPECT_NEAR(cells[i].second, 1.0, 1e-12);
  }
  // Vertical, partial cells at both ends.
  auto v = tt::ray_cells(g, {{3.3, 0.25}, {3.3, 4.5}});
  double sum = 0;
  for (auto& c : v) {
    EXPECT_EQ(c.first % g.nx, 3);
    sum += c.second;
  }
  EXPECT_NEAR(sum, 4.25, 1e-12);
  EXPECT_NEAR(v.front().second, 0.75, 1e-12);
  EXPECT_NEAR(v.back().second, 0.5, 1e-12);
}

TEST(StraightRays, DiagonalRayThroughCorners) {
  auto g = grid(8, 8, 0.5, 0.5);
  auto cells = tt::ray_cells(g, {{0, 0}, {4, 4}});
  ASSERT_EQ(cells.size(), 8u);  // passes through grid nodes: only the diagonal cells
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(cells[i].first, g.index(i, i));
    EXPECT_NEAR(cells[i].second, 0.5 * std::sqrt(2.0), 1e-12);
  }
}

TEST(StraightRays, RayAlongGridLineCountedOnce) {
  auto g = grid(6, 6);
  for (double y : {0.0, 3.0, 6.0}) {
    auto A = tt::straight_ray_matrix(g, {{{0.5, y}, {5.5, y}}});
    EXPECT_NEAR(row_sum(A, 0), 5.0, 1e-12) << "y = " << y;
    EXPECT_EQ(A.nonZeros(), 6);
  }
  auto A = tt::straight_ray_matrix(g, {{{2.0, 0.0}, {2.0, 6.0}}});
  EXPECT_NEAR(row_sum(A, 0), 6.0, 1e-12);
  EXPECT_EQ(A.nonZeros(), 6);
}

TEST(StraightRays, LengthsSumToRayLengthAndMatchAnalyticSlope) {
  auto g = grid(37, 23, 0.7, 1.3, -2.0, 5.0);
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> ux(g.x0, g.xmax()), uy(g.y0, g.ymax());
  std::vector<tt::Point2> st;
  for (int i = 0; i < 20; ++i) st.push_back({ux(rng), uy(rng)});
  auto rays = tt::station_pair_rays(g, st);
  ASSERT_EQ(rays.size(), 190u);
  auto A = tt::straight_ray_matrix(g, rays);
  for (int r = 0; r < A.rows(); ++r) EXPECT_NEAR(row_sum(A, r), rays[r].length(), 1e-11 * rays[r].length());
  // Travel time in a medium with slowness s(x) = a + b x, linear in x: the exact integral of
  // the cell-averaged slowness equals the integral along the ray (exact per-cell lengths).
  Eigen::VectorXd s(g.cells());
  for (int iy = 0; iy < g.ny; ++iy)
    for (int ix = 0; ix < g.nx; ++ix) s[g.index(ix, iy)] = 0.3 + 0.01 * iy;
  Eigen::VectorXd t = A * s;
  // Horizontal-layered: compare with a fine numerical quadrature of the piecewise-constant field.
  for (int r = 0; r < 10; ++r) {
    const auto& ray = rays[r];
    const int n = 200000;
    double q = 0;
    for (int k = 0; k < n; ++k) {
      const double tm = (k + 0.5) / n;
      const double y = ray.a.y + tm * (ray.b.y - ray.a.y);
      const int iy = std::min(g.ny - 1, int(std::floor((y - g.y0) / g.dy)));
      q += (0.3 + 0.01 * iy) * ray.length() / n;
    }
    EXPECT_NEAR(t[r], q, 1e-4 * q);
  }
}

TEST(StraightRays, OperatorVjpIsTranspose) {
  auto g = grid(12, 9);
  std::vector<tt::Point2> st{{0.5, 0.5}, {11.2, 8.1}, {3.3, 7.7}, {9.9, 1.1}, {6.0, 4.5}};
  tt::StraightRayOperator op(g, tt::station_pair_rays(g, st));
  std::mt19937 rng(1);
  std::normal_distribution<double> n;
  Eigen::VectorXd s(g.cells()), r(op.rays().size());
  for (auto& v : s) v = n(rng);
  for (auto& v : r) v = n(rng);
  EXPECT_NEAR(op.forward(s).dot(r), s.dot(op.vjp(s, r)), 1e-10);
}

TEST(StraightRays, BadInput) {
  auto g = grid(10, 10);
  EXPECT_THROW(tt::station_pair_rays(g, {{1, 1}, {11, 5}}), hyseis::core::InvalidInput);
  EXPECT_THROW(tt::station_pair_rays(g, {{1, 1}, {1, 1}}), hyseis::core::InvalidInput);
  EXPECT_THROW(tt::station_pair_rays(g, {{1, 1}, {NAN, 5}}), hyseis::core::InvalidInput);
  EXPECT_THROW(tt::straight_ray_matrix(g, {{{1, 1}, {5, 5}}, {{5, 5}, {1, 1}}}), hyseis::core::InvalidInput);
  tt::Grid2D bad = g;
  bad.dx = 0;
  EXPECT_THROW(tt::straight_ray_matrix(bad, {{{1, 1}, {5, 5}}}), hyseis::core::InvalidInput);
}
