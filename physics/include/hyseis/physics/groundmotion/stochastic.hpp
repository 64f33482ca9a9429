#pragma once
// Stochastic point-source ground-motion model (Boore 2003, Pure Appl. Geophys. 160:635-676)
// with random-vibration theory (RVT) for PGA and PSA. See docs/theory/gmpe.md section 5.
//
// Fourier amplitude spectrum of acceleration at hypocentral distance R (one-sided, cm/s):
//   A(f) = C M0 S(f) G(R) exp(-pi f R / (Q(f) beta)) exp(-pi kappa0 f) Amp(f) (2 pi f)^2
//   C    = R_thetaphi V F / (4 pi rho beta^3 R0)            (cgs, R0 = 1 km)
//   S(f) = 1 / (1 + (f/fc)^2),  fc = 4.906e6 beta (dsigma/M0)^(1/3)  (beta km/s, bar, dyne-cm)
//   M0   = 10^(1.5 Mw + 16.05) dyne-cm                       (Hanks & Kanamori 1979)
//   Q(f) = Q0 f^eta;  G(R) piecewise power law (configurable hinges)
// Durations: Tgm = 1/fc + b R (path duration slope b, s/km); for PSA the rms duration uses
// the oscillator correction of Boore & Joyner (1984). Peak factor: Cartwright & Longuet-Higgins
// (1956). Outputs in g. Analytic derivatives of ln(output) w.r.t. stress drop, kappa0 and Q0.
//
// Pure C++ (no deal.II / torch).
#include <vector>

namespace hyseis::physics::groundmotion {

/// Site amplification as a table (frequency Hz ascending, amplification > 0), interpolated
/// linearly in log f - log amp; constant beyond the table ends.
struct SiteAmplificationTable {
  std::vector<double> freq;
  std::vector<double> amp;
  /// Boore & Joyner (1997, BSSA 87:327) generic rock (Vs30 = 620 m/s, quarter-wavelength,
  /// without kappa), in the 12-row form reproduced by Campbell (2003, BSSA 93:1012) for western
  /// North America; the last row (100 Hz, 4.40) is an extrapolation of the published curve.
  static SiteAmplificationTable boore_joyner_1997_generic_rock();
  /// Amplification 1 at all frequencies.
  static SiteAmplificationTable unity();
  double operator()(double f) const;
};

/// Model parameters. Defaults: a western-North-America-like crust (beta = 3.5 km/s,
/// rho = 2.8 g/cm^3), Q = 180 f^0.45, kappa0 = 0.04 s, stress drop 100 bar, 1/R to 40 km
/// then 1/R^0.5, path duration 0.05 R s, BJ97 generic rock amplification.
struct StochasticParameters {
  double stress_drop = 100.0;       ///< Brune stress parameter (bar, > 0)
  double kappa0 = 0.04;             ///< high-frequency diminution (s, > 0)
  double q0 = 180.0;                ///< Q(f) = q0 f^q_eta (> 0)
  double q_eta = 0.45;              ///< (finite, in [0, 1])
  double beta = 3.5;                ///< source shear-wave velocity (km/s, > 0)
  double rho = 2.8;                 ///< source density (g/cm^3, > 0)
  double radiation = 0.55;          ///< average radiation pattern R_thetaphi (> 0)
  double partition = 0.70710678118654752;  ///< V: partition onto two horizontal components (> 0)
  double free_surface = 2.0;        ///< F: free-surface amplification (> 0)
  /// Geometric spreading: G(R) = (1/R)^p0 for R <= h0, then continuous, * (h_{i-1}/R)^p_i
  /// for h_{i-1} < R <= h_i; hinges ascending (km), exponents.size() == hinges.size() + 1.
  std::vector<double> spreading_hinges{40.0};
  std::vector<double> spreading_exponents{1.0, 0.5};
  double path_duration_slope = 0.05;  ///< b in Tgm = 1/fc + b R (s/km, >= 0)
  SiteAmplificationTable site = SiteAmplificationTable::boore_joyner_1997_generic_rock();
  double damping = 0.05;            ///< oscillator damping ratio for PSA, (0, 1)
  // Numerical integration of the spectral moments: composite Simpson in ln f.
  double f_min = 1.0e-3;            ///< Hz
  double f_max = 300.0;             ///< Hz
  int n_freq = 4000;                ///< intervals (even, >= 100)
  int n_peak = 2000;                ///< intervals of the peak-factor integral (even, >= 100)
};

/// Output of pga() / psa(): value, analytic derivatives of its natural log, RVT diagnostics.
struct StochasticResult {
  double value_g = 0.0;            ///< PGA or PSA (g)
  double ln_value = 0.0;           ///< ln(value_g)
  double dln_dstress_drop = 0.0;   ///< d ln(value) / d stress_drop (1/bar)
  double dln_dkappa0 = 0.0;        ///< d ln(value) / d kappa0 (1/s)
  double dln_dq0 = 0.0;            ///< d ln(value) / d q0
  double m0 = 0.0, m2 = 0.0, m4 = 0.0;  ///< spectral moments (cgs)
  double peak_factor = 0.0;        ///< y_max / y_rms
  double n_z = 0.0;                ///< number of zero crossings (1/pi) sqrt(m2/m0) Tgm
  double xi = 0.0;                 ///< m2 / sqrt(m0 m4)
  double duration_gm = 0.0;        ///< Tgm (s)
  double duration_rms = 0.0;       ///< Trms (s)
  double corner_frequency = 0.0;   ///< fc (Hz)
};

/// Cartwright & Longuet-Higgins (1956) expected peak factor
///   y_max / y_rms = sqrt(2) * int_0^inf [1 - (1 - xi exp(-z^2))^nz] dz,
/// evaluated by composite Simpson on [0, z_max] (n intervals). Optional derivatives with respect
/// to nz and xi. Throws core::InvalidInput for nz <= 0 or xi outside (0, 1].
double clh_peak_factor(double nz, double xi, int n = 2000, double* d_dnz = nullptr,
                       double* d_dxi = nullptr);

class StochasticPointSource {
public:
  /// Validates the parameters; throws core::InvalidInput naming the field.
  explicit StochasticPointSource(StochasticParameters params = {});
  const StochasticParameters& parameters() const { return p_; }

  static double seismic_moment(double mag);        ///< M0 (dyne-cm)
  double corner_frequency(double mag) const;       ///< fc (Hz)
  double source_spectrum(double f, double mag) const;  ///< M0 S(f) (dyne-cm)
  double spectral_constant() const;                ///< C (cgs)
  double geometric_spreading(double r) const;      ///< G(R), R in km
  /// Fourier amplitude of acceleration (cm/s) at frequency f (Hz), hypocentral distance r (km).
  double fourier_acceleration(double f, double mag, double r) const;
  double duration(double mag, double r) const;     ///< Tgm (s)

  /// RVT peak ground acceleration (g) at hypocentral distance r (km).
  StochasticResult pga(double mag, double r) const;
  /// RVT 5 %-damped (parameters().damping) pseudo-spectral acceleration (g) at period T (s).
  StochasticResult psa(double period, double mag, double r) const;

private:
  StochasticResult rvt(double mag, double r, double period) const;  // period 0: PGA
  void check_mag_r(double mag, double r) const;
  StochasticParameters p_;
};

}  // namespace hyseis::physics::groundmotion
