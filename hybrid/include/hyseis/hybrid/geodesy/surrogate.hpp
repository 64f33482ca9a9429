#pragma once
// Neural surrogate of the viscoelastic earthquake cycle (DeVries et al. 2017 style) and the
// inversion of GPS velocities through it (autograd). torch stays in the .cpp (pimpl).
//
// Scale invariance: with D = H (the Savage-Prescott set-up, rupture through the elastic layer)
// the surface velocity normalised by the plate rate v_p = s/T depends only on
// (x/H, t/T, tau/T). The network maps the features
//     xi = (2/pi) atan(x/H) in [0, 1),   phase = t/T in (0, 1],   q = ln(tau/T)
// to r = v/v_p - (1/pi) atan(x/H) (the deviation from the cycle-averaged elastic profile, which
// is added back exactly). Training data are the Savage-Prescott series (exact for this model and
// ~10^4x cheaper than the FE model, which agrees with it to 4e-4); FE runs are the validation
// subset (docs/theory/viscoelastic-cycle.md §9).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hyseis::hybrid::geodesy {

/// Samples (x/H, t/T, tau/T) -> v/v_p.
struct CycleSamples {
  std::vector<double> x_over_h, phase, tau_over_t, v_over_vp;
  std::size_t size() const { return v_over_vp.size(); }
  void append(const CycleSamples& o);
};

/// Savage-Prescott (D = H) samples on the tensor grid taus x phases x stations.
CycleSamples savage_prescott_samples(const std::vector<double>& tau_over_t, const std::vector<double>& phases,
                                     const std::vector<double>& x_over_h);

struct SurrogateOptions;
/// The standard grids: tau/T log-uniform over [tau_min, tau_max] (n_tau values), phases
/// phase_min + (1 - phase_min) u^2 (denser early, n_phase values), x/H = tan(pi/2 xi) with xi
/// uniform in [0.01, 0.97] (x/H up to ~21, n_x values). held_out = true takes the midpoints of
/// all three grids (parameters never seen in training).
CycleSamples savage_prescott_grid(const SurrogateOptions& o, int n_tau, int n_phase, int n_x, bool held_out);

/// Cached samples: HDF5 /samples/{x_over_h, phase, tau_over_t, v_over_vp}.
void write_samples_hdf5(const std::string& path, const CycleSamples& s, const std::string& source);
CycleSamples read_samples_hdf5(const std::string& path);

struct SurrogateOptions {
  std::vector<std::int64_t> hidden{64, 64, 64, 64};
  std::string activation = "tanh";
  double tau_min = 0.1, tau_max = 2.0;   ///< range of tau/T the network is trained on
  double phase_min = 0.01;               ///< earliest t/T
  int epochs = 400;
  std::int64_t batch_size = 256;
  double learning_rate = 3e-3;
  double lr_decay = 0.99;
  int patience = 80;
  std::uint64_t seed = 1;
  int threads = 2;
  bool progress = false;
  void validate() const;
};

struct SurrogateReport {
  int epochs_run = 0, best_epoch = -1;
  double train_seconds = 0;
  double final_train_loss = 0, best_val_loss = 0;
  std::vector<double> train_loss, val_loss;
};

class ViscoelasticSurrogate {
public:
  explicit ViscoelasticSurrogate(const SurrogateOptions& o = {});
  ~ViscoelasticSurrogate();
  ViscoelasticSurrogate(ViscoelasticSurrogate&&) noexcept;
  ViscoelasticSurrogate& operator=(ViscoelasticSurrogate&&) noexcept;

  /// Trains on `train` (early stopping on `validation`); samples outside the option ranges are
  /// an error (core::InvalidInput).
  SurrogateReport train(const CycleSamples& train, const CycleSamples& validation);
  /// v / v_p at the sample inputs (batch inference, no autograd); x/H may be negative (odd field).
  std::vector<double> predict(const std::vector<double>& x_over_h, const std::vector<double>& phase,
                              const std::vector<double>& tau_over_t) const;
  /// Velocity in physical units at stations x, one phase, one (tau, H) pair.
  std::vector<double> velocity(const std::vector<double>& x, double phase, double tau, double H, double recurrence,
                               double plate_rate) const;
  /// Relative L2 error ||pred - v|| / ||v|| on samples.
  double relative_l2(const CycleSamples& s) const;

  /// Model (torch archive) + architecture sidecar `path + ".json"` (atomic writes).
  void save(const std::string& path) const;
  /// Throws core::IoError naming the file if it is missing or does not match its sidecar.
  static ViscoelasticSurrogate load(const std::string& path);
  const SurrogateOptions& options() const;

  struct Impl;
  Impl& impl() const { return *impl_; }

private:
  std::unique_ptr<Impl> impl_;
};

/// GPS velocities (fault-parallel) at stations x (|x| > 0, any side) at phases t/T in the cycle.
struct GpsVelocities {
  std::vector<double> x, phase, v, sigma;
  double recurrence = 200, plate_rate = 0.02;
  /// Throws core::InvalidInput: sizes, sigma > 0, phases in (0, 1], stations on the fault (x = 0).
  void validate() const;
};

struct InversionOptions {
  std::vector<double> start_tau;   ///< multi-start grid (physical tau); empty: 3 values over the range
  std::vector<double> start_h;     ///< empty: {10, 20, 40} x unit
  int iterations = 60;             ///< L-BFGS iterations per start
  int ensemble = 20;               ///< noise realisations re-inverted (0 = none)
  std::uint64_t seed = 5;
  void validate() const;
};

struct InversionResult {
  double tau = 0, h = 0;             ///< best estimate
  double chi2 = 0;                   ///< sum ((v - f)/sigma)^2 at the optimum
  int n_data = 0;
  double tau_std = 0, h_std = 0;     ///< Gauss-Newton (J^T W J)^-1, J by autograd, mapped from logs
  double corr_log = 0;               ///< correlation of ln tau and ln H
  double ensemble_tau_mean = 0, ensemble_tau_std = 0, ensemble_h_mean = 0, ensemble_h_std = 0;
  std::vector<double> start_tau, start_h, start_chi2, end_tau, end_h;  ///< per start
  std::vector<double> ensemble_tau, ensemble_h;
  double seconds = 0;
};

/// Recovers (tau, H) from GPS velocities through the surrogate (D = H, plate rate and T known):
/// multi-start L-BFGS on chi2 in (ln tau, ln H) with tau/T kept inside the trained range,
/// Gauss-Newton covariance at the optimum, and an ensemble over fresh noise realisations
/// (v_clean = the best-fit prediction + N(0, sigma)).
InversionResult invert_tau_depth(const ViscoelasticSurrogate& s, const GpsVelocities& d, const InversionOptions& o);

}  // namespace hyseis::hybrid::geodesy
