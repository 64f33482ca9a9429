// L-BFGS-B (solvers/lbfgs): analytic minimisers with and without active bounds, KKT solutions
// found independently by enumerating active sets, exact resume from a packed state.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/solvers/lbfgs.hpp"

using namespace hyseis::solvers;

namespace {
const double inf = std::numeric_limits<double>::infinity();

double rosenbrock(const Eigen::VectorXd& x, Eigen::VectorXd& g) {
  // Extended Rosenbrock: sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.
  double f = 0;
  g.setZero(x.size());
  for (Eigen::Index i = 0; i + 1 < x.size(); ++i) {
    const double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * a * x[i] - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
}

// Unique minimiser of 1/2 (x-c)^T A (x-c) on the box, by enumerating all 3^n active sets and
// keeping the one that satisfies the KKT conditions (independent of the optimiser).
Eigen::VectorXd kkt_by_enumeration(const Eigen::MatrixXd& A, const Eigen::VectorXd& c, const Eigen::VectorXd& lo,
                                   const Eigen::VectorXd& hi) {
  const int n = int(c.size());
  int total = 1;
  for (int i = 0; i < n; ++i) total *= 3;
  for (int code = 0; code < total; ++code) {
    std::vector<int> st(n);
    int r = code;
    for (int i = 0; i < n; ++i) st[i] = r % 3, r /= 3;  // 0 free, 1 lower, 2 upper
    Eigen::VectorXd x = c;
    std::vector<int> F;
    for (int i = 0; i < n; ++i) {
      if (st[i] == 1) x[i] = lo[i];
      else if (st[i] == 2) x[i] = hi[i];
      else F.push_back(i);
    }
    if (!F.empty()) {
      Eigen::MatrixXd AFF(F.size(), F.size());
      Eigen::VectorXd rhs = Eigen::VectorXd::Zero(Eigen::Index(F.size()));
      for (std::size_t a = 0; a < F.size(); ++a) {
        for (std::size_t b = 0; b < F.size(); ++b) AFF(a, b) = A(F[a], F[b]);
        for (int j = 0; j < n; ++j)
          if (st[j] != 0) rhs[a] -= A(F[a], j) * (x[j] - c[j]);
      }
      const Eigen::VectorXd z = AFF.ldlt().solve(rhs);
      for (std::size_t a = 0; a < F.size(); ++a) x[F[a]] = c[F[a]] + z[a];
    }
    const Eigen::VectorXd g = A * (x - c);
    bool ok = true;
    for (int i = 0; i < n && ok; ++i) {
      if (x[i] < lo[i] - 1e-12 || x[i] > hi[i] + 1e-12) ok = false;
      if (st[i] == 1 && g[i] < -1e-12) ok = false;
      if (st[i] == 2 && g[i] > 1e-12) ok = false;
    }
    if (ok) return x;
  }
  ADD_FAILURE() << "no KKT point found";
  return c;
}
}  // namespace

TEST(Lbfgsb, RosenbrockUnboundedReachesOneOne) {
  Eigen::VectorXd lo = Eigen::VectorXd::Constant(2, -inf), hi = Eigen::VectorXd::Constant(2, inf);
  LbfgsbOptions opt;
  opt.max_iterations = 200;
  opt.pgtol = 1e-10;
  Lbfgsb solver(lo, hi, opt);
  Eigen::VectorXd x0(2);
  x0 << -1.2, 1.0;
  const auto r = solver.minimize(rosenbrock, solver.start(rosenbrock, x0));
  EXPECT_EQ(r.status, LbfgsbStatus::converged_pgtol) << to_string(r.status);
  EXPECT_NEAR(r.state.x[0], 1.0, 1e-8);
  EXPECT_NEAR(r.state.x[1], 1.0, 1e-8);
  EXPECT_LT(r.state.f, 1e-16);
  EXPECT_LT(r.state.iteration, 60);
}

TEST(Lbfgsb, ExtendedRosenbrock10D) {
  const int n = 10;
  Lbfgsb solver(Eigen::VectorXd::Constant(n, -inf), Eigen::VectorXd::Constant(n, inf),
                LbfgsbOptions{10, 500, 0, 1e-9});
  Eigen::VectorXd x0 = Eigen::VectorXd::Constant(n, -1.2);
  const auto r = solver.minimize(rosenbrock, solver.start(rosenbrock, x0));
  EXPECT_EQ(r.status, LbfgsbStatus::converged_pgtol) << to_string(r.status);
  EXPECT_LT((r.state.x - Eigen::VectorXd::Ones(n)).norm(), 1e-7);
}

TEST(Lbfgsb, RosenbrockWithActiveBound) {
  // x0 <= 0.5: on the boundary, min over x1 of 100 (x1 - 0.25)^2 + 0.25 -> (0.5, 0.25), with
  // df/dx0 = -400 * 0 * 0.5 - 2 * 0.5 = -1 < 0 (the bound is active, multiplier 1).
  Eigen::VectorXd lo(2), hi(2);
  lo << -inf, -inf;
  hi << 0.5, inf;
  Lbfgsb solver(lo, hi, LbfgsbOptions{5, 200, 0, 1e-10});
  Eigen::VectorXd x0(2);
  x0 << -1.2, 1.0;
  const auto r = solver.minimize(rosenbrock, solver.start(rosenbrock, x0));
  EXPECT_EQ(r.status, LbfgsbStatus::converged_pgtol) << to_string(r.status);
  EXPECT_EQ(r.state.x[0], 0.5);
  EXPECT_NEAR(r.state.x[1], 0.25, 1e-9);
  EXPECT_NEAR(r.state.g[0], -1.0, 1e-7);
}

TEST(Lbfgsb, DiagonalQuadraticIsClippedCentre) {
  const int n = 50;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-2, 2), w(0.1, 10);
  Eigen::VectorXd c(n), d(n), lo(n), hi(n);
  for (int i = 0; i < n; ++i) c[i] = u(rng), d[i] = w(rng), lo[i] = -1, hi[i] = 1;
  auto fun = [&](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    g = d.cwiseProduct(x - c);
    return 0.5 * (x - c).dot(g);
  };
  Lbfgsb solver(lo, hi, LbfgsbOptions{7, 200, 0, 1e-12});
  const auto r = solver.minimize(fun, solver.start(fun, Eigen::VectorXd::Zero(n)));
  EXPECT_EQ(r.status, LbfgsbStatus::converged_pgtol) << to_string(r.status);
  const Eigen::VectorXd expect = c.cwiseMax(lo).cwiseMin(hi);
  EXPECT_LT((r.state.x - expect).lpNorm<Eigen::Infinity>(), 1e-10);
}

