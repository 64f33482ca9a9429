#pragma once
// Verification problems for the eikonal solver, shared by tests/traveltime and the validation
// cases "eikonal_constant_gradient" and "eikonal_gradient".
namespace hyseis::physics::traveltime {

/// Max |T - T_exact| on [0,1]^2 for v(y) = 2 + 1.5 y, source (0.5, 0.2), n x n nodes; with
/// `analytic_box` the nodes within 0.1 of the source hold the analytic times (isolates the
/// order of the scheme from the point-source singularity).
double constant_gradient_max_error(int n, int order, bool analytic_box);

struct GradientCheck {
  double cosine = 0;         // cos(vjp gradient, central finite differences)
  double relative_diff = 0;  // ||vjp - fd|| / ||fd||
};
/// Adjoint-state gradient of J = 1/2 ||T_rec - T_obs||^2 vs central differences on a 17 x 15
/// random smooth medium with 5 receivers.
GradientCheck eikonal_gradient_check();

}  // namespace hyseis::physics::traveltime
