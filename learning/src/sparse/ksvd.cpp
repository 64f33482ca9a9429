#include "hyseis/learning/sparse/ksvd.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::sparse {

void KsvdOptions::validate(int n, int N) const {
  HYSEIS_REQUIRE(atoms >= 1, core::InvalidInput, "ksvd: atoms must be >= 1, got " << atoms);
  HYSEIS_REQUIRE(sparsity >= 1 && sparsity <= atoms, core::InvalidInput,
                 "ksvd: sparsity must be in [1, atoms=" << atoms << "], got " << sparsity);
  HYSEIS_REQUIRE(sparsity <= n, core::InvalidInput,
                 "ksvd: sparsity " << sparsity << " exceeds the signal dimension " << n);
  HYSEIS_REQUIRE(iterations >= 0, core::InvalidInput, "ksvd: iterations must be >= 0, got " << iterations);
  HYSEIS_REQUIRE(N >= atoms, core::InvalidInput,
                 "ksvd: need at least as many training signals (" << N << ") as atoms (" << atoms << ")");
}

namespace {

double rms(const Eigen::MatrixXd& R) { return std::sqrt(R.squaredNorm() / double(std::max<Eigen::Index>(1, R.size()))); }

}  // namespace

KsvdResult ksvd(const Eigen::MatrixXd& Y, const KsvdOptions& opt, const Eigen::MatrixXd& initial) {
  const int n = int(Y.rows()), N = int(Y.cols()), K = opt.atoms;
  opt.validate(n, N);
  HYSEIS_REQUIRE(Y.allFinite(), core::InvalidInput, "ksvd: NaN/Inf in the training signals");
  Eigen::MatrixXd D(n, K);
  if (initial.size() > 0) {
    HYSEIS_REQUIRE(initial.rows() == n && initial.cols() == K, core::InvalidInput,
                   "ksvd: initial dictionary is " << initial.rows() << " x " << initial.cols() << ", expected "
                                                  << n << " x " << K);
    D = initial;
  } else {
    D = initial_dictionary(Y, K, opt.seed);
  }
  solvers::normalize_columns(D);
  for (int k = 0; k < K; ++k)
    if (D.col(k).norm() == 0) D(k % n, k) = 1;

  solvers::OmpOptions oo;
  oo.sparsity = opt.sparsity;
  KsvdResult res;
  const int T = opt.sparsity;
  Eigen::MatrixXd R;  // residual Y - D X
  std::vector<std::vector<std::pair<int, int>>> users(K);  // (signal, slot)
  for (int it = 0; it <= opt.iterations; ++it) {
    res.codes = solvers::omp(D, Y, oo);
    R = Y - res.codes.reconstruct(D);
    res.rmse.push_back(rms(R));
    if (it == opt.iterations) break;
    for (auto& u : users) u.clear();
    for (int j = 0; j < N; ++j)
      for (int s = 0; s < res.codes.count[j]; ++s) users[res.codes.index[std::size_t(j) * T + s]].emplace_back(j, s);
    for (int k = 0; k < K; ++k) {
      const auto& w = users[k];
      if (w.empty()) {
        if (!opt.replace_unused) continue;
        // Replace by the worst-represented signal.
        Eigen::Index jmax = 0;
        R.colwise().squaredNorm().maxCoeff(&jmax);
        const double nr = R.col(jmax).norm();
        if (nr <= 0) continue;
        D.col(k) = R.col(jmax) / nr;
        ++res.replaced_atoms;
        continue;
      }
      // E = residual of the users with atom k's contribution added back.
      Eigen::MatrixXd E(n, Eigen::Index(w.size()));
      for (std::size_t q = 0; q < w.size(); ++q) {
        const auto [j, s] = w[q];
        E.col(q) = R.col(j) + res.codes.coef[std::size_t(j) * T + s] * D.col(k);
      }
      Eigen::VectorXd d;
      if (opt.exact_update) {
        Eigen::MatrixXd C = E * E.transpose();
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(C);
        d = es.eigenvectors().col(n - 1);
        if (d.dot(D.col(k)) < 0) d = -d;  // keep the sign of the previous atom
      } else {
        Eigen::VectorXd g = E.transpose() * D.col(k);
        d = E * g;
      }
      const double dn = d.norm();
      if (!(dn > 0)) continue;
      d /= dn;
      Eigen::VectorXd x = E.transpose() * d;
      D.col(k) = d;
      for (std::size_t q = 0; q < w.size(); ++q) {
        const auto [j, s] = w[q];
        res.codes.coef[std::size_t(j) * T + s] = x[Eigen::Index(q)];
        R.col(j) = E.col(q) - x[Eigen::Index(q)] * d;
      }
    }
  }
  res.dictionary = D;
  return res;
}

Eigen::MatrixXd initial_dictionary(const Eigen::MatrixXd& Y, int K, std::uint64_t seed) {
  const int n = int(Y.rows()), N = int(Y.cols());
  std::mt19937_64 rng(seed);
  Eigen::MatrixXd D(n, K);
  std::vector<int> perm(N);
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), rng);
  int k = 0;
  for (int p = 0; p < N && k < K; ++p)
    if (Y.col(perm[p]).norm() > 0) D.col(k++) = Y.col(perm[p]);
  std::normal_distribution<double> g;
  for (; k < K; ++k)
    for (int i = 0; i < n; ++i) D(i, k) = g(rng);
  solvers::normalize_columns(D);
  return D;
}

std::vector<double> match_atoms(const Eigen::MatrixXd& ref, const Eigen::MatrixXd& learned) {
  Eigen::MatrixXd A = ref;
  Eigen::MatrixXd B = learned;
  solvers::normalize_columns(A);
  solvers::normalize_columns(B);
  Eigen::MatrixXd C = (A.transpose() * B).cwiseAbs();
  std::vector<double> best(A.cols(), 0.0);
  std::vector<char> ru(A.cols(), 0), lu(B.cols(), 0);
  for (Eigen::Index step = 0; step < std::min(A.cols(), B.cols()); ++step) {
    double bv = -1;
    Eigen::Index bi = -1, bj = -1;
    for (Eigen::Index i = 0; i < C.rows(); ++i) {
      if (ru[i]) continue;
      for (Eigen::Index j = 0; j < C.cols(); ++j)
        if (!lu[j] && C(i, j) > bv) {
          bv = C(i, j);
          bi = i;
          bj = j;
        }
    }
    if (bi < 0) break;
    ru[bi] = lu[bj] = 1;
    best[bi] = bv;
  }
  return best;
}

}  // namespace hyseis::learning::sparse
