// Stochastic point-source model with RVT (Boore 2003). See stochastic.hpp and
// docs/theory/gmpe.md section 5.
#include "hyseis/physics/groundmotion/stochastic.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "hyseis/core/error.hpp"

namespace hyseis::physics::groundmotion {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kG = 980.665;  // cm/s^2 per g

#define STOCH_REQUIRE(cond, field, msg)                                                       \
  HYSEIS_REQUIRE(cond, hyseis::core::InvalidInput, "stochastic point-source model: " << field \
                                                                                         << " " << msg)

}  // namespace

// ---------------------------------------------------------------------------------------------
// Site amplification
// ---------------------------------------------------------------------------------------------

SiteAmplificationTable SiteAmplificationTable::boore_joyner_1997_generic_rock() {
  // Boore & Joyner (1997), generic rock site (Vs30 = 620 m/s), as reproduced by Campbell (2003);
  // the 100 Hz row extrapolates the published curve.
  return {{0.01, 0.09, 0.16, 0.51, 0.84, 1.25, 2.26, 3.17, 6.05, 16.60, 61.20, 100.00},
          {1.00, 1.10, 1.18, 1.42, 1.58, 1.74, 2.06, 2.25, 2.58, 3.13, 4.00, 4.40}};
}

SiteAmplificationTable SiteAmplificationTable::unity() { return {{1.0, 2.0}, {1.0, 1.0}}; }

double SiteAmplificationTable::operator()(double f) const {
  if (f <= freq.front()) return amp.front();
  if (f >= freq.back()) return amp.back();
  const auto it = std::upper_bound(freq.begin(), freq.end(), f);
  const std::size_t i = static_cast<std::size_t>(it - freq.begin());  // freq[i-1] <= f < freq[i]
  const double t = std::log(f / freq[i - 1]) / std::log(freq[i] / freq[i - 1]);
  return std::exp(std::log(amp[i - 1]) + t * std::log(amp[i] / amp[i - 1]));
}

// ---------------------------------------------------------------------------------------------
// Peak factor
// ---------------------------------------------------------------------------------------------

double clh_peak_factor(double nz, double xi, int n, double* d_dnz, double* d_dxi) {
  STOCH_REQUIRE(std::isfinite(nz) && nz > 0.0, "peak factor n_z", "must be > 0 (got " << nz << ")");
  STOCH_REQUIRE(std::isfinite(xi) && xi > 0.0 && xi <= 1.0 + 1e-12, "peak factor xi",
                "must be in (0, 1] (got " << xi << ")");
  STOCH_REQUIRE(n >= 100 && n % 2 == 0, "peak factor intervals", "must be even and >= 100 (got " << n << ")");
  xi = std::min(xi, 1.0);
  // The integrand 1 - (1 - xi e^{-z^2})^nz ~ nz xi e^{-z^2} for large z: negligible (< 1e-17)
  // beyond z^2 = ln(nz xi) + 40.
  const double zmax = std::sqrt(std::max(std::log(nz * xi), 0.0) + 40.0);
  const double h = zmax / n;
  double s = 0.0, snz = 0.0, sxi = 0.0;
  for (int i = 0; i <= n; ++i) {
    const double z = i * h;
    const double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
    const double e = std::exp(-z * z);
    const double l = std::log1p(-xi * e);  // -inf at z = 0, xi = 1
    const double p = std::exp(nz * l);     // (1 - xi e)^nz
    s += w * (1.0 - p);
    if (d_dnz) snz += w * (l == -INFINITY ? 0.0 : -l * p);
    if (d_dxi) sxi += w * nz * e * std::exp((nz - 1.0) * l);
  }
  const double c = std::sqrt(2.0) * h / 3.0;
  if (d_dnz) *d_dnz = c * snz;
  if (d_dxi) *d_dxi = c * sxi;
  return c * s;
}

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

