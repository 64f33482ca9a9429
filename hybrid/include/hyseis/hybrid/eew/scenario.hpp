#pragma once
// Scenario runner for `scenario.type: eew_network` (scenarios/eew_network.yaml): trains the on-sensor
// classifier (MyShake ANN + logistic baseline) on NCEDC earthquake windows vs synthetic activity,
// simulates a phone network for several events (M 4.5–7) and a 24 h noise-only replay, and writes
// eew.h5, summary.json and PNG figures (timelines, map, ROC, training curves) into out_dir.
// See docs/tutorials/eew_network.md.
#include <string>

#include "hyseis/core/config.hpp"

namespace hyseis::hybrid::eew {

void run_eew_network_scenario(const core::config::Node& root, const std::string& out_dir);

}  // namespace hyseis::hybrid::eew
