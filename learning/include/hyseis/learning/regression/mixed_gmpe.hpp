#pragma once
// Linear GMPE fitted by one-way (event) mixed-effects regression (issue 7, learning layer).
//
// Functional form (natural-log units, R = sqrt(Rjb^2 + h^2), dM = M - 6):
//   ln Y = c0 + c1 dM + c2 dM^2 + (c3 + c4 dM) ln R + c5 R + c6 ln(Vs30/760)
//          [+ c7 F_normal + c8 F_reverse] + eta_event + eps,
//   eta ~ N(0, tau^2) per event, eps ~ N(0, phi^2) per record, sigma = sqrt(tau^2 + phi^2).
// Mechanism flags from rake (BSSA14 convention): reverse 30 < rake < 150, normal -150 < rake < -30.
//
// Estimation: exact (RE)ML of the one-way random-effects model. For a ratio lambda = tau^2/phi^2
// the covariance of event i is phi^2 (I + lambda 1 1^T), whose inverse and determinant are closed
// form; the fixed effects are the GLS estimate, phi^2 is profiled analytically, and the profile
// (restricted) log-likelihood is maximised over ln(lambda) by golden-section search, with
// lambda = 0 (ordinary least squares) as a candidate. Event terms are the BLUPs
//   eta_i = tau^2 / (phi^2 + n_i tau^2) * sum_j r_ij,   r = y - X beta.
// Pure C++/Eigen (no deal.II).
#include <Eigen/Dense>

#include <cstddef>
#include <string>
#include <vector>

namespace hyseis::learning::regression {

/// One ground-motion record.
struct GmRecord {
  std::string event;  ///< event id (EQID if present, else the magnitude as text)
  double mag = 0;     ///< moment magnitude
  double rjb = 0;     ///< Joyner-Boore distance (km)
  double vs30 = 0;    ///< m/s
  double rake = 0;    ///< degrees
  double ln_y = 0;    ///< ln of the intensity measure (g for PGA/SA, cm/s for PGV)
};

/// Counts from reading a flatfile.
struct FlatfileReport {
  std::size_t rows = 0;             ///< data rows in the file
  std::size_t used = 0;             ///< records returned
  std::size_t skipped_missing = 0;  ///< rows skipped: a predictor or the IM is missing (NA/empty)
  std::size_t skipped_nonpositive = 0;  ///< rows skipped: IM <= 0 or Vs30 <= 0 (log undefined)
  bool has_event_column = false;    ///< EQID column found (else events grouped by M)
};

/// Reads an NGA-style flatfile (columns M, Rjb, Vs30, Rake, the IM column e.g. "PGA" or "T1.000S",
/// and EQID if present). Missing values ("NA", "", "-999") skip the record (counted in `report`);
/// any other non-numeric field, a missing required column or a malformed row throws
/// core::IoError naming the file and line (line = data row index + 2, no embedded newlines).
std::vector<GmRecord> read_flatfile(const std::string& path, const std::string& im_column,
                                    FlatfileReport* report = nullptr);

struct LinearGmpeOptions {
  double h = 6.0;           ///< fictitious depth (km), used when search_h is false
  bool search_h = false;    ///< 1-D grid search of h over [h_min, h_max] maximising the likelihood
  double h_min = 1.0, h_max = 15.0, h_step = 0.5;
  bool mechanism = false;   ///< add normal/reverse flags (columns kept only if some record has them)
  bool reml = true;         ///< REML (default) or ML for tau, phi
  int max_iter = 200;       ///< golden-section iterations on ln(lambda)
  double tol = 1e-8;        ///< tolerance on ln(lambda)
};

/// Result of a mixed-effects fit.
struct MixedFit {
  Eigen::VectorXd coef;       ///< fixed effects
  Eigen::MatrixXd coef_cov;   ///< covariance of the fixed effects, phi^2 (X^T W^-1 X)^-1
  std::vector<std::string> coef_names;
  double tau = 0, phi = 0, sigma = 0;
  double loglik = 0;          ///< maximised (restricted) log-likelihood
  double h = 0;               ///< fictitious depth used (GMPE fits only)
  int iterations = 0;
  bool converged = false;
  std::vector<std::string> events;   ///< event ids, index = group index
  std::vector<int> event_index;      ///< group of each record
  Eigen::VectorXd event_terms;       ///< BLUP per event
  Eigen::VectorXd total_residuals;   ///< y - X beta
  Eigen::VectorXd within_residuals;  ///< y - X beta - eta_event
};

/// Generic one-way random-effects fit: y = X beta + eta_group + eps. `group[k]` in [0, n_groups).
MixedFit fit_mixed_effects(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                           const std::vector<int>& group, int n_groups, bool reml = true,
                           int max_iter = 200, double tol = 1e-8);

/// Ordinary least squares on the same design (the tau = 0 limit), for comparison.
Eigen::VectorXd fit_ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

/// Design matrix of the linear GMPE for fictitious depth h; names receives the column names.
Eigen::MatrixXd linear_gmpe_design(const std::vector<GmRecord>& recs, double h, bool mechanism,
                                   std::vector<std::string>* names = nullptr);

/// Fits the linear GMPE by mixed-effects regression (event terms grouped by GmRecord::event).
MixedFit fit_linear_gmpe(const std::vector<GmRecord>& recs, const LinearGmpeOptions& opt = {});

/// ln median of a fitted linear GMPE (without event term).
double linear_gmpe_ln_median(const MixedFit& fit, double mag, double rjb, double vs30,
                             double rake = 0.0, bool mechanism = false);

}  // namespace hyseis::learning::regression
