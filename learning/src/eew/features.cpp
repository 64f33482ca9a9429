#include "hyseis/learning/eew/features.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::eew {
namespace {
using hyseis::core::InvalidInput;

void check_components(const std::vector<double>& ax, const std::vector<double>& ay,
                      const std::vector<double>& az, double fs) {
  if (!(fs > 0.0) || !std::isfinite(fs))
    throw InvalidInput("eew features: sampling rate must be positive and finite, got " + std::to_string(fs));
  if (ax.empty()) throw InvalidInput("eew features: empty window");
  if (ay.size() != ax.size() || az.size() != ax.size())
    throw InvalidInput("eew features: components have unequal lengths (" + std::to_string(ax.size()) + ", " +
                       std::to_string(ay.size()) + ", " + std::to_string(az.size()) + ")");
  for (const auto* c : {&ax, &ay, &az})
    for (std::size_t i = 0; i < c->size(); ++i)
      if (!std::isfinite((*c)[i]))
        throw InvalidInput("eew features: non-finite sample at index " + std::to_string(i));
}

double zero_crossings(const double* x, std::size_t n) {
  double mean = 0.0;
  for (std::size_t i = 0; i < n; ++i) mean += x[i];
  mean /= double(n);
  int prev = 0, count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = x[i] - mean;
    const int s = d > 0.0 ? 1 : (d < 0.0 ? -1 : 0);
    if (s == 0) continue;
    if (prev != 0 && s != prev) ++count;
    prev = s;
  }
  return count;
}

/// The same count as zero_crossings() (same mean, same rule: sign changes between consecutive non-zero
/// samples) without data-dependent branches: on noise half of the samples change sign, and the
/// mispredicted branches dominated the cost of the branchy loop.
double zero_crossings_branchless(const double* x, std::size_t n) {
  double mean = 0.0;
  for (std::size_t i = 0; i < n; ++i) mean += x[i];
  mean /= double(n);
  int prev = 0, count = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = x[i] - mean;
    const int s = int(d > 0.0) - int(d < 0.0);
    count += int((s != 0) & (prev != 0) & (s != prev));
    prev = s != 0 ? s : prev;
  }
  return count;
}

MyShakeFeatures features_range(const std::vector<double>& ax, const std::vector<double>& ay,
                               const std::vector<double>& az, double fs, std::size_t i0, std::size_t n) {
  if (n < 2) throw InvalidInput("eew features: window needs at least 2 samples, got " + std::to_string(n));
  const double dt = 1.0 / fs, T = double(n - 1) * dt;
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = std::sqrt(ax[i0 + i] * ax[i0 + i] + ay[i0 + i] * ay[i0 + i] + az[i0 + i] * az[i0 + i]);
  MyShakeFeatures f;
  f.t_start = double(i0) * dt;
  f.iqr = quantile(v, 0.75) - quantile(v, 0.25);
  double zc = 0.0;
  for (const auto* c : {&ax, &ay, &az}) zc = std::max(zc, zero_crossings(c->data() + i0, n) / T);
  f.zc = zc;
  double cav = 0.0;
  for (std::size_t i = 0; i + 1 < n; ++i) cav += 0.5 * (std::abs(v[i]) + std::abs(v[i + 1])) * dt;
  f.cav = cav;
  return f;
}
}  // namespace

double quantile(std::vector<double> x, double p) {
  if (x.empty()) throw InvalidInput("eew quantile: empty sample");
  if (!(p >= 0.0 && p <= 1.0)) throw InvalidInput("eew quantile: p must lie in [0,1], got " + std::to_string(p));
  for (double v : x)
    if (!std::isfinite(v)) throw InvalidInput("eew quantile: non-finite value");
  std::sort(x.begin(), x.end());
  const double pos = p * double(x.size() - 1);
  const std::size_t lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  const double w = pos - double(lo);
  return x[lo] + w * (x[hi] - x[lo]);
}

MyShakeFeatures window_features(const std::vector<double>& ax, const std::vector<double>& ay,
                                const std::vector<double>& az, double fs) {
  check_components(ax, ay, az, fs);
  return features_range(ax, ay, az, fs, 0, ax.size());
}

