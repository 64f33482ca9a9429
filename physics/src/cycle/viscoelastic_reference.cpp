// Savage & Prescott (1978) analytic interseismic velocity for an elastic layer over a Maxwell
// half-space, and the elastic screw-dislocation solutions. Derivation and formula:
// docs/theory/viscoelastic-cycle.md.
//
// Surface velocity, x > 0, t in (0, T] after the last earthquake, theta_k = (t + kT)/(2 tau):
//
//   v(x,t) = v/2 - (v/pi) atan(D/x)
//            + (1/pi) sum_{n>=1} F_n(x) [ (s/(2 tau)) sum_{k>=0} g_n(theta_k) - v ],
//   F_n(x) = atan((2nH + D)/x) - atan((2nH - D)/x),   g_n(th) = th^(n-1) e^(-th) / (n-1)!.
//
// For image orders n beyond N0 the k-sum is a Riemann sum of a gamma density with spacing
// dth = T/(2 tau): by Poisson summation sum_k g_n(theta_k) = (1/dth)(1 + eps), |eps| <=
// 2 sum_{m>=1} (1 + (2 pi m/dth)^2)^(-n/2), so those terms vanish to eps; N0 is chosen so that
// eps < 1e-16 and the series is then exact to rounding, for any D <= H.
#include <algorithm>
#include <cmath>
#include <limits>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace hyseis::physics::cycle {

namespace {
using core::InvalidInput;
constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxImageTerms = 2000000;

bool finite_positive(double v) { return std::isfinite(v) && v > 0; }

int auto_terms(const SavagePrescottParams& p) {
  const double dth = p.recurrence / (2 * p.relaxation_time);
  const double omega = 2 * kPi / dth;
  // (1 + omega^2)^(-n/2) * 2.5 < 1e-17  (the m >= 2 terms add < 25 % for omega >= 0.5; below
  // that the bound is summed explicitly)
  const double l = std::log1p(omega * omega);
  double n = std::ceil(2 * std::log(2.5e17) / l) + 2;
  if (omega < 0.5) {
    // sum_m (1 + (m omega)^2)^(-n/2) <= 1/omega * integral bound: require (1+w^2)^(-n/2)/w < 1e-17
    n = std::ceil(2 * (std::log(1e17) - std::log(omega)) / l) + 2;
  }
  return static_cast<int>(std::max(4.0, n));
}

}  // namespace

void SavagePrescottParams::validate() const {
  HYSEIS_REQUIRE(finite_positive(layer_thickness), InvalidInput,
                 "savage_prescott.layer_thickness: must be > 0, got " << layer_thickness);
  HYSEIS_REQUIRE(finite_positive(locking_depth), InvalidInput,
                 "savage_prescott.locking_depth: must be > 0, got " << locking_depth);
  HYSEIS_REQUIRE(locking_depth <= layer_thickness * (1 + 1e-12), InvalidInput,
                 "savage_prescott.locking_depth: must be <= layer_thickness (" << layer_thickness << "), got "
                                                                               << locking_depth);
  HYSEIS_REQUIRE(finite_positive(recurrence), InvalidInput,
                 "savage_prescott.recurrence: must be > 0, got " << recurrence);
  HYSEIS_REQUIRE(finite_positive(relaxation_time), InvalidInput,
                 "savage_prescott.relaxation_time: must be > 0 (viscosity > 0), got " << relaxation_time);
  HYSEIS_REQUIRE(std::isfinite(slip), InvalidInput, "savage_prescott.slip: must be finite, got " << slip);
  HYSEIS_REQUIRE(image_terms >= 0 && image_terms <= kMaxImageTerms, InvalidInput,
                 "savage_prescott.image_terms: must be in [0, " << kMaxImageTerms << "], got " << image_terms);
  if (image_terms == 0)
    HYSEIS_REQUIRE(auto_terms(*this) <= kMaxImageTerms, InvalidInput,
                   "savage_prescott: relaxation_time/recurrence = " << relaxation_time / recurrence
                                                                    << " is too small for the series (needs > "
                                                                    << kMaxImageTerms << " image terms)");
}

