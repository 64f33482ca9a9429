#include "hyseis/core/version.hpp"
namespace hyseis::core {
std::string version() { return "0.1.0"; }
}  // namespace hyseis::core
