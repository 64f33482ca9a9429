#pragma once
#include <string>
namespace hyseis::core {
/// hyseis version string ("0.1.0").
std::string version();
}  // namespace hyseis::core
