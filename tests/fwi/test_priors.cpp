// FWI priors: gradients against central finite differences, Tikhonov-regularised least squares
// against the direct solve with explicitly assembled difference matrices, TV of a step in closed
// form, dictionary prior denoising a blocky model, and its state round trip.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/fwi/priors.hpp"
#include "hyseis/solvers/lbfgs.hpp"

using namespace hyseis::hybrid::fwi;

namespace {
Eigen::VectorXd random_model(const PriorGrid& g, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n(0, 150);
  Eigen::VectorXd m(g.size());
  for (int k = 0; k < g.nz; ++k)
    for (int i = 0; i < g.nx; ++i) m[k * g.nx + i] = 2000 + 40 * k + 300 * std::sin(0.3 * i) + n(rng);
  return m;
}

// Max relative error of the gradient over a few coordinates and one random direction.
double fd_error(const Prior& p, const Eigen::VectorXd& m, double h) {
  Eigen::VectorXd g;
  p.value_gradient(m, &g);
  double worst = 0;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> n;
  Eigen::VectorXd dir(m.size());
  for (auto& v : dir) v = n(rng);
  const double fd = (p.value_gradient(m + h * dir, nullptr) - p.value_gradient(m - h * dir, nullptr)) / (2 * h);
  worst = std::abs(fd - g.dot(dir)) / std::max(std::abs(g.dot(dir)), 1e-300);
  for (int c : {0, 7, int(m.size()) / 2, int(m.size()) - 1}) {
    Eigen::VectorXd e = Eigen::VectorXd::Zero(m.size());
    e[c] = h;
    const double fdc = (p.value_gradient(m + e, nullptr) - p.value_gradient(m - e, nullptr)) / (2 * h);
    worst = std::max(worst, std::abs(fdc - g[c]) / std::max(g.cwiseAbs().maxCoeff(), 1e-300));
  }
  return worst;
}
}  // namespace

TEST(FwiPriors, GradientsMatchFiniteDifferences) {
  const PriorGrid g{17, 11};
  const Eigen::VectorXd m = random_model(g, 1);
  TikhonovPrior tik(g, 2.0);
  TotalVariationPrior tv(g, 3.0, 0.01);
  DictionaryPriorOptions o;
  o.patch = 4;
  o.stride = 2;
  o.atoms = 12;
  o.lambda = 5;
  DictionaryPrior dict(g, o);
  dict.update_target(random_model(g, 2));
  EXPECT_LT(fd_error(tik, m, 1e-2), 1e-8);
  EXPECT_LT(fd_error(tv, m, 1e-3), 1e-6);
  EXPECT_LT(fd_error(dict, m, 1e-2), 1e-8);
  NoPrior none;
  Eigen::VectorXd gn;
  EXPECT_EQ(none.value_gradient(m, &gn), 0.0);
  EXPECT_EQ(gn.norm(), 0.0);
}

TEST(FwiPriors, TikhonovLeastSquaresMatchesDirectSolve) {
  // minimise 1/2 s^2 ||m - d||^2 + R_tik(m): (s^2 I + lambda s^2 / N (Dx^T Dx + Dz^T Dz)) m = s^2 d.
  const PriorGrid g{7, 5};
  const int N = g.size();
  const double lambda = 40, s = 1e-3;
  Eigen::MatrixXd Dx = Eigen::MatrixXd::Zero(N, N), Dz = Eigen::MatrixXd::Zero(N, N);
  for (int k = 0; k < g.nz; ++k)
    for (int i = 0; i < g.nx; ++i) {
      const int c = k * g.nx + i;
      if (i + 1 < g.nx) Dx(c, c + 1) = 1, Dx(c, c) = -1;
      if (k + 1 < g.nz) Dz(c, c + g.nx) = 1, Dz(c, c) = -1;
    }
  const Eigen::VectorXd d = random_model(g, 3);
  const Eigen::MatrixXd A = Eigen::MatrixXd::Identity(N, N) + lambda / N * (Dx.transpose() * Dx + Dz.transpose() * Dz);
  const Eigen::VectorXd direct = A.ldlt().solve(d);
  TikhonovPrior tik(g, lambda, s);
  auto fun = [&](const Eigen::VectorXd& m, Eigen::VectorXd& gr) {
    Eigen::VectorXd gp;
    const double r = tik.value_gradient(m, &gp);
    gr = s * s * (m - d) + gp;
    return 0.5 * s * s * (m - d).squaredNorm() + r;
  };
  const double inf = std::numeric_limits<double>::infinity();
  hyseis::solvers::LbfgsbOptions opt;
  opt.max_iterations = 1000;
  opt.pgtol = 1e-15;
  hyseis::solvers::Lbfgsb solver(Eigen::VectorXd::Constant(N, -inf), Eigen::VectorXd::Constant(N, inf), opt);
  const auto r = solver.minimize(fun, solver.start(fun, Eigen::VectorXd::Constant(N, 2000)));
  EXPECT_LT((r.state.x - direct).lpNorm<Eigen::Infinity>(), 1e-6) << hyseis::solvers::to_string(r.status);
}

