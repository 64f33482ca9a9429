#pragma once
// Limited-memory BFGS with simple bounds l <= x <= u (host code, Eigen only).
//
// Variant: projected L-BFGS with an epsilon-active set (Bertsekas 1982, "Projected Newton methods
// for optimization problems with simple constraints"; the L-BFGS two-loop recursion of Nocedal
// 1980 as the reduced inverse-Hessian model), the same family as L-BFGS-B (Byrd, Lu, Nocedal &
// Zhu 1995) but with the generalised Cauchy point replaced by the epsilon-active-set rule.
// One iteration (all rules documented in docs/theory/fwi.md, "L-BFGS-B"):
//   1. projected gradient pg = P(x - g) - x; stop if ||pg||_inf <= pgtol.
//   2. eps = min(active_eps, ||pg||_2); active set A = { i : x_i <= l_i + eps and g_i > 0, or
//      x_i >= u_i - eps and g_i < 0 }, free set F = the rest.
//   3. direction: d_F = -[H (g masked to F)]_F with H the L-BFGS inverse Hessian (two-loop, initial
//      scaling gamma = s^T y / y^T y of the newest pair), d_A = -gamma g_A (moves to the bound).
//      Without memory: d = -g and the first trial step is min(1, 1/||g||_2).
//   4. projected backtracking line search x(a) = P(x + a d), accepting the first a with the
//      Armijo condition f(x(a)) <= f(x) + c1 g^T (x(a) - x) (or, once f is at its round-off level,
//      Hager & Zhang's approximate Armijo condition on gradients); trial a = 1, then safeguarded
//      quadratic interpolation clamped to [0.1 a, 0.5 a]; at most max_backtracks reductions. If
//      it fails with memory, the memory is dropped and the steepest-descent step is tried once.
//   5. memory update with s = x+ - x, y = g+ - g only if s^T y > 1e-10 * y^T y (curvature
//      condition; otherwise the pair is skipped), the oldest pair dropped beyond `memory`.
//   6. stop when (ftol > 0 and) (f - f+) <= ftol * max(|f|, |f+|, 1), iterations or evaluations are exhausted,
//      or the callback returns false.
// The whole state (iterate, value, gradient, memory pairs, counters) is LbfgsbState; pack() /
// unpack() turn it into a flat vector of doubles, so a run resumed from a saved state produces
// bit-for-bit the same iterates as an uninterrupted one (the method has no other state).
#include <Eigen/Core>

#include <functional>
#include <string>
#include <vector>

namespace hyseis::solvers {

struct LbfgsbOptions {
  int memory = 7;              // pairs (s, y) kept
  int max_iterations = 100;
  int max_evaluations = 0;     // function+gradient evaluations; 0 = 20 * max_iterations
  double pgtol = 1e-8;         // ||P(x - g) - x||_inf
  double ftol = 0;             // relative reduction stop (0 = off)
  double c1 = 1e-4;            // Armijo constant, 0 < c1 < 0.5
  int max_backtracks = 30;
  double active_eps = 1e-3;    // upper limit of the epsilon of the active set (in x's units)
  void validate() const;       // throws core::InvalidInput naming the field
};

enum class LbfgsbStatus {
  running,
  converged_pgtol,
  converged_ftol,
  max_iterations,
  max_evaluations,
  line_search_failed,
  stopped_by_callback
};
std::string to_string(LbfgsbStatus s);

struct LbfgsbState {
  Eigen::VectorXd x, g;
  double f = 0;
  std::vector<Eigen::VectorXd> s, y;  // memory, oldest first
  int iteration = 0;                  // completed iterations
  int evaluations = 0;                // objective evaluations so far
  double last_step = 0;               // accepted line-search step of the last iteration
  std::vector<double> pack() const;
  static LbfgsbState unpack(const std::vector<double>& v);  // throws core::IoError if malformed
};

/// f(x), writing the gradient into g (sized by the caller to x.size()).
using LbfgsbObjective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& g)>;
/// Called after every completed iteration; return false to stop. It may replace f and g (not x)
/// when the objective itself changed between iterations (e.g. a prior refreshed from the iterate:
/// the memory pairs are kept, which is exact when the change does not alter the Hessian).
using LbfgsbCallback = std::function<bool(LbfgsbState&)>;

struct LbfgsbResult {
  LbfgsbState state;
  LbfgsbStatus status = LbfgsbStatus::running;
};

class Lbfgsb {
 public:
  /// Bounds may be +-infinity; lower <= upper is checked (core::InvalidInput).
  Lbfgsb(Eigen::VectorXd lower, Eigen::VectorXd upper, LbfgsbOptions opt = {});
  /// Projects x0 onto the box and evaluates the objective there.
  LbfgsbState start(const LbfgsbObjective& fun, const Eigen::VectorXd& x0) const;
  /// One iteration; returns running or the reason to stop (the state is then unchanged except
  /// for the evaluations spent, and the memory, dropped, after a failed line search).
  LbfgsbStatus iterate(const LbfgsbObjective& fun, LbfgsbState& st) const;
  /// Iterates from `st` until a stopping rule fires.
  LbfgsbResult minimize(const LbfgsbObjective& fun, LbfgsbState st, const LbfgsbCallback& cb = {}) const;
  /// Projected-gradient infinity norm ||P(x - g) - x||_inf.
  double projected_gradient_norm(const LbfgsbState& st) const;
  Eigen::VectorXd project(const Eigen::VectorXd& x) const;
  const LbfgsbOptions& options() const { return opt_; }

 private:
  Eigen::VectorXd lo_, hi_;
  LbfgsbOptions opt_;
};

}  // namespace hyseis::solvers
