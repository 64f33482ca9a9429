#pragma once
// Validation cases for the Okada (1985, 1992) half-space dislocations of physics/cycle:
// "okada1985_table2", "okada_hdef_regression", "okada_free_surface_identities"
// (shared/validation/okada_reference, docs/theory/okada.md).
#include <vector>

#include "hyseis/validation/cases.hpp"

namespace hyseis::validation {

/// The Okada cases, for the registry (all_cases()).
std::vector<Case> okada_cases();

}  // namespace hyseis::validation
