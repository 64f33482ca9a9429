#include "hyseis/hybrid/eew/synthetic_records.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/groundmotion/stochastic_timeseries.hpp"

namespace hyseis::hybrid::eew {

void SyntheticRecordOptions::validate() const {
  HYSEIS_REQUIRE(count >= 1 && mag_min <= mag_max && mag_min >= 2.0 && mag_max <= 8.5 && r_min_km > 0 &&
                     r_min_km <= r_max_km && fs >= 50.0 && p_ratio >= 0.0,
                 core::InvalidInput,
                 "synthetic records: need count >= 1, 2 <= mag_min <= mag_max <= 8.5, 0 < r_min <= r_max, fs >= 50, p_ratio >= 0");
}

std::vector<learning::eew::EqRecord> stochastic_eq_records(const SyntheticRecordOptions& opt, std::mt19937_64& rng) {
  opt.validate();
  namespace gm = physics::groundmotion;
  const gm::StochasticPointSource model;
  gm::StochasticRecordOptions ro;
  ro.fs = opt.fs;
  ro.p_ratio = opt.p_ratio;
  ro.pre_event_s = 3.0;
  ro.post_s = 2.0;
  std::uniform_real_distribution<double> um(opt.mag_min, opt.mag_max), ur(opt.r_min_km, opt.r_max_km);
  std::vector<learning::eew::EqRecord> out;
  out.reserve(std::size_t(opt.count));
  for (int k = 0; k < opt.count; ++k) {
    const double mag = um(rng), r = ur(rng);
    const auto rec = gm::stochastic_record(model, mag, r, ro, rng);
    learning::eew::EqRecord e;
    char name[64];
    std::snprintf(name, sizeof name, "stoch_M%.2f_R%.0fkm_%d", mag, r, k);
    e.name = name;
    e.channels = "SYN";
    e.acc.x = rec.e;
    e.acc.y = rec.n;
    e.acc.z = rec.z;
    e.acc.fs = rec.fs;
    e.itp = int(rec.ip);
    e.its = int(rec.is);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace hyseis::hybrid::eew
