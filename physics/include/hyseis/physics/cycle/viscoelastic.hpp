#pragma once
// Viscoelastic earthquake cycle, 2D antiplane (strike-slip): an elastic layer of thickness H
// over a Maxwell viscoelastic half-space (same shear modulus), a vertical fault that slips s
// every T years from the surface to depth D <= H, steady plate motion v = s/T below.
//
//  - savage_prescott_velocity(): the analytic interseismic surface velocity (Savage & Prescott
//    1978), evaluated here from its image/earthquake double series (docs/theory/viscoelastic-cycle.md);
//  - run_viscoelastic_cycle(): the quasi-static finite-element model (deal.II FE_Q, implicit
//    theta-scheme on the Maxwell viscous strain, many cycles until periodic);
//  - synthetic geodesy: GPS time series with white + flicker noise and InSAR line-of-sight
//    profiles, written to HDF5.
// Units are the caller's: lengths in one unit (km below), times in one unit (yr), slip in one
// unit (m); velocities come out in slip unit / time unit. deal.II stays in the .cpp files.
#include <cstdint>
#include <string>
#include <vector>

namespace hyseis::physics::cycle {

// ------------------------------------------------------------------------------------------
// Analytic references
// ------------------------------------------------------------------------------------------

/// Parameters of the Savage & Prescott (1978) model.
struct SavagePrescottParams {
  double layer_thickness = 20;    ///< H: elastic layer thickness (> 0)
  double locking_depth = 20;      ///< D: coseismic rupture bottom, 0 < D <= H
  double recurrence = 200;        ///< T: earthquake repeat time (> 0)
  double relaxation_time = 50;    ///< tau = eta / mu of the half-space (> 0)
  double slip = 4;                ///< s: coseismic slip; plate rate v = s / T
  int image_terms = 0;            ///< image orders summed explicitly (0 = automatic, see .cpp)
  /// Throws core::InvalidInput naming the field and the violated constraint.
  void validate() const;
};

/// Total interseismic surface velocity (fault-parallel, x > 0 side moving +v/2 far away) at
/// distance x from the fault, time t in (0, T] after the last earthquake. Odd in x.
double savage_prescott_velocity(const SavagePrescottParams& p, double x, double t);
std::vector<double> savage_prescott_velocity(const SavagePrescottParams& p, const std::vector<double>& x,
                                             double t);
/// Number of image orders the automatic rule sums for these parameters (informational).
int savage_prescott_image_terms(const SavagePrescottParams& p);

/// Screw dislocation with uniform slip s from the surface to depth D in an elastic half-space:
/// w(x, z) = s/(2 pi) [atan((D - z)/x) + atan((D + z)/x)], z >= 0 depth, x != 0;
/// at the surface w = (s/pi) atan(D/x).
double screw_dislocation_displacement(double slip, double depth, double x, double z);
/// Elastic interseismic (steady creep below D at rate v): v(x) = (v/pi) atan(x/D).
double elastic_interseismic_velocity(double plate_rate, double depth, double x);

// ------------------------------------------------------------------------------------------
// Finite-element model
// ------------------------------------------------------------------------------------------

struct ViscoelasticCycleOptions {
  // physics
  double layer_thickness = 20;    ///< H [km]
  double locking_depth = 20;      ///< D [km], 0 < D <= H
  double recurrence = 200;        ///< T [yr]
  double relaxation_time = 50;    ///< tau = eta/mu [yr]
  double slip = 4;                ///< s [m]
  double shear_modulus = 1;       ///< mu (only scales stresses; kinematics are independent of it)
  // time stepping
  int cycles = 10;                ///< full earthquake cycles after the spin-up start (>= 1)
  int steps_per_cycle = 100;      ///< must be a multiple of 20 (phases 0.05 k fall on steps)
  double theta = 0.5;             ///< 0.5 Crank-Nicolson, 1 backward Euler (in [0.5, 1])
  bool relaxed_start = true;      ///< start at t = T/2 from the relaxed state of the mean slip deficit
  // mesh: rectangle [0, width] x [0, depth] (x >= 0 half, antisymmetry), graded away from the fault
  int fe_degree = 2;
  double cell_size = 2.5;         ///< h0 near the fault and in the layer [km]
  double fine_width = 40;         ///< uniform cells of size h0 for x < fine_width and z < H + fine_width/2
  double growth = 1.15;           ///< geometric growth factor of the cells beyond
  int tip_levels = 4;             ///< geometric (ratio 2) refinement levels toward x = 0 and z = D (fault tip)
  double domain_width = 20000;    ///< L [km]
  double domain_depth = 20000;    ///< Z [km]
  std::string far_boundary = "dirichlet";  ///< "dirichlet" (w' = 0) or "neumann" (traction free)
  std::string linear_solver = "direct";    ///< "direct" (UMFPACK, factorised once) or "cg" (CG + SSOR)
  // outputs
  std::vector<double> profile_x;       ///< surface stations (x > 0) for velocity/displacement
  std::vector<double> profile_phases;  ///< t/T in (0, 1] of the velocity profiles in the last cycle
  int record_cycles = 1;               ///< surface displacement recorded over the last cycles
  void validate() const;
};

struct ViscoelasticCycleResult {
  std::vector<double> profile_x;
  std::vector<double> phases;
  /// Total surface velocity [slip unit / time unit], [phase][station], last cycle.
  std::vector<std::vector<double>> velocity;
  /// Same phases, one cycle earlier (periodicity check; empty for a phase the run did not reach,
  /// i.e. phases < 1/2 with relaxed_start and cycles = 2).
  std::vector<std::vector<double>> velocity_previous_cycle;
  /// Coseismic surface step of the last earthquake, [station].
  std::vector<double> coseismic;
  /// Total surface displacement over the recorded cycles: time (from the start of the record,
  /// the first recorded sample is just after an earthquake) and [time][station], relative to the
  /// first sample.
  std::vector<double> record_time;
  std::vector<std::vector<double>> record_displacement;
  /// max over phases and stations |v_last - v_previous| / max |v_last|.
  double periodicity_error = 0;
  unsigned n_dofs = 0, n_cells = 0;
  int n_steps = 0;
  double setup_seconds = 0, solve_seconds = 0;
};

/// Runs the cycle model; throws core::InvalidInput on bad options, core::NumericalError on
/// solver failure or non-finite values. Serial (each MPI rank that calls it computes the same).
ViscoelasticCycleResult run_viscoelastic_cycle(const ViscoelasticCycleOptions& o);

/// Writes the result to HDF5 (atomic rename): /profile/{x, phases, velocity[phase][station],
/// velocity_previous_cycle, coseismic}, /record/{time, displacement[time][station]}, with the
/// resolved options and units (km, yr, m, m/yr) as root attributes.
void write_cycle_hdf5(const std::string& path, const ViscoelasticCycleOptions& o, const ViscoelasticCycleResult& r);

/// Coseismic displacement of one earthquake (slip s on 0 < z < D) computed by the same FE
/// discretisation (elastic, homogeneous), at points (x_i, z_i) (x > 0, 0 <= z).
std::vector<double> viscoelastic_coseismic_step(const ViscoelasticCycleOptions& o,
                                                const std::vector<double>& x, const std::vector<double>& z);

// ------------------------------------------------------------------------------------------
// Synthetic geodesy
// ------------------------------------------------------------------------------------------

struct NoiseOptions {
  double white_sigma = 1e-3;        ///< white noise standard deviation [m]
  double flicker_amplitude = 2e-3;  ///< flicker amplitude b_f [m / yr^(1/4)] (Williams 2003 convention)
  double sample_interval = 1.0 / 365.25;  ///< [yr]
  std::uint64_t seed = 12345;
  void validate() const;
};

/// Unit-variance-driven flicker (1/f) noise of length n: Hosking fractional differencing
/// x_i = sum_k h_k e_{i-k}, h_0 = 1, h_k = h_{k-1} (k - 1/2)/k, e ~ N(0, 1) from `seed`.
std::vector<double> flicker_noise(std::size_t n, std::uint64_t seed);
/// White + flicker noise of length n: sigma_w e + b_f dt^(1/4) flicker_noise(n).
std::vector<double> gps_noise(std::size_t n, const NoiseOptions& o);
/// Least-squares slope of log10(periodogram) vs log10(f) over f in [f_lo, f_hi] (cycles per
/// sample, 0 < f_lo < f_hi <= 0.5), averaged over the given series (each of equal length).
double spectral_slope(const std::vector<std::vector<double>>& series, double f_lo, double f_hi);

struct GeodesyOptions {
  std::vector<double> station_x;   ///< GPS stations (x > 0 or < 0: odd field)
  std::vector<double> epochs;      ///< GPS epochs, within the record's time span
  NoiseOptions noise;
  std::vector<double> insar_x;     ///< InSAR pixels along the profile
  double insar_t0 = 0, insar_t1 = 0;  ///< interferogram epochs (within the record)
  /// LOS unit vector (east, north, up); the fault strikes north (antiplane w is the north component).
  double los[3] = {0.6, -0.1, 0.7937253933193772};
  double insar_sigma = 0;          ///< white noise on LOS [m]
  void validate() const;
};

struct GeodesyData {
  std::vector<double> station_x, epochs;
  std::vector<std::vector<double>> gps_clean, gps;  ///< [station][epoch], fault-parallel (north)
  std::vector<double> insar_x, insar_los_clean, insar_los;
  double los[3] = {0, 0, 0};
};

/// Samples a displacement history (time, x[station], w[time][station]; odd in x) at the GPS
/// stations/epochs (linear in time, linear in x between record stations) and adds noise; the
/// InSAR LOS is (w(t1) - w(t0)) * los[1].
GeodesyData synthesize_geodesy(const std::vector<double>& record_time, const std::vector<double>& record_x,
                               const std::vector<std::vector<double>>& record_w, const GeodesyOptions& o);
/// Writes /gps/{station_x, epochs, displacement, displacement_clean}, /insar/{x, los,
/// los_clean, los_vector} with units and noise settings as attributes (atomic rename).
void write_geodesy_hdf5(const std::string& path, const GeodesyData& d, const GeodesyOptions& o);

}  // namespace hyseis::physics::cycle
