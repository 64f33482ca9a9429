#pragma once
// Validation cases for the GMPEs of physics/groundmotion against OpenQuake's verification tables
// (shared/validation/gmpe_oq_verification): "gmpe_bssa14_openquake" and "gmpe_cy14_openquake".
#include <vector>

#include "hyseis/validation/cases.hpp"

namespace hyseis::validation {

/// The GMPE cases, for the registry (all_cases()).
std::vector<Case> gmpe_cases();

}  // namespace hyseis::validation
