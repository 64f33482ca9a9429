// BSSA14 (Boore, Stewart, Seyhan & Atkinson 2014, Earthquake Spectra 30(3)); equation numbers
// refer to the paper. Global model: Delta c3 = 0, no basin term.
#include "hyseis/physics/groundmotion/bssa14.hpp"

#include <algorithm>
#include <cmath>

#include "bssa14_coefficients.hpp"
#include "hyseis/core/error.hpp"
#include "table.hpp"

namespace hyseis::physics::groundmotion {

namespace {

using namespace detail::bssa14;
using Coeffs = std::array<double, kBSSA14Width>;

// IMT-independent constants (BSSA14, after eqs. 3, 7 and 15).
constexpr double kMref = 4.5;    // reference magnitude of the path term
constexpr double kRref = 1.0;    // reference distance (km)
constexpr double kVref = 760.0;  // reference Vs30 (m/s)
constexpr double kF1 = 0.0;      // nonlinear site term constants (eq. 7)
constexpr double kF3 = 0.1;      // (g)
constexpr double kV1 = 225.0;    // phi(Vs30) corner velocities (eq. 15)
constexpr double kV2 = 300.0;

enum class Mechanism { unspecified, strike_slip, normal, reverse };

// Style of faulting from rake: normal -150 < rake < -30, reverse 30 < rake < 150, strike-slip
// otherwise (BSSA14, "Mechanism" paragraph; the same classes as the NGA-West2 flatfile).
Mechanism mechanism(double rake) {
  if (rake > 30.0 && rake < 150.0) return Mechanism::reverse;
  if (rake < -30.0 && rake > -150.0) return Mechanism::normal;
  return Mechanism::strike_slip;
}

// Source (event) function F_E, eq. (2).
double source_term(const Coeffs& C, double mag, Mechanism mech) {
  double e = C[e0];
  switch (mech) {
    case Mechanism::unspecified: e = C[e0]; break;
    case Mechanism::strike_slip: e = C[e1]; break;
    case Mechanism::normal: e = C[e2]; break;
    case Mechanism::reverse: e = C[e3]; break;
  }
  const double dm = mag - C[Mh];
  return mag <= C[Mh] ? e + C[e4] * dm + C[e5] * dm * dm : e + C[e6] * dm;
}

// Path function F_P, eqs. (3)-(4), with Delta c3 = 0 (global).
double path_term(const Coeffs& C, double mag, double rjb) {
  const double R = std::sqrt(rjb * rjb + C[h] * C[h]);
  return (C[c1] + C[c2] * (mag - kMref)) * std::log(R / kRref) + (C[c3] + C[Dc3]) * (R - kRref);
}

// Linear site term F_lin, eq. (6).
double linear_site_term(const Coeffs& C, double vs30) {
  return C[c] * std::log(std::min(vs30, C[Vc]) / kVref);
}

// Nonlinear site term F_nl, eqs. (7)-(8); pga_r = median PGA for Vs30 = 760 m/s (g).
double nonlinear_site_term(const Coeffs& C, double vs30, double pga_r) {
  const double f2 = C[f4] * (std::exp(C[f5] * (std::min(vs30, kVref) - 360.0)) -
                             std::exp(C[f5] * (kVref - 360.0)));
  return kF1 + f2 * std::log((pga_r + kF3) / kF3);
}

// Between-event standard deviation tau(M), eq. (14).
double tau_of(const Coeffs& C, double mag) {
  if (mag <= 4.5) return C[tau1];
  if (mag >= 5.5) return C[tau2];
  return C[tau1] + (C[tau2] - C[tau1]) * (mag - 4.5);
}

// Within-event standard deviation phi(M, Rjb, Vs30), eqs. (15)-(17).
double phi_of(const Coeffs& C, double mag, double rjb, double vs30) {
  double phi_m = mag <= 4.5 ? C[f1] : mag >= 5.5 ? C[f2] : C[f1] + (C[f2] - C[f1]) * (mag - 4.5);
  double phi_mr = phi_m;
  if (rjb > C[R2])
    phi_mr += C[DfR];
  else if (rjb > C[R1])
    phi_mr += C[DfR] * std::log(rjb / C[R1]) / std::log(C[R2] / C[R1]);
  if (vs30 <= kV1) return phi_mr - C[DfV];
  if (vs30 < kV2) return phi_mr - C[DfV] * std::log(kV2 / vs30) / std::log(kV2 / kV1);
  return phi_mr;
}

// Basin-depth term F_dz1, eqs. (9)-(10); applies for T >= 0.65 s (the table's f6, f7 below
// 0.65 s are placeholders).
double basin_term(const Coeffs& C, const Site& site, BSSA14Basin basin) {
  if (basin == BSSA14Basin::none || C[kT] < 0.65 || std::isnan(site.z1pt0)) return 0.0;
  const double dz1 = site.z1pt0 / 1000.0 - BSSA14::mean_z1pt0_km(site.vs30, basin);
  return dz1 <= C[f7] / C[f6] ? C[f6] * dz1 : C[f7];
}

void check_input(const Rupture& rup, const Site& site) {
  const std::string m = "BSSA14";
  detail::require_finite(rup.mag, "magnitude", m);
  HYSEIS_REQUIRE(rup.mag > 0, core::InvalidInput, m << ": magnitude must be > 0, got " << rup.mag);
  detail::require_finite(rup.rake, "rake", m);
  HYSEIS_REQUIRE(rup.rake >= -180.0 && rup.rake <= 180.0, core::InvalidInput,
                 m << ": rake must be in [-180, 180] degrees, got " << rup.rake);
  detail::require_finite(site.rjb, "Rjb", m);
  HYSEIS_REQUIRE(site.rjb >= 0, core::InvalidInput, m << ": Rjb must be >= 0 km, got " << site.rjb);
  detail::require_finite(site.vs30, "Vs30", m);
  HYSEIS_REQUIRE(site.vs30 > 0, core::InvalidInput, m << ": Vs30 must be > 0 m/s, got " << site.vs30);
  HYSEIS_REQUIRE(std::isnan(site.z1pt0) || (std::isfinite(site.z1pt0) && site.z1pt0 >= 0), core::InvalidInput,
                 m << ": Z1.0 must be >= 0 m (or NaN for unknown), got " << site.z1pt0);
}

}  // namespace

GmpeResult BSSA14::evaluate(const Rupture& rup, const Site& site, const Imt& imt) const {
  check_input(rup, site);
  const Coeffs& Cpga = kBSSA14Table[detail::find_row(kBSSA14Table, Imt::pga())];
  const Mechanism mech = options_.unspecified_mechanism ? Mechanism::unspecified : mechanism(rup.rake);

  // PGA_r: median PGA on the reference rock (Vs30 = 760 m/s, where F_S = 0), eq. (1) with PGA
  // coefficients.
  const double pga_r = std::exp(source_term(Cpga, rup.mag, mech) + path_term(Cpga, rup.mag, site.rjb));

  return detail::evaluate_imt(kBSSA14Table, imt, options_.period_policy, name(), [&](const Coeffs& C) {
    GmpeResult r;
    r.ln_median = source_term(C, rup.mag, mech) + path_term(C, rup.mag, site.rjb) +
                  linear_site_term(C, site.vs30) + nonlinear_site_term(C, site.vs30, pga_r) +
                  basin_term(C, site, options_.basin);
    r.tau = tau_of(C, rup.mag);
    r.phi = phi_of(C, rup.mag, site.rjb, site.vs30);
    r.sigma = std::sqrt(r.tau * r.tau + r.phi * r.phi);
    return r;
  });
}

double BSSA14::mean_z1pt0_km(double vs30, BSSA14Basin region) {
  if (region == BSSA14Basin::japan)
    return std::exp(-5.23 / 2.0 * std::log((vs30 * vs30 + 412.39 * 412.39) / (1360.0 * 1360.0 + 412.39 * 412.39))) /
           1000.0;
  const double a4 = std::pow(570.94, 4);
  return std::exp(-7.15 / 4.0 * std::log((std::pow(vs30, 4) + a4) / (std::pow(1360.0, 4) + a4))) / 1000.0;
}

std::vector<double> BSSA14::periods() const { return detail::table_periods(kBSSA14Table); }

bool BSSA14::supports(const Imt& imt) const {
  return detail::supports(kBSSA14Table, imt, options_.period_policy);
}

}  // namespace hyseis::physics::groundmotion
