#pragma once
// Sequential thresholded ridge regression (STRidge) and its tolerance search (TrainSTRidge),
// Rudy, Brunton, Proctor & Kutz (2017), Science Advances 3:e1602614, Algorithms 1 and 2.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hyseis/learning/sindy/library.hpp"

namespace hyseis::learning::sindy {

struct StridgeOptions {
  double lambda = 1e-5;       // ridge parameter (on the normalised columns)
  int max_iter = 10;          // thresholding iterations
  bool normalize = true;      // scale each column to unit 2-norm before thresholding
  void validate() const;
};

struct TrainOptions {
  StridgeOptions stridge;
  double train_fraction = 0.8;   // random split of the rows: train / test
  std::uint64_t seed = 0;
  double d_tol = 0;              // initial tolerance step (0: automatic, 1 % of the largest |xi| of least squares, normalised)
  int max_tol_iter = 25;
  double l0_penalty = -1;        // < 0: 1e-3 * cond(Theta), as the paper
  void validate() const;
};

/// Result of a sparse regression: coefficients of every column (zeros off the support).
template <class S>
struct SparseModel {
  std::vector<std::string> names;
  std::vector<S> coef;
  double tolerance = 0;          // threshold finally chosen (normalised units)
  double test_error = 0;         // ||lhs - theta xi|| on the test rows (+ l0 term)
  std::vector<std::size_t> support() const;
  /// Coefficient of the named term (0 if not in the support). Throws if the name is unknown.
  S coefficient(const std::string& name) const;
  /// "u_t = -1.0004 u u_x + 0.10015 u_xx"
  std::string equation() const;
};

/// Algorithm 1: ridge, threshold |xi_j| < tol (normalised units), refit, repeat; final
/// unregularised least squares on the support.
template <class S>
std::vector<S> stridge(const Mat<S>& theta, const Vec<S>& lhs, double tol, const StridgeOptions& o);

/// Algorithm 2: tolerance search (STRidge on the training rows) minimising
/// ||lhs_test - theta_test xi||_2 + l0_penalty * ||xi||_0 on the test rows; the final
/// coefficients are least squares on all rows over the support of the best model.
template <class S>
SparseModel<S> train_stridge(const LinearSystem<S>& sys, const TrainOptions& o);

/// Least squares on a given support (names), for reference fits. Throws if a name is unknown.
template <class S>
SparseModel<S> fit_support(const LinearSystem<S>& sys, const std::vector<std::string>& support);

/// max_j |xi_j - true_j| / |true_j| over the true terms (the paper's coefficient error),
/// and whether the recovered support equals the true one exactly.
template <class S>
struct Comparison {
  bool support_ok = false;
  double max_rel_error = 0;
  double mean_rel_error = 0;
  std::string detail;        // per-term values
};
template <class S>
Comparison<S> compare_to_truth(const SparseModel<S>& m, const std::vector<std::string>& names,
                               const std::vector<S>& values);

}  // namespace hyseis::learning::sindy
