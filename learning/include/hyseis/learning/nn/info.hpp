#pragma once
// Light header (no torch): run-time facts about the linked LibTorch and XGBoost, for `hyseis info`.
#include <string>

namespace hyseis::learning::nn {
/// e.g. "1.13.1, CPU, 2 threads, autograd: yes"
std::string torch_info();
/// e.g. "1.7.4 (C API)"
std::string xgboost_info();
}  // namespace hyseis::learning::nn