StochasticPointSource::StochasticPointSource(StochasticParameters params) : p_(std::move(params)) {
  auto pos = [](double v) { return std::isfinite(v) && v > 0.0; };
  STOCH_REQUIRE(pos(p_.stress_drop), "stress_drop", "must be > 0 bar (got " << p_.stress_drop << ")");
  STOCH_REQUIRE(pos(p_.kappa0), "kappa0", "must be > 0 s (got " << p_.kappa0 << ")");
  STOCH_REQUIRE(pos(p_.q0), "q0", "must be > 0 (got " << p_.q0 << ")");
  STOCH_REQUIRE(std::isfinite(p_.q_eta) && p_.q_eta >= 0.0 && p_.q_eta <= 1.0, "q_eta",
                "must be in [0, 1] (got " << p_.q_eta << ")");
  STOCH_REQUIRE(pos(p_.beta), "beta", "must be > 0 km/s (got " << p_.beta << ")");
  STOCH_REQUIRE(pos(p_.rho), "rho", "must be > 0 g/cm^3 (got " << p_.rho << ")");
  STOCH_REQUIRE(pos(p_.radiation), "radiation", "must be > 0 (got " << p_.radiation << ")");
  STOCH_REQUIRE(pos(p_.partition), "partition", "must be > 0 (got " << p_.partition << ")");
  STOCH_REQUIRE(pos(p_.free_surface), "free_surface", "must be > 0 (got " << p_.free_surface << ")");
  STOCH_REQUIRE(p_.spreading_exponents.size() == p_.spreading_hinges.size() + 1, "spreading_exponents",
                "must have spreading_hinges.size() + 1 entries (got " << p_.spreading_exponents.size()
                                                                      << " for " << p_.spreading_hinges.size()
                                                                      << " hinges)");
  for (std::size_t i = 0; i < p_.spreading_hinges.size(); ++i) {
    STOCH_REQUIRE(pos(p_.spreading_hinges[i]) && (i == 0 || p_.spreading_hinges[i] > p_.spreading_hinges[i - 1]),
                  "spreading_hinges", "must be positive and strictly ascending (entry " << i << " = "
                                                                                         << p_.spreading_hinges[i] << ")");
  }
  for (double e : p_.spreading_exponents)
    STOCH_REQUIRE(std::isfinite(e), "spreading_exponents", "must be finite (got " << e << ")");
  STOCH_REQUIRE(std::isfinite(p_.path_duration_slope) && p_.path_duration_slope >= 0.0, "path_duration_slope",
                "must be >= 0 s/km (got " << p_.path_duration_slope << ")");
  STOCH_REQUIRE(p_.site.freq.size() >= 2 && p_.site.freq.size() == p_.site.amp.size(), "site",
                "table needs >= 2 rows and as many amplifications as frequencies (got "
                    << p_.site.freq.size() << " frequencies, " << p_.site.amp.size() << " amplifications)");
  for (std::size_t i = 0; i < p_.site.freq.size(); ++i) {
    STOCH_REQUIRE(pos(p_.site.freq[i]) && (i == 0 || p_.site.freq[i] > p_.site.freq[i - 1]), "site.freq",
                  "must be positive and strictly ascending (row " << i << " = " << p_.site.freq[i] << ")");
    STOCH_REQUIRE(pos(p_.site.amp[i]), "site.amp", "must be > 0 (row " << i << " = " << p_.site.amp[i] << ")");
  }
  STOCH_REQUIRE(std::isfinite(p_.damping) && p_.damping > 0.0 && p_.damping < 1.0, "damping",
                "must be in (0, 1) (got " << p_.damping << ")");
  STOCH_REQUIRE(pos(p_.f_min) && pos(p_.f_max) && p_.f_max > p_.f_min, "f_min/f_max",
                "must satisfy 0 < f_min < f_max (got " << p_.f_min << ", " << p_.f_max << ")");
  STOCH_REQUIRE(p_.n_freq >= 100 && p_.n_freq % 2 == 0, "n_freq", "must be even and >= 100 (got " << p_.n_freq << ")");
  STOCH_REQUIRE(p_.n_peak >= 100 && p_.n_peak % 2 == 0, "n_peak", "must be even and >= 100 (got " << p_.n_peak << ")");
}

double StochasticPointSource::seismic_moment(double mag) {
  STOCH_REQUIRE(std::isfinite(mag) && mag >= 1.0 && mag <= 9.5, "mag", "must be in [1, 9.5] (got " << mag << ")");
  return std::pow(10.0, 1.5 * mag + 16.05);
}

