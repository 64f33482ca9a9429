#pragma once
// Validation cases for the viscoelastic earthquake cycle of physics/cycle:
// "viscoelastic_cycle_savage_prescott" (FE surface velocities vs Savage & Prescott 1978) and
// "coseismic_screw_dislocation" (FE coseismic step vs the elastic half-space screw dislocation).
// See docs/theory/viscoelastic-cycle.md.
#include <vector>

#include "hyseis/validation/cases.hpp"

namespace hyseis::validation {

/// The cycle cases, for the registry (all_cases()).
std::vector<Case> cycle_cases();

}  // namespace hyseis::validation