TEST(FwiPriors, TotalVariationOfAStepIsJumpTimesLength) {
  const PriorGrid g{10, 6};
  Eigen::VectorXd m(g.size());
  for (int k = 0; k < g.nz; ++k)
    for (int i = 0; i < g.nx; ++i) m[k * g.nx + i] = i < 4 ? 2000 : 3500;
  const double lambda = 2, eps = 1e-4;
  TotalVariationPrior tv(g, lambda, eps);
  const double jump = 1.5;  // km/s, across one edge in each of nz rows
  const double expect = lambda / g.size() * g.nz * (std::sqrt(jump * jump + eps * eps) - eps);
  EXPECT_NEAR(tv.value_gradient(m, nullptr), expect, 1e-14);
  // A linear ramp has the same TV as the step (TV counts total rise), up to eps.
  Eigen::VectorXd ramp(g.size());
  for (int k = 0; k < g.nz; ++k)
    for (int i = 0; i < g.nx; ++i) ramp[k * g.nx + i] = 2000 + 1500.0 * i / (g.nx - 1);
  EXPECT_NEAR(tv.value_gradient(ramp, nullptr), lambda / g.size() * g.nz * jump, 1e-3 * expect);
  // Tikhonov penalises the step much more than the ramp: sum of squares of 1.5 vs 9 x (1/6)^2.
  TikhonovPrior tik(g, lambda);
  EXPECT_NEAR(tik.value_gradient(m, nullptr), 0.5 * lambda / g.size() * g.nz * jump * jump, 1e-14);
  EXPECT_NEAR(tik.value_gradient(ramp, nullptr),
              0.5 * lambda / g.size() * g.nz * (g.nx - 1) * std::pow(jump / (g.nx - 1), 2), 1e-14);
}

TEST(FwiPriors, DictionaryTargetDenoisesABlockyModel) {
  const PriorGrid g{48, 24};
  Eigen::VectorXd clean(g.size()), noisy(g.size());
  std::mt19937_64 rng(11);
  std::normal_distribution<double> n(0, 60);
  for (int k = 0; k < g.nz; ++k)
    for (int i = 0; i < g.nx; ++i) {
      const double fault = 8 + 0.3 * i;  // dipping interface
      double v = k < 6 ? 1800 : (k < fault ? 2500 : 3300);
      if (i > 30 && k > 14) v = 4000;   // block
      clean[k * g.nx + i] = v;
      noisy[k * g.nx + i] = v + n(rng);
    }
  DictionaryPriorOptions o;
  o.patch = 6;
  o.stride = 2;
  o.atoms = 32;
  o.sparsity = 2;
  o.ksvd_iterations_initial = 15;
  DictionaryPrior dict(g, o);
  dict.update_target(noisy);
  auto rmse = [&](const Eigen::VectorXd& a) { return std::sqrt((a - clean).squaredNorm() / g.size()); };
  const double before = rmse(noisy), after = rmse(dict.target());
  EXPECT_NEAR(before, 60, 5);
  EXPECT_LT(after, 0.7 * before) << "sparse approximation should remove much of the noise";
  // Value at the target is 0, gradient 0; exact resume of the state.
  Eigen::VectorXd gr;
  EXPECT_EQ(dict.value_gradient(dict.target(), &gr), 0.0);
  DictionaryPrior other(g, o);
  other.set_state(dict.state());
  EXPECT_EQ((other.target() - dict.target()).norm(), 0.0);
  EXPECT_EQ((other.approximate(noisy) - dict.approximate(noisy)).norm(), 0.0);
  // refresh follows update_every.
  o.update_every = 3;
  DictionaryPrior every3(g, o);
  every3.start_stage(noisy);
  EXPECT_FALSE(every3.refresh(noisy, 1));
  EXPECT_TRUE(every3.refresh(noisy, 3));
}

TEST(FwiPriors, BadInput) {
  const PriorGrid g{10, 10};
  EXPECT_THROW(TikhonovPrior(g, -1), hyseis::core::InvalidInput);
  EXPECT_THROW(TotalVariationPrior(g, 1, 0), hyseis::core::InvalidInput);
  DictionaryPriorOptions o;
  o.patch = 12;
  EXPECT_THROW(DictionaryPrior(g, o), hyseis::core::InvalidInput);
  o.patch = 4;
  o.stride = 5;
  EXPECT_THROW(DictionaryPrior(g, o), hyseis::core::InvalidInput);
  o.stride = 2;
  o.atoms = 20;
  EXPECT_THROW(DictionaryPrior(g, o), hyseis::core::InvalidInput);  // 16 patches < 20 atoms
  o.atoms = 8;
  DictionaryPrior d(g, o);
  EXPECT_THROW(d.value_gradient(Eigen::VectorXd::Zero(100), nullptr), hyseis::core::InvalidInput);
  EXPECT_THROW(d.value_gradient(Eigen::VectorXd::Zero(99), nullptr), hyseis::core::InvalidInput);
}
