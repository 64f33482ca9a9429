// LSQR (solvers), OMP (solvers) and K-SVD (learning/sparse) on small synthetic problems.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <algorithm>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/sparse/itkm.hpp"
#include "hyseis/learning/sparse/ksvd.hpp"
#include "hyseis/solvers/lsqr.hpp"
#include "hyseis/solvers/omp.hpp"

namespace {
Eigen::MatrixXd randn(int r, int c, std::mt19937_64& rng) {
  std::normal_distribution<double> n;
  Eigen::MatrixXd M(r, c);
  for (int j = 0; j < c; ++j)
    for (int i = 0; i < r; ++i) M(i, j) = n(rng);
  return M;
}
}  // namespace

TEST(Lsqr, OverdeterminedMatchesDenseLeastSquares) {
  std::mt19937_64 rng(1);
  Eigen::MatrixXd A = randn(40, 12, rng);
  Eigen::VectorXd b = randn(40, 1, rng);
  Eigen::VectorXd xr = A.colPivHouseholderQr().solve(b);
  auto r = hyseis::solvers::lsqr(hyseis::solvers::make_operator(A), b);
  EXPECT_LT((r.x - xr).norm() / xr.norm(), 1e-8) << r.reason();
  EXPECT_NEAR(r.rnorm, (A * xr - b).norm(), 1e-8);
}

TEST(Lsqr, DampedUnderdeterminedMatchesRidge) {
  std::mt19937_64 rng(2);
  Eigen::MatrixXd A = randn(15, 30, rng);
  Eigen::VectorXd b = randn(15, 1, rng);
  for (double damp : {0.0, 0.3, 2.0}) {
    hyseis::solvers::LsqrOptions o;
    o.damp = damp;
    Eigen::VectorXd xr;
    if (damp == 0)
      xr = A.transpose() * (A * A.transpose()).ldlt().solve(b);  // minimum-norm solution
    else
      xr = (A.transpose() * A + damp * damp * Eigen::MatrixXd::Identity(30, 30)).ldlt().solve(A.transpose() * b);
    auto r = hyseis::solvers::lsqr(hyseis::solvers::make_operator(A), b, o);
    EXPECT_LT((r.x - xr).norm() / xr.norm(), 1e-7) << "damp " << damp << ": " << r.reason();
  }
}

TEST(Lsqr, SparseOperatorAndBadInput) {
  Eigen::SparseMatrix<double, Eigen::RowMajor> A(3, 2);
  A.insert(0, 0) = 1;
  A.insert(1, 1) = 2;
  A.insert(2, 0) = 1;
  Eigen::VectorXd b(3);
  b << 1, 4, 3;
  auto r = hyseis::solvers::lsqr(A, b);
  EXPECT_NEAR(r.x[0], 2, 1e-10);
  EXPECT_NEAR(r.x[1], 2, 1e-10);
  hyseis::solvers::LsqrOptions o;
  o.damp = -1;
  EXPECT_THROW(hyseis::solvers::lsqr(A, b, o), hyseis::core::InvalidInput);
  b[0] = NAN;
  EXPECT_THROW(hyseis::solvers::lsqr(A, b), hyseis::core::InvalidInput);
}

TEST(Omp, ExactRecoveryOfSparseVectors) {
  std::mt19937_64 rng(3);
  const int n = 64, K = 128, T = 5, N = 50;
  Eigen::MatrixXd D = randn(n, K, rng);
  hyseis::solvers::normalize_columns(D);
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(K, N);
  std::uniform_int_distribution<int> pick(0, K - 1);
  std::uniform_real_distribution<double> amp(1, 2);
  for (int j = 0; j < N; ++j) {
    std::vector<int> s;
    while (int(s.size()) < T) {
      int k = pick(rng);
      if (std::find(s.begin(), s.end(), k) == s.end()) s.push_back(k);
    }
    for (int k : s) X(k, j) = (rng() % 2 ? 1 : -1) * amp(rng);
  }
  Eigen::MatrixXd Y = D * X;
  hyseis::solvers::OmpOptions o;
  o.sparsity = T;
  auto c = hyseis::solvers::omp(D, Y, o);
  EXPECT_LT((c.dense() - X).norm() / X.norm(), 1e-10);
  // Error-bounded variant stops as soon as the residual is below the tolerance.
  o.sparsity = 10;
  o.tolerance = 1e-12;
  auto c2 = hyseis::solvers::omp(D, Y, o);
  for (int j = 0; j < N; ++j) EXPECT_LE(c2.count[j], T);
  EXPECT_LT((c2.reconstruct(D) - Y).norm() / Y.norm(), 1e-6);
}

