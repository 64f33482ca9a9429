// PhaseNet (Zhu & Beroza 2019) and GPD (Ross et al. 2018) as LibTorch modules.
#include "hyseis/learning/picking/networks.hpp"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/torch.h>

#include <sstream>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::picking {

namespace {
std::string shape_str(const torch::Tensor& x) {
  std::ostringstream os;
  os << "[";
  for (std::int64_t i = 0; i < x.dim(); ++i) os << (i ? ", " : "") << x.size(i);
  os << "]";
  return os.str();
}
}  // namespace

void PhaseNetOptions::validate() const {
  HYSEIS_REQUIRE(in_channels >= 1, core::InvalidInput, "PhaseNet: in_channels must be >= 1, got " << in_channels);
  HYSEIS_REQUIRE(classes >= 2, core::InvalidInput, "PhaseNet: classes must be >= 2, got " << classes);
  HYSEIS_REQUIRE(!filters.empty(), core::InvalidInput, "PhaseNet: filters must not be empty");
  for (auto f : filters) HYSEIS_REQUIRE(f >= 1, core::InvalidInput, "PhaseNet: filters must be >= 1, got " << f);
  HYSEIS_REQUIRE(kernel >= 1 && kernel % 2 == 1, core::InvalidInput, "PhaseNet: kernel must be odd and >= 1, got " << kernel);
  HYSEIS_REQUIRE(stride >= 1, core::InvalidInput, "PhaseNet: stride must be >= 1, got " << stride);
  // The transposed convolution (no padding) returns (L'-1) stride + kernel samples; after the
  // crop of (kernel-1)/2 it must cover the skip connection: (kernel + 1) / 2 >= stride.
  HYSEIS_REQUIRE((kernel + 1) / 2 >= stride, core::InvalidInput,
                 "PhaseNet: need (kernel + 1) / 2 >= stride for the up-sampling to cover the skip, got kernel "
                     << kernel << ", stride " << stride);
}

std::int64_t PhaseNetOptions::min_samples() const {
  std::int64_t m = 1;
  for (std::size_t i = 1; i < filters.size(); ++i) m *= stride;
  return m;
}

PhaseNetImpl::PhaseNetImpl(PhaseNetOptions o) : options(std::move(o)) {
  options.validate();
  namespace tnn = torch::nn;
  const auto& f = options.filters;
  const std::int64_t k = options.kernel, pad = (k - 1) / 2, n = static_cast<std::int64_t>(f.size());
  conv_in = register_module("conv_in", tnn::Conv1d(tnn::Conv1dOptions(options.in_channels, f[0], k).padding(pad)));
  bn_in = register_module("bn_in", tnn::BatchNorm1d(f[0]));
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t cin = i == 0 ? f[0] : f[i];
    down_conv->push_back(tnn::Conv1d(tnn::Conv1dOptions(cin, f[i], k).padding(pad).bias(false)));
    down_bn->push_back(tnn::BatchNorm1d(f[i]));
    if (i + 1 < n) {
      pool_conv->push_back(
          tnn::Conv1d(tnn::Conv1dOptions(f[i], f[i + 1], k).stride(options.stride).padding(pad).bias(false)));
      pool_bn->push_back(tnn::BatchNorm1d(f[i + 1]));
    }
  }
  for (std::int64_t i = n - 2; i >= 0; --i) {
    up_conv->push_back(
        tnn::ConvTranspose1d(tnn::ConvTranspose1dOptions(f[i + 1], f[i], k).stride(options.stride).bias(false)));
    up_bn->push_back(tnn::BatchNorm1d(f[i]));
    merge_conv->push_back(tnn::Conv1d(tnn::Conv1dOptions(2 * f[i], f[i], k).padding(pad).bias(false)));
    merge_bn->push_back(tnn::BatchNorm1d(f[i]));
  }
  register_module("down_conv", down_conv);
  register_module("down_bn", down_bn);
  register_module("pool_conv", pool_conv);
  register_module("pool_bn", pool_bn);
  register_module("up_conv", up_conv);
  register_module("up_bn", up_bn);
  register_module("merge_conv", merge_conv);
  register_module("merge_bn", merge_bn);
  conv_out = register_module("conv_out", tnn::Conv1d(tnn::Conv1dOptions(f[0], options.classes, 1)));
}

