#pragma once
// Synthetic phase-picking training data from hyseis's own 2D elastic SEM solver
// (docs/theory/picking.md, section 9). Each "event" is one solver run: a random layered crust,
// a random moment tensor at random depth, receivers at random surface positions; the recorded
// velocity (x, z) becomes 3 components Z, N, E by a random back-azimuth for the horizontal;
// P and S labels are first-arrival times of the layered model from the eikonal solver (fast
// sweeping, 2nd order) plus the source onset time; noise is added (coloured Gaussian and/or
// pre-P noise of the NCEDC *training* split, traces 0-99). Output: a SeisBench-format dataset.
#include <mpi.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "hyseis/core/config.hpp"
#include "hyseis/physics/wave/problem.hpp"

namespace hyseis::hybrid::picking {

struct SyntheticOptions {
  int events = 24;                    // solver runs
  int receivers_per_event = 6;
  double width = 24000, depth = 12000;  // domain (m); free surface at z = 0
  double element_size = 400;          // m (degree 4); must resolve vs_min / (2.5 f0_max)
  int degree = 4;
  int layers_min = 2, layers_max = 4;
  double vp_min = 4000, vp_max = 6800;  // per layer, increasing with depth
  double vpvs_min = 1.65, vpvs_max = 1.85;
  // Lateral variation (both 0: flat layers). Interfaces dip by U(-dip_max_deg, dip_max_deg) and
  // undulate (amplitude up to 3 % of the depth); vp and vs are multiplied by 1 + d(x, z), d a
  // sum of 6 Gaussian blobs of width perturbation_length and amplitude U(-1, 1) * perturbation.
  // The model is gridded at eikonal_h and the same grid is used by the SEM solver (bilinear)
  // and by the eikonal solver for the labels; element_size must resolve vs_min * (1 - perturbation).
  double dip_max_deg = 0, perturbation = 0, perturbation_length = 3000;
  // Small-scale random heterogeneity for scattering coda: a Gaussian random field of r.m.s.
  // `scattering` and correlation length `scattering_length` (m) (random-phase sum of 256
  // plane waves with Gaussian-spectrum wavenumbers), added to d(x, z) above. 0: none.
  double scattering = 0, scattering_length = 300;
  double f0_min = 1.0, f0_max = 2.0;  // Ricker dominant / causal-pulse corner frequency (Hz)
  // "causal": the moment follows wave::TimeFunction::causal, which starts at a known instant,
  // so the label is exactly onset + travel time and the onset is as sharp as the band allows.
  // "ricker": the label is the time the velocity pulse reaches 1 % of its peak (pulse_onset_offset).
  std::string source_time_function = "causal";
  double source_depth_min = 2000, source_depth_max = 10000;
  double min_offset = 1000;           // receiver x distance from the epicentre (m), at least
  double sim_duration = 16;           // s of simulation after the source onset
  double trace_seconds = 30;          // output trace length (3001 samples at 100 Hz)
  double sampling_rate = 100;
  double p_position_min = 4, p_position_max = 14;  // P arrival position in the trace (s)
  double snr_db_min = 0, snr_db_max = 25;          // signal peak / noise std (dB, amplitude)
  // Signal peak of the SNR: "p" = largest amplitude in the first 0.5 s of P (before S), so
  // that the P onset itself has the drawn SNR (a weak P under a strong S is otherwise buried
  // and its label teaches nothing); "peak" = the whole trace's peak (usually S).
  std::string snr_reference = "p";
  std::string noise = "mixed";        // "coloured", "ncedc", "mixed" (half each), "none"
  std::string ncedc_file;             // phasenet_ncedc_154.h5 (noise from traces 0..99 only)
  double eikonal_h = 50;              // eikonal grid spacing (m)
  double dev_fraction = 0.1, test_fraction = 0.1;  // of events (split column)
  std::uint64_t seed = 1;
  bool progress = true;
  void validate() const;              // core::InvalidInput naming the field
};

/// Parses a `synthetics:` block (all keys optional; unknown keys are errors). Relative
/// ncedc_file paths are resolved against the YAML file; `default_ncedc_file` is used when the
/// block gives none.
SyntheticOptions parse_synthetic_options(const core::config::Node& node, const std::string& default_ncedc_file = "");

/// First-arrival P or S travel time (s) in a layered model between two points (eikonal solver
/// on a grid of spacing h covering the box [xmin, xmax] x [zmin, 0]).
std::vector<double> layered_first_arrivals(const std::vector<physics::wave::Layer>& layers, bool s_wave, double xmin,
                                           double xmax, double zmin, double h, double src_x, double src_z,
                                           const std::vector<std::array<double, 2>>& receivers);

/// Onset of the recorded pulse relative to the Ricker centre t_c (< 0): the first time at
/// which the far-field 2D velocity pulse of a moment-tensor line source with Ricker moment,
/// v(t) ~ int_0^inf r''(t - tau) tau^{-1/2} dtau, reaches `fraction` of its peak magnitude
/// (computed numerically). Labels use fraction = 0.01: arrival = t_c + offset + travel time.
double pulse_onset_offset(double f0, double fraction = 0.01);

struct SyntheticReport {
  std::size_t traces = 0, events = 0;
  double seconds = 0;
  std::string dataset_dir;
};

/// Generates the dataset into `dataset_dir` (metadata.csv + waveforms.hdf5, component order
/// ZNE, velocity). Collective on comm: events are distributed over the ranks, rank 0 writes.
/// An existing complete dataset with the same options (stored in `<dir>/synthetics.json`) is
/// reused (resumable at dataset granularity).
SyntheticReport generate_picking_synthetics(const SyntheticOptions& options, const std::string& dataset_dir,
                                            MPI_Comm comm);

/// CLI entry (`scenario.type: picking_synthetics`): reads `synthetics:` from root and writes
/// <out_dir>/dataset/, <out_dir>/examples.png and <out_dir>/summary.json.
void run_picking_synthetics(const core::config::Node& root, const std::string& out_dir, MPI_Comm comm);

}  // namespace hyseis::hybrid::picking