TEST(Omp, RejectsNonUnitAtomsAndBadSparsity) {
  Eigen::MatrixXd D = Eigen::MatrixXd::Identity(4, 4) * 2;
  Eigen::MatrixXd Y = Eigen::MatrixXd::Ones(4, 2);
  hyseis::solvers::OmpOptions o;
  EXPECT_THROW(hyseis::solvers::omp(D, Y, o), hyseis::core::InvalidInput);
  D = Eigen::MatrixXd::Identity(4, 4);
  o.sparsity = 5;
  EXPECT_THROW(hyseis::solvers::omp(D, Y, o), hyseis::core::InvalidInput);
}

TEST(Ksvd, RecoversPlantedDictionary) {
  std::mt19937_64 rng(4);
  const int n = 16, K = 24, T = 3, N = 1500;
  Eigen::MatrixXd D0 = randn(n, K, rng);
  hyseis::solvers::normalize_columns(D0);
  Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(n, N);
  std::uniform_int_distribution<int> pick(0, K - 1);
  std::normal_distribution<double> g;
  for (int j = 0; j < N; ++j) {
    std::vector<int> s;
    while (int(s.size()) < T) {
      int k = pick(rng);
      if (std::find(s.begin(), s.end(), k) == s.end()) s.push_back(k);
    }
    for (int k : s) Y.col(j) += g(rng) * D0.col(k);
  }
  hyseis::learning::sparse::KsvdOptions o;
  o.atoms = K;
  o.sparsity = T;
  o.iterations = 40;
  o.seed = 7;
  auto r = hyseis::learning::sparse::ksvd(Y, o);
  auto best = hyseis::learning::sparse::match_atoms(D0, r.dictionary);
  int recovered = 0;
  for (double b : best) recovered += b > 0.99;
  std::cout << "K-SVD: " << recovered << " of " << K << " planted atoms recovered (|cos| > 0.99), rmse "
            << r.rmse.front() << " -> " << r.rmse.back() << "\n";
  EXPECT_GE(recovered, int(0.9 * K)) << "final rmse " << r.rmse.back();
  EXPECT_LT(r.rmse.back(), 0.35 * r.rmse.front());
  // Deterministic for a seed.
  auto r2 = hyseis::learning::sparse::ksvd(Y, o);
  EXPECT_EQ((r.dictionary - r2.dictionary).norm(), 0.0);
  // Approximate (power-step) update also converges.
  o.exact_update = false;
  auto r3 = hyseis::learning::sparse::ksvd(Y, o);
  EXPECT_LT(r3.rmse.back(), 0.5 * r3.rmse.front());
}

TEST(Ksvd, BadOptions) {
  Eigen::MatrixXd Y = Eigen::MatrixXd::Ones(4, 3);
  hyseis::learning::sparse::KsvdOptions o;
  o.atoms = 5;  // more atoms than signals
  EXPECT_THROW(hyseis::learning::sparse::ksvd(Y, o), hyseis::core::InvalidInput);
}

TEST(Itkm, RecoversPlantedDictionary) {
  std::mt19937_64 rng(4);
  const int n = 16, K = 24, S = 2, N = 3000;
  Eigen::MatrixXd D0 = randn(n, K, rng);
  hyseis::solvers::normalize_columns(D0);
  Eigen::MatrixXd Y = Eigen::MatrixXd::Zero(n, N);
  std::uniform_int_distribution<int> pick(0, K - 1);
  std::uniform_real_distribution<double> amp(0.8, 1.2);
  for (int j = 0; j < N; ++j) {
    const int a = pick(rng);
    int b = pick(rng);
    while (b == a) b = pick(rng);
    Y.col(j) = (rng() % 2 ? 1 : -1) * amp(rng) * D0.col(a) + (rng() % 2 ? 0.6 : -0.6) * amp(rng) * D0.col(b);
  }
  hyseis::learning::sparse::ItkmOptions o;
  o.atoms = K;
  o.sparsity = S;
  o.iterations = 60;
  o.seed = 3;
  const Eigen::MatrixXd D = hyseis::learning::sparse::itkm(Y, o);
  auto best = hyseis::learning::sparse::match_atoms(D0, D);
  int recovered = 0;
  for (double b : best) recovered += b > 0.99;
  std::cout << "ITKrM: " << recovered << " of " << K << " planted atoms recovered (|cos| > 0.99)\n";
  EXPECT_GE(recovered, int(0.8 * K));
  EXPECT_NEAR(D.colwise().norm().minCoeff(), 1.0, 1e-12);
}
