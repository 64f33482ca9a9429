#include <cstdlib>
#include <string>

#include "hyseis/validation/cases.hpp"

#ifndef HYSEIS_SOURCE_DIR
#define HYSEIS_SOURCE_DIR "."
#endif

namespace hyseis::validation {

std::string default_data_dir() {
  if (const char* env = std::getenv("HYSEIS_VALIDATION_DATA"); env && *env) return env;
  return std::string(HYSEIS_SOURCE_DIR) + "/../shared/validation";
}

}  // namespace hyseis::validation
