#pragma once
// Validation cases for travel-time tomography (physics/traveltime, hybrid/tomography) on the
// shared LST checkerboard experiment (shared/validation/lst_checkerboard):
//  - "straight_ray_geometry": exact ray-cell lengths vs exact geometry and vs the reference
//    code's sampled ray matrix / travel times;
//  - "lst_checkerboard": our conventional and LST RMSEs vs the authors' (tolerance: our LST
//    RMSE <= 1.1 x the authors' LST RMSE, and our LST better than our conventional inversion).
//  - "eikonal_constant_gradient": fast sweeping, first vs second order, vs the analytic solution;
//  - "eikonal_gradient": adjoint-state gradient vs finite differences (cosine >= 0.999).
// The first two need hyseis_validation linked with hyseis_hybrid; without it they are skipped
// with a reason. The eikonal cases need only hyseis_physics.
#include <vector>

#include "hyseis/validation/cases.hpp"

namespace hyseis::validation {

/// The tomography cases, for the registry (all_cases()).
std::vector<Case> tomography_cases();

}  // namespace hyseis::validation
