#pragma once
// ITKrM, iterative thresholding and K residual means (Schnass 2015/2018), the dictionary learner
// of the reference LST code: per iteration, each signal y selects the S atoms with the largest
// |<d_k, y>| (thresholding, no OMP), and every atom becomes the normalised signed sum of the
// residuals of its signals with its own contribution added back:
//     d_k <- sum_{n : k in I_n} sign(<d_k, y_n>) [ y_n - P(D_In) y_n + P(d_k) y_n ].
// For S = 1 this is a signed mean of the signals assigned to each atom (K-means up to sign).
#include <Eigen/Core>

#include <cstdint>

namespace hyseis::learning::sparse {

struct ItkmOptions {
  int atoms = 64;          // K
  int sparsity = 1;        // S (thresholding)
  int iterations = 10;
  std::uint64_t seed = 1;  // initial atoms: K distinct training signals
  void validate(int signal_dim, int signals) const;  // throws core::InvalidInput
};

/// Learns an n x K unit-norm dictionary for the columns of Y; `initial` (n x K) warm-starts it.
Eigen::MatrixXd itkm(const Eigen::MatrixXd& Y, const ItkmOptions& opt, const Eigen::MatrixXd& initial = {});

}  // namespace hyseis::learning::sparse
