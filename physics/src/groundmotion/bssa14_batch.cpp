// Batch BSSA14 (see bssa14_batch.hpp). Equations: Boore et al. (2014) eqs. (1)-(8), (14)-(17),
// exactly as in bssa14.cpp.
#include "hyseis/physics/groundmotion/bssa14_batch.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "bssa14_coefficients.hpp"
#include "hyseis/core/error.hpp"
#include "table.hpp"

namespace hyseis::physics::groundmotion {

namespace {
using namespace detail::bssa14;
using Coeffs = std::array<double, kBSSA14Width>;
constexpr double kMref = 4.5, kRref = 1.0, kVref = 760.0, kF1 = 0.0, kF3 = 0.1, kV1 = 225.0, kV2 = 300.0;

[[noreturn]] void bad(std::size_t i, const char* what, double v, const char* rule) {
  std::ostringstream os;
  os << "bssa14_batch: entry " << i << ": " << what << " = " << v << " " << rule;
  throw core::InvalidInput(os.str());
}
}  // namespace

void bssa14_batch(const BSSA14BatchInput& in, const Imt& imt, const BSSA14BatchOutput& out,
                  const BSSA14Options& options) {
  if (in.n == 0) return;
  if (!in.mag || !in.rake || !in.rjb || !in.vs30)
    throw core::InvalidInput("bssa14_batch: null input array");
  if (options.basin != BSSA14Basin::none)
    throw core::InvalidInput("bssa14_batch: only the global model without basin term (basin = none)");
  const long row = detail::find_row(kBSSA14Table, imt);
  if (row < 0) throw core::InvalidInput("bssa14_batch: IMT " + imt.name() + " is not a row of the BSSA14 table");
  const Coeffs C = kBSSA14Table[row];
  const Coeffs P = kBSSA14Table[detail::find_row(kBSSA14Table, Imt::pga())];

  // Validation pass (cheap, vectorisable comparisons; the error names the first bad entry).
  for (std::size_t i = 0; i < in.n; ++i) {
    const double m = in.mag[i], rk = in.rake[i], r = in.rjb[i], v = in.vs30[i];
    const bool ok = std::isfinite(m) && m > 0 && std::isfinite(rk) && rk >= -180.0 && rk <= 180.0 &&
                    std::isfinite(r) && r >= 0 && std::isfinite(v) && v > 0;
    if (!ok) {
      if (!(std::isfinite(m) && m > 0)) bad(i, "magnitude", m, "must be finite and > 0");
      if (!(std::isfinite(rk) && rk >= -180.0 && rk <= 180.0)) bad(i, "rake", rk, "must be in [-180, 180]");
      if (!(std::isfinite(r) && r >= 0)) bad(i, "Rjb", r, "must be finite and >= 0 km");
      bad(i, "Vs30", v, "must be finite and > 0 m/s");
    }
  }

  // Hoisted IMT constants.
  const double h2 = C[h] * C[h], hp2 = P[h] * P[h];
  const double f2c = C[f4] * (0.0 - std::exp(C[f5] * (kVref - 360.0)));
  const double lnR1 = std::log(C[R1]), inv_lnR21 = 1.0 / std::log(C[R2] / C[R1]);
  const double inv_lnV21 = 1.0 / std::log(kV2 / kV1);
  const double lnVc = std::log(std::min(C[Vc], 1e300));
  (void)lnVc;
  const bool unspecified = options.unspecified_mechanism;
  const std::size_t n = in.n;
  const double* __restrict mag = in.mag;
  const double* __restrict rake = in.rake;
  const double* __restrict rjb = in.rjb;
  const double* __restrict vs30 = in.vs30;
  double* __restrict lnm = out.ln_median;
  double* __restrict tau = out.tau;
  double* __restrict phi = out.phi;
  double* __restrict sig = out.sigma;

  for (std::size_t i = 0; i < n; ++i) {
    const double m = mag[i], rk = rake[i], r = rjb[i], v = vs30[i];
    // Mechanism coefficient (e0 unspecified, e1 strike-slip, e2 normal, e3 reverse).
    const bool rev = rk > 30.0 && rk < 150.0, nor = rk < -30.0 && rk > -150.0;
    const double ec = unspecified ? C[e0] : rev ? C[e3] : nor ? C[e2] : C[e1];
    const double ep = unspecified ? P[e0] : rev ? P[e3] : nor ? P[e2] : P[e1];
    // Source terms F_E (eq. 2), hinge magnitude Mh.
    const double dmc = m - C[Mh], dmp = m - P[Mh];
    const double fe = ec + (m <= C[Mh] ? C[e4] * dmc + C[e5] * dmc * dmc : C[e6] * dmc);
    const double fep = ep + (m <= P[Mh] ? P[e4] * dmp + P[e5] * dmp * dmp : P[e6] * dmp);
    // Path terms F_P (eq. 3).
    const double Rc = std::sqrt(r * r + h2), Rp = std::sqrt(r * r + hp2);
    const double fp = (C[c1] + C[c2] * (m - kMref)) * std::log(Rc / kRref) + (C[c3] + C[Dc3]) * (Rc - kRref);
    const double fpp = (P[c1] + P[c2] * (m - kMref)) * std::log(Rp / kRref) + (P[c3] + P[Dc3]) * (Rp - kRref);
    const double pga_r = std::exp(fep + fpp);
    // Site: linear (eq. 6) and nonlinear (eqs. 7-8) terms.
    const double flin = C[c] * std::log(std::min(v, C[Vc]) / kVref);
    const double f2nl = C[f4] * std::exp(C[f5] * (std::min(v, kVref) - 360.0)) + f2c;
    const double fnl = kF1 + f2nl * std::log((pga_r + kF3) / kF3);
    if (lnm) lnm[i] = fe + fp + flin + fnl;
    // Standard deviations (eqs. 14-17).
    const double t = m <= 4.5 ? C[tau1] : m >= 5.5 ? C[tau2] : C[tau1] + (C[tau2] - C[tau1]) * (m - 4.5);
    const double pm = m <= 4.5 ? C[f1] : m >= 5.5 ? C[f2] : C[f1] + (C[f2] - C[f1]) * (m - 4.5);
    const double pmr = r > C[R2] ? pm + C[DfR] : r > C[R1] ? pm + C[DfR] * (std::log(r) - lnR1) * inv_lnR21 : pm;
    const double p = v <= kV1 ? pmr - C[DfV] : v < kV2 ? pmr - C[DfV] * std::log(kV2 / v) * inv_lnV21 : pmr;
    if (tau) tau[i] = t;
    if (phi) phi[i] = p;
    if (sig) sig[i] = std::sqrt(t * t + p * p);
  }
}

}  // namespace hyseis::physics::groundmotion