std::vector<MyShakeFeatures> sliding_features(const std::vector<double>& ax, const std::vector<double>& ay,
                                              const std::vector<double>& az, double fs, double window_s,
                                              double step_s) {
  check_components(ax, ay, az, fs);
  if (!(window_s > 0.0) || !(step_s > 0.0))
    throw InvalidInput("eew sliding_features: window and step must be positive");
  const std::size_t n = static_cast<std::size_t>(std::lround(window_s * fs));
  const std::size_t step = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(step_s * fs)));
  if (n < 2) throw InvalidInput("eew sliding_features: window shorter than 2 samples");
  std::vector<MyShakeFeatures> out;
  for (std::size_t i0 = 0; i0 + n <= ax.size(); i0 += step) out.push_back(features_range(ax, ay, az, fs, i0, n));
  return out;
}

StreamingFeatures::StreamingFeatures(std::size_t n_sensors, std::size_t window_n, std::size_t step_n, double fs)
    : n_(n_sensors), window_(window_n), step_(step_n), fs_(fs) {
  if (!(fs > 0.0) || !std::isfinite(fs)) throw InvalidInput("eew StreamingFeatures: fs must be positive");
  if (window_n < 2 || step_n < 1 || step_n > window_n)
    throw InvalidInput("eew StreamingFeatures: need window_n >= 2 and 1 <= step_n <= window_n");
  x_.assign(n_ * window_, 0.0);
  y_.assign(n_ * window_, 0.0);
  z_.assign(n_ * window_, 0.0);
  v_.assign(n_ * window_, 0.0);
  scratch_.resize(window_);
  two_blocks_ = window_ == 2 * step_;
  if (two_blocks_) sorted_.assign(n_ * window_, 0.0);
}

void StreamingFeatures::push_one(std::size_t s, const double* a, const double* b, const double* c) {
  const std::size_t keep = window_ - step_;
  double* X = x_.data() + s * window_;
  double* Y = y_.data() + s * window_;
  double* Z = z_.data() + s * window_;
  double* V = v_.data() + s * window_;
  std::copy(X + step_, X + window_, X);
  std::copy(Y + step_, Y + window_, Y);
  std::copy(Z + step_, Z + window_, Z);
  std::copy(V + step_, V + window_, V);
  for (std::size_t i = 0; i < step_; ++i) {
    X[keep + i] = a[i];
    Y[keep + i] = b[i];
    Z[keep + i] = c[i];
    V[keep + i] = std::sqrt(a[i] * a[i] + b[i] * b[i] + c[i] * c[i]);
  }
  if (two_blocks_) {  // keep the vector sum of each packet sorted: [older block | newer block]
    double* S = sorted_.data() + s * window_;
    std::copy(S + step_, S + window_, S);
    std::copy(V + keep, V + window_, S + keep);
    std::sort(S + keep, S + window_);
  }
}

namespace {
/// k-th smallest (0-based) of the union of sorted a[0..na) and b[0..nb), k < na + nb: O(log) search for
/// the number i of elements taken from a (the value equals that of a full sort).
double kth_of_two(const double* a, std::size_t na, const double* b, std::size_t nb, std::size_t k) {
  std::size_t lo = k + 1 > nb ? k + 1 - nb : 0, hi = std::min(k + 1, na);
  while (lo < hi) {
    const std::size_t i = (lo + hi) / 2, j = k + 1 - i;  // i < na, 1 <= j <= nb
    if (a[i] < b[j - 1]) lo = i + 1;
    else hi = i;
  }
  const std::size_t i = lo, j = k + 1 - i;
  if (i == 0) return b[j - 1];
  if (j == 0) return a[i - 1];
  return std::max(a[i - 1], b[j - 1]);
}
}  // namespace

void StreamingFeatures::push(const double* ax, const double* ay, const double* az) {
  for (std::size_t s = 0; s < n_; ++s) push_one(s, ax + s * step_, ay + s * step_, az + s * step_);
  filled_ = std::min(window_, filled_ + step_);
}

