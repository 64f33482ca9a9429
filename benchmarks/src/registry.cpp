#include "hyseis/bench/bench.hpp"

namespace hyseis::bench {

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = {};
  return cases;
}

}  // namespace hyseis::bench
