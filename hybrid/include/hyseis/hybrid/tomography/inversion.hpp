#pragma once
// Travel-time tomography on a 2D grid with straight rays (physics/traveltime):
//
//  * conventional: Bayesian MAP / damped and smoothed least squares
//        s = s0 + argmin_ds ||dt - A ds||^2 + eta ds^T Sigma^-1 ds,
//        Sigma_ij = exp(-d_ij / L)   (d_ij: distance between cell centres),
//    solved in data space, ds = Sigma A^T (A Sigma A^T + eta I)^-1 dt. The weight eta is fixed or
//    chosen by generalised cross-validation or the L-curve (maximum curvature), from one
//    eigen-decomposition of A Sigma A^T.
//
//  * LST, locally sparse tomography (Bianco & Gerstoft 2018, IEEE TCI 4:...): alternate
//      global:  s_g = argmin ||t - A s||^2 + lambda ||s - s_s||^2
//                   = s_s + A^T (A A^T + lambda I)^-1 (t - A s_s)
//      local:   every sqrt(n) x sqrt(n) patch of s_g (overlapping, stride 1 by default) is
//               coded as mean + D x with ||x||_0 <= T (OMP); D is learned from the patches of
//               s_g by K-SVD (learning/sparse); s_s = average of the coded patches per cell.
//    See docs/theory/tomography.md.
#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

#include "hyseis/physics/traveltime/straight_rays.hpp"

