#pragma once
// Internal interface between the sem_elastic_2d benchmark case (hyseis kernels) and its deal.II
// MatrixFree baseline, which lives in its own translation unit (deal.II headers stay there).
#include <cmath>
#include <cstddef>

namespace hyseis::bench::detail {

/// Homogeneous elastic unit square [0,1]^2, cells_1d x cells_1d structured cells, free surface
/// everywhere, lumped GLL mass, central-difference (Newmark beta=0, gamma=1/2) stepping.
struct ElasticProblem {
  int cells_1d = 8;
  int degree = 4;
  double lambda = 2.0, mu = 1.0, rho = 1.0;
  /// Stable time step: 0.3 * smallest GLL spacing / P-wave speed.
  double dt() const {
    const double h = 1.0 / cells_1d;
    const double vp = std::sqrt((lambda + 2.0 * mu) / rho);
    // smallest GLL spacing for degree p is about h * (1 - cos(pi/p)) / 2
    const double hmin = 0.5 * h * (1.0 - std::cos(M_PI / degree));
    return 0.3 * hmin / vp;
  }
  std::size_t n_points() const {
    const std::size_t n = static_cast<std::size_t>(degree) * cells_1d + 1;
    return n * n;
  }
};

/// Initial displacement (same on both sides; smooth, non-decaying so no denormals appear).
inline void initial_displacement(double x, double z, double& ux, double& uz) {
  ux = 1e-2 * std::sin(2.0 * M_PI * x) * std::cos(M_PI * z) + 3e-3 * z;
  uz = 1e-2 * std::cos(3.0 * M_PI * x) * std::sin(M_PI * z) - 2e-3 * x * z;
}

struct RunResult {
  double ku_norm = 0;         ///< ||K u0||_2 (DOF-order independent)
  double u_norm_after = 0;    ///< ||u||_2 after `check_steps` steps from u0, v0 = 0
  double seconds_per_step = 0;
  long timed_steps = 0;
  std::size_t n_points = 0;   ///< unique GLL points (scalar nodes)
  std::size_t bytes = 0;      ///< operator data + the state vectors, bytes
};

/// One explicit step = predict, r = K u, correct. The timed loop runs at least `min_steps` and
/// about `target_seconds`.
RunResult run_hyseis_elastic(const ElasticProblem& p, int check_steps, double target_seconds);
RunResult run_dealii_elastic(const ElasticProblem& p, int check_steps, double target_seconds);

}  // namespace hyseis::bench::detail
