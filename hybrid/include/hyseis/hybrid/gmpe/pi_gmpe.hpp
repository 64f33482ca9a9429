#pragma once
// Physics-informed GMPE (issue 7, hybrid layer): a physical baseline plus a learned residual,
//     ln Y(x) = ln Y_phys(x) + g_theta(features(x)),
// with ln Y_phys BSSA14 as published (Boore et al. 2014) or the Boore (2003) stochastic point
// source (hyseis::physics::groundmotion), and g_theta a small MLP (learning/nn) trained with the
// shared loop on
//   * the records (mean squared error in ln units),
//   * synthetic augmentation where records are sparse: points drawn in a large-M / short-distance
//     box whose target is the baseline itself (residual 0), weight `augment_weight`,
//   * physics penalties on collocation points drawn over the model's domain:
//       distance:  d lnY / d lnRjb <= 0                          (amplitude non-increasing)
//       magnitude: d^2 lnY / dM^2 <= 0 for M >= m_saturation     (magnitude scaling saturates)
//                  0 <= d lnY / dM <= max_mag_slope              (bounded slope)
//     The network's derivatives come from autograd (second order for the curvature); the
//     baseline's are central finite differences of the physics model (physics has no torch).
// check_constraints() evaluates both constraints of the trained model on a grid.
// No torch in this header (pimpl).
#include <Eigen/Dense>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hyseis/learning/regression/gm_dataset.hpp"
#include "hyseis/physics/groundmotion/gmpe.hpp"

namespace hyseis::hybrid::gmpe {

/// Physical baseline of the hybrid model (and the "published" reference of the comparison).
struct BaselineOptions {
  std::string model = "bssa14";  ///< bssa14 | stochastic
  /// Stochastic baseline: hypocentral-like distance R = sqrt(Rjb^2 + h(M)^2) with the
  /// finite-fault pseudo-depth h(M) = 10^(-0.405 + 0.235 M) km (Yenier & Atkinson 2015), and a
  /// stress parameter (bar); generic-rock site (BJ97, Vs30 620 m/s), no Vs30 term of its own.
  double stress_drop = 100.0;
  double kappa0 = 0.04;
  int n_freq = 1000;             ///< spectral-moment intervals of the stochastic model
  void validate() const;
};

/// ln median of the baseline for each record (rows of `predictors`, GmFlatfile layout) and IMT
/// name ("PGA", "PGV", "SA(T)"); [n x imts.size()]. Throws core::InvalidInput for an IMT the
/// baseline does not support (the stochastic model has no PGV) or invalid input.
Eigen::MatrixXd baseline_ln_median(const BaselineOptions& opt, const std::vector<std::string>& imts,
                                   const Eigen::MatrixXd& predictors);

/// IMT name -> physics Imt ("PGA", "PGV", "SA(1.0)"); throws core::InvalidInput.
physics::groundmotion::Imt parse_imt(const std::string& name);

struct PiGmpeOptions {
  BaselineOptions baseline;
  learning::regression::GmDistance distance = learning::regression::GmDistance::rjb;
  std::vector<std::int64_t> hidden{16, 16};
  std::string activation = "tanh";   ///< must be smooth (tanh, gelu, softplus, silu) if magnitude penalty on
  int epochs = 300;
  std::int64_t batch_size = 128;
  double learning_rate = 5e-3;
  double weight_decay = 1e-3;
  int patience = 60;
  double validation_fraction = 0.15;  ///< fraction of training events for early stopping
  std::uint64_t seed = 1;
  int threads = 1;
  bool progress = false;
  // Physics penalties.
  double weight_distance = 10.0;
  double weight_magnitude = 10.0;
  double m_saturation = 6.5;
  double max_mag_slope = 3.0;        ///< ln units per magnitude unit
  int collocation_points = 2048;     ///< drawn once per fit (half of them at M >= m_saturation)
  int collocation_batch = 128;       ///< used per mini-batch
  double colloc_m_min = 5.0, colloc_m_max = 8.0;
  double colloc_r_min = 0.5, colloc_r_max = 300.0;  ///< Rjb (km), log-uniform
  // Synthetic augmentation (targets = baseline).
  int augment_points = 400;
  double augment_weight = 0.5;
  double augment_m_min = 7.0, augment_m_max = 8.0;
  double augment_r_max = 30.0;       ///< Rjb (km), uniform in [0, augment_r_max]
  double vs30_min = 180.0, vs30_max = 1300.0;  ///< Vs30 range of collocation / augmentation
  void validate() const;             ///< throws core::InvalidInput naming the field
};

struct PiGmpeFitReport {
  int epochs_run = 0, best_epoch = -1;
  double best_val_loss = 0;
  std::vector<double> train_loss, val_loss;
  double final_distance_penalty = 0, final_magnitude_penalty = 0;
};

/// Grid check of the trained model's constraints.
struct ConstraintReport {
  int points = 0;
  double max_dlny_dlnr = 0;       ///< max over the grid of d lnY / d ln Rjb (should be <= 0)
  double max_d2lny_dm2 = 0;       ///< max over M >= m_saturation of d^2 lnY / dM^2 (<= 0)
  double min_dlny_dm = 0, max_dlny_dm = 0;
  double fraction_distance_violations = 0;   ///< share of points with d lnY/d lnR > tol
  double fraction_magnitude_violations = 0;  ///< share of M >= m_sat points with curvature > tol
  double baseline_max_dlny_dlnr = 0, baseline_max_d2lny_dm2 = 0;  ///< same for the baseline alone
};

class PiGmpe {
public:
  explicit PiGmpe(PiGmpeOptions options = {});
  ~PiGmpe();
  PiGmpe(PiGmpe&&) noexcept;
  PiGmpe& operator=(PiGmpe&&) noexcept;

  /// Trains the residual network on `data` (all of its IMTs).
  PiGmpeFitReport fit(const learning::regression::GmFlatfile& data);
  /// ln Y [n x n_imt] for predictors in GmFlatfile layout.
  Eigen::MatrixXd predict(const Eigen::MatrixXd& predictors) const;
  /// Baseline part only.
  Eigen::MatrixXd predict_baseline(const Eigen::MatrixXd& predictors) const;
  const std::vector<std::string>& imts() const { return imts_; }
  bool fitted() const;
  const PiGmpeOptions& options() const { return options_; }

  /// Constraints on a grid M in [m_min, m_max] x ln Rjb in [ln r_min, ln r_max] for Vs30 in
  /// `vs30s`, strike-slip and reverse, Ztor 0 km; derivatives by central differences (dM 0.05,
  /// d lnR 0.05) of predict(); tolerance `tol` for the violation shares.
  ConstraintReport check_constraints(double m_min, double m_max, int nm, double r_min, double r_max, int nr,
                                     const std::vector<double>& vs30s, double tol = 1e-3) const;

  /// Writes `<prefix>.pt` (network + standardisers) and `<prefix>.json` (options, IMTs).
  void save(const std::string& prefix) const;
  static PiGmpe load(const std::string& prefix);

private:
  struct Impl;
  PiGmpeOptions options_;
  std::vector<std::string> imts_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hyseis::hybrid::gmpe
