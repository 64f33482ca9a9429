#pragma once
// Coefficient-row selection shared by the GMPEs (internal header).
// A table is an array of rows; column 0 is the key: -1 = PGV, 0 = PGA, T > 0 = SA(T).
#include <array>
#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/groundmotion/gmpe.hpp"

namespace hyseis::physics::groundmotion::detail {

inline constexpr double kPgvKey = -1.0;
inline constexpr double kPgaKey = 0.0;
/// Relative tolerance for matching a requested period with a table period.
inline constexpr double kPeriodMatchRel = 1e-6;

template <std::size_t W, std::size_t N>
std::vector<double> table_periods(const std::array<double, W> (&table)[N]) {
  std::vector<double> out;
  for (const auto& r : table)
    if (r[0] > 0) out.push_back(r[0]);
  return out;
}

/// Index of the row for PGA/PGV or an exact SA period; -1 if none.
template <std::size_t W, std::size_t N>
long find_row(const std::array<double, W> (&table)[N], const Imt& imt) {
  const double key = imt.kind == Imt::Kind::PGV ? kPgvKey : imt.kind == Imt::Kind::PGA ? kPgaKey : imt.period;
  for (std::size_t i = 0; i < N; ++i) {
    const double k = table[i][0];
    if (imt.kind != Imt::Kind::SA ? k == key : (k > 0 && std::abs(k - key) <= kPeriodMatchRel * key))
      return static_cast<long>(i);
  }
  return -1;
}

/// Indices (lo, hi) of the SA rows bracketing T (lo < hi), or false if T is outside the range.
template <std::size_t W, std::size_t N>
bool bracket(const std::array<double, W> (&table)[N], double T, std::size_t& lo, std::size_t& hi) {
  bool have_lo = false, have_hi = false;
  for (std::size_t i = 0; i < N; ++i) {
    const double k = table[i][0];
    if (k <= 0) continue;
    if (k <= T && (!have_lo || k > table[lo][0])) { lo = i; have_lo = true; }
    if (k >= T && (!have_hi || k < table[hi][0])) { hi = i; have_hi = true; }
  }
  return have_lo && have_hi;
}

template <std::size_t W, std::size_t N>
bool supports(const std::array<double, W> (&table)[N], const Imt& imt, PeriodPolicy policy) {
  if (imt.kind == Imt::Kind::SA && !(imt.period > 0)) return false;
  if (find_row(table, imt) >= 0) return true;
  if (imt.kind != Imt::Kind::SA || policy != PeriodPolicy::interpolate) return false;
  std::size_t lo = 0, hi = 0;
  return bracket(table, imt.period, lo, hi);
}

/// Throws core::InvalidInput naming the model, the IMT and the supported periods.
template <std::size_t W, std::size_t N>
[[noreturn]] void unsupported(const std::array<double, W> (&table)[N], const Imt& imt, PeriodPolicy policy,
                              const std::string& model) {
  std::ostringstream why;
  const std::vector<double> T = table_periods(table);
  if (imt.kind == Imt::Kind::SA && imt.period > 0 && policy == PeriodPolicy::interpolate)
    why << model << ": " << imt.name() << " is outside the coefficient table's period range ["
        << T.front() << ", " << T.back() << "] s (no extrapolation)";
  else if (imt.kind == Imt::Kind::SA)
    why << model << ": " << imt.name() << " is not a period of the coefficient table (" << T.size()
        << " periods in [" << T.front() << ", " << T.back()
        << "] s; PeriodPolicy::interpolate interpolates between them)";
  else
    why << model << ": " << imt.name() << " is not supported";
  throw core::InvalidInput(why.str());
}

/// Evaluates the model for `imt`: eval(row) for a tabulated IMT; for an SA period between two
/// table periods (policy interpolate) ln_median, tau and phi are interpolated linearly in ln T
/// between the predictions at the bracketing periods (sigma recomputed from tau and phi).
/// Interpolating predictions rather than coefficients keeps magnitude hinges (e.g. BSSA14's Mh)
/// of the two rows intact.
template <std::size_t W, std::size_t N, class Eval>
GmpeResult evaluate_imt(const std::array<double, W> (&table)[N], const Imt& imt, PeriodPolicy policy,
                        const std::string& model, Eval&& eval) {
  const long i = find_row(table, imt);
  if (i >= 0) return eval(table[i]);
  std::size_t lo = 0, hi = 0;
  if (imt.kind != Imt::Kind::SA || !(imt.period > 0) || policy != PeriodPolicy::interpolate ||
      !bracket(table, imt.period, lo, hi))
    unsupported(table, imt, policy, model);
  const GmpeResult a = eval(table[lo]);
  const GmpeResult b = eval(table[hi]);
  const double w = std::log(imt.period / table[lo][0]) / std::log(table[hi][0] / table[lo][0]);
  GmpeResult r;
  r.ln_median = a.ln_median + w * (b.ln_median - a.ln_median);
  r.tau = a.tau + w * (b.tau - a.tau);
  r.phi = a.phi + w * (b.phi - a.phi);
  r.sigma = std::sqrt(r.tau * r.tau + r.phi * r.phi);
  return r;
}

/// Checks shared by the models (always on: user input).
inline void require_finite(double v, const char* what, const std::string& model) {
  HYSEIS_REQUIRE(std::isfinite(v), core::InvalidInput, model << ": " << what << " must be finite, got " << v);
}

}  // namespace hyseis::physics::groundmotion::detail
