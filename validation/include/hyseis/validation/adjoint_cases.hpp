#pragma once
// Validation cases of the adjoint wave modeling and the autograd bridges
// (docs/theory/adjoint.md): "adjoint_acoustic", "adjoint_elastic" (dot-product, Taylor and
// finite-difference checks for the L2 and cross-correlation travel-time misfits),
// "adjoint_checkpointing" (binomial == store_all, memory) and "adjoint_torch_bridge"
// (a LibTorch loss through WaveFunction / EikonalFunction vs finite differences).
#include <vector>

#include "hyseis/validation/cases.hpp"

namespace hyseis::validation {

/// The adjoint cases, for the registry (all_cases()).
std::vector<Case> adjoint_cases();

}  // namespace hyseis::validation
