#pragma once
// 2D eikonal solver |grad T| = s (slowness) by fast sweeping (Zhao 2005): Gauss-Seidel
// sweeps in the four alternating orderings with the Godunov upwind update, first order, or the
// second-order one-sided stencil of Zhang, Zhao & Qian (2006) started from the converged
// first-order solution. Point source: the nodes within `source_box` cells of the source get
// T = s(nearest node) * distance (or caller-supplied values, e.g. an analytic solution).
//
// Differentiable-operator form: forward(s) = travel times at receivers (bilinear interpolation),
// vjp(s, r) = (dT_rec/ds)^T r by the adjoint-state method on the *discrete* first-order system
// (upwind dependency graph solved in reverse causal order), so it is the exact gradient of the
// first-order forward; for order 2 it is the gradient of the first-order scheme.
#include <Eigen/Core>

#include <utility>
#include <vector>

#include "hyseis/physics/traveltime/straight_rays.hpp"

namespace hyseis::physics::traveltime {

/// Node grid: node (i, j) at (x0 + i h, y0 + j h), index j * nx + i.
struct NodeGrid {
  int nx = 0, ny = 0;
  double x0 = 0, y0 = 0, h = 1;
  int nodes() const { return nx * ny; }
  void validate() const;  // throws core::InvalidInput
};

struct EikonalOptions {
  int order = 1;            // 1 or 2
  int max_sweeps = 400;     // iterations of 4 sweeps each (per phase)
  double tolerance = 1e-12; // stop when the max change in one iteration is below (relative to max T)
  int source_box = 1;       // nodes within this many cells of the source are initialised
  void validate() const;
};

class Eikonal2D {
public:
  Eikonal2D(NodeGrid grid, EikonalOptions opt = {});
  const NodeGrid& grid() const { return grid_; }

  /// Travel times at all nodes. `fixed` (node, time) pairs replace the default source
  /// initialisation when non-empty. Returns the number of sweep iterations in `iterations`.
  Eigen::VectorXd solve(const Eigen::VectorXd& slowness, const Point2& source,
                        const std::vector<std::pair<int, double>>& fixed = {}, int* iterations = nullptr) const;

  /// Travel times at the receivers (bilinear interpolation of the node times).
  Eigen::VectorXd forward(const Eigen::VectorXd& slowness, const Point2& source,
                          const std::vector<Point2>& receivers) const;
  /// Gradient of r . T_rec(s) with respect to the node slowness (adjoint state).
  Eigen::VectorXd vjp(const Eigen::VectorXd& slowness, const Point2& source, const std::vector<Point2>& receivers,
                      const Eigen::VectorXd& residual) const;

private:
  std::vector<std::pair<int, double>> source_nodes(const Eigen::VectorXd& s, const Point2& src) const;
  void check(const Eigen::VectorXd& s, const Point2& src) const;
  NodeGrid grid_;
  EikonalOptions opt_;
};

/// Analytic travel time in a medium whose velocity grows linearly, v(x) = v0 + g . (x - x_ref):
///   T = acosh(1 + |g|^2 |x - xs|^2 / (2 v(xs) v(x))) / |g|   (straight line if g = 0).
double constant_gradient_time(double v_source, double v_receiver, double gradient_norm, double distance);

}  // namespace hyseis::physics::traveltime
