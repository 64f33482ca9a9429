#pragma once
// Internal interface between the sem_elastic_2d benchmark case (hyseis kernels) and its deal.II
// MatrixFree baseline, which lives in its own translation unit (deal.II headers stay there).
#include <algorithm>
#include <ctime>
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

/// CPU time of the calling thread in seconds (both codes run serially on this thread; unlike wall
/// time it does not count the time other processes on a shared machine hold the core).
inline double thread_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/// Thread-CPU seconds per call of `step` (which must include any fence): calibrated to about
/// target_seconds in total, split in 5 repetitions, the fastest repetition counts (robust against
/// other processes on the machine). `steps` returns the number of timed calls.
template <class Step>
double time_per_step(Step&& step, double target_seconds, long& steps) {
  double t0 = thread_seconds();
  long calib = 0;
  while (calib < 3 || thread_seconds() - t0 < 0.05 * target_seconds) {
    step();
    ++calib;
  }
  const double per = (thread_seconds() - t0) / calib;
  const int reps = 5;
  const long n = std::max<long>(2, static_cast<long>(target_seconds / reps / per));
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    t0 = thread_seconds();
    for (long s = 0; s < n; ++s) step();
    best = std::min(best, (thread_seconds() - t0) / n);
  }
  steps = reps * n;
  return best;
}

struct RunResult {
  double ku_norm = 0;         ///< ||K u0||_2 (DOF-order independent)
  double u_norm_after = 0;    ///< ||u||_2 after `check_steps` steps from u0, v0 = 0
  double seconds_per_step = 0;
  long timed_steps = 0;
  std::size_t n_points = 0;   ///< unique GLL points (scalar nodes)
  std::size_t bytes = 0;      ///< operator data + the six state vectors, bytes
  std::size_t op_bytes = 0;   ///< operator data only (connectivity, geometry, material), bytes
};

/// One explicit step = predict, r = K u, correct (three passes; `fused`: r = K u, then the
/// corrector of this step fused with the predictor of the next, two passes). The check steps
/// always use the three-pass step; the timed loop runs at least 5 steps and ~`target_seconds`.
RunResult run_hyseis_elastic(const ElasticProblem& p, int check_steps, double target_seconds, bool fused);
RunResult run_dealii_elastic(const ElasticProblem& p, int check_steps, double target_seconds, bool fused);

}  // namespace hyseis::bench::detail