double StochasticPointSource::corner_frequency(double mag) const {
  return 4.906e6 * p_.beta * std::cbrt(p_.stress_drop / seismic_moment(mag));
}

double StochasticPointSource::source_spectrum(double f, double mag) const {
  STOCH_REQUIRE(std::isfinite(f) && f >= 0.0, "frequency", "must be >= 0 Hz (got " << f << ")");
  const double x = f / corner_frequency(mag);
  return seismic_moment(mag) / (1.0 + x * x);
}

double StochasticPointSource::spectral_constant() const {
  const double beta_cm = p_.beta * 1.0e5;
  const double r0_cm = 1.0e5;
  return p_.radiation * p_.partition * p_.free_surface / (4.0 * kPi * p_.rho * beta_cm * beta_cm * beta_cm * r0_cm);
}

double StochasticPointSource::geometric_spreading(double r) const {
  STOCH_REQUIRE(std::isfinite(r) && r > 0.0, "distance", "must be > 0 km (got " << r << ")");
  // ln G = -p0 ln(min(R, h0) / R0) - sum_{i>=1, R > h_{i-1}} p_i ln(min(R, h_i) / h_{i-1}), R0 = 1 km
  const auto& h = p_.spreading_hinges;
  const auto& e = p_.spreading_exponents;
  double lng = -e[0] * std::log(h.empty() ? r : std::min(r, h[0]));
  for (std::size_t i = 1; i < e.size(); ++i) {
    if (r <= h[i - 1]) break;
    const double upper = i < h.size() ? std::min(r, h[i]) : r;
    lng -= e[i] * std::log(upper / h[i - 1]);
  }
  return std::exp(lng);
}

double StochasticPointSource::fourier_acceleration(double f, double mag, double r) const {
  const double g = geometric_spreading(r);
  const double s = source_spectrum(f, mag);
  const double q = p_.q0 * std::pow(f, p_.q_eta);
  const double w = 2.0 * kPi * f;
  return spectral_constant() * s * g * std::exp(-kPi * f * r / (q * p_.beta)) * std::exp(-kPi * p_.kappa0 * f) *
         p_.site(f) * w * w;
}

double StochasticPointSource::duration(double mag, double r) const {
  STOCH_REQUIRE(std::isfinite(r) && r > 0.0, "distance", "must be > 0 km (got " << r << ")");
  return 1.0 / corner_frequency(mag) + p_.path_duration_slope * r;
}

void StochasticPointSource::check_mag_r(double mag, double r) const {
  seismic_moment(mag);
  geometric_spreading(r);
}

StochasticResult StochasticPointSource::pga(double mag, double r) const { return rvt(mag, r, 0.0); }

StochasticResult StochasticPointSource::psa(double period, double mag, double r) const {
  STOCH_REQUIRE(std::isfinite(period) && period > 0.0, "period", "must be > 0 s (got " << period << ")");
  STOCH_REQUIRE(1.0 / period >= 10.0 * p_.f_min && 1.0 / period <= 0.5 * p_.f_max, "period",
                "must have 10 f_min <= 1/T <= f_max / 2 (got T = " << period << " s)");
  return rvt(mag, r, period);
}

