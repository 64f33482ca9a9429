#include "hyseis/solvers/lbfgs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hyseis/core/error.hpp"

namespace hyseis::solvers {

void LbfgsbOptions::validate() const {
  HYSEIS_REQUIRE(memory >= 1 && memory <= 1000, core::InvalidInput, "lbfgs: memory must be in 1..1000, got " << memory);
  HYSEIS_REQUIRE(max_iterations >= 0, core::InvalidInput, "lbfgs: max_iterations must be >= 0, got " << max_iterations);
  HYSEIS_REQUIRE(max_evaluations >= 0, core::InvalidInput, "lbfgs: max_evaluations must be >= 0, got " << max_evaluations);
  HYSEIS_REQUIRE(pgtol >= 0 && std::isfinite(pgtol), core::InvalidInput, "lbfgs: pgtol must be >= 0, got " << pgtol);
  HYSEIS_REQUIRE(ftol >= 0 && std::isfinite(ftol), core::InvalidInput, "lbfgs: ftol must be >= 0, got " << ftol);
  HYSEIS_REQUIRE(c1 > 0 && c1 < 0.5, core::InvalidInput, "lbfgs: c1 must be in (0, 0.5), got " << c1);
  HYSEIS_REQUIRE(max_backtracks >= 1, core::InvalidInput, "lbfgs: max_backtracks must be >= 1, got " << max_backtracks);
  HYSEIS_REQUIRE(active_eps >= 0 && std::isfinite(active_eps), core::InvalidInput,
                 "lbfgs: active_eps must be >= 0, got " << active_eps);
}

std::string to_string(LbfgsbStatus s) {
  switch (s) {
    case LbfgsbStatus::running: return "running";
    case LbfgsbStatus::converged_pgtol: return "converged (projected gradient <= pgtol)";
    case LbfgsbStatus::converged_ftol: return "converged (relative reduction <= ftol)";
    case LbfgsbStatus::max_iterations: return "maximum iterations reached";
    case LbfgsbStatus::max_evaluations: return "maximum evaluations reached";
    case LbfgsbStatus::line_search_failed: return "line search failed (no Armijo step along a descent direction)";
    case LbfgsbStatus::stopped_by_callback: return "stopped by callback";
  }
  return "unknown";
}

// Layout: [magic, n, pairs, iteration, evaluations, f, last_step, x(n), g(n), s_0(n), y_0(n), ...]
std::vector<double> LbfgsbState::pack() const {
  const auto n = std::size_t(x.size());
  std::vector<double> v;
  v.reserve(7 + n * (2 + 2 * s.size()));
  v.insert(v.end(), {20260101.0, double(n), double(s.size()), double(iteration), double(evaluations), f, last_step});
  v.insert(v.end(), x.data(), x.data() + n);
  v.insert(v.end(), g.data(), g.data() + n);
  for (std::size_t k = 0; k < s.size(); ++k) {
    v.insert(v.end(), s[k].data(), s[k].data() + n);
    v.insert(v.end(), y[k].data(), y[k].data() + n);
  }
  return v;
}

LbfgsbState LbfgsbState::unpack(const std::vector<double>& v) {
  HYSEIS_REQUIRE(v.size() >= 7 && v[0] == 20260101.0, core::IoError,
                 "lbfgs: packed state is malformed (missing header, " << v.size() << " values)");
  const auto n = std::size_t(v[1]), pairs = std::size_t(v[2]);
  HYSEIS_REQUIRE(v.size() == 7 + n * (2 + 2 * pairs), core::IoError,
                 "lbfgs: packed state has " << v.size() << " values, expected " << 7 + n * (2 + 2 * pairs) << " for n = "
                                            << n << " and " << pairs << " pairs");
  LbfgsbState st;
  st.iteration = int(v[3]);
  st.evaluations = int(v[4]);
  st.f = v[5];
  st.last_step = v[6];
  std::size_t o = 7;
  auto take = [&]() {
    Eigen::VectorXd r = Eigen::Map<const Eigen::VectorXd>(v.data() + o, Eigen::Index(n));
    o += n;
    return r;
  };
  st.x = take();
  st.g = take();
  for (std::size_t k = 0; k < pairs; ++k) {
    st.s.push_back(take());
    st.y.push_back(take());
  }
  return st;
}

Lbfgsb::Lbfgsb(Eigen::VectorXd lower, Eigen::VectorXd upper, LbfgsbOptions opt)
    : lo_(std::move(lower)), hi_(std::move(upper)), opt_(opt) {
  opt_.validate();
  HYSEIS_REQUIRE(lo_.size() == hi_.size(), core::InvalidInput,
                 "lbfgs: lower bounds have " << lo_.size() << " entries, upper bounds " << hi_.size());
  for (Eigen::Index i = 0; i < lo_.size(); ++i)
    HYSEIS_REQUIRE(!std::isnan(lo_[i]) && !std::isnan(hi_[i]) && lo_[i] <= hi_[i], core::InvalidInput,
                   "lbfgs: bounds of variable " << i << " are [" << lo_[i] << ", " << hi_[i] << "]: need lower <= upper");
  if (opt_.max_evaluations == 0) opt_.max_evaluations = 20 * std::max(1, opt_.max_iterations);
}

Eigen::VectorXd Lbfgsb::project(const Eigen::VectorXd& x) const { return x.cwiseMax(lo_).cwiseMin(hi_); }

double Lbfgsb::projected_gradient_norm(const LbfgsbState& st) const {
  return (project(st.x - st.g) - st.x).lpNorm<Eigen::Infinity>();
}

namespace {
double evaluate(const LbfgsbObjective& fun, const Eigen::VectorXd& x, Eigen::VectorXd& g, int& evals) {
  g.resize(x.size());
  const double f = fun(x, g);
  ++evals;
  HYSEIS_REQUIRE(std::isfinite(f), core::NumericalError, "lbfgs: objective is " << f << " at evaluation " << evals);
  for (Eigen::Index i = 0; i < g.size(); ++i)
    HYSEIS_REQUIRE(std::isfinite(g[i]), core::NumericalError,
                   "lbfgs: gradient entry " << i << " is " << g[i] << " at evaluation " << evals);
  return f;
}
}  // namespace

LbfgsbState Lbfgsb::start(const LbfgsbObjective& fun, const Eigen::VectorXd& x0) const {
  HYSEIS_REQUIRE(x0.size() == lo_.size(), core::InvalidInput,
                 "lbfgs: start point has " << x0.size() << " entries, bounds " << lo_.size());
  LbfgsbState st;
  st.x = project(x0);
  st.f = evaluate(fun, st.x, st.g, st.evaluations);
  return st;
}

LbfgsbStatus Lbfgsb::iterate(const LbfgsbObjective& fun, LbfgsbState& st) const {
  const Eigen::Index n = st.x.size();
  const Eigen::VectorXd pg = project(st.x - st.g) - st.x;
  if (pg.lpNorm<Eigen::Infinity>() <= opt_.pgtol) return LbfgsbStatus::converged_pgtol;
  if (st.iteration >= opt_.max_iterations) return LbfgsbStatus::max_iterations;
  if (st.evaluations >= opt_.max_evaluations) return LbfgsbStatus::max_evaluations;

  const double eps = std::min(opt_.active_eps, pg.norm());
  std::vector<char> active(std::size_t(n), 0);
  for (Eigen::Index i = 0; i < n; ++i)
    active[std::size_t(i)] = (st.x[i] <= lo_[i] + eps && st.g[i] > 0) || (st.x[i] >= hi_[i] - eps && st.g[i] < 0);

  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool memory = !st.s.empty();
    Eigen::VectorXd d(n);
    double alpha = 1.0;
    if (memory) {
      const double gamma = st.s.back().dot(st.y.back()) / st.y.back().squaredNorm();
      Eigen::VectorXd q = st.g;
      for (Eigen::Index i = 0; i < n; ++i)
        if (active[std::size_t(i)]) q[i] = 0;
      const std::size_t m = st.s.size();
      std::vector<double> a(m), rho(m);
      for (std::size_t k = m; k-- > 0;) {
        rho[k] = 1.0 / st.s[k].dot(st.y[k]);
        a[k] = rho[k] * st.s[k].dot(q);
        q -= a[k] * st.y[k];
      }
      q *= gamma;
      for (std::size_t k = 0; k < m; ++k) {
        const double b = rho[k] * st.y[k].dot(q);
        q += (a[k] - b) * st.s[k];
      }
      for (Eigen::Index i = 0; i < n; ++i) d[i] = active[std::size_t(i)] ? -gamma * st.g[i] : -q[i];
    } else {
      d = -st.g;
      alpha = std::min(1.0, 1.0 / st.g.norm());
    }
    Eigen::VectorXd xn, gn;
    double fn = 0;
    bool accepted = false;
    for (int bt = 0; bt <= opt_.max_backtracks; ++bt) {
      if (st.evaluations >= opt_.max_evaluations) return LbfgsbStatus::max_evaluations;
      xn = project(st.x + alpha * d);
      const double slope = st.g.dot(xn - st.x);  // g^T (x(a) - x) < 0 for a descent step
      if (!(slope < 0)) break;                    // no descent possible along d
      fn = evaluate(fun, xn, gn, st.evaluations);
      // Armijo, or (when f has reached its round-off level) the approximate Armijo condition of
      // Hager & Zhang (2005): f(x(a)) <= f + 1e-12 |f| and g(x(a))^T (x(a) - x) <= (1 - 2 c1) |slope|,
      // which for a quadratic is equivalent to Armijo but computed from gradients only.
      if (fn <= st.f + opt_.c1 * slope ||
          (fn <= st.f + 1e-12 * std::abs(st.f) && gn.dot(xn - st.x) <= -(1 - 2 * opt_.c1) * slope)) {
        accepted = true;
        break;
      }
      // Quadratic model phi(t) = f + (slope/alpha) t + c t^2 through phi(alpha) = fn.
      const double dphi0 = slope / alpha;
      const double curv = (fn - st.f - dphi0 * alpha) / (alpha * alpha);
      double next = curv > 0 ? -dphi0 / (2 * curv) : 0.5 * alpha;
      alpha = std::clamp(next, 0.1 * alpha, 0.5 * alpha);
    }
    if (accepted) {
      const double fold = st.f;
      Eigen::VectorXd s = xn - st.x, y = gn - st.g;
      const double sy = s.dot(y);
      if (sy > 1e-10 * y.squaredNorm()) {
        st.s.push_back(std::move(s));
        st.y.push_back(std::move(y));
        if (int(st.s.size()) > opt_.memory) {
          st.s.erase(st.s.begin());
          st.y.erase(st.y.begin());
        }
      }
      st.x = std::move(xn);
      st.g = std::move(gn);
      st.f = fn;
      st.last_step = alpha;
      ++st.iteration;
      if (opt_.ftol > 0 && fold - fn <= opt_.ftol * std::max({std::abs(fold), std::abs(fn), 1.0})) return LbfgsbStatus::converged_ftol;
      return LbfgsbStatus::running;
    }
    if (!memory) break;
    st.s.clear();  // retry once with steepest descent
    st.y.clear();
  }
  return LbfgsbStatus::line_search_failed;
}

LbfgsbResult Lbfgsb::minimize(const LbfgsbObjective& fun, LbfgsbState st, const LbfgsbCallback& cb) const {
  LbfgsbResult r;
  for (;;) {
    const LbfgsbStatus s = iterate(fun, st);
    if (s != LbfgsbStatus::running && s != LbfgsbStatus::converged_ftol) {
      r.status = s;
      break;
    }
    if (cb && !cb(st)) {
      r.status = s == LbfgsbStatus::converged_ftol ? s : LbfgsbStatus::stopped_by_callback;
      break;
    }
    if (s == LbfgsbStatus::converged_ftol) {
      r.status = s;
      break;
    }
  }
  r.state = std::move(st);
  return r;
}

}  // namespace hyseis::solvers
