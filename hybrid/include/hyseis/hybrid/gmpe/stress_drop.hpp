#pragma once
// Per-event Brune stress drops from ground-motion records with the Boore (2003) stochastic
// model (cf. Trugman & Shearer 2018, BSSA 108:929, who relate GMPE event terms to stress drop).
// For each event with >= min_records records, ln(dsigma) minimises
//   sum_{records, IMTs} (ln y_obs - F_site - ln Y_stoch(M, R; dsigma))^2,
// F_site = BSSA14(Vs30) - BSSA14(620 m/s) (site correction to the model's generic rock),
// R = sqrt(Rjb^2 + h(M)^2), h(M) = 10^(-0.405 + 0.235 M) km, over PGA and SA(T <= max_period);
// Gauss-Newton with the model's analytic d lnY / d dsigma, steps limited to 1 in ln(dsigma),
// result clamped to [dsigma_min, dsigma_max].
#include <string>
#include <vector>

#include "hyseis/learning/regression/gm_dataset.hpp"

namespace hyseis::hybrid::gmpe {

struct StressDropOptions {
  double max_period = 0.5;   ///< s: PGA and SA(T <= max_period) are used
  int min_records = 3;
  double kappa0 = 0.04;      ///< s
  int n_freq = 1000;
  double dsigma_min = 1.0, dsigma_max = 3000.0;  ///< bar
  int iterations = 40;
};

struct StressDropFit {
  std::vector<std::string> imts_used;
  std::vector<double> stress_drop_bar;  ///< per event (NaN where not fitted)
  std::vector<bool> fitted;
  std::vector<int> n_records;
  std::vector<double> rms_misfit;       ///< ln units
  std::vector<int> iterations;
};

StressDropFit fit_event_stress_drops(const learning::regression::GmFlatfile& data, const StressDropOptions& opt = {});

}  // namespace hyseis::hybrid::gmpe