StochasticResult StochasticPointSource::rvt(double mag, double r, double period) const {
  check_mag_r(mag, r);
  StochasticResult out;
  const double fc = corner_frequency(mag);
  const double cm0g = spectral_constant() * seismic_moment(mag) * geometric_spreading(r);
  const double fo = period > 0.0 ? 1.0 / period : 0.0;
  const double zeta = p_.damping;

  // Spectral moments m_k = 2 int_0^inf (2 pi f)^k |Y(f)|^2 df, Simpson in u = ln f
  // (df = f du), and their derivatives: d|Y|^2/dtheta = 2 |Y|^2 d ln A / d theta.
  const int n = p_.n_freq;
  const double u0 = std::log(p_.f_min);
  const double hu = (std::log(p_.f_max) - u0) / n;
  double m[3] = {0, 0, 0}, dms[3] = {0, 0, 0}, dmk[3] = {0, 0, 0}, dmq[3] = {0, 0, 0};
  for (int i = 0; i <= n; ++i) {
    const double f = std::exp(u0 + i * hu);
    const double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
    const double x2 = (f / fc) * (f / fc);
    const double fq = std::pow(f, p_.q_eta);
    const double om = 2.0 * kPi * f;
    double a = cm0g / (1.0 + x2) * std::exp(-kPi * f * r / (p_.q0 * fq * p_.beta) - kPi * p_.kappa0 * f) *
               p_.site(f) * om * om;
    if (fo > 0.0) {
      const double y = f / fo;
      a /= std::sqrt((1.0 - y * y) * (1.0 - y * y) + (2.0 * zeta * y) * (2.0 * zeta * y));
    }
    const double base = w * 2.0 * a * a * f;  // quadrature weight * 2 |Y|^2 * f
    const double gs = 2.0 * x2 / (1.0 + x2) / (3.0 * p_.stress_drop);
    const double gk = -kPi * f;
    const double gq = kPi * f * r / (fq * p_.beta * p_.q0 * p_.q0);
    double omk = 1.0;
    for (int k = 0; k < 3; ++k) {
      m[k] += base * omk;
      dms[k] += 2.0 * gs * base * omk;
      dmk[k] += 2.0 * gk * base * omk;
      dmq[k] += 2.0 * gq * base * omk;
      omk *= om * om;
    }
  }
  for (int k = 0; k < 3; ++k) {
    m[k] *= hu / 3.0;
    dms[k] *= hu / 3.0;
    dmk[k] *= hu / 3.0;
    dmq[k] *= hu / 3.0;
  }

  // Durations: Tgm = 1/fc + b R; Trms = Tgm (PGA) or Boore & Joyner (1984):
  // Trms = Tgm + To gamma^3 / (gamma^3 + 1/3), To = T / (2 pi zeta), gamma = Tgm / To.
  const double tgm = 1.0 / fc + p_.path_duration_slope * r;
  const double dtgm_ds = -1.0 / (3.0 * p_.stress_drop * fc);
  double trms = tgm, dtrms_dtgm = 1.0;
  if (fo > 0.0) {
    const double to = 1.0 / (2.0 * kPi * zeta * fo);
    const double gam = tgm / to, g3 = gam * gam * gam, alpha = 1.0 / 3.0;
    trms = tgm + to * g3 / (g3 + alpha);
    dtrms_dtgm = 1.0 + 3.0 * alpha * gam * gam / ((g3 + alpha) * (g3 + alpha));
  }

  const double nz = std::sqrt(m[1] / m[0]) * tgm / kPi;
  const double xi = std::min(m[1] / std::sqrt(m[0] * m[2]), 1.0);
  double dpf_dn = 0.0, dpf_dxi = 0.0;
  const double pf = clh_peak_factor(nz, xi, p_.n_peak, &dpf_dn, &dpf_dxi);
  const double yrms = std::sqrt(m[0] / trms);  // cm/s^2

  out.value_g = pf * yrms / kG;
  out.ln_value = std::log(out.value_g);
  auto dln = [&](const double* dm, double dtgm) {
    const double r0 = dm[0] / m[0], r2 = dm[1] / m[1], r4 = dm[2] / m[2];
    const double dnz = nz * (0.5 * (r2 - r0) + dtgm / tgm);
    const double dxi = xi * (r2 - 0.5 * r0 - 0.5 * r4);
    return (dpf_dn * dnz + dpf_dxi * dxi) / pf + 0.5 * r0 - 0.5 * dtrms_dtgm * dtgm / trms;
  };
  out.dln_dstress_drop = dln(dms, dtgm_ds);
  out.dln_dkappa0 = dln(dmk, 0.0);
  out.dln_dq0 = dln(dmq, 0.0);
  out.m0 = m[0];
  out.m2 = m[1];
  out.m4 = m[2];
  out.peak_factor = pf;
  out.n_z = nz;
  out.xi = xi;
  out.duration_gm = tgm;
  out.duration_rms = trms;
  out.corner_frequency = fc;
  return out;
}

}  // namespace hyseis::physics::groundmotion
