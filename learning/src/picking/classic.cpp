// Classical pickers: see hyseis/learning/picking/classic.hpp and docs/theory/picking.md.
#include "hyseis/learning/picking/classic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::picking {

namespace {
void check_windows(int nsta, int nlta, std::size_t n) {
  HYSEIS_REQUIRE(nsta >= 1, core::InvalidInput, "STA window must be >= 1 sample, got " << nsta);
  HYSEIS_REQUIRE(nlta > nsta, core::InvalidInput,
                 "LTA window (" << nlta << " samples) must be longer than the STA window (" << nsta << ")");
  (void)n;
}
}  // namespace

std::vector<double> classic_sta_lta(const std::vector<double>& a, int nsta, int nlta) {
  check_windows(nsta, nlta, a.size());
  const std::size_t n = a.size();
  std::vector<double> e(n), cf(n, 0.0);
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    HYSEIS_REQUIRE(std::isfinite(a[i]), core::InvalidInput, "STA/LTA input has a non-finite sample at index " << i);
    s += a[i] * a[i];
    e[i] = s;
  }
  const auto ns = static_cast<std::size_t>(nsta), nl = static_cast<std::size_t>(nlta);
  const double tiny = std::numeric_limits<double>::min();
  for (std::size_t i = nl - 1; i < n; ++i) {
    const double sta = (e[i] - (i >= ns ? e[i - ns] : 0.0)) / nsta;
    double lta = (e[i] - (i >= nl ? e[i - nl] : 0.0)) / nlta;
    if (lta < tiny) lta = tiny;
    cf[i] = sta / lta;
  }
  return cf;
}

std::vector<double> recursive_sta_lta(const std::vector<double>& a, int nsta, int nlta) {
  check_windows(nsta, nlta, a.size());
  const std::size_t n = a.size();
  std::vector<double> cf(n, 0.0);
  const double cs = 1.0 / nsta, cl = 1.0 / nlta;
  double sta = 0.0, lta = 1e-99;
  for (std::size_t i = 1; i < n; ++i) {
    HYSEIS_REQUIRE(std::isfinite(a[i]), core::InvalidInput, "STA/LTA input has a non-finite sample at index " << i);
    const double sq = a[i] * a[i];
    sta = cs * sq + (1 - cs) * sta;
    lta = cl * sq + (1 - cl) * lta;
    cf[i] = i < static_cast<std::size_t>(nlta) ? 0.0 : sta / lta;
  }
  return cf;
}

std::vector<Trigger> trigger_onset(const std::vector<double>& cf, double thr_on, double thr_off,
                                   std::size_t max_len, bool drop_long) {
  std::vector<Trigger> out;
  const std::size_t n = cf.size();
  std::size_t i = 0;
  while (i < n) {
    if (!(cf[i] > thr_on)) {
      ++i;
      continue;
    }
    Trigger t;
    t.on = i;
    std::size_t j = i;
    while (j + 1 < n && cf[j + 1] > thr_off) ++j;
    // cf[on] > thr_on; if thr_off > thr_on, cf[on] may itself be <= thr_off: off = on then.
    t.off = j;
    i = j + 1;
    if (max_len > 0 && t.off - t.on > max_len) {
      if (drop_long) continue;
      t.off = t.on + max_len;
    }
    out.push_back(t);
  }
  return out;
}

