#pragma once
// `hyseis pick`: phase picks on continuous MiniSEED data (docs/theory/picking.md, section 12).
//   hyseis pick --model runs/picking_train/models/phasenet_real.pt --in A.mseed B.mseed --out picks.csv
//   hyseis pick --method stalta --in day.mseed --out picks.csv --quakeml picks.xml
// Deep method (default): a DeepPicker model file (PhaseNet or GPD, 3 channels Z/N/E) slides over
// each station's aligned Z/N/E spans (learning/picking/continuous.hpp); P and S picks are the
// probability peaks >= --threshold at least --min-distance apart. `--method stalta`: no model;
// each vertical channel is detrended, tapered, band-passed and picked by recursive STA/LTA + AIC
// (P picks only, score = the STA/LTA peak).
// Bad input is an error naming the file (core::IoError / core::InvalidInput), before anything is
// written: corrupt or truncated MiniSEED, NaN/Inf samples, components of one station at
// different sampling rates, a model that does not take 3 channels or whose file is not a picker.
// Outputs (CSV, optional QuakeML) are written atomically (`<path>.tmp`, then rename).
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace hyseis::scenarios {

struct PickArgs {
  std::vector<std::string> model;     ///< DeepPicker file(s) (required unless method == "stalta");
                                      ///< several = an ensemble, probabilities averaged
  std::vector<std::string> inputs;    ///< MiniSEED files (assembled together: one file per channel/hour is fine)
  std::string out;                    ///< picks CSV (required)
  std::string quakeml;                ///< optional QuakeML 1.2 output
  std::string method = "deep";        ///< "deep" (model file) | "stalta"
  double threshold = 0.3;             ///< deep: minimum P and S probability of a pick
  double min_distance = 1.0;          ///< deep: seconds between two picks of one phase
  double overlap = 0.5;               ///< deep (PhaseNet): window overlap in [0, 1)
  std::size_t batch = 32;             ///< deep: windows per forward pass
  int threads = 0;                    ///< torch threads (0 = leave torch's default)
  double stalta_on = 3.5;             ///< stalta: trigger-on ratio
  double stalta_off = 1.0;            ///< stalta: trigger-off ratio
  double fmin = 1.0, fmax = 20.0;     ///< stalta: band-pass (Hz); fmax is capped at 0.45 fs
  bool quiet = false;                 ///< no summary line on stdout
};

/// Registers the `pick` subcommand on `app`, binding its options to `args`.
CLI::App* add_pick_command(CLI::App& app, PickArgs& args);

/// Runs it; returns 0 on success. Throws core::InvalidInput / core::IoError (message names the
/// offending file) without writing any output.
int run_pick_command(const PickArgs& args);

}  // namespace hyseis::scenarios
