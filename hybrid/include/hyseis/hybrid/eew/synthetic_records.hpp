#pragma once
// Earthquake training records for the on-sensor classifier from hyseis's own physics: Boore (2003)
// stochastic-method 3-component time series (physics/groundmotion/stochastic_timeseries.hpp) of the
// stochastic point source (default parameters: WNA crust, 100 bar, kappa0 0.04 s, BJ97 generic rock),
// with an approximate P onset, for magnitudes and hypocentral distances drawn uniformly in the given
// ranges. Returned as learning::eew::EqRecord (E, N, Z in m/s^2; itp / its = P / S sample indices), so
// the same window cutter (earthquake_window: offset from P or S, random rotation, scaling to a phone
// peak, phone noise) and dataset builder are used as for the NCEDC records.
#include <cstdint>
#include <random>
#include <vector>

#include "hyseis/learning/eew/activity.hpp"

namespace hyseis::hybrid::eew {

struct SyntheticRecordOptions {
  int count = 300;
  double mag_min = 3.5, mag_max = 7.0;
  double r_min_km = 5.0, r_max_km = 150.0;  ///< hypocentral distance
  double fs = 100.0;
  double p_ratio = 0.3;  ///< P-segment / S spectrum (same as the network's P/S peak ratio by default)
  void validate() const;
};

/// `count` records; record k's name is "stoch_M<mag>_R<r>km_<k>", channels "SYN".
std::vector<learning::eew::EqRecord> stochastic_eq_records(const SyntheticRecordOptions& opt, std::mt19937_64& rng);

}  // namespace hyseis::hybrid::eew
