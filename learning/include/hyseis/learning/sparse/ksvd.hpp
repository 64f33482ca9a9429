#pragma once
// K-SVD dictionary learning (Aharon, Elad & Bruckstein 2006): alternate T-sparse coding of all
// training signals by OMP (solvers/omp) with a rank-1 update of each atom and its coefficients
// from the residual of the signals that use it. Deterministic for a given seed.
#include <Eigen/Core>

#include <cstdint>
#include <vector>

#include "hyseis/solvers/omp.hpp"

namespace hyseis::learning::sparse {

struct KsvdOptions {
  int atoms = 64;          // K
  int sparsity = 1;        // T (OMP)
  int iterations = 10;     // K-SVD sweeps
  std::uint64_t seed = 1;  // initial atoms: K distinct training signals drawn with this seed
  /// Exact rank-1 update (top eigenvector of E E^T, n x n) when true; one power step from
  /// the current atom (approximate K-SVD, Rubinstein et al. 2008) when false.
  bool exact_update = true;
  /// Atoms used by no signal are replaced by the worst-represented signal (normalised).
  bool replace_unused = true;
  void validate(int signal_dim, int signals) const;  // throws core::InvalidInput
};

struct KsvdResult {
  Eigen::MatrixXd dictionary;     // n x K, unit-norm columns
  solvers::SparseCodes codes;     // codes of the training signals in the final dictionary
  std::vector<double> rmse;       // RMS representation error after each sweep's coding step
  int replaced_atoms = 0;
};

/// Learns a dictionary for the columns of Y (n x N). `initial` (n x K) replaces the random
/// initialisation when non-empty (warm start); its columns are normalised.
KsvdResult ksvd(const Eigen::MatrixXd& Y, const KsvdOptions& opt, const Eigen::MatrixXd& initial = {});

/// K distinct non-zero training signals (columns of Y) in a seeded random order, normalised;
/// Gaussian random atoms if there are fewer such signals. Shared by K-SVD and ITKrM.
Eigen::MatrixXd initial_dictionary(const Eigen::MatrixXd& Y, int atoms, std::uint64_t seed);

/// Matches the atoms of `learned` to those of `reference` (greedy by |<a, b>|, each reference
/// atom used once) and returns, for each reference atom, the best |cosine| found.
std::vector<double> match_atoms(const Eigen::MatrixXd& reference, const Eigen::MatrixXd& learned);

}  // namespace hyseis::learning::sparse
