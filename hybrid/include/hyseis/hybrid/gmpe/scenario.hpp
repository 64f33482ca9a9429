#pragma once
// Scenario runner for `scenario.type: gmpe_compare` (scenarios/gmpe_compare.yaml): linear
// mixed-effects, BSSA14 as published, NN, gradient-boosted and physics-informed GMPEs on the
// NGA-West1 subset, split by event (hold-out, k-fold, largest-magnitude extrapolation), with
// residual plots, event terms vs stochastic-model stress drops, summary.json and gmpe_compare.h5.
// See docs/tutorials/gmpe_compare.md.
#include <string>

#include "hyseis/core/config.hpp"

namespace hyseis::hybrid::gmpe {

/// Runs the scenario described by `root`, writing into `out_dir` (which must exist; the caller
/// makes it atomic). Throws core::ConfigError for bad configuration, core::IoError if the
/// flatfile is absent (naming the path and HYSEIS_VALIDATION_DATA).
void run_gmpe_compare_scenario(const core::config::Node& root, const std::string& out_dir);

}  // namespace hyseis::hybrid::gmpe
