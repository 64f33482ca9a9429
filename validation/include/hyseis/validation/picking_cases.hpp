#pragma once
// Validation of the classical picker baseline (learning/picking) on PhaseNet's NCEDC picked
// waveforms (shared/validation/phasenet_ncedc_picks): case "picking_stalta_aic_ncedc"
// (docs/theory/picking.md, section "Baseline on NCEDC traces").
#include <cstdint>
#include <string>
#include <vector>

#include "hyseis/learning/picking/classic.hpp"
#include "hyseis/validation/cases.hpp"

namespace hyseis::validation {

/// Protocol of the STA/LTA + AIC evaluation (fixed a priori; see the theory note).
struct StaLtaEvalOptions {
  std::size_t first = 100, last = 153;  // trace indices, inclusive (100..153 = test split)
  std::uint64_t seed = 20190605;        // window shifts
  std::size_t window = 6000;            // samples per evaluated window (60 s)
  std::size_t max_shift = 1500;         // window start uniform in [0, max_shift] -> P at 15..30 s
  double fmin = 1.0, fmax = 20.0;       // zero-phase Butterworth band-pass (order 4 per pass)
  double taper = 0.05;
  bool pick_max_trigger = false;        // P = trigger with the largest STA/LTA (else the first)
  learning::picking::StaLtaAicOptions picker;
  double tolerance_s = 0.1;             // a P pick is a true positive within this residual
};

struct StaLtaEval {
  std::size_t traces = 0, picked = 0, true_positives = 0;
  double precision = 0, recall = 0, f1 = 0;
  double frac_within_10_samples = 0;    // over all traces (no pick = miss)
  double mean_residual_s = 0, std_residual_s = 0;  // over true positives (pick - analyst)
  double median_abs_residual_s = 0;     // over picked traces
  std::vector<long> residual_samples;   // per trace; LONG_MIN when no pick
};

/// Runs the protocol on <data_dir>/phasenet_ncedc_picks/phasenet_ncedc_154.h5 (Z component).
/// Throws core::IoError if the file is missing or malformed.
StaLtaEval evaluate_stalta_aic_ncedc(const std::string& data_dir, const StaLtaEvalOptions& o);

/// The picking cases, for the registry (all_cases()).
std::vector<Case> picking_cases();

}  // namespace hyseis::validation
