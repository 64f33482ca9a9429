#pragma once
// LSQR (Paige & Saunders 1982, ACM TOMS 8:43-71): iterative solution of
//     min_x || A x - b ||^2 + damp^2 || x ||^2
// by Golub-Kahan bidiagonalisation, needing only products with A and A^T. Matrix-free: the
// operator is given as two callbacks, so physics operators (ray matrices, adjoint-state
// Jacobians) plug in directly. Deterministic, no allocation inside the loop.
#include <Eigen/Core>
#include <Eigen/Sparse>

#include <functional>
#include <string>

namespace hyseis::solvers {

struct LsqrOptions {
  double damp = 0;        // Tikhonov damping (>= 0)
  double atol = 1e-10;    // stop when ||A^T r|| <= atol ||A|| ||r||   (least-squares problems)
  double btol = 1e-10;    // stop when ||r|| <= btol ||b|| + atol ||A|| ||x||  (compatible systems)
  double conlim = 1e12;   // stop when the condition estimate exceeds conlim
  int max_iter = 0;       // 0: 4 * min(rows, cols) + 20
  /// Throws core::InvalidInput naming the field.
  void validate() const;
};

struct LsqrResult {
  Eigen::VectorXd x;
  int iterations = 0;
  int istop = 0;          // 0 x = 0 is the solution, 1 compatible, 2 least squares, 3 conlim,
                          // 4 max_iter
  double rnorm = 0;       // || [A; damp I] x - [b; 0] ||
  double arnorm = 0;      // || A^T r - damp^2 x ||
  double anorm = 0;       // Frobenius-norm estimate of [A; damp I]
  double acond = 0;       // condition estimate
  double xnorm = 0;
  std::string reason() const;
};

/// y = A x  (apply) and  x = A^T y  (apply_transpose); y is pre-sized to rows, x to cols.
struct LinearOperator {
  Eigen::Index rows = 0, cols = 0;
  std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd& y)> apply;
  std::function<void(const Eigen::VectorXd& y, Eigen::VectorXd& x)> apply_transpose;
};

LinearOperator make_operator(const Eigen::SparseMatrix<double, Eigen::RowMajor>& A);
LinearOperator make_operator(const Eigen::MatrixXd& A);

LsqrResult lsqr(const LinearOperator& A, const Eigen::VectorXd& b, const LsqrOptions& opt = {});
inline LsqrResult lsqr(const Eigen::SparseMatrix<double, Eigen::RowMajor>& A, const Eigen::VectorXd& b,
                       const LsqrOptions& opt = {}) {
  return lsqr(make_operator(A), b, opt);
}

}  // namespace hyseis::solvers
