#pragma once
// EEW magnitude from the peak displacement Pd of the first seconds of P (Wu & Kanamori 2005;
// Wu & Zhao 2006; Kuyuk & Allen 2013):  M = a + b·log10(Pd) + c·log10(R),
// R hypocentral distance [km], Pd in consistent units (e.g. cm). Coefficients (a, b, c) are fitted by
// ordinary least squares on (M, R, Pd) samples (e.g. from synthetics); the network estimate is the
// mean of the single-station magnitudes.
#include <vector>

namespace hyseis::learning::eew {

struct PdSample {
  double mag = 0.0;
  double r_km = 0.0;
  double pd = 0.0;
};

struct PdMagnitudeModel {
  double a = 0.0, b = 0.0, c = 0.0;
  double sigma = 0.0;  ///< residual standard deviation of the fit (n - 3 dof), 0 if n == 3
  double magnitude(double pd, double r_km) const;
  /// Mean of single-station magnitudes over (pd[i], r_km[i]).
  double network_magnitude(const std::vector<double>& pd, const std::vector<double>& r_km) const;
};

/// Least-squares fit; needs >= 3 samples with finite M and Pd, R > 0 and non-degenerate
/// (log10 Pd, log10 R) design (otherwise InvalidInput).
PdMagnitudeModel fit_pd_magnitude(const std::vector<PdSample>& samples);

}  // namespace hyseis::learning::eew