torch::Tensor PhaseNetImpl::forward(const torch::Tensor& input) {
  HYSEIS_REQUIRE(input.dim() == 3 && input.size(1) == options.in_channels && input.size(2) >= options.min_samples(),
                 core::InvalidInput,
                 "PhaseNet: expected input [batch, " << options.in_channels << ", samples >= " << options.min_samples()
                                                    << "], got " << shape_str(input));
  const std::int64_t n = static_cast<std::int64_t>(options.filters.size());
  const std::int64_t crop = (options.kernel - 1) / 2;
  auto x = torch::relu(bn_in(conv_in(input)));
  std::vector<torch::Tensor> skips;
  for (std::int64_t i = 0; i < n; ++i) {
    x = torch::relu(down_bn[i]->as<torch::nn::BatchNorm1d>()->forward(down_conv[i]->as<torch::nn::Conv1d>()->forward(x)));
    if (i + 1 < n) {
      skips.push_back(x);
      x = torch::relu(pool_bn[i]->as<torch::nn::BatchNorm1d>()->forward(pool_conv[i]->as<torch::nn::Conv1d>()->forward(x)));
    }
  }
  for (std::int64_t j = 0; j + 1 < n; ++j) {
    const auto& skip = skips[static_cast<std::size_t>(n - 2 - j)];
    x = up_conv[j]->as<torch::nn::ConvTranspose1d>()->forward(x);
    x = x.narrow(2, crop, skip.size(2));
    x = torch::relu(up_bn[j]->as<torch::nn::BatchNorm1d>()->forward(x));
    x = torch::cat({skip, x}, 1);
    x = torch::relu(merge_bn[j]->as<torch::nn::BatchNorm1d>()->forward(merge_conv[j]->as<torch::nn::Conv1d>()->forward(x)));
  }
  return conv_out(x);
}

void GPDOptions::validate() const {
  HYSEIS_REQUIRE(in_channels >= 1, core::InvalidInput, "GPD: in_channels must be >= 1, got " << in_channels);
  HYSEIS_REQUIRE(classes >= 2, core::InvalidInput, "GPD: classes must be >= 2, got " << classes);
  HYSEIS_REQUIRE(!filters.empty() && filters.size() == kernels.size(), core::InvalidInput,
                 "GPD: filters and kernels must be non-empty and of equal length, got " << filters.size() << " and "
                                                                                       << kernels.size());
  for (std::size_t i = 0; i < filters.size(); ++i) {
    HYSEIS_REQUIRE(filters[i] >= 1, core::InvalidInput, "GPD: filters[" << i << "] must be >= 1");
    HYSEIS_REQUIRE(kernels[i] >= 1 && kernels[i] % 2 == 1, core::InvalidInput,
                   "GPD: kernels[" << i << "] must be odd and >= 1, got " << kernels[i]);
  }
  HYSEIS_REQUIRE(hidden >= 1, core::InvalidInput, "GPD: hidden must be >= 1, got " << hidden);
  HYSEIS_REQUIRE(samples >> filters.size() >= 1, core::InvalidInput,
                 "GPD: samples must be >= 2^" << filters.size() << " (one max-pool of 2 per block), got " << samples);
}

std::int64_t GPDOptions::flat_features() const {
  return filters.back() * (samples >> filters.size());
}

GPDImpl::GPDImpl(GPDOptions o) : options(std::move(o)) {
  options.validate();
  namespace tnn = torch::nn;
  std::int64_t cin = options.in_channels;
  for (std::size_t i = 0; i < options.filters.size(); ++i) {
    convs->push_back(tnn::Conv1d(tnn::Conv1dOptions(cin, options.filters[i], options.kernels[i])
                                     .padding((options.kernels[i] - 1) / 2)
                                     .bias(false)));
    bns->push_back(tnn::BatchNorm1d(options.filters[i]));
    cin = options.filters[i];
  }
  register_module("convs", convs);
  register_module("bns", bns);
  fc1 = register_module("fc1", tnn::Linear(tnn::LinearOptions(options.flat_features(), options.hidden).bias(false)));
  bn_fc1 = register_module("bn_fc1", tnn::BatchNorm1d(options.hidden));
  fc2 = register_module("fc2", tnn::Linear(tnn::LinearOptions(options.hidden, options.hidden).bias(false)));
  bn_fc2 = register_module("bn_fc2", tnn::BatchNorm1d(options.hidden));
  fc_out = register_module("fc_out", tnn::Linear(options.hidden, options.classes));
}

torch::Tensor GPDImpl::forward(const torch::Tensor& input) {
  HYSEIS_REQUIRE(input.dim() == 3 && input.size(1) == options.in_channels && input.size(2) == options.samples,
                 core::InvalidInput,
                 "GPD: expected input [batch, " << options.in_channels << ", " << options.samples << "], got "
                                               << shape_str(input));
  auto x = input;
  for (std::size_t i = 0; i < convs->size(); ++i) {
    x = torch::relu(bns[i]->as<torch::nn::BatchNorm1d>()->forward(convs[i]->as<torch::nn::Conv1d>()->forward(x)));
    x = torch::max_pool1d(x, 2, 2);
  }
  x = x.flatten(1);
  x = torch::relu(bn_fc1(fc1(x)));
  x = torch::relu(bn_fc2(fc2(x)));
  return fc_out(x);
}

}  // namespace hyseis::learning::picking
