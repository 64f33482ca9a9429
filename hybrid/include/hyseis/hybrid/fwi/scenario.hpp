#pragma once
// Scenario runner for `scenario.type: fwi` (scenarios/fwi_marmousi.yaml): acoustic FWI of the
// resampled Marmousi model from surface shots, with Tikhonov, total-variation and learned
// dictionary priors on the same data; tutorial: docs/tutorials/fwi_marmousi.md.
#include <mpi.h>

#include <string>

#include "hyseis/core/config.hpp"

namespace hyseis::hybrid::fwi {

/// Runs the scenario (collective over comm: shots are distributed over its ranks). Rank 0 writes
/// `out_dir` atomically (via `<out_dir>.partial`, core::fs::AtomicDir) and keeps the inversion
/// checkpoints in `<out_dir>.checkpoint/` until the run completes; with `resume` an interrupted
/// run continues from them to the same result. Configuration errors throw core::ConfigError with
/// file:line; bad data core::InvalidInput / IoError naming the file; nothing is written as a
/// result then.
void run_fwi_scenario(const core::config::Node& root, const std::string& out_dir, MPI_Comm comm, bool progress,
                      bool resume);

}  // namespace hyseis::hybrid::fwi
