#pragma once
// Multi-IMT ground-motion flatfile, the ML-GMPE feature map and the event-term decomposition of
// residuals shared by the NN, gradient-boosted and physics-informed GMPEs (issue 7).
// Pure C++/Eigen.
#include <Eigen/Dense>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace hyseis::learning::regression {

/// Columns of GmFlatfile::predictors.
enum GmPredictor : int { kMag = 0, kRjb, kRrup, kZtor, kVs30, kRake, kDip, kNumPredictors };

/// Records of an NGA-style flatfile with several intensity measures.
struct GmFlatfile {
  std::string path;
  std::vector<std::string> imts;          ///< IMT names ("PGA", "PGV", "SA(1.0)")
  std::vector<std::string> imt_columns;   ///< flatfile columns ("PGA", "PGV", "T1.000S")
  Eigen::MatrixXd predictors;             ///< [n x kNumPredictors]: M, Rjb, Rrup, Ztor, Vs30, Rake, Dip
  Eigen::MatrixXd ln_y;                   ///< [n x n_imt]: ln(g) for PGA/SA, ln(cm/s) for PGV
  std::vector<std::string> record_id;     ///< RecNum (or the data-row number)
  std::vector<std::string> events;        ///< distinct event ids (EQID), index = group
  std::vector<int> event_index;           ///< group of each record
  // Report of the exclusion rule: a row is excluded if any required predictor or any requested
  // IM is missing ("", "NA", "NaN", "-999"), or an IM / Vs30 is <= 0.
  std::size_t rows = 0;                   ///< data rows in the file
  std::size_t excluded_missing = 0;
  std::size_t excluded_nonpositive = 0;
  std::map<std::string, std::size_t> missing_by_column;  ///< rows missing each required column
  std::vector<std::string> excluded_rows; ///< "line N: reason" (first 50)

  std::size_t size() const { return std::size_t(ln_y.rows()); }
  int n_events() const { return int(events.size()); }
  /// Event magnitude (the M of the event's first record).
  std::vector<double> event_magnitudes() const;
  /// The records in `rows` (any order), events re-indexed in order of first appearance.
  GmFlatfile subset(const std::vector<int>& rows) const;
};

/// Flatfile column of an IMT name: "PGA" -> "PGA", "PGV" -> "PGV", "SA(1.0)" -> "T1.000S".
/// Throws core::InvalidInput for anything else.
std::string flatfile_column_for_imt(const std::string& imt);

/// Reads columns EQID, M, Rjb, Rrup, Ztor, Vs30, Rake, Dip and the IMTs' columns (see
/// GmFlatfile for the exclusion rule). A missing column or a non-numeric field that is not a
/// missing marker throws core::IoError naming the file, line and column.
GmFlatfile read_gm_flatfile(const std::string& path, const std::vector<std::string>& imts);

/// Distance used by the learned GMPEs.
enum class GmDistance { rjb, rrup };

/// Feature map of the learned GMPEs (after Derras et al. 2014, Bull. Earthq. Eng. 12:2161):
/// [M, ln sqrt(R^2 + h^2), Ztor (km), ln Vs30, F_normal, F_reverse], h = 6 km, mechanism flags
/// from rake as in BSSA14 (reverse 30 < rake < 150, normal -150 < rake < -30).
constexpr int kNumGmFeatures = 6;
Eigen::MatrixXd gm_features(const Eigen::MatrixXd& predictors, GmDistance distance = GmDistance::rjb);
/// One row: the same map for scalar inputs.
Eigen::RowVectorXd gm_feature_row(double mag, double rjb, double rrup, double ztor, double vs30,
                                  double rake, GmDistance distance = GmDistance::rjb);
std::vector<std::string> gm_feature_names();

/// Between/within-event decomposition of residuals r = ln y - ln y_pred by the one-way
/// random-effects model r = c + eta_event + eps (REML, fit_mixed_effects of mixed_gmpe.hpp).
struct ResidualDecomposition {
  double mean = 0;      ///< mean residual (bias)
  double rmse = 0;      ///< sqrt(mean r^2)
  double tau = 0, phi = 0, sigma = 0;
  Eigen::VectorXd event_terms;   ///< BLUP per event (plus the fitted constant c)
  Eigen::VectorXd within;        ///< r - c - eta_event
};
ResidualDecomposition decompose_residuals(const Eigen::VectorXd& residuals,
                                          const std::vector<int>& event_index, int n_events);

}  // namespace hyseis::learning::regression