int savage_prescott_image_terms(const SavagePrescottParams& p) {
  p.validate();
  return p.image_terms > 0 ? p.image_terms : auto_terms(p);
}

double savage_prescott_velocity(const SavagePrescottParams& p, double x, double t) {
  p.validate();
  HYSEIS_REQUIRE(std::isfinite(x), InvalidInput, "savage_prescott_velocity: x must be finite, got " << x);
  HYSEIS_REQUIRE(t > 0 && t <= p.recurrence * (1 + 1e-12), InvalidInput,
                 "savage_prescott_velocity: t must be in (0, T = " << p.recurrence << "], got " << t);
  if (x == 0) return 0.0;
  const double sgn = x > 0 ? 1.0 : -1.0;
  const double ax = std::abs(x);
  const double H = p.layer_thickness, D = p.locking_depth, T = p.recurrence, tau = p.relaxation_time;
  const double s = p.slip, v = s / T;
  const double dth = T / (2 * tau);
  const double th0 = t / (2 * tau);
  const int n_terms = p.image_terms > 0 ? p.image_terms : auto_terms(p);

  double series = 0;
  for (int n = 1; n <= n_terms; ++n) {
    const double F = std::atan((2 * n * H + D) / ax) - std::atan((2 * n * H - D) / ax);
    // k-sum of the gamma(n) density at theta_k = th0 + k dth, skipping the far left tail.
    const double nm1 = n - 1;
    const double lg = std::lgamma(static_cast<double>(n));
    const double left = nm1 - 40 * std::sqrt(std::max(nm1, 1.0)) - 40;
    long k = left > th0 ? static_cast<long>(std::floor((left - th0) / dth)) : 0;
    double sum = 0;
    for (;; ++k) {
      const double th = th0 + k * dth;
      const double g = n == 1 ? std::exp(-th) : (th > 0 ? std::exp(nm1 * std::log(th) - th - lg) : 0.0);
      sum += g;
      if (th > nm1 && g <= 1e-18 * sum) break;
      if (th > nm1 + 200 + 60 * std::sqrt(nm1 + 1)) break;
    }
    series += F * (s / (2 * tau) * sum - v);
  }
  return sgn * (v / 2 - v / kPi * std::atan(D / ax) + series / kPi);
}

std::vector<double> savage_prescott_velocity(const SavagePrescottParams& p, const std::vector<double>& x,
                                             double t) {
  std::vector<double> out;
  out.reserve(x.size());
  for (double xi : x) out.push_back(savage_prescott_velocity(p, xi, t));
  return out;
}

double screw_dislocation_displacement(double slip, double depth, double x, double z) {
  HYSEIS_REQUIRE(finite_positive(depth), InvalidInput,
                 "screw_dislocation_displacement: depth must be > 0, got " << depth);
  HYSEIS_REQUIRE(std::isfinite(z) && z >= 0, InvalidInput,
                 "screw_dislocation_displacement: z (depth) must be >= 0, got " << z);
  HYSEIS_REQUIRE(std::isfinite(x), InvalidInput, "screw_dislocation_displacement: x must be finite, got " << x);
  HYSEIS_REQUIRE(x != 0 || z > depth, InvalidInput,
                 "screw_dislocation_displacement: point (x = 0, z = " << z << ") lies on the fault (0 <= z <= "
                                                                      << depth << ")");
  if (x == 0) return 0.0;
  return slip / (2 * kPi) * (std::atan((depth - z) / x) + std::atan((depth + z) / x));
}

double elastic_interseismic_velocity(double plate_rate, double depth, double x) {
  HYSEIS_REQUIRE(finite_positive(depth), InvalidInput,
                 "elastic_interseismic_velocity: depth must be > 0, got " << depth);
  return plate_rate / kPi * std::atan(x / depth);
}

}  // namespace hyseis::physics::cycle
