#pragma once
// Chiou & Youngs (2014), "Update of the Chiou and Youngs NGA model for the average horizontal
// component of peak ground motion and response spectra", Earthquake Spectra 30(3), 1117-1153.
// California/global model (no Japan/Italy/Wenchuan adjustments), directivity term off
// (Delta DPP = 0). Equations in docs/theory/gmpe.md.
#include "hyseis/physics/groundmotion/gmpe.hpp"

namespace hyseis::physics::groundmotion {

struct CY14Options {
  PeriodPolicy period_policy = PeriodPolicy::exact;
};

class CY14 final : public Gmpe {
public:
  explicit CY14(CY14Options options = {}) : options_(options) {}
  std::string name() const override { return "CY14"; }
  /// Uses rup.mag, rake, dip, ztor; site.rrup, rjb, rx, vs30, vs30_measured, z1pt0.
  GmpeResult evaluate(const Rupture& rup, const Site& site, const Imt& imt) const override;
  std::vector<double> periods() const override;
  bool supports(const Imt& imt) const override;
  const CY14Options& options() const { return options_; }

  /// E[Z1.0 | Vs30] (metres), CY14 eq. (1), California/global.
  static double mean_z1pt0(double vs30);
  /// E[Z_TOR | M, mechanism] (km), CY14 eqs. (4)-(5).
  static double mean_ztor(double mag, double rake);

private:
  CY14Options options_;
};

}  // namespace hyseis::physics::groundmotion