MyShakeFeatures StreamingFeatures::compute_one(std::size_t s) {
  const std::size_t n = window_;
  const double dt = 1.0 / fs_, T = double(n - 1) * dt;
  // Type-7 quartile positions (as quantile()).
  const double p25 = 0.25 * double(n - 1), p75 = 0.75 * double(n - 1);
  const std::size_t l25 = std::size_t(std::floor(p25)), l75 = std::size_t(std::floor(p75));
  const double w25 = p25 - double(l25), w75 = p75 - double(l75);
  const double* V = v_.data() + s * window_;
  const double* X = x_.data() + s * window_;
  const double* Y = y_.data() + s * window_;
  const double* Z = z_.data() + s * window_;
  MyShakeFeatures f;
  // The three component sums and CAV in one loop: four independent serial chains (each in the order
  // of window_features(), so the results are bit-identical) instead of four latency-bound loops.
  double cav = 0.0, sx = 0.0, sy = 0.0, sz = 0.0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    cav += 0.5 * (std::abs(V[i]) + std::abs(V[i + 1])) * dt;
    sx += X[i];
    sy += Y[i];
    sz += Z[i];
  }
  sx += X[n - 1];
  sy += Y[n - 1];
  sz += Z[n - 1];
  f.cav = cav;
  // Sign of (x - mean) equals the comparison x vs mean exactly (IEEE subtraction is 0 only for equal
  // operands and keeps the sign). Without samples equal to the mean, the count is the number of
  // adjacent sign changes (vectorisable); otherwise the zero-skipping rule of zero_crossings() applies.
  auto zc_count = [n](const double* x, double mean) {
    int cnt = 0, eq = 0;
    for (std::size_t i = 1; i < n; ++i) cnt += int((x[i] > mean) != (x[i - 1] > mean));
    for (std::size_t i = 0; i < n; ++i) eq |= int(x[i] == mean);
    return eq ? -1 : cnt;
  };
  double zc = 0.0;
  const double* comps[3] = {X, Y, Z};
  const double sums[3] = {sx, sy, sz};
  for (int k = 0; k < 3; ++k) {
    const int c = zc_count(comps[k], sums[k] / double(n));
    zc = std::max(zc, (c >= 0 ? double(c) : zero_crossings_branchless(comps[k], n)) / T);
  }
  f.zc = zc;
  if (two_blocks_) {  // quartiles from the two sorted packet blocks
    const double* S = sorted_.data() + s * window_;
    auto q = [&](std::size_t k) { return kth_of_two(S, step_, S + step_, step_, k); };
    const double a75 = q(l75), b75 = l75 + 1 < n ? q(l75 + 1) : a75;
    const double a25 = q(l25), b25 = l25 + 1 < n ? q(l25 + 1) : a25;
    f.iqr = (a75 + w75 * (b75 - a75)) - (a25 + w25 * (b25 - a25));
    return f;
  }
  // Quartiles: select l75 (and its successor) first, then l25 inside the lower part.
  double* w = scratch_.data();
  std::copy(V, V + n, w);
  std::nth_element(w, w + l75, w + n);
  const double a75 = w[l75];
  const double b75 = l75 + 1 < n ? *std::min_element(w + l75 + 1, w + n) : a75;
  double a25, b25;
  if (l25 == l75) {
    a25 = a75;
    b25 = b75;
  } else {
    std::nth_element(w, w + l25, w + l75);
    a25 = w[l25];
    b25 = l25 + 1 < l75 ? *std::min_element(w + l25 + 1, w + l75) : a75;
  }
  f.iqr = (a75 + w75 * (b75 - a75)) - (a25 + w25 * (b25 - a25));
  return f;
}

void StreamingFeatures::compute(std::vector<MyShakeFeatures>& out) {
  out.resize(n_);
  for (std::size_t s = 0; s < n_; ++s) out[s] = compute_one(s);
}

void StreamingFeatures::update(const double* ax, const double* ay, const double* az, std::vector<MyShakeFeatures>& out) {
  out.resize(n_);
  for (std::size_t s = 0; s < n_; ++s) {  // fused: the sensor's window is still in cache for compute_one
    push_one(s, ax + s * step_, ay + s * step_, az + s * step_);
    out[s] = compute_one(s);
  }
  filled_ = std::min(window_, filled_ + step_);
}

}  // namespace hyseis::learning::eew
