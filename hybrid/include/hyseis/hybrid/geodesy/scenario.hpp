#pragma once
// Scenario runner for `scenario.type: postseismic` (scenarios/postseismic.yaml): viscoelastic
// cycle model -> synthetic GPS/InSAR -> PDE discovery of the relaxation law -> neural surrogate
// -> inversion of GPS velocities for relaxation time and locking depth. Writes postseismic.h5,
// geodesy.h5, summary.json and PNG figures to out_dir; the surrogate's training set and model
// are cached there (surrogate_training.h5, surrogate.pt) and reused by a rerun.
#include <string>

#include "hyseis/core/config.hpp"

namespace hyseis::hybrid::geodesy {

void run_postseismic_scenario(const core::config::Node& root, const std::string& out_dir);

}  // namespace hyseis::hybrid::geodesy
