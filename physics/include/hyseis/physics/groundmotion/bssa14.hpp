#pragma once
// Boore, Stewart, Seyhan & Atkinson (2014), "NGA-West2 equations for predicting PGA, PGV, and
// 5 % damped PSA for shallow crustal earthquakes", Earthquake Spectra 30(3), 1057-1085.
// Global model: regional anelastic adjustment Delta c3 = 0 ("global/California"), no basin-depth
// term (F_dz1 = 0, as in the authors' verification tables). Equations in docs/theory/gmpe.md.
#include "hyseis/physics/groundmotion/gmpe.hpp"

namespace hyseis::physics::groundmotion {

struct BSSA14Options {
  /// true: the "unspecified mechanism" coefficient e0 instead of e1/e2/e3 from the rake.
  bool unspecified_mechanism = false;
  PeriodPolicy period_policy = PeriodPolicy::exact;
};

class BSSA14 final : public Gmpe {
public:
  explicit BSSA14(BSSA14Options options = {}) : options_(options) {}
  std::string name() const override { return "BSSA14"; }
  /// Uses rup.mag, rup.rake, site.rjb and site.vs30 only.
  GmpeResult evaluate(const Rupture& rup, const Site& site, const Imt& imt) const override;
  std::vector<double> periods() const override;
  bool supports(const Imt& imt) const override;
  const BSSA14Options& options() const { return options_; }

private:
  BSSA14Options options_;
};

}  // namespace hyseis::physics::groundmotion
