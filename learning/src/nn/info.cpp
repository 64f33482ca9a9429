#include "hyseis/learning/nn/info.hpp"

#include <torch/torch.h>
#include <torch/version.h>
#include <xgboost/c_api.h>

namespace hyseis::learning::nn {

std::string torch_info() {
  std::string s = std::string(TORCH_VERSION) + ", " + (torch::cuda::is_available() ? "CUDA" : "CPU") +
                  ", " + std::to_string(torch::get_num_threads()) + " threads";
  // A one-line autograd self-check: d/dx (x^2) at 3 = 6.
  auto x = torch::tensor({3.0}, torch::requires_grad());
  (x * x).sum().backward();
  s += x.grad().item<double>() == 6.0 ? ", autograd ok" : ", autograd FAILED";
  return s;
}

std::string xgboost_info() {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch) + " (C API)";
}

}  // namespace hyseis::learning::nn
