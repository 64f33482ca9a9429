#pragma once
// Trained GMPEs written by the gmpe_compare scenario and read back by `hyseis gmpe`:
// a manifest `<dir>/<name>.gmpe.json` names the model kind (linear, nn, xgboost, hybrid), its
// IMTs, the range of the training data (magnitude, Rjb, Vs30) and the model files next to it.
#include <Eigen/Dense>

#include <memory>
#include <string>
#include <vector>

#include "hyseis/learning/regression/gm_dataset.hpp"
#include "hyseis/learning/regression/mixed_gmpe.hpp"

namespace hyseis::hybrid::gmpe {

struct TrainingRange {
  double mag_min = 0, mag_max = 0, rjb_min = 0, rjb_max = 0, vs30_min = 0, vs30_max = 0;
  static TrainingRange of(const learning::regression::GmFlatfile& data);
};

/// Manifest contents (`kind`: linear | nn | xgboost | hybrid).
struct TrainedManifest {
  std::string kind;
  std::vector<std::string> imts;
  TrainingRange range;
  std::string files;                                 ///< model file prefix, relative to the manifest
  std::vector<learning::regression::MixedFit> linear;  ///< linear: one fit per IMT (coef, h, tau, phi)
  /// Between/within-event sigma per IMT (from the scenario's k-fold out-of-fold residuals);
  /// empty if unknown.
  std::vector<double> tau, phi;
};

/// Writes `<dir>/<name>.gmpe.json`; the model files must already be at `<dir>/<name>.*`.
void write_manifest(const std::string& dir, const std::string& name, const TrainedManifest& m);

/// A loaded trained model.
class TrainedGmpe {
public:
  /// Reads a manifest and the model files it names; core::IoError naming the file on any problem.
  static TrainedGmpe load(const std::string& manifest_path);
  const TrainedManifest& manifest() const { return m_; }
  /// ln Y [n x imts] for predictors in GmFlatfile layout (M, Rjb, Rrup, Ztor, Vs30, Rake, Dip).
  Eigen::MatrixXd predict(const Eigen::MatrixXd& predictors) const;
  TrainedGmpe(TrainedGmpe&&) noexcept;
  TrainedGmpe& operator=(TrainedGmpe&&) noexcept;
  ~TrainedGmpe();

private:
  TrainedGmpe();
  struct Impl;
  TrainedManifest m_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hyseis::hybrid::gmpe
