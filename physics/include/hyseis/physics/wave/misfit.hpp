#pragma once
// Waveform misfits and their adjoint sources (d misfit / d synthetic samples), exact
// derivatives of the discrete misfits (docs/theory/adjoint.md). No deal.II here.
#include <vector>

#include "hyseis/physics/wave/modeling.hpp"

namespace hyseis::physics::wave {

using Traces = std::vector<std::vector<std::vector<double>>>;  // [receiver][component][sample]

/// Checks that `obs` matches `syn` (receiver count, components, samples, time sampling to
/// 1e-9 dt) and that both are finite; throws core::InvalidInput naming the problem. `what`
/// names the observed data in messages (e.g. a file name).
void check_compatible(const Seismograms& syn, const Seismograms& obs, const char* what = "observed data");

/// L2 waveform misfit J = 1/2 sum_{r,c} sum_n w_n (s_n - d_n)^2 dt (trapezoid weights w_n:
/// 1/2 at both ends, 1 inside). Adjoint source: dJ/ds_n = w_n (s_n - d_n) dt.
double l2_misfit(const Traces& syn, const Traces& obs, double dt, Traces* adjoint_source = nullptr);

/// Cross-correlation travel-time misfit (Luo & Schuster 1991; Tromp et al. 2005):
/// per trace, C_j = sum_n s_{n-j} d_n dt, j the lag of the largest C_j (|j| <= max_lag
/// samples, ties: smallest |j|), refined by the parabola through C_{j-1}, C_j, C_{j+1}:
/// dT = (j + delta) dt, delta = (C_{j-1} - C_{j+1}) / (2 (C_{j-1} - 2 C_j + C_{j+1})), so that
/// s(t - dT) ~ d(t) (dT > 0: observed later). J = 1/2 sum dT^2; the adjoint source is the
/// exact derivative dT dT/ds_n (-> the Tromp et al. form -dT s'(t)/int s'^2 in the continuous
/// limit, up to the sign convention of dT). Traces with zero energy contribute nothing.
/// `shifts` (optional) receives dT per trace [r][c].
double cc_traveltime_misfit(const Traces& syn, const Traces& obs, double dt, Traces* adjoint_source = nullptr,
                            std::vector<std::vector<double>>* shifts = nullptr, int max_lag = -1);

/// Misfit of `type` and (optionally) its adjoint source.
double misfit(const Traces& syn, const Traces& obs, double dt, MisfitType type, Traces* adjoint_source = nullptr);

}  // namespace hyseis::physics::wave
