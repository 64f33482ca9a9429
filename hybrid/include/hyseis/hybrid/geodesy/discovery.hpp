#pragma once
// PDE discovery on postseismic surface deformation (issue 8): recover the relaxation law of the
// antiplane elastic-layer / Maxwell half-space model from the surface velocity field v(x, t).
//
// Truth (docs/theory/viscoelastic-cycle.md §8): by the correspondence principle the n-th image
// of the Savage-Prescott series carries Gamma(p)^n = (1 + 2 p tau)^-n, and the strain of the
// n-th image has the spatial spectrum exp(-2 n H |k|) (times a source factor sinh(D|k|)). The
// image sum is geometric, r / (1 + 2 p tau - r), r = exp(-2 |k| H): each spatial Fourier mode of
// the surface velocity relaxes with ONE time constant,
//     d a_k / dt = c_k - lambda(k) a_k,     lambda(k) = (1 - exp(-2 |k| H)) / (2 tau),
// between earthquakes (c_k: the steady back-slip forcing). In x the operator is non-local
// (lambda ~ |k| H / tau at long wavelength, a Hilbert-transform derivative), so a local PDE
// u_t = a u + b u_xx + ... does not hold; discovery is done per Fourier mode, in time, with the
// learning/sindy machinery (library 1, a, a^2, a^3, STRidge with tolerance search), and the
// recovered rates are then fitted by lambda(k) to give tau (and H).
#include <string>
#include <vector>

namespace hyseis::hybrid::geodesy {

/// Surface velocity v(x_i, t_n) on a uniform station grid x_i = i dx (x_0 may be > 0) for x >= 0
/// (the field is odd in x) and uniform times t_n within one interseismic period.
struct VelocityField {
  std::vector<double> x;                     ///< stations, uniform spacing, ascending, >= 0
  std::vector<double> t;                     ///< times after the last earthquake, uniform
  std::vector<std::vector<double>> v;        ///< [time][station]
  /// Throws core::InvalidInput naming the constraint (sizes, uniform grids, finite values).
  void validate() const;
};

/// Relaxation rate of the Fourier mode k (rad per length unit) of the surface field.
double mode_relaxation_rate(double k, double layer_thickness, double relaxation_time);

struct RelaxationDiscoveryOptions {
  std::vector<double> wavenumbers;   ///< k (rad / length unit), > 0
  double window_length = 0;          ///< L: Hann half-window, cos^2(pi x / 2L) on [0, L]; 0 = last station
  int max_poly = 3;                  ///< library 1, a, ..., a^max_poly
  int poly_degree = 4;               ///< local polynomial (Savitzky-Golay) time derivative
  int poly_half_width = 4;
  double noise_fraction = 0;         ///< Gaussian noise (fraction of std) added to v before discovery
  unsigned long long seed = 1;
  void validate() const;
};

struct ModeFit {
  double k = 0;
  std::vector<std::string> terms;    ///< selected library terms
  std::string equation;              ///< "a_t = ... "
  double rate = 0;                   ///< -coefficient of a
  double constant = 0;               ///< coefficient of 1
  bool linear_law = false;           ///< support is exactly {1, a}
};

struct RelaxationDiscovery {
  std::vector<ModeFit> modes;
  double tau_known_h = 0;      ///< tau from lambda(k) = (1 - e^{-2kH})/(2 tau) with H given
  double tau_fit = 0, h_fit = 0;  ///< (tau, H) fitted jointly
  double rate_rms_misfit = 0;  ///< rms of (lambda_k - lambda(k; tau_fit, h_fit)) / lambda_k
  bool all_linear = false;     ///< every mode selected exactly {1, a}
};

/// Mode amplitude a_k(t) = 2 int_0^L v_x(x, t) W(x) cos(k x) dx of the (even) strain-rate field,
/// computed in weak form as -2 int_0^L v d/dx[W cos kx] dx (v(0) = 0 on the locked fault; no
/// derivative of the data), trapezoidal on the station grid. Returned as [mode][time].
std::vector<std::vector<double>> mode_amplitudes(const VelocityField& f, const std::vector<double>& k,
                                                 double window_length);

/// Runs the per-mode SINDy discovery and the dispersion fit. `layer_thickness` is the H used for
/// tau_known_h (the joint fit does not use it except as a starting bracket).
RelaxationDiscovery discover_relaxation(const VelocityField& f, const RelaxationDiscoveryOptions& o,
                                        double layer_thickness);

}  // namespace hyseis::hybrid::geodesy
