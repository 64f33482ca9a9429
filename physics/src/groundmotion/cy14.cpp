// CY14 (Chiou & Youngs 2014, Earthquake Spectra 30(3)); equation numbers refer to the paper.
// California/global model, Delta DPP = 0 (no directivity).
#include "hyseis/physics/groundmotion/cy14.hpp"

#include <algorithm>
#include <cmath>

#include "cy14_coefficients.hpp"
#include "hyseis/core/error.hpp"
#include "table.hpp"

namespace hyseis::physics::groundmotion {

namespace {

using namespace detail::cy14;
using Coeffs = std::array<double, kCY14Width>;

constexpr double kPi = 3.14159265358979323846;

// Reference-rock (Vs30 = 1130 m/s) median ln y_ref, eq. (11), for Delta DPP = 0.
double ln_y_ref(const Coeffs& C, const Rupture& rup, const Site& s) {
  const double M = rup.mag;
  const double f_rv = (rup.rake >= 30.0 && rup.rake <= 150.0) ? 1.0 : 0.0;
  const double f_nm = (rup.rake >= -120.0 && rup.rake <= -60.0) ? 1.0 : 0.0;
  const double f_hw = s.rx >= 0.0 ? 1.0 : 0.0;
  const double cos_d = std::cos(rup.dip * kPi / 180.0);
  const double dztor = rup.ztor - CY14::mean_ztor(M, rup.rake);
  // Magnitude taper of the style-of-faulting, Ztor and dip terms.
  const double ch = std::cosh(2.0 * std::max(M - 4.5, 0.0));

  double y = C[c1];
  y += (C[c1a] + C[c1c] / ch) * f_rv;
  y += (C[c1b] + C[c1d] / ch) * f_nm;
  y += (C[c7] + C[c7b] / ch) * dztor;
  y += (C[c11] + C[c11b] / ch) * cos_d * cos_d;
  // Magnitude scaling.
  y += C[c2] * (M - 6.0) + (C[c2] - C[c3]) / C[cn] * std::log1p(std::exp(C[cn] * (C[cM] - M)));
  // Near-source geometric spreading with magnitude-dependent finite-fault term, and the
  // transition to (c4a) spreading beyond cRB.
  y += C[c4] * std::log(s.rrup + C[c5] * std::cosh(C[c6] * std::max(M - C[cHM], 0.0)));
  y += (C[c4a] - C[c4]) * std::log(std::sqrt(s.rrup * s.rrup + C[cRB] * C[cRB]));
  // Anelastic attenuation (gamma_Jp-It = gamma_Wn = 1 for California/global).
  y += (C[cg1] + C[cg2] / std::cosh(std::max(M - C[cg3], 0.0))) * s.rrup;
  // Directivity: c8 * taper * Delta DPP with Delta DPP = 0 -> no contribution.
  // Hanging-wall term.
  y += C[c9] * f_hw * cos_d * (C[c9a] + (1.0 - C[c9a]) * std::tanh(s.rx / C[c9b])) *
       (1.0 - std::sqrt(s.rjb * s.rjb + rup.ztor * rup.ztor) / (s.rrup + 1.0));
  return y;
}

void check_input(const Rupture& rup, const Site& s) {
  const std::string m = "CY14";
  detail::require_finite(rup.mag, "magnitude", m);
  HYSEIS_REQUIRE(rup.mag > 0, core::InvalidInput, m << ": magnitude must be > 0, got " << rup.mag);
  detail::require_finite(rup.rake, "rake", m);
  HYSEIS_REQUIRE(rup.rake >= -180.0 && rup.rake <= 180.0, core::InvalidInput,
                 m << ": rake must be in [-180, 180] degrees, got " << rup.rake);
  detail::require_finite(rup.dip, "dip", m);
  HYSEIS_REQUIRE(rup.dip > 0.0 && rup.dip <= 90.0, core::InvalidInput,
                 m << ": dip must be in (0, 90] degrees, got " << rup.dip);
  detail::require_finite(rup.ztor, "Ztor", m);
  HYSEIS_REQUIRE(rup.ztor >= 0, core::InvalidInput, m << ": Ztor must be >= 0 km, got " << rup.ztor);
  detail::require_finite(s.rrup, "Rrup", m);
  HYSEIS_REQUIRE(s.rrup >= 0, core::InvalidInput, m << ": Rrup must be >= 0 km, got " << s.rrup);
  detail::require_finite(s.rjb, "Rjb", m);
  HYSEIS_REQUIRE(s.rjb >= 0, core::InvalidInput, m << ": Rjb must be >= 0 km, got " << s.rjb);
  detail::require_finite(s.rx, "Rx", m);
  detail::require_finite(s.vs30, "Vs30", m);
  HYSEIS_REQUIRE(s.vs30 > 0, core::InvalidInput, m << ": Vs30 must be > 0 m/s, got " << s.vs30);
  HYSEIS_REQUIRE(std::isnan(s.z1pt0) || (std::isfinite(s.z1pt0) && s.z1pt0 >= 0), core::InvalidInput,
                 m << ": Z1.0 must be >= 0 m (or NaN for unknown), got " << s.z1pt0);
}

}  // namespace

double CY14::mean_z1pt0(double vs30) {
  // eq. (1), California and non-Japan regions; Z1.0 in metres.
  const double v4 = std::pow(vs30, 4), a4 = std::pow(570.94, 4), b4 = std::pow(1360.0, 4);
  return std::exp(-7.15 / 4.0 * std::log((v4 + a4) / (b4 + a4)));
}

double CY14::mean_ztor(double mag, double rake) {
  // eqs. (4)-(5): reverse and reverse-oblique (F_RV = 1) vs strike-slip and normal.
  if (rake >= 30.0 && rake <= 150.0) {
    const double a = std::max(2.704 - 1.226 * std::max(mag - 5.849, 0.0), 0.0);
    return a * a;
  }
  const double a = std::max(2.673 - 1.136 * std::max(mag - 4.970, 0.0), 0.0);
  return a * a;
}

GmpeResult CY14::evaluate(const Rupture& rup, const Site& s, const Imt& imt) const {
  check_input(rup, s);
  return detail::evaluate_imt(kCY14Table, imt, options_.period_policy, name(), [&](const Coeffs& C) {
    const double lny_ref = ln_y_ref(C, rup, s);
    const double y_ref = std::exp(lny_ref);
    // Site response, eq. (12) with eta = 0: linear, nonlinear and basin (Delta Z1.0) terms.
    const double b_nl = C[phi2] * (std::exp(C[phi3] * (std::min(s.vs30, 1130.0) - 360.0)) -
                                   std::exp(C[phi3] * (1130.0 - 360.0)));
    const double dz1 = std::isnan(s.z1pt0) ? 0.0 : s.z1pt0 - mean_z1pt0(s.vs30);

    GmpeResult r;
    r.ln_median = lny_ref + C[phi1] * std::min(std::log(s.vs30 / 1130.0), 0.0) +
                  b_nl * std::log((y_ref + C[phi4]) / C[phi4]) +
                  C[phi5] * (1.0 - std::exp(-dz1 / C[phi6]));

    // Variance model, eqs. (13): NL0 = d ln y / d ln y_ref of the nonlinear term at eta = 0.
    const double nl0 = b_nl * y_ref / (y_ref + C[phi4]);
    const double mclip = std::min(std::max(rup.mag, 5.0), 6.5) - 5.0;
    const double tau = C[tau1] + (C[tau2] - C[tau1]) / 1.5 * mclip;
    const double sig = C[sig1] + (C[sig2] - C[sig1]) / 1.5 * mclip;
    const double f_inf = s.vs30_measured ? 0.0 : 1.0;
    r.tau = std::abs(1.0 + nl0) * tau;
    r.phi = sig * std::sqrt(C[sig3] * f_inf + 0.7 * (1.0 - f_inf) + (1.0 + nl0) * (1.0 + nl0));
    r.sigma = std::sqrt(r.tau * r.tau + r.phi * r.phi);
    return r;
  });
}

std::vector<double> CY14::periods() const { return detail::table_periods(kCY14Table); }

bool CY14::supports(const Imt& imt) const {
  return detail::supports(kCY14Table, imt, options_.period_policy);
}

}  // namespace hyseis::physics::groundmotion
