#pragma once
// Neural-network GMPE after Derras, Bard & Cotton (2014, Bull. Earthq. Eng. 12:2161): a small
// multi-output MLP on the features of gm_features() (M, ln distance, depth, ln Vs30, mechanism)
// -> ln PGA, ln PGV, ln PSA(T) jointly, trained with the shared loop (learning/nn/train.hpp) on
// standardised inputs and outputs, early-stopped on a held-out set of *events*. Its residuals
// are split into between- and within-event parts with decompose_residuals().
// No torch in this header (pimpl).
#include <Eigen/Dense>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hyseis::learning::regression {

struct NnGmpeOptions {
  std::vector<std::int64_t> hidden{24, 24};
  std::string activation = "tanh";   ///< relu, tanh, gelu, softplus, silu
  int epochs = 400;
  std::int64_t batch_size = 128;
  double learning_rate = 5e-3;
  double weight_decay = 1e-4;
  int patience = 60;                  ///< early stopping on the validation events
  double validation_fraction = 0.15;  ///< fraction of training *events* held out for early stopping
  std::uint64_t seed = 1;
  int threads = 1;
  bool progress = false;
  void validate() const;              ///< throws core::InvalidInput naming the field
};

struct NnGmpeFitReport {
  int epochs_run = 0, best_epoch = -1;
  double best_val_loss = 0;           ///< standardised MSE on the validation events
  std::vector<double> train_loss, val_loss;
};

class NnGmpe {
public:
  explicit NnGmpe(NnGmpeOptions options = {});
  ~NnGmpe();
  NnGmpe(NnGmpe&&) noexcept;
  NnGmpe& operator=(NnGmpe&&) noexcept;

  /// features [n x kNumGmFeatures], ln_y [n x n_out]; event_index groups the records by event.
  NnGmpeFitReport fit(const Eigen::MatrixXd& features, const Eigen::MatrixXd& ln_y,
                      const std::vector<int>& event_index, int n_events);
  /// ln Y predictions [n x n_out]. Throws core::InvalidInput if not fitted.
  Eigen::MatrixXd predict(const Eigen::MatrixXd& features) const;
  bool fitted() const;
  int outputs() const;
  const NnGmpeOptions& options() const { return options_; }

  /// Writes `<prefix>.pt` (weights + standardisers) and `<prefix>.json` (architecture).
  void save(const std::string& prefix) const;
  /// Reads what save() wrote; throws core::IoError naming the file.
  static NnGmpe load(const std::string& prefix);

private:
  struct Impl;
  NnGmpeOptions options_;
  std::unique_ptr<Impl> impl_;
};

/// Splits events into a training and a validation set (seeded shuffle; at least one of each when
/// n_events >= 2). Returns record masks: true = validation.
std::vector<bool> split_events(const std::vector<int>& event_index, int n_events, double fraction,
                               std::uint64_t seed);

}  // namespace hyseis::learning::regression
