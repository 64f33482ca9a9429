#pragma once
// `hyseis gmpe`: evaluate a ground-motion model for one scenario or a CSV of scenarios.
//   hyseis gmpe --model bssa14 --mag 6.5 --rjb 10 --vs30 400 --imt PGA,PGV,SA(1.0)
//   hyseis gmpe --model runs/gmpe_compare/models/hybrid.gmpe.json --csv sc.csv --out res.csv
// Models: bssa14, cy14 (Chiou & Youngs 2014), stochastic (Boore 2003 RVT point source), or a
// trained-model manifest (*.gmpe.json) written by the gmpe_compare scenario (linear, nn,
// xgboost, hybrid). Inputs outside a model's range of applicability (magnitude, distance, Vs30)
// or periods outside its table are a clear error (core::InvalidInput) unless --extrapolate is
// given; extrapolated rows are flagged in the output; a non-finite result is always an error.
#include <cmath>
#include <iosfwd>
#include <limits>
#include <string>

namespace CLI {
class App;
}

namespace hyseis::scenarios {

struct GmpeArgs {
  std::string model = "bssa14";
  double mag = std::numeric_limits<double>::quiet_NaN();
  double rjb = std::numeric_limits<double>::quiet_NaN();
  double vs30 = std::numeric_limits<double>::quiet_NaN();
  double rake = 0.0;
  double dip = std::numeric_limits<double>::quiet_NaN();   ///< NaN: 90 (strike-slip) / 45 (dip-slip)
  double ztor = std::numeric_limits<double>::quiet_NaN();  ///< NaN: CY14's E[Ztor | M, rake]
  double rrup = std::numeric_limits<double>::quiet_NaN();  ///< NaN: sqrt(Rjb^2 + Ztor^2)
  double rx = std::numeric_limits<double>::quiet_NaN();    ///< NaN: -Rjb (footwall: no hanging-wall term)
  std::string imts = "PGA";                                ///< comma-separated: PGA,PGV,SA(1.0)
  std::string csv;                                         ///< scenarios CSV (columns mag, rjb, vs30[, rake, dip, ztor, rrup, rx])
  std::string out;                                         ///< output CSV (default: stdout)
  bool extrapolate = false;
  double stress_drop = 100.0;                              ///< stochastic model (bar)
  double kappa0 = 0.04;                                    ///< stochastic model (s)
};

/// Registers the `gmpe` subcommand on `app`, binding its options to `args`.
CLI::App* add_gmpe_command(CLI::App& app, GmpeArgs& args);

/// Runs it: writes a CSV (header + one row per scenario and IMT) to `args.out` (atomically) or
/// to `os`. Returns 0. Throws core::InvalidInput / core::IoError / core::NumericalError.
int run_gmpe_command(const GmpeArgs& args, std::ostream& os);

}  // namespace hyseis::scenarios