std::vector<double> aic(const std::vector<double>& x) {
  const std::size_t n = x.size();
  std::vector<double> out(n, std::numeric_limits<double>::infinity());
  if (n < 6) return out;
  // Prefix sums of x and x^2 on demeaned data (reduces cancellation).
  double mean = 0;
  for (std::size_t i = 0; i < n; ++i) {
    HYSEIS_REQUIRE(std::isfinite(x[i]), core::InvalidInput, "AIC input has a non-finite sample at index " << i);
    mean += x[i];
  }
  mean /= static_cast<double>(n);
  std::vector<double> s1(n + 1, 0.0), s2(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double v = x[i] - mean;
    s1[i + 1] = s1[i] + v;
    s2[i + 1] = s2[i] + v * v;
  }
  auto var = [&](std::size_t b, std::size_t e) {  // population variance of x[b, e)
    const double m = static_cast<double>(e - b);
    const double mu = (s1[e] - s1[b]) / m;
    const double v = (s2[e] - s2[b]) / m - mu * mu;
    return std::max(v, 1e-300);
  };
  for (std::size_t k = 2; k + 3 <= n; ++k) {
    out[k] = static_cast<double>(k) * std::log(var(0, k)) +
             static_cast<double>(n - k - 1) * std::log(var(k + 1, n));
  }
  return out;
}

std::size_t aic_pick(const std::vector<double>& x, std::size_t begin, std::size_t end) {
  HYSEIS_REQUIRE(begin < end && end <= x.size() && end - begin >= 6, core::InvalidInput,
                 "AIC window [" << begin << ", " << end << ") must hold >= 6 samples inside a trace of "
                                << x.size());
  const std::vector<double> w(x.begin() + static_cast<std::ptrdiff_t>(begin), x.begin() + static_cast<std::ptrdiff_t>(end));
  const std::vector<double> a = aic(w);
  const auto it = std::min_element(a.begin(), a.end());
  return begin + static_cast<std::size_t>(it - a.begin());
}

void StaLtaAicOptions::validate(double fs) const {
  HYSEIS_REQUIRE(fs > 0 && std::isfinite(fs), core::InvalidInput, "sampling rate must be > 0, got " << fs);
  HYSEIS_REQUIRE(sta_s > 0, core::InvalidInput, "sta_s must be > 0, got " << sta_s);
  HYSEIS_REQUIRE(lta_s > sta_s, core::InvalidInput, "lta_s must be > sta_s, got " << lta_s << " <= " << sta_s);
  HYSEIS_REQUIRE(std::lround(sta_s * fs) >= 1, core::InvalidInput, "sta_s * fs must be >= 1 sample");
  HYSEIS_REQUIRE(thr_on > 0 && thr_off > 0, core::InvalidInput, "thresholds must be > 0");
  HYSEIS_REQUIRE(aic_before_s >= 0 && aic_after_s >= 0 && (aic_before_s + aic_after_s) * fs >= 6, core::InvalidInput,
                 "AIC window (aic_before_s + aic_after_s) must cover >= 6 samples");
}

std::vector<OnsetPick> stalta_aic_picks(const std::vector<double>& x, double fs, const StaLtaAicOptions& o) {
  o.validate(fs);
  const int nsta = static_cast<int>(std::lround(o.sta_s * fs));
  const int nlta = static_cast<int>(std::lround(o.lta_s * fs));
  const std::vector<double> cf = o.recursive ? recursive_sta_lta(x, nsta, nlta) : classic_sta_lta(x, nsta, nlta);
  std::vector<OnsetPick> picks;
  const auto before = static_cast<std::size_t>(std::lround(o.aic_before_s * fs));
  const auto after = static_cast<std::size_t>(std::lround(o.aic_after_s * fs));
  for (const Trigger& t : trigger_onset(cf, o.thr_on, o.thr_off)) {
    OnsetPick p;
    p.trigger_on = t.on;
    p.trigger_off = t.off;
    p.peak_cf = *std::max_element(cf.begin() + static_cast<std::ptrdiff_t>(t.on), cf.begin() + static_cast<std::ptrdiff_t>(t.off) + 1);
    const std::size_t b = t.on > before ? t.on - before : 0;
    const std::size_t e = std::min(x.size(), t.on + after + 1);
    p.sample = e - b >= 6 ? aic_pick(x, b, e) : t.on;
    picks.push_back(p);
  }
  return picks;
}

}  // namespace hyseis::learning::picking
