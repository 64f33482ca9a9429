#pragma once
// Deep phase pickers behind a light, torch-free interface (docs/theory/picking.md, section 8):
// PhaseNet (U-Net, per-sample P/S/noise probabilities) and GPD (window classifier), trained with
// the shared loop (learning/nn/train.hpp), applied to continuous traces of any length by sliding
// windows with overlap, and turned into picks by peak detection on the probabilities.
// The modules themselves are in hyseis/learning/picking/networks.hpp (includes LibTorch).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hyseis/learning/picking/picks_io.hpp"

namespace hyseis::learning::picking {

/// torch::set_num_threads for callers that do not include LibTorch (n >= 1).
void set_torch_threads(int n);

enum class PickerKind { phasenet, gpd };
std::string to_string(PickerKind k);
PickerKind picker_kind_from_string(const std::string& s);   // "phasenet" | "gpd"; InvalidInput

struct DeepPickerOptions {
  PickerKind kind = PickerKind::phasenet;
  std::int64_t in_channels = 3;        // component order of the training data (e.g. Z, N, E)
  std::int64_t window = 3001;          // samples per window (PhaseNet: 3001, GPD: 400)
  double sampling_rate = 100.0;        // Hz; inputs at another rate are rejected (resample first)
  std::vector<std::int64_t> filters;   // empty = the paper's (PhaseNet 8..32, GPD 32..256)
  std::int64_t kernel = 7;             // PhaseNet kernel
  std::int64_t hidden = 200;           // GPD fully connected width
  std::uint64_t seed = 0;              // weight initialisation
  // Pre-processing the model was trained with, stored in the model file: {fmin, fmax} (Hz) =
  // linear detrend, 5 % cosine taper and a zero-phase 4-pole Butterworth band-pass of every
  // non-zero channel; empty = none. DeepPicker::predict does not apply it (its callers
  // filter whole records, as the training did); pick_segments does, per continuous span.
  std::vector<double> bandpass;
  void validate() const;               // core::InvalidInput naming the field
};

/// Per-sample class probabilities of one continuous trace (each vector as long as the input).
struct Probabilities {
  double sampling_rate = 100.0;
  std::vector<double> p, s, noise;
};

struct SlidingOptions {
  double overlap = 0.5;          // PhaseNet: fraction of the window shared by neighbours, [0, 1)
  std::size_t gpd_step = 10;     // GPD: samples between window centres
  std::size_t batch = 32;        // windows per forward pass
  void validate() const;
};

struct PeakOptions {
  double p_threshold = 0.3;      // minimum probability of a P pick
  double s_threshold = 0.3;
  double min_distance_s = 1.0;   // two picks of one phase are at least this far apart
};

struct Peak {
  std::size_t sample = 0;
  double value = 0;
};

/// Local maxima of `prob` with value >= threshold (strictly lower neighbours on both sides, so
/// not the first or last sample); plateaus give their first sample; then, in
/// decreasing value, every peak within `min_distance` samples of a kept one is discarded (the
/// rule of scipy.signal.find_peaks(height, distance)). Result sorted by sample.
std::vector<Peak> find_peaks(const std::vector<double>& prob, double threshold, std::size_t min_distance);

/// Gaussian label exp(-(k - centre)^2 / (2 sigma^2)) on n samples (no truncation); all zeros
/// when centre is NaN.
std::vector<double> gaussian_label(std::size_t n, double centre, double sigma);

/// PhaseNet's window normalisation, in place on a [C][W] row-major block: each channel minus
/// its mean, divided by its standard deviation (channels with zero spread stay zero).
void normalize_window(float* x, std::size_t channels, std::size_t samples);

/// One labelled training trace: channels x samples (any length >= 1) and arrival samples
/// (NaN when absent), at the picker's sampling rate.
struct LabelledTrace {
  std::vector<std::vector<double>> channels;
  double p_sample = 0;
  double s_sample = 0;
};

struct PickerTrainOptions {
  int epochs = 30;
  std::int64_t batch_size = 16;
  double learning_rate = 1e-3;
  double weight_decay = 0.0;
  double lr_decay = 1.0;
  int patience = 0;
  std::uint64_t seed = 0;        // shuffling, crops, jitter
  std::string checkpoint;        // resume file (see nn::TrainOptions)
  double label_sigma_s = 0.1;    // PhaseNet Gaussian label width (s)
  int crops_per_trace = 1;       // PhaseNet: random crops per trace per epoch
  // PhaseNet crop placement: this fraction of crops starts uniformly anywhere in the trace (so
  // windows without P, with S only or with coda only are seen, as in sliding-window inference);
  // the others put P in [0.1 W, 0.9 W].
  double random_crop_fraction = 0.0;
  // Augmentation of training windows, never at inference (PhaseNet: drawn anew for every crop;
  // GPD: drawn once per window of its fixed training set, `gpd_copies` per class and trace):
  bool polarity_flip = false;         // multiply all channels by -1 with probability 1/2
  double drop_horizontals = 0.0;      // probability of zeroing channels 1.. (single-component records)
  double noise_fraction = 0.0;        // probability of adding white noise of s.d. U(0, noise_max_rel)
  double noise_max_rel = 0.5;         //   relative to the normalised window's unit s.d.
  // Real-noise augmentation (PhaseNet): with probability `real_noise_fraction` a random stretch
  // of a random record of `noise_pool` (channels x samples, e.g. the pre-P parts of the training
  // traces; shorter records are repeated), normalised like the window, is added with a weight
  // U(0, real_noise_max_rel) -- coloured, non-stationary noise (microseism, cultural noise) as
  // the recordings have it, where `noise_fraction` adds white noise.
  std::vector<std::vector<std::vector<double>>> noise_pool;
  double real_noise_fraction = 0.0;
  double real_noise_max_rel = 1.0;
  double gpd_jitter_s = 0.1;     // GPD: window centre = pick + U(-jitter, jitter)
  int gpd_copies = 2;            // GPD: windows per class per trace
  bool progress = true;
  std::string label = "picker";
  void validate() const;
};

struct PickerTrainReport {
  std::vector<double> train_loss, val_loss;
  int best_epoch = -1;
  int epochs_run = 0;
  bool stopped_early = false;
  double seconds = 0;
  std::size_t train_examples = 0, val_examples = 0;
};

class DeepPicker {
public:
  explicit DeepPicker(const DeepPickerOptions& options = {});
  ~DeepPicker();
  DeepPicker(DeepPicker&&) noexcept;
  DeepPicker& operator=(DeepPicker&&) noexcept;
  DeepPicker(const DeepPicker&) = delete;
  DeepPicker& operator=(const DeepPicker&) = delete;

