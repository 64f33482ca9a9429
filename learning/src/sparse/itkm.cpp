#include "hyseis/learning/sparse/itkm.hpp"

#include <Eigen/QR>

#include <algorithm>
#include <numeric>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/sparse/ksvd.hpp"
#include "hyseis/solvers/omp.hpp"

namespace hyseis::learning::sparse {

void ItkmOptions::validate(int n, int N) const {
  HYSEIS_REQUIRE(atoms >= 1, core::InvalidInput, "itkm: atoms must be >= 1, got " << atoms);
  HYSEIS_REQUIRE(sparsity >= 1 && sparsity <= std::min(atoms, n), core::InvalidInput,
                 "itkm: sparsity must be in [1, min(atoms, n)], got " << sparsity);
  HYSEIS_REQUIRE(iterations >= 0, core::InvalidInput, "itkm: iterations must be >= 0");
  HYSEIS_REQUIRE(N >= atoms, core::InvalidInput,
                 "itkm: need at least as many training signals (" << N << ") as atoms (" << atoms << ")");
}

Eigen::MatrixXd itkm(const Eigen::MatrixXd& Y, const ItkmOptions& opt, const Eigen::MatrixXd& initial) {
  const int n = int(Y.rows()), N = int(Y.cols()), K = opt.atoms, S = opt.sparsity;
  opt.validate(n, N);
  HYSEIS_REQUIRE(Y.allFinite(), core::InvalidInput, "itkm: NaN/Inf in the training signals");
  Eigen::MatrixXd D;
  if (initial.size() > 0) {
    HYSEIS_REQUIRE(initial.rows() == n && initial.cols() == K, core::InvalidInput, "itkm: initial dictionary shape");
    D = initial;
  } else {
    D = initial_dictionary(Y, K, opt.seed);
  }
  solvers::normalize_columns(D);
  std::vector<int> idx(K);
  for (int it = 0; it < opt.iterations; ++it) {
    const Eigen::MatrixXd C = D.transpose() * Y;  // K x N
    Eigen::MatrixXd Dn = Eigen::MatrixXd::Zero(n, K);
    for (int j = 0; j < N; ++j) {
      std::iota(idx.begin(), idx.end(), 0);
      std::partial_sort(idx.begin(), idx.begin() + S, idx.end(),
                        [&](int a, int b) { return std::abs(C(a, j)) > std::abs(C(b, j)); });
      if (S == 1) {
        const int k = idx[0];
        Dn.col(k) += (C(k, j) >= 0 ? 1.0 : -1.0) * Y.col(j);
        continue;
      }
      Eigen::MatrixXd DI(n, S);
      for (int p = 0; p < S; ++p) DI.col(p) = D.col(idx[p]);
      const Eigen::VectorXd coef = DI.colPivHouseholderQr().solve(Y.col(j));
      const Eigen::VectorXd resid = Y.col(j) - DI * coef;
      for (int p = 0; p < S; ++p) {
        const int k = idx[p];
        Dn.col(k) += (C(k, j) >= 0 ? 1.0 : -1.0) * (resid + C(k, j) * D.col(k));
      }
    }
    // Atoms chosen by no signal keep their previous value.
    for (int k = 0; k < K; ++k)
      if (Dn.col(k).norm() > 0) D.col(k) = Dn.col(k).normalized();
  }
  return D;
}

}  // namespace hyseis::learning::sparse
