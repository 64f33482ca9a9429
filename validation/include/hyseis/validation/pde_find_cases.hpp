#pragma once
// Validation cases for PDE discovery (learning/sindy) on the PDE-FIND datasets of Rudy et al.
// (2017), shared/validation/pde_find: "pde_find_burgers", "pde_find_kdv", "pde_find_ks",
// "pde_find_nls", "pde_find_qho" (docs/theory/pde-discovery.md).
#include <string>
#include <vector>

#include "hyseis/validation/cases.hpp"

namespace hyseis::validation {

/// The PDE-FIND cases, for the registry (all_cases()).
std::vector<Case> pde_find_cases();

}  // namespace hyseis::validation
