#pragma once
// LibTorch autograd bridges over hyseis' differentiable physics operators (named for torch:
// include it only from torch translation units). See docs/theory/adjoint.md, "The bridge".
//
//   WaveFunction:    params [n_params] (float64)  -> seismograms [n_rec, n_comp, n_t];
//                    backward = Modeling::vjp (the exact discrete adjoint of the SEM stepping).
//   EikonalFunction: slowness [nx*ny] (float64)   -> travel times [n_rec];
//                    backward = Eikonal2D::vjp (adjoint state of the fast-sweeping scheme).
//
// Memory: tensors in and out are wrapped, not copied, where the layouts allow it (the
// parameter vector is read through its own storage, the gradient tensor adopts the vector the
// adjoint returns via from_blob with a deleter). The seismograms of Modeling are nested
// std::vectors (a deal.II-free interface), so the forward output and the backward cotangent
// are copied once: O(n_rec n_comp n_t) values, negligible against the O(n_steps n_dofs) of
// the time stepping; wavefields never cross the bridge.
#include <torch/csrc/autograd/custom_function.h>
#include <torch/types.h>

#include <vector>

#include "hyseis/physics/traveltime/eikonal.hpp"
#include "hyseis/physics/wave/modeling.hpp"

namespace hyseis::hybrid::autograd {

/// Synthetic seismograms of `modeling` for one shot, differentiable w.r.t. `params`
/// (float64, shape [n_params], CPU). Output float64 [n_rec, n_comp, n_t]. `modeling` must
/// outlive the autograd graph.
torch::Tensor wave_seismograms(physics::wave::Modeling& modeling, const physics::wave::SourceOptions& shot,
                               const torch::Tensor& params);

/// Travel times at `receivers` of the eikonal solver, differentiable w.r.t. the node slowness
/// (float64, [grid.nodes()]). Output float64 [n_receivers]. `eikonal` must outlive the graph.
torch::Tensor eikonal_traveltimes(const physics::traveltime::Eikonal2D& eikonal,
                                  const physics::traveltime::Point2& source,
                                  const std::vector<physics::traveltime::Point2>& receivers,
                                  const torch::Tensor& slowness);

struct WaveFunction : public torch::autograd::Function<WaveFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor params,
                               physics::wave::Modeling* modeling, const physics::wave::SourceOptions& shot);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_output);
};

struct EikonalFunction : public torch::autograd::Function<EikonalFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor slowness,
                               const physics::traveltime::Eikonal2D* eikonal, const physics::traveltime::Point2& source,
                               const std::vector<physics::traveltime::Point2>& receivers);
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_output);
};

}  // namespace hyseis::hybrid::autograd
