#include "hyseis/physics/groundmotion/gmpe.hpp"

#include <cmath>
#include <sstream>

#include "hyseis/core/error.hpp"

namespace hyseis::physics::groundmotion {

Imt Imt::sa(double period) {
  HYSEIS_REQUIRE(std::isfinite(period) && period > 0, core::InvalidInput,
                 "SA period must be a finite number > 0 s, got " << period);
  return {Kind::SA, period};
}

std::string Imt::name() const {
  switch (kind) {
    case Kind::PGA: return "PGA";
    case Kind::PGV: return "PGV";
    case Kind::SA: {
      std::ostringstream os;
      os << "SA(" << period << ")";
      return os.str();
    }
  }
  return "?";
}

}  // namespace hyseis::physics::groundmotion
