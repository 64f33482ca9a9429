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

}  // namespace hyseis::learning::eew
