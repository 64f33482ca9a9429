#pragma once
// Deep phase-picking networks as LibTorch modules (docs/theory/picking.md, section 8).
// This header includes LibTorch's module headers: include it only from .cpp files of learning/
// and hybrid/ (the light, torch-free interface is hyseis/learning/picking/deep.hpp).
//
//  - PhaseNet (Zhu & Beroza 2019): 1-D U-Net, input [B, C, W] (3 components x 3001 samples at
//    100 Hz), output logits [B, 3, W] (classes P, S, noise; softmax over dim 1 gives the
//    per-sample probabilities). Four stride-4 down-sampling levels with 8/11/16/22/32 filters,
//    kernel 7, transposed convolutions with skip connections, as in the paper's Fig. 2.
//  - GPD (Ross et al. 2018): CNN classifier, input [B, C, 400] (4 s at 100 Hz), four
//    conv+BN+ReLU+max-pool(2) blocks (32/64/128/256 filters, kernels 21/15/11/9), two fully
//    connected layers of 200 units, output logits [B, 3] (P, S, noise).
// Shapes are checked in forward(): core::InvalidInput names the expected and the given shape.
#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace hyseis::learning::picking {

struct PhaseNetOptions {
  std::int64_t in_channels = 3;
  std::int64_t classes = 3;                              // P, S, noise
  std::vector<std::int64_t> filters{8, 11, 16, 22, 32};  // one per level (levels = size)
  std::int64_t kernel = 7;                               // odd
  std::int64_t stride = 4;                               // down-/up-sampling factor
  void validate() const;                                 // core::InvalidInput naming the field
  /// Shortest input the network accepts: every level keeps >= 1 sample.
  std::int64_t min_samples() const;
};

struct PhaseNetImpl : torch::nn::Module {
  explicit PhaseNetImpl(PhaseNetOptions options = {});
  /// x: [B, in_channels, W] -> logits [B, classes, W].
  torch::Tensor forward(const torch::Tensor& x);
  PhaseNetOptions options;
  torch::nn::Conv1d conv_in{nullptr};
  torch::nn::BatchNorm1d bn_in{nullptr};
  torch::nn::ModuleList down_conv, down_bn, pool_conv, pool_bn, up_conv, up_bn, merge_conv, merge_bn;
  torch::nn::Conv1d conv_out{nullptr};
};
TORCH_MODULE(PhaseNet);

struct GPDOptions {
  std::int64_t in_channels = 3;
  std::int64_t classes = 3;
  std::int64_t samples = 400;                           // window length (fixed by the FC layers)
  std::vector<std::int64_t> filters{32, 64, 128, 256};
  std::vector<std::int64_t> kernels{21, 15, 11, 9};     // same length as filters, odd
  std::int64_t hidden = 200;                            // two fully connected layers
  void validate() const;
  std::int64_t flat_features() const;                   // input of the first FC layer
};

struct GPDImpl : torch::nn::Module {
  explicit GPDImpl(GPDOptions options = {});
  /// x: [B, in_channels, samples] -> logits [B, classes].
  torch::Tensor forward(const torch::Tensor& x);
  GPDOptions options;
  torch::nn::ModuleList convs, bns;
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc_out{nullptr};
  torch::nn::BatchNorm1d bn_fc1{nullptr}, bn_fc2{nullptr};
};
TORCH_MODULE(GPD);

}  // namespace hyseis::learning::picking
