#pragma once
// Orthogonal matching pursuit (Pati et al. 1993) for many signals at once: "Batch-OMP" with the
// Gram matrix G = D^T D precomputed and the Cholesky factor of G_II updated one atom at a time
// (Rubinstein, Zibulevsky & Elad 2008), so the cost per signal is O(K T + T^3) after one GEMM
// D^T Y. Columns of D must have unit norm (checked).
#include <Eigen/Core>

#include <vector>

namespace hyseis::solvers {

/// T-sparse codes of N signals: signal j uses atoms index[j*T + k] with coefficient
/// coef[j*T + k] for k < count[j] (unused slots hold -1 / 0).
struct SparseCodes {
  int atoms = 0, signals = 0, sparsity = 0;
  std::vector<int> index;
  std::vector<double> coef;
  std::vector<int> count;
  /// Dense K x N coefficient matrix.
  Eigen::MatrixXd dense() const;
  /// D X for all signals (n x N).
  Eigen::MatrixXd reconstruct(const Eigen::MatrixXd& D) const;
};

struct OmpOptions {
  int sparsity = 1;            // T: maximum number of atoms per signal (>= 1)
  double tolerance = 0;        // stop a signal early when ||y - D x||^2 <= tolerance (0: never)
  double unit_norm_tol = 1e-6; // |‖d_k‖ - 1| allowed
  void validate(int atoms) const;
};

/// Codes of the columns of Y (n x N) in the dictionary D (n x K).
SparseCodes omp(const Eigen::MatrixXd& D, const Eigen::MatrixXd& Y, const OmpOptions& opt);
/// Same with a precomputed Gram matrix D^T D and correlations D^T Y.
SparseCodes omp_gram(const Eigen::MatrixXd& G, const Eigen::MatrixXd& DtY, const Eigen::VectorXd& y_sqnorm,
                     const OmpOptions& opt);

/// Scales each column of D to unit norm (zero columns are left as they are); returns the norms.
Eigen::VectorXd normalize_columns(Eigen::MatrixXd& D);

}  // namespace hyseis::solvers
