#include "hyseis/physics/traveltime/straight_rays.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "hyseis/core/error.hpp"

namespace hyseis::physics::traveltime {

using core::InvalidInput;

void Grid2D::validate() const {
  HYSEIS_REQUIRE(nx >= 1, InvalidInput, "grid: nx must be >= 1, got " << nx);
  HYSEIS_REQUIRE(ny >= 1, InvalidInput, "grid: ny must be >= 1, got " << ny);
  HYSEIS_REQUIRE(std::isfinite(dx) && dx > 0, InvalidInput, "grid: dx must be > 0, got " << dx);
  HYSEIS_REQUIRE(std::isfinite(dy) && dy > 0, InvalidInput, "grid: dy must be > 0, got " << dy);
  HYSEIS_REQUIRE(std::isfinite(x0) && std::isfinite(y0), InvalidInput, "grid: origin must be finite");
}

bool Grid2D::contains(double x, double y) const {
  const double tx = 1e-12 * nx * dx, ty = 1e-12 * ny * dy;
  return x >= x0 - tx && x <= xmax() + tx && y >= y0 - ty && y <= ymax() + ty;
}

double Ray::length() const { return std::hypot(b.x - a.x, b.y - a.y); }

namespace {

void check_station(const Grid2D& g, const Point2& p, const char* what, std::size_t i) {
  HYSEIS_REQUIRE(std::isfinite(p.x) && std::isfinite(p.y), InvalidInput,
                 what << " " << i << " has a non-finite coordinate (" << p.x << ", " << p.y << ")");
  HYSEIS_REQUIRE(g.contains(p.x, p.y), InvalidInput,
                 what << " " << i << " at (" << p.x << ", " << p.y << ") lies outside the grid ["
                      << g.x0 << ", " << g.xmax() << "] x [" << g.y0 << ", " << g.ymax() << "]");
}

}  // namespace

std::vector<Ray> station_pair_rays(const Grid2D& grid, const std::vector<Point2>& st,
                                   double min_separation) {
  grid.validate();
  HYSEIS_REQUIRE(st.size() >= 2, InvalidInput, "need at least 2 stations, got " << st.size());
  for (std::size_t i = 0; i < st.size(); ++i) check_station(grid, st[i], "station", i);
  std::vector<Ray> rays;
  rays.reserve(st.size() * (st.size() - 1) / 2);
  for (std::size_t i = 0; i < st.size(); ++i)
    for (std::size_t j = i + 1; j < st.size(); ++j) {
      Ray r{st[i], st[j], int(i), int(j)};
      HYSEIS_REQUIRE(r.length() > min_separation, InvalidInput,
                     "stations " << i << " and " << j << " coincide (degenerate ray of length "
                                 << r.length() << ")");
      rays.push_back(r);
    }
  return rays;
}

std::vector<Ray> source_receiver_rays(const Grid2D& grid, const std::vector<Point2>& src,
                                      const std::vector<Point2>& rec, double min_separation) {
  grid.validate();
  HYSEIS_REQUIRE(!src.empty() && !rec.empty(), InvalidInput, "need at least one source and one receiver");
  for (std::size_t i = 0; i < src.size(); ++i) check_station(grid, src[i], "source", i);
  for (std::size_t i = 0; i < rec.size(); ++i) check_station(grid, rec[i], "receiver", i);
  std::vector<Ray> rays;
  for (std::size_t i = 0; i < src.size(); ++i)
    for (std::size_t j = 0; j < rec.size(); ++j) {
      Ray r{src[i], rec[j], int(i), int(j)};
      HYSEIS_REQUIRE(r.length() > min_separation, InvalidInput,
                     "source " << i << " and receiver " << j << " coincide (degenerate ray)");
      rays.push_back(r);
    }
  return rays;
}

std::vector<std::pair<int, double>> ray_cells(const Grid2D& g, const Ray& r) {
  const double ex = r.b.x - r.a.x, ey = r.b.y - r.a.y;
  const double L = std::hypot(ex, ey);
  std::vector<double> ts{0.0, 1.0};
  // Parameters where the ray crosses the vertical and horizontal grid lines.
  auto add_lines = [&](double p0, double e, double origin, double h, int n) {
    if (std::abs(e) < 1e-15 * (L + 1)) return;  // parallel to these lines
    for (int i = 0; i <= n; ++i) {
      const double t = (origin + i * h - p0) / e;
      if (t > 0 && t < 1) ts.push_back(t);
    }
  };
  add_lines(r.a.x, ex, g.x0, g.dx, g.nx);
  add_lines(r.a.y, ey, g.y0, g.dy, g.ny);
  std::sort(ts.begin(), ts.end());
  std::vector<std::pair<int, double>> out;
  const double teps = 1e-13;
  for (std::size_t k = 0; k + 1 < ts.size(); ++k) {
    const double dt = ts[k + 1] - ts[k];
    if (dt <= teps) continue;
    const double tm = 0.5 * (ts[k] + ts[k + 1]);
    const double xm = r.a.x + tm * ex, ym = r.a.y + tm * ey;
    int ix = int(std::floor((xm - g.x0) / g.dx));
    int iy = int(std::floor((ym - g.y0) / g.dy));
    ix = std::clamp(ix, 0, g.nx - 1);
    iy = std::clamp(iy, 0, g.ny - 1);
    const int c = g.index(ix, iy);
    if (!out.empty() && out.back().first == c)
      out.back().second += dt * L;
    else
      out.emplace_back(c, dt * L);
  }
  return out;
}

SparseMatrix straight_ray_matrix(const Grid2D& g, const std::vector<Ray>& rays, bool reject_duplicates,
                                 double min_separation) {
  g.validate();
  HYSEIS_REQUIRE(!rays.empty(), InvalidInput, "no rays");
  std::map<std::tuple<double, double, double, double>, std::size_t> seen;
  std::vector<Eigen::Triplet<double>> trip;
  for (std::size_t k = 0; k < rays.size(); ++k) {
    const Ray& r = rays[k];
    check_station(g, r.a, "ray start of ray", k);
    check_station(g, r.b, "ray end of ray", k);
    HYSEIS_REQUIRE(r.length() > min_separation, InvalidInput,
                   "ray " << k << " is degenerate (length " << r.length() << ")");
    if (reject_duplicates) {
      auto key = std::make_tuple(r.a.x, r.a.y, r.b.x, r.b.y);
      if (std::tie(r.b.x, r.b.y) < std::tie(r.a.x, r.a.y)) key = std::make_tuple(r.b.x, r.b.y, r.a.x, r.a.y);
      auto [it, inserted] = seen.emplace(key, k);
      HYSEIS_REQUIRE(inserted, InvalidInput, "ray " << k << " duplicates ray " << it->second);
    }
    for (const auto& [c, len] : ray_cells(g, r)) trip.emplace_back(int(k), c, len);
  }
  SparseMatrix A(int(rays.size()), g.cells());
  A.setFromTriplets(trip.begin(), trip.end());
  A.makeCompressed();
  return A;
}

Eigen::VectorXd hit_count(const SparseMatrix& A) {
  Eigen::VectorXd h = Eigen::VectorXd::Zero(A.cols());
  for (int k = 0; k < A.outerSize(); ++k)
    for (SparseMatrix::InnerIterator it(A, k); it; ++it)
      if (it.value() > 0) h[it.col()] += 1;
  return h;
}

StraightRayOperator::StraightRayOperator(Grid2D grid, std::vector<Ray> rays)
    : grid_(grid), rays_(std::move(rays)), A_(straight_ray_matrix(grid_, rays_)) {}

Eigen::VectorXd StraightRayOperator::forward(const Eigen::VectorXd& s) const {
  HYSEIS_REQUIRE(s.size() == A_.cols(), InvalidInput,
                 "slowness has " << s.size() << " cells, grid has " << A_.cols());
  return A_ * s;
}

Eigen::VectorXd StraightRayOperator::vjp(const Eigen::VectorXd& s, const Eigen::VectorXd& r) const {
  HYSEIS_REQUIRE(s.size() == A_.cols() && r.size() == A_.rows(), InvalidInput,
                 "vjp: sizes (" << s.size() << ", " << r.size() << ") do not match the operator ("
                                << A_.cols() << ", " << A_.rows() << ")");
  return A_.transpose() * r;
}

}  // namespace hyseis::physics::traveltime
