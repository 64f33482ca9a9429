#pragma once
// The one training loop and the small building blocks every hyseis network shares (phase
// pickers, EEW classifiers, NN GMPEs, PI models, surrogates). This header includes LibTorch's
// module/optimiser headers: include it only from .cpp files of learning/ and hybrid/.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/types.h>

namespace hyseis::learning::nn {

/// Seeds torch's CPU generator (weights, dropout) and sets a deterministic thread count.
void seed_everything(std::uint64_t seed, int threads = 0 /*0 = leave as is*/);

struct TrainOptions {
  int epochs = 100;
  std::int64_t batch_size = 64;       // <= 0: full batch
  double learning_rate = 1e-3;        // Adam (decoupled AdamW when weight_decay > 0)
  double weight_decay = 0.0;
  double lr_decay = 1.0;              // learning rate multiplied by this after every epoch
  int patience = 0;                   // early stopping: epochs without a new best validation
                                      // loss before stopping; 0 = never stop early
  double min_delta = 0.0;             // improvement smaller than this does not count
  std::uint64_t seed = 0;             // mini-batch shuffling
  std::string checkpoint;             // if non-empty: model+optimiser+history written
                                      // atomically after every epoch; an existing file is
                                      // resumed from (same options => same result)
  std::string label = "train";        // progress / log label
  bool progress = true;               // progress bar / log lines on stderr
  double clip_grad_norm = 0.0;        // > 0: clip the global gradient norm
};

struct TrainHistory {
  std::vector<double> train_loss;     // mean mini-batch loss per epoch
  std::vector<double> val_loss;       // validation loss per epoch (= train_loss if none given)
  int best_epoch = -1;                // 0-based epoch of the lowest validation loss
  double best_val = std::numeric_limits<double>::infinity();
  int epochs_run = 0;
  bool stopped_early = false;
  bool resumed = false;               // started from an existing checkpoint
};

/// Returns the mean loss over the samples in `indices` (int64, 1-D); must be differentiable
/// with respect to the model's parameters.
using BatchLoss = std::function<torch::Tensor(const torch::Tensor& indices)>;
/// Validation loss (called under NoGradGuard with the model in eval() mode).
using ValidationLoss = std::function<double()>;

/// Mini-batch Adam(W) over samples 0..n_samples-1, reshuffled every epoch with `seed`. Keeps
/// the parameters of the best validation epoch and restores them at the end (early stopping).
/// Throws core::NumericalError if the loss becomes non-finite (naming epoch and batch).
TrainHistory train(torch::nn::Module& model, std::int64_t n_samples, const BatchLoss& batch_loss,
                   const ValidationLoss& validation_loss, const TrainOptions& options);

/// Copies of all parameters and buffers (for snapshots / restoring a best state).
std::vector<torch::Tensor> snapshot_state(torch::nn::Module& model);
void restore_state(torch::nn::Module& model, const std::vector<torch::Tensor>& state);

enum class Activation { relu, tanh, gelu, softplus, silu };
Activation activation_from_string(const std::string& name);   // InvalidInput on unknown

/// Fully connected network in -> hidden... -> out, `activation` between layers, optional
/// dropout after each hidden activation; the output layer is linear.
struct MLPImpl : torch::nn::Module {
  MLPImpl(std::int64_t in, std::vector<std::int64_t> hidden, std::int64_t out,
          Activation activation = Activation::relu, double dropout = 0.0);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(MLP);

/// Column-wise standardisation (x - mean) / std fitted on training data; columns with zero
/// spread keep std = 1. Stored as module buffers so it is saved with the model.
struct StandardizerImpl : torch::nn::Module {
  explicit StandardizerImpl(std::int64_t features = 1);
  void fit(const torch::Tensor& x);               // x: [n, features]
  torch::Tensor forward(const torch::Tensor& x);   // standardise
  torch::Tensor inverse(const torch::Tensor& z);   // undo
  torch::Tensor mean, std;
};
TORCH_MODULE(Standardizer);

/// Saves / loads a module's parameters and buffers (torch::serialize archive) atomically
/// (tmp file then rename). load throws core::IoError naming the file on any mismatch.
void save_module(torch::nn::Module& module, const std::string& path);
void load_module(torch::nn::Module& module, const std::string& path);

}  // namespace hyseis::learning::nn