TEST(Lbfgsb, CoupledQuadraticMatchesEnumeratedKkt) {
  for (int trial = 0; trial < 5; ++trial) {
    const int n = 6;
    std::mt19937_64 rng(100 + trial);
    std::normal_distribution<double> nd;
    Eigen::MatrixXd B(n, n);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) B(i, j) = nd(rng);
    const Eigen::MatrixXd A = B * B.transpose() + 0.5 * Eigen::MatrixXd::Identity(n, n);
    Eigen::VectorXd c(n), lo(n), hi(n);
    for (int i = 0; i < n; ++i) {
      c[i] = 2 * nd(rng);
      lo[i] = -0.5 - 0.2 * std::abs(nd(rng));
      hi[i] = 0.5 + 0.2 * std::abs(nd(rng));
    }
    auto fun = [&](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
      g = A * (x - c);
      return 0.5 * (x - c).dot(g);
    };
    Lbfgsb solver(lo, hi, LbfgsbOptions{10, 500, 0, 1e-11});
    const auto r = solver.minimize(fun, solver.start(fun, Eigen::VectorXd::Zero(n)));
    EXPECT_EQ(r.status, LbfgsbStatus::converged_pgtol) << to_string(r.status);
    const Eigen::VectorXd x = kkt_by_enumeration(A, c, lo, hi);
    int n_active = 0;
    for (int i = 0; i < n; ++i) n_active += (x[i] == lo[i] || x[i] == hi[i]);
    EXPECT_GT(n_active, 0) << "trial " << trial << " should exercise active bounds";
    EXPECT_LT((r.state.x - x).lpNorm<Eigen::Infinity>(), 1e-8) << "trial " << trial;
  }
}

TEST(Lbfgsb, ResumeFromPackedStateGivesIdenticalSequence) {
  Eigen::VectorXd lo(3), hi(3);
  lo << -2, -2, -2;
  hi << 2, 0.8, 2;
  LbfgsbOptions opt{4, 40, 0, 0};
  Lbfgsb solver(lo, hi, opt);
  Eigen::VectorXd x0(3);
  x0 << -1.2, 1.0, -0.5;
  std::vector<Eigen::VectorXd> full;
  std::vector<double> packed_at_10;
  solver.minimize(rosenbrock, solver.start(rosenbrock, x0), [&](LbfgsbState& s) {
    full.push_back(s.x);
    if (s.iteration == 10) packed_at_10 = s.pack();
    return true;
  });
  ASSERT_GT(full.size(), 20u);
  ASSERT_FALSE(packed_at_10.empty());
  std::vector<Eigen::VectorXd> resumed;
  const auto st = LbfgsbState::unpack(packed_at_10);
  EXPECT_EQ(st.iteration, 10);
  EXPECT_EQ(st.s.size(), 4u);
  solver.minimize(rosenbrock, st, [&](LbfgsbState& s) {
    resumed.push_back(s.x);
    return true;
  });
  ASSERT_EQ(resumed.size(), full.size() - 10);
  for (std::size_t k = 0; k < resumed.size(); ++k)
    for (int i = 0; i < 3; ++i) EXPECT_EQ(resumed[k][i], full[k + 10][i]) << "iteration " << k + 11;
}

TEST(Lbfgsb, BadInput) {
  Eigen::VectorXd lo(2), hi(2);
  lo << 0, 1;
  hi << 1, 0;
  EXPECT_THROW(Lbfgsb(lo, hi), hyseis::core::InvalidInput);
  LbfgsbOptions o;
  o.memory = 0;
  EXPECT_THROW(o.validate(), hyseis::core::InvalidInput);
  Lbfgsb s(Eigen::VectorXd::Zero(2), Eigen::VectorXd::Ones(2));
  auto nanf = [](const Eigen::VectorXd&, Eigen::VectorXd& g) {
    g.setZero();
    return std::nan("");
  };
  EXPECT_THROW(s.start(nanf, Eigen::VectorXd::Zero(2)), hyseis::core::NumericalError);
  EXPECT_THROW(LbfgsbState::unpack({1, 2, 3}), hyseis::core::IoError);
}
