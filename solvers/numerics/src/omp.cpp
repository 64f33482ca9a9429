#include "hyseis/solvers/omp.hpp"

#include <cmath>

#include "hyseis/core/error.hpp"

namespace hyseis::solvers {

Eigen::MatrixXd SparseCodes::dense() const {
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(atoms, signals);
  for (int j = 0; j < signals; ++j)
    for (int k = 0; k < count[j]; ++k) X(index[j * sparsity + k], j) = coef[j * sparsity + k];
  return X;
}

Eigen::MatrixXd SparseCodes::reconstruct(const Eigen::MatrixXd& D) const {
  Eigen::MatrixXd R = Eigen::MatrixXd::Zero(D.rows(), signals);
  for (int j = 0; j < signals; ++j)
    for (int k = 0; k < count[j]; ++k) R.col(j) += coef[j * sparsity + k] * D.col(index[j * sparsity + k]);
  return R;
}

void OmpOptions::validate(int atoms) const {
  HYSEIS_REQUIRE(sparsity >= 1, core::InvalidInput, "omp: sparsity must be >= 1, got " << sparsity);
  HYSEIS_REQUIRE(sparsity <= atoms, core::InvalidInput,
                 "omp: sparsity " << sparsity << " exceeds the number of atoms " << atoms);
  HYSEIS_REQUIRE(tolerance >= 0 && std::isfinite(tolerance), core::InvalidInput,
                 "omp: tolerance must be >= 0, got " << tolerance);
}

Eigen::VectorXd normalize_columns(Eigen::MatrixXd& D) {
  Eigen::VectorXd nrm = D.colwise().norm().transpose();
  for (Eigen::Index k = 0; k < D.cols(); ++k)
    if (nrm[k] > 0) D.col(k) /= nrm[k];
  return nrm;
}

SparseCodes omp(const Eigen::MatrixXd& D, const Eigen::MatrixXd& Y, const OmpOptions& opt) {
  HYSEIS_REQUIRE(D.rows() == Y.rows(), core::InvalidInput,
                 "omp: dictionary has " << D.rows() << " rows, signals have " << Y.rows());
  HYSEIS_REQUIRE(D.allFinite() && Y.allFinite(), core::InvalidInput, "omp: NaN/Inf in the dictionary or the signals");
  for (Eigen::Index k = 0; k < D.cols(); ++k) {
    const double nk = D.col(k).norm();
    HYSEIS_REQUIRE(std::abs(nk - 1) <= opt.unit_norm_tol, core::InvalidInput,
                   "omp: atom " << k << " has norm " << nk << " (atoms must have unit norm)");
  }
  Eigen::MatrixXd G = D.transpose() * D;
  Eigen::MatrixXd DtY = D.transpose() * Y;
  Eigen::VectorXd y2 = Y.colwise().squaredNorm().transpose();
  return omp_gram(G, DtY, y2, opt);
}

SparseCodes omp_gram(const Eigen::MatrixXd& G, const Eigen::MatrixXd& DtY, const Eigen::VectorXd& y2,
                     const OmpOptions& opt) {
  const int K = int(G.rows()), N = int(DtY.cols()), T = opt.sparsity;
  opt.validate(K);
  HYSEIS_REQUIRE(G.cols() == K && DtY.rows() == K && y2.size() == N, core::InvalidInput,
                 "omp_gram: inconsistent sizes");
  SparseCodes c;
  c.atoms = K;
  c.signals = N;
  c.sparsity = T;
  c.index.assign(std::size_t(N) * T, -1);
  c.coef.assign(std::size_t(N) * T, 0.0);
  c.count.assign(N, 0);
  Eigen::MatrixXd L(T, T);          // lower Cholesky factor of G_II
  Eigen::VectorXd alpha(K), a0I(T), gamma(T), beta(K), w(T);
  std::vector<int> I(T);
  std::vector<char> used(K);
  for (int j = 0; j < N; ++j) {
    alpha = DtY.col(j);
    std::fill(used.begin(), used.end(), 0);
    double err = y2[j], delta_prev = 0;
    int s = 0;
    while (s < T) {
      if (opt.tolerance > 0 && err <= opt.tolerance) break;
      int best = -1;
      double bv = 0;
      for (int k = 0; k < K; ++k) {
        const double a = std::abs(alpha[k]);
        if (!used[k] && a > bv) {
          bv = a;
          best = k;
        }
      }
      if (best < 0 || bv <= 1e-14 * std::sqrt(std::max(y2[j], 1e-300))) break;
      // Cholesky update: L_new = [L 0; w^T sqrt(1 - w^T w)] with L w = G_{I,best}.
      if (s == 0) {
        L(0, 0) = 1;
      } else {
        for (int p = 0; p < s; ++p) w[p] = G(I[p], best);
        L.topLeftCorner(s, s).triangularView<Eigen::Lower>().solveInPlace(w.head(s));
        const double d2 = G(best, best) - w.head(s).squaredNorm();
        if (d2 <= 1e-10) break;  // atom (numerically) in the span of the chosen ones
        L.row(s).head(s) = w.head(s).transpose();
        L(s, s) = std::sqrt(d2);
      }
      I[s] = best;
      used[best] = 1;
      ++s;
      for (int p = 0; p < s; ++p) a0I[p] = DtY(I[p], j);
      gamma.head(s) = a0I.head(s);
      L.topLeftCorner(s, s).triangularView<Eigen::Lower>().solveInPlace(gamma.head(s));
      L.topLeftCorner(s, s).transpose().triangularView<Eigen::Upper>().solveInPlace(gamma.head(s));
      beta.setZero();
      for (int p = 0; p < s; ++p) beta.noalias() += gamma[p] * G.col(I[p]);
      alpha = DtY.col(j) - beta;
      if (opt.tolerance > 0) {
        double delta = 0;
        for (int p = 0; p < s; ++p) delta += gamma[p] * beta[I[p]];
        err = err - delta + delta_prev;
        delta_prev = delta;
      }
    }
    c.count[j] = s;
    for (int p = 0; p < s; ++p) {
      c.index[std::size_t(j) * T + p] = I[p];
      c.coef[std::size_t(j) * T + p] = gamma[p];
    }
  }
  return c;
}

}  // namespace hyseis::solvers