namespace hyseis::hybrid::tomography {

using physics::traveltime::Grid2D;
using physics::traveltime::SparseMatrix;

struct ConventionalOptions {
  double length = 10;            // correlation length L of Sigma, in grid units (km)
  double eta = 0.1;              // used when selection == "fixed"
  std::string selection = "gcv"; // "fixed", "gcv", "lcurve"
  double eta_min = 1e-7, eta_max = 1e3;  // search range for gcv / lcurve (log-spaced)
  int eta_count = 81;
  void validate() const;         // throws core::InvalidInput naming the field
};

struct ConventionalResult {
  Eigen::VectorXd slowness;
  double eta = 0;                // the weight used
  double eta_gcv = 0, eta_lcurve = 0;
  std::string selection;
  // The scanned curve (for the L-curve / GCV figures).
  std::vector<double> etas, residual_norm, model_norm, gcv;
  double seconds = 0;
};

/// GCV and L-curve scan of  min ||dt - G y||...: for a data-space matrix G (symmetric PSD, e.g.
/// A Sigma A^T or A A^T) and weights eta (log-spaced in [eta_min, eta_max]): residual norm
/// ||eta (G + eta I)^-1 dt||, model norm sqrt(y^T G y) with y = (G + eta I)^-1 dt, and
/// GCV(eta) = M ||r||^2 / tr(I - G (G + eta I)^-1)^2; from one eigen-decomposition of G.
struct ParameterScan {
  std::vector<double> etas, residual_norm, model_norm, gcv;
  double eta_gcv = 0, eta_lcurve = 0;
  Eigen::VectorXd eigenvalues;
  Eigen::MatrixXd eigenvectors;
  /// (G + eta I)^-1 r.
  Eigen::VectorXd apply_inverse(const Eigen::VectorXd& r, double eta) const;
};
ParameterScan scan_regularisation(const Eigen::MatrixXd& G, const Eigen::VectorXd& dt, double eta_min, double eta_max,
                                  int count);

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
/// A Sigma (M x N) and A Sigma A^T (M x M) for Sigma_ij = exp(-d_ij / length), without forming
/// Sigma (kernel tabulated over cell offsets).
struct CovarianceProducts {
  RowMatrix A_sigma;
  Eigen::MatrixXd G;
};
CovarianceProducts covariance_products(const Grid2D& grid, const SparseMatrix& A, double length);

/// Reference (starting) slowness: sum(t) / sum(ray length).
double reference_slowness(const SparseMatrix& A, const Eigen::VectorXd& t);

ConventionalResult conventional_inversion(const Grid2D& grid, const SparseMatrix& A, const Eigen::VectorXd& t,
                                          double s0, const ConventionalOptions& opt);

/// Overlapping square patches of a grid field.
struct PatchLayout {
  int nx = 0, ny = 0, size = 0, stride = 1;
  std::vector<int> ox, oy;  // patch origins (x fast)
  int dim() const { return size * size; }
  int count() const { return int(ox.size()); }
};
/// Origins 0, stride, ..., and the last one flush with the far edge, so every cell is covered.
/// Throws core::InvalidInput when the patch does not fit or stride is not in [1, size].
PatchLayout make_patches(int nx, int ny, int size, int stride);
/// Patch matrix (dim x count), patch pixels row-major (x fast).
Eigen::MatrixXd extract_patches(const PatchLayout& p, const Eigen::VectorXd& field);
/// Average of the patches per cell (inverse of extract_patches for consistent patches).
Eigen::VectorXd average_patches(const PatchLayout& p, const Eigen::MatrixXd& patches);

struct LstOptions {
  int patch = 10;                // sqrt(n)
  int stride = 1;
  int atoms = 150;               // K
  int sparsity = 1;              // T
  int outer_iterations = 100;    // the alternation converges slowly with 1 K-SVD sweep per iteration
  int dict_iterations_initial = 10;  // K-SVD sweeps on the first global estimate
  int dict_iterations = 1;           // warm-started sweeps per later outer iteration (0: fixed D)
  double global_damping = 0.01;  // lambda, relative to mean(diag(A A^T)) (0: 1e-10, exact data fit)
  /// "fixed": lambda = global_damping; "gcv": lambda = max(global_damping, GCV choice) with the
  /// GCV scan of the first global problem (noise-adaptive; the floor keeps noise-free data stable);
  /// "gcv_each": lambda = max(global_damping, GCV choice) re-selected for every outer iteration's
  /// global problem (residual t - A s_s), from the one eigen-decomposition of A A^T.
  std::string global_selection = "gcv_each";
  /// Prior of the global step: "identity" (the paper: lambda ||s - s_s||^2) or "covariance"
  /// (lambda (s - s_s)^T Sigma^-1 (s - s_s), Sigma as the conventional inversion, length below).
  std::string global_prior = "identity";
  double global_length = 10;
  /// lambda_1 of the paper: s_s = (lambda_1 s_g + sum_i R_i^T D x_i) / (lambda_1 + sum_i R_i^T R_i)
  /// per cell (R_i extracts patch i; the sum of R_i^T R_i counts the patches covering a cell, up to
  /// patch^2). 0 (the reference code): the plain average of the patch models.
  double local_weight = 0;
  double max_uncovered_fraction = 0.1;  // training patches: at most this fraction of cells without rays
  std::uint64_t seed = 1;
  bool exact_update = false;     // K-SVD atom update: one power step (approximate K-SVD) or exact SVD
  std::string dictionary = "learned";   // "learned" or "dct" (overcomplete 2D DCT, fixed)
  std::string learner = "ksvd";         // dictionary learning: "ksvd" or "itkm" (the reference code's)
  void validate(int nx, int ny) const;  // throws core::InvalidInput naming the field
};

struct LstResult {
  Eigen::VectorXd global;        // s_g of the last iteration
  Eigen::VectorXd sparse;        // s_s of the last iteration (the LST estimate)
  Eigen::MatrixXd dictionary;    // n x K
  std::vector<double> data_rms;  // ||t - A s_s|| / sqrt(M) per outer iteration
  std::vector<double> global_lambda_history;  // relative lambda per outer iteration (gcv_each)
  std::vector<double> dict_rmse; // K-SVD representation RMSE (last sweep) per outer iteration
  int training_patches = 0;
  double global_lambda_relative = 0;  // lambda / mean(diag(A A^T)) used in the global step
  double seconds = 0;
};

LstResult lst_inversion(const Grid2D& grid, const SparseMatrix& A, const Eigen::VectorXd& t, double s0,
                        const LstOptions& opt);

/// Overcomplete separable 2D DCT dictionary (n = size^2 rows, atoms = k^2 with k = ceil(sqrt(K))),
/// DC atom removed from the zero-mean set when `drop_dc`; unit-norm columns.
Eigen::MatrixXd dct_dictionary(int size, int atoms_per_dim, bool drop_dc);

/// RMS difference in ms/km of two slowness maps (s/km) over the cells where mask > 0.
double rmse_ms_per_km(const Eigen::VectorXd& est, const Eigen::VectorXd& truth, const Eigen::VectorXd& mask);

}  // namespace hyseis::hybrid::tomography
