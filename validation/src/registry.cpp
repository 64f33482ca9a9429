#include "hyseis/validation/cases.hpp"

namespace hyseis::validation {

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = {};
  return cases;
}

}  // namespace hyseis::validation
