#pragma once
// Scenario YAML (type wave2d) -> physics::wave::WaveProblem, and the outputs of `hyseis run`.
// The schema is documented in docs/scenario-format.md.
#include <mpi.h>

#include <string>
#include <vector>

#include "hyseis/core/config.hpp"
#include "hyseis/physics/wave/problem.hpp"

namespace hyseis::scenarios {

struct WaveOutputOptions {
  int snapshot_every = 0;     // steps between VTU snapshots (vtu: true)
  bool vtu = false;
  double image_time = -1;     // time of snapshot.png (< 0: last step)
};

struct WaveScenario {
  std::string file;           // the YAML file ("" if loaded from a string)
  std::string type = "wave2d";
  physics::wave::WaveProblem problem;
  WaveOutputOptions output;
  /// The complete configuration with every default filled in, as YAML (re-runnable:
  /// relative paths resolved to absolute ones, receiver lines expanded).
  std::string resolved_yaml;
};

/// Parses and range-checks a loaded scenario document. Every problem is a core::ConfigError
/// naming file, line and YAML path.
WaveScenario parse_wave_scenario(const core::config::Document& doc);
/// load_file + parse_wave_scenario.
WaveScenario load_wave_scenario(const std::string& file, const std::vector<std::string>& overrides = {});

struct RunReport {
  std::string out_dir;
  std::vector<std::string> files;   // relative to out_dir
  physics::wave::RunStats stats;
  double wall_time_total = 0;
  double global_peak = 0;
};

/// Runs the scenario on `comm` and writes its products into `out_dir` atomically (rank 0
/// writes; `<out_dir>.partial` while running): seismograms.h5, summary.json, config.yaml,
/// section.png, snapshot.png, model.png and snapshots/ (VTU) when enabled. `progress`: show
/// a progress bar / log lines on rank 0.
RunReport run_wave_scenario(const WaveScenario& sc, const std::string& out_dir, MPI_Comm comm,
                            bool progress = true);

}  // namespace hyseis::scenarios
