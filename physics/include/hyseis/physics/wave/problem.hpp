#pragma once
// Plain option structs describing a 2D spectral-element wave-propagation run.
// No deal.II, Kokkos or torch here: this header is included by the CLI, validation and tests.
// Coordinates: x horizontal (m), z vertical positive UP (m); the free surface is usually z = zmax.
// Units: SI throughout (m, s, kg/m^3, m/s, N, N·m, Pa).
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hyseis::physics::wave {

enum class Physics { elastic, acoustic };

/// Rectangular domain [xmin,xmax] x [zmin,zmax] meshed with nx x nz quadrilaterals
/// (optionally refined globally `refinements` times), Lagrange degree `degree` on GLL points.
struct MeshOptions {
  double xmin = 0, xmax = 1000, zmin = -1000, zmax = 0;
  int nx = 10, nz = 10;
  int degree = 4;
  int refinements = 0;
};

/// One horizontal layer of a layered model: properties apply for z <= z_top down to the next
/// layer's z_top. Layers are given top to bottom. vs is ignored (may be 0) for acoustic runs.
struct Layer {
  double z_top = 0;
  double vp = 3000, vs = 1732, rho = 2700;
};

/// Gridded model in HDF5: datasets vp, vs, rho (shape nz x nx, row 0 at z0, column 0 at x0),
/// attributes x0, z0, dx, dz (m); bilinear interpolation; clamped outside the grid.
struct GriddedModel {
  std::string file;
};

struct MediumOptions {
  std::vector<Layer> layers;           // used when `gridded` is empty
  std::optional<GriddedModel> gridded;
};

enum class BoundaryType { free, absorbing };

/// Boundary condition per side. free: traction-free (elastic) / p = 0 (acoustic, pressure
/// release) ; absorbing: Stacey first-order paraxial condition.
struct BoundaryOptions {
  BoundaryType top = BoundaryType::free;
  BoundaryType bottom = BoundaryType::absorbing;
  BoundaryType left = BoundaryType::absorbing;
  BoundaryType right = BoundaryType::absorbing;
};

enum class SourceType { force, moment_tensor, pressure };
enum class TimeFunction { ricker, gaussian, gaussian_derivative, causal };

/// Source time functions (t_c = time_shift, a = pi^2 f0^2):
///   ricker:              (1 - 2 a (t-t_c)^2) exp(-a (t-t_c)^2)
///   gaussian:            exp(-a (t-t_c)^2)
///   gaussian_derivative: -2 a (t-t_c) exp(-a (t-t_c)^2)
///   causal:              (x^4 e^{-x}) / (4^4 e^{-4}), x = 2 pi f0 (t - t_c) >= 0, zero before t_c:
///                        starts at t_c exactly (t_c is the onset here, not the centre), peak 1
///                        at x = 4, spectrum ~ (1 + i w / (2 pi f0))^-5 (corner f0, f^-5 above)
/// all multiplied by `amplitude`.
struct SourceOptions {
  SourceType type = SourceType::force;
  double x = 0, z = 0;
  // force (N per metre of line in 2D): direction from fx, fz (normalised by the solver? no:
  // used as given, so (0,-1) is a unit downward force)
  double fx = 0, fz = -1;
  // moment tensor (N·m per metre): Mxx, Mzz, Mxz
  double mxx = 0, mzz = 0, mxz = 0;
  TimeFunction time_function = TimeFunction::ricker;
  double f0 = 10;          // Hz
  double time_shift = 0;   // s, centre of the wavelet (t_c above)
  double amplitude = 1;    // overall factor
};

/// Acoustic pressure source: adds amplitude*stf(t) to the right-hand side of
///   (1/kappa) p_tt - div((1/rho) grad p) = s(t) delta(x - x_s)
/// i.e. a volume-injection source; elastic force/moment tensor sources act on
///   rho u_tt - div(sigma) = f.

struct Receiver {
  std::string name;
  double x = 0, z = 0;
};

/// What receivers record: elastic -> displacement (ux, uz), velocity or acceleration
/// (pressure is an error); acoustic -> pressure for `pressure` and `displacement` (the default),
/// dp/dt for `velocity`, d2p/dt2 for `acceleration`.
enum class RecordQuantity { displacement, velocity, acceleration, pressure };

struct TimeOptions {
  double t_start = 0;      // time of step 0 (may be negative, as SPECFEM's USER_T0)
  double duration = 1;     // s, the run covers [t_start, t_start + duration]
  double dt = 0;           // s; 0 = chosen from the CFL condition
  double cfl = 0.5;        // Courant number used when dt = 0; a given dt above the stability
                           // limit is an error (NumericalError naming dt and the limit)
  int energy_every = 0;    // steps between samples of the discrete energy (RunStats::energy);
                           // 0 = not recorded
  // Pinned semantics (solver):
  //  - dt_stable = 0.98 * 2 / sqrt(lambda_max(M^-1 K)), lambda_max from 80 power iterations.
  //  - dt = 0: n_steps = ceil(duration / (cfl * dt_stable)), dt = duration / n_steps (the run
  //    ends exactly at t_start + duration).
  //  - dt > 0: n_steps = ceil(duration / dt - 1e-9), dt kept as given.
  //  - samples: time[n] = t_start + n dt, n = 0..n_steps (n_steps + 1 samples).
};

struct SnapshotOptions {
  int every = 0;           // steps between VTU snapshots (0 = none)
  std::string vtu_prefix;  // e.g. "runs/quickstart/snapshots/wavefield"
  double image_time = -1;  // time of the gridded snapshot returned in RunResult (< 0: last step)
  int image_nx = 400;      // gridded snapshot resolution (pixel centres, see GriddedField);
  int image_nz = 200;      // 0 = no gridded snapshot
};

/// A field given analytically: value(x, z, t) -> {x-component, z-component} (acoustic: [0]).
using FieldFn = std::function<std::array<double, 2>(double x, double z, double t)>;

/// Optional initial state at t_start (default: at rest) and an exact solution against which
/// the final wavefield is measured (used by convergence studies; see RunStats::l2_error_final).
struct AnalyticFields {
  FieldFn initial_u;        // u (or p) at t_start; empty = 0
  FieldFn initial_v;        // du/dt at t_start; empty = 0
  FieldFn exact_u;          // exact u (or p) at any t; empty = no error measurement
};

struct WaveProblem {
  std::string name = "wave";
  Physics physics = Physics::elastic;
  MeshOptions mesh;
  MediumOptions medium;
  BoundaryOptions boundaries;
  std::vector<SourceOptions> sources;
  std::vector<Receiver> receivers;
  RecordQuantity record = RecordQuantity::displacement;
  TimeOptions time;
  SnapshotOptions snapshots;
  AnalyticFields analytic;

  /// Throws core::InvalidInput naming the field and the violated constraint (negative
  /// velocity, vs >= vp/sqrt(2) (Poisson ratio out of (-1, 0.5))... see implementation),
  /// sources/receivers outside the domain, degree out of 1..8, missing model file.
  /// Pinned rules (physics/src/wave/validate.cpp): vp > 0, rho > 0; elastic: 0 < vs <
  /// vp*sqrt(3)/2, which is exactly Poisson ratio in (-1, 0.5) (vs = vp/sqrt(2) is lambda = 0,
  /// nu = 0, allowed; no fluid regions in elastic runs); acoustic: vs >= 0 (ignored); layers with
  /// strictly decreasing z_top; at least one source; acoustic sources are pressure, elastic ones
  /// force/moment_tensor; points within 1e-9 * domain size of the rectangle; degree 1..8,
  /// refinements 0..12; duration > 0, dt >= 0, 0 < cfl <= 1; gridded file must exist (its
  /// values are checked when the run reads it).
  void validate() const;
};

/// Seismograms: data[r][c][n] for receiver r, component c (elastic: 0 = x, 1 = z;
/// acoustic: 0 = pressure), sample n at time[n].
struct Seismograms {
  std::vector<double> time;
  std::vector<std::string> receiver_names;
  std::vector<std::array<double, 2>> receiver_xz;
  std::vector<std::string> components;   // {"x","z"} or {"p"}
  std::string quantity;                  // "displacement", "velocity", ...
  std::string unit;                      // "m", "m/s", "m/s^2", "Pa"
  std::vector<std::vector<std::vector<double>>> data;
};

/// A wavefield sampled on a regular grid for plotting: values[iz * nx + ix], iz = 0 at zmin.
/// Samples are pixel centres: x = xmin + (ix + 1/2) (xmax - xmin) / nx (same for z).
struct GriddedField {
  int nx = 0, nz = 0;
  double xmin = 0, xmax = 0, zmin = 0, zmax = 0;
  double time = 0;
  std::string name;
  std::vector<double> values;
};

struct RunStats {
  double dt = 0;
  double dt_stable = 0;        // CFL limit estimate
  int n_steps = 0;
  long long n_cells = 0;
  long long n_gll_points = 0;  // unique GLL points (global)
  long long n_dofs = 0;        // global unknowns
  double wall_time_loop = 0;   // s, time loop only
  double point_updates_per_s = 0;
  int mpi_ranks = 1;
  // Only when analytic.exact_u is set: L2 norms over the domain at the final time, computed
  // with the GLL quadrature: ||u_h - u_exact|| and ||u_exact||.
  double l2_error_final = 0;
  double l2_norm_exact_final = 0;
  // Only when time.energy_every > 0: the discrete energy of the central-difference scheme,
  //   E_{n+1/2} = 1/2 v_{n+1/2}^T M v_{n+1/2} + 1/2 u_{n+1}^T K u_n,   v_{n+1/2} = (u_{n+1}-u_n)/dt,
  // (kinetic + strain; exactly conserved by the undamped, unforced scheme) at times
  // energy_time = t_start + (n + 1/2) dt.
  std::vector<double> energy_time;
  std::vector<double> energy;
};

struct RunResult {
  Seismograms seismograms;
  GriddedField snapshot;       // the wavefield at snapshots.image_time: elastic |u| = sqrt(ux^2+uz^2)
                               // (name "|u|"), acoustic p (name "p")
  GriddedField vp_model;       // vp on the same grid, for plots
  RunStats stats;
};

/// Progress callback: (step, n_steps). Called every few steps on rank 0.
using ProgressFn = std::function<void(int, int)>;

}  // namespace hyseis::physics::wave