  /// Model file: options + parameters + buffers (torch archive), written atomically.
  void save(const std::string& path) const;
  /// Throws core::IoError naming the file when it is missing or not a hyseis picker.
  static DeepPicker load(const std::string& path);
  /// A deep copy (same options and weights).
  DeepPicker clone() const;

  const DeepPickerOptions& options() const;
  std::int64_t parameter_count() const;
  /// Records the training pre-processing (DeepPickerOptions::bandpass; InvalidInput if invalid).
  void set_bandpass(const std::vector<double>& bandpass);

  /// Raw inference on n normalised windows x[n][C][W]: PhaseNet -> [n][3][W] probabilities,
  /// GPD -> [n][3] (order P, S, noise). InvalidInput when x.size() != n*C*W.
  std::vector<float> predict_windows(const std::vector<float>& x, std::size_t n) const;

  /// Continuous trace (channels x samples, equal lengths, sampling rate = the model's) ->
  /// probabilities per sample, by overlapping windows whose outputs are averaged (PhaseNet) or
  /// by window centres interpolated linearly (GPD; samples outside the first/last centre get
  /// noise = 1). Traces shorter than the window are zero-padded (after normalisation), not
  /// dropped. InvalidInput on channel count, unequal lengths, empty or non-finite data, rate.
  Probabilities predict(const std::vector<std::vector<double>>& channels, double sampling_rate,
                        const SlidingOptions& sliding = {}) const;

  /// Trains in place with nn::train (Adam, optional decay, early stopping on `val` when given).
  PickerTrainReport train(const std::vector<LabelledTrace>& train_set, const std::vector<LabelledTrace>& val_set,
                          const PickerTrainOptions& options);

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// An ensemble of pickers of one kind, input and rate (e.g. one network trained from several
/// seeds): predict() averages the members' probabilities sample by sample. With few training
/// traces the members disagree mostly on spurious peaks, which the average suppresses.
class PickerEnsemble {
public:
  PickerEnsemble() = default;
  /// InvalidInput when `m` differs from the first member in kind, channels, window or rate.
  void add(DeepPicker&& m);
  /// One member per file (IoError naming a missing / foreign file; InvalidInput on mismatch).
  static PickerEnsemble load(const std::vector<std::string>& paths);
  std::size_t size() const { return members_.size(); }
  const DeepPicker& member(std::size_t i) const { return members_.at(i); }
  /// The first member's options (InvalidInput when empty).
  const DeepPickerOptions& options() const;
  /// Mean of the members' DeepPicker::predict (same checks and errors).
  Probabilities predict(const std::vector<std::vector<double>>& channels, double sampling_rate,
                        const SlidingOptions& sliding = {}) const;

private:
  std::vector<DeepPicker> members_;
};

/// Peaks of the P and S probabilities as picks: time = start_time_us + sample / fs; channel is
/// given by the caller (e.g. "HH?"), method e.g. "phasenet". Sorted by time.
std::vector<Pick> extract_picks(const Probabilities& prob, const PeakOptions& options, std::int64_t start_time_us,
                                const std::string& network, const std::string& station, const std::string& location,
                                const std::string& channel, const std::string& method);

/// Scores of one phase when every trace has at most one true and at most one picked arrival
/// (samples; NaN = none). A pick within `tolerance` samples of the truth is a true positive;
/// precision = TP / traces with a pick, recall = TP / traces with a truth; residuals
/// (pick - truth, seconds) over the true positives.
struct PhaseScore {
  std::size_t traces = 0, with_truth = 0, picked = 0, true_positives = 0;
  double precision = 0, recall = 0, f1 = 0;
  double residual_mean_s = 0, residual_std_s = 0;
  std::vector<double> residuals_s;   // all picks with a truth (pick - truth), not only TPs
};
PhaseScore score_picks(const std::vector<double>& picked, const std::vector<double>& truth, double tolerance,
                       double sampling_rate);

}  // namespace hyseis::learning::picking
