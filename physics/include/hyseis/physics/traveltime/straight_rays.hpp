#pragma once
// Straight-ray travel-time forward model on a regular 2D grid of constant-slowness cells.
//
// Cell (ix, iy) covers [x0 + ix dx, x0 + (ix+1) dx) x [y0 + iy dy, y0 + (iy+1) dy); the linear
// index is iy * nx + ix (row-major, y slow), the layout of core::plot::Image. The ray matrix
// A (rays x cells) holds the exact length of each ray inside each cell (Siddon's parametric
// intersection), so travel times are t = A s. A ray running exactly along a grid line is
// assigned to one cell only (the one above / right of the line; the last row/column at the
// outer boundary), so its lengths still sum to its length.
#include <Eigen/Sparse>

#include <utility>
#include <vector>

namespace hyseis::physics::traveltime {

struct Grid2D {
  int nx = 0, ny = 0;
  double x0 = 0, y0 = 0;
  double dx = 1, dy = 1;
  int cells() const { return nx * ny; }
  int index(int ix, int iy) const { return iy * nx + ix; }
  double xmax() const { return x0 + nx * dx; }
  double ymax() const { return y0 + ny * dy; }
  double xc(int ix) const { return x0 + (ix + 0.5) * dx; }
  double yc(int iy) const { return y0 + (iy + 0.5) * dy; }
  /// Throws core::InvalidInput naming the field (nx, ny >= 1; dx, dy > 0; finite origin).
  void validate() const;
  bool contains(double x, double y) const;  // closed box
};

struct Point2 {
  double x = 0, y = 0;
};

/// A straight ray between two points (source/station a, receiver/station b).
struct Ray {
  Point2 a, b;
  int ia = -1, ib = -1;  // station indices when built from a station list (-1 otherwise)
  double length() const;
};

using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;

/// All station pairs (i < j), in the order (0,1), (0,2), ..., (1,2), ... (ambient-noise
/// cross-correlation geometry). Throws core::InvalidInput for fewer than 2 stations, a station
/// outside `grid`, or two stations closer than `min_separation` (degenerate ray).
std::vector<Ray> station_pair_rays(const Grid2D& grid, const std::vector<Point2>& stations,
                                   double min_separation = 1e-9);

/// Source-receiver rays: every source to every receiver (same checks).
std::vector<Ray> source_receiver_rays(const Grid2D& grid, const std::vector<Point2>& sources,
                                      const std::vector<Point2>& receivers,
                                      double min_separation = 1e-9);

/// Cells crossed by one ray and the length inside each (cells in order along the ray).
/// The ray must lie inside the grid (closed box).
std::vector<std::pair<int, double>> ray_cells(const Grid2D& grid, const Ray& ray);

/// The ray matrix (rays x cells). Throws core::InvalidInput for a ray outside the grid,
/// a degenerate ray (length <= min_separation) or duplicate rays (same end points, either
/// direction) when `reject_duplicates`.
SparseMatrix straight_ray_matrix(const Grid2D& grid, const std::vector<Ray>& rays,
                                 bool reject_duplicates = true, double min_separation = 1e-9);

/// Number of rays crossing each cell (ray density / hit count).
Eigen::VectorXd hit_count(const SparseMatrix& A);

/// The straight-ray operator in the differentiable-operator form used across hyseis:
///   forward(s) = A s,   vjp(s, r) = A^T r   (linear: independent of s).
class StraightRayOperator {
public:
  StraightRayOperator(Grid2D grid, std::vector<Ray> rays);
  const Grid2D& grid() const { return grid_; }
  const std::vector<Ray>& rays() const { return rays_; }
  const SparseMatrix& matrix() const { return A_; }
  Eigen::VectorXd forward(const Eigen::VectorXd& slowness) const;
  Eigen::VectorXd vjp(const Eigen::VectorXd& slowness, const Eigen::VectorXd& residual) const;

private:
  Grid2D grid_;
  std::vector<Ray> rays_;
  SparseMatrix A_;
};

}  // namespace hyseis::physics::traveltime
