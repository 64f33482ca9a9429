#pragma once
// Differentiable 2D SEM modeling: forward seismograms of a gridded model, misfit gradients by
// the exact discrete adjoint of the time stepping, vector-Jacobian products for the LibTorch
// bridge. Light header: no deal.II, Kokkos or torch (pimpl). See docs/theory/adjoint.md.
#include <mpi.h>

#include <functional>
#include <memory>
#include <vector>

#include "hyseis/physics/wave/problem.hpp"

namespace hyseis::physics::wave {

/// Regular node grid on which a model is parameterised: value[k*nx + i] at (x0 + i*dx, z0 + k*dz),
/// bilinear interpolation to the GLL points (same convention as GriddedModel), clamped outside.
struct ModelGrid {
  int nx = 0, nz = 0;
  double x0 = 0, z0 = 0, dx = 0, dz = 0;
};

enum class MisfitType { l2, cc_traveltime };
enum class CheckpointMode { store_all, binomial };

struct AdjointOptions {
  CheckpointMode checkpointing = CheckpointMode::binomial;
  int snapshots = 0;  // binomial: number of stored states; 0 = auto (~sqrt(n_steps))
  /// store_all only: keep per step just what the reverse sweep reads — a, u (elastic only: the
  /// stiffness derivative) and v on the Stacey-damped entries — instead of the full (u, v, a):
  /// 1/3 (acoustic) or 2/3 (elastic) of the memory and its traffic, the same gradient bitwise.
  bool compact_store = false;
};

struct GradientResult {
  double misfit = 0;
  std::vector<double> gradient;       // d misfit / d params, same layout as params
  double wavefield_memory_mib = 0;    // memory held for the backward pass (checkpoints or stored fields)
  long long forward_steps = 0;        // time steps computed incl. recomputation
};

/// The gradient on the model's own parameterisation: d misfit / d(vp, vs, rho) at one material
/// sample point of the SEM (a GLL point of a cell, or a Stacey face sample). Summed with the
/// bilinear weights of (x, z) onto the grid it gives the grid gradient.
struct PointGradient {
  double x = 0, z = 0;
  double d_vp = 0, d_vs = 0, d_rho = 0;  // acoustic: d_vs = d_rho = 0 (density fixed)
};

class Modeling {
 public:
  /// `base` fixes mesh, boundaries, time (dt must be resolvable: dt = 0 -> chosen once from the
  /// CFL limit of the first model seen, or give dt explicitly), record quantity, receivers and
  /// physics. base.medium and base.sources are ignored. Acoustic params: vp on the grid (density
  /// held fixed = `rho` constant); elastic params: [vp | vs | rho] stacked, 3*nx*nz.
  Modeling(const WaveProblem& base, const ModelGrid& grid, MPI_Comm comm, AdjointOptions opt = {},
           double rho = 1000.0);
  ~Modeling();
  Modeling(const Modeling&) = delete;
  Modeling& operator=(const Modeling&) = delete;

  int n_params() const;
  const ModelGrid& grid() const;
  double dt() const;
  int n_steps() const;

  Seismograms forward(const std::vector<double>& params, const SourceOptions& shot);

  /// Misfit of synthetics vs observed (same receivers, time sampling) and its gradient.
  GradientResult gradient(const std::vector<double>& params, const SourceOptions& shot,
                          const Seismograms& observed, MisfitType type);

  /// Vector-Jacobian product for the bridge: given d loss / d seismograms (same shape as
  /// forward's data), return d loss / d params (the adjoint source is the given residual).
  std::vector<double> vjp(const std::vector<double>& params, const SourceOptions& shot,
                          const std::vector<std::vector<std::vector<double>>>& data_cotangent);

  /// d cotangent(synthetics) . d synthetics / d params, for a loss whose data cotangent depends
  /// on the synthetics (e.g. a filtered misfit): ONE forward run, recorded for the reverse sweep
  /// as gradient() records it, then `cotangent(synthetics)` (same shape as forward's data), then
  /// the adjoint. Equals vjp(params, shot, cotangent(forward(params, shot))) without the extra
  /// forward run; `synthetics` (optional) receives the forward seismograms.
  using CotangentFn = std::function<std::vector<std::vector<std::vector<double>>>(const Seismograms& synthetics)>;
  std::vector<double> vjp_with_forward(const std::vector<double>& params, const SourceOptions& shot,
                                       const CotangentFn& cotangent, Seismograms* synthetics = nullptr);

  /// Linearised (Born / tangent-linear) forward: the directional derivative of forward's data
  /// along `dparams` (same layout as params). With vjp it passes the dot-product test
  /// <jvp(dm), dd> = <dm, vjp(dd)> to round-off (docs/theory/adjoint.md).
  std::vector<std::vector<std::vector<double>>> jvp(const std::vector<double>& params, const SourceOptions& shot,
                                                    const std::vector<double>& dparams);

  /// Per-point gradient of the last gradient()/vjp() call: the GLL points of this rank's cells
  /// (cell by cell, lexicographic), then this rank's Stacey face samples. Local to this rank.
  std::vector<PointGradient> point_gradient() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// Misfit of synthetics against observations (see misfit.hpp for the adjoint sources).
double misfit_value(const Seismograms& syn, const Seismograms& obs, MisfitType type);

}  // namespace hyseis::physics::wave
