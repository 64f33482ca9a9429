#pragma once
// Reference solution of 2D Lamb's problem (plane strain): a vertical line force applied at the
// free surface of a homogeneous elastic half-space, displacement recorded on the surface.
// Derivation and conventions: docs/theory/lamb.md. Coordinates as the solver: x horizontal,
// z vertical positive UP, the half-space is z <= 0, the force acts at (0, 0).
#include <vector>

namespace hyseis::validation::lamb {

struct HalfSpace {
  double vp = 2000, vs = 1154.7, rho = 2000;
};

/// Source: force fz * amplitude * Ricker(t - t_c) (N/m; Ricker as physics::wave, a = pi^2 f0^2).
struct RickerSource {
  double fz = 1;
  double amplitude = 1;
  double f0 = 10;
  double t_c = 0.12;
};

/// Numerical parameters of the discrete-wavenumber (Bouchon) integration. 0 = automatic:
/// period T = 4 max(t), eps = 6 / T (imaginary part of the frequency, 1/s), fmax = 5 f0,
/// source spacing L = max(4 vp T, 8 |x|), kmax = 30 * 2 pi fmax / vs.
struct DwnOptions {
  double period = 0;
  double eps = 0;
  double fmax = 0;
  double spacing = 0;
  double kmax = 0;
};

struct SurfaceTraces {
  std::vector<double> ux, uz;
};

/// Rayleigh-wave speed (root of the Rayleigh function in (0, vs)).
double rayleigh_velocity(const HalfSpace& m);

/// Surface displacement at offset x != 0 and times t (t >= 0 expected; the source must be
/// negligible before t = 0), by discrete-wavenumber integration of the exact f-k response with
/// complex frequency omega + i eps; the static high-wavenumber asymptote is subtracted and added
/// back in closed form (K0 / exponential kernels).
SurfaceTraces surface_displacement_dwn(const HalfSpace& m, const RickerSource& s, double x,
                                       const std::vector<double>& t, const DwnOptions& opt = {});

/// Rayleigh-pole (residue) contribution alone, exact for the surface wave at any distance:
///   ux_R(t) = -A_x fz s(t - x/c_R),  uz_R(t) = -A_z fz H[s](t - x/c_R)  (x > 0; ux odd in x),
/// with H the Hilbert transform; evaluated by a real-frequency integral. At large |x| it is the
/// whole signal near t = |x|/c_R (body waves decay with distance), an independent check of the
/// wavenumber integration.
SurfaceTraces rayleigh_pole_contribution(const HalfSpace& m, const RickerSource& s, double x,
                                         const std::vector<double>& t);

/// Rayleigh-wave amplitude factors A_x, A_z above (m per N/m, i.e. 1/(Pa)); A_z/A_x is the
/// ellipticity (1.4679 for a Poisson solid), a textbook check of the f-k kernel.
void rayleigh_amplitudes(const HalfSpace& m, double& a_x, double& a_z);

}  // namespace hyseis::validation::lamb
