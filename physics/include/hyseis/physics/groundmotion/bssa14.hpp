#pragma once
// Boore, Stewart, Seyhan & Atkinson (2014), "NGA-West2 equations for predicting PGA, PGV, and
// 5 % damped PSA for shallow crustal earthquakes", Earthquake Spectra 30(3), 1057-1085.
// Global model: regional anelastic adjustment Delta c3 = 0 ("global/California"); basin-depth
// term off by default (F_dz1 = 0, as in the authors' verification tables), optional. Equations in docs/theory/gmpe.md.
#include "hyseis/physics/groundmotion/gmpe.hpp"

namespace hyseis::physics::groundmotion {

/// Basin-depth term F_dz1 (BSSA14 eqs. 9-11). none: F_dz1 = 0 (the global model of the
/// verification tables). california / japan: F_dz1 from dz1 = Z1.0 - mu_z1(Vs30) with the
/// regional mu_z1 relation, for T >= 0.65 s only; an unknown Z1.0 (NaN) gives dz1 = 0.
enum class BSSA14Basin { none, california, japan };

struct BSSA14Options {
  /// true: the "unspecified mechanism" coefficient e0 instead of e1/e2/e3 from the rake.
  bool unspecified_mechanism = false;
  PeriodPolicy period_policy = PeriodPolicy::exact;
  BSSA14Basin basin = BSSA14Basin::none;
};

class BSSA14 final : public Gmpe {
public:
  explicit BSSA14(BSSA14Options options = {}) : options_(options) {}
  std::string name() const override { return "BSSA14"; }
  /// Uses rup.mag, rup.rake, site.rjb and site.vs30 (and site.z1pt0 with a basin model).
  GmpeResult evaluate(const Rupture& rup, const Site& site, const Imt& imt) const override;
  std::vector<double> periods() const override;
  bool supports(const Imt& imt) const override;
  const BSSA14Options& options() const { return options_; }
  /// mu_z1(Vs30) (km) of BSSA14 eq. (11): California (default) or Japan.
  static double mean_z1pt0_km(double vs30, BSSA14Basin region = BSSA14Basin::california);

private:
  BSSA14Options options_;
};

}  // namespace hyseis::physics::groundmotion
