#pragma once
// Scenario `scenario.type: picking_train` (scenarios/picker_synthetic.yaml, tutorial
// docs/tutorials/picker_synthetic.md): generates (or reuses) synthetic training data from the SEM
// solver, trains PhaseNet on synthetics, on the NCEDC training split (traces 0-89, 90-99 for
// early stopping) and synthetics-then-fine-tuned, trains GPD, and evaluates every picker and
// the STA/LTA+AIC baseline on the NCEDC test split (traces 100-153, never trained or tuned on)
// with one protocol: P and S precision / recall / F1 (0.1 s / 0.2 s), residual mean / std.
// Writes summary.json, evaluation.md, picking.h5, models/*.pt, picks.csv, picks.xml and PNGs.
#include <mpi.h>

#include <string>

#include "hyseis/core/config.hpp"

namespace hyseis::hybrid::picking {

/// Collective on comm (synthetic generation is spread over the ranks); training and evaluation
/// run on rank 0. Throws core::ConfigError for bad keys, core::IoError for missing data.
void run_picking_scenario(const core::config::Node& root, const std::string& out_dir, MPI_Comm comm);

}  // namespace hyseis::hybrid::picking
