// Normalised cross-correlation (FFT overlap-save + direct), network stacking, MAD detection.
#include "hyseis/learning/similarity/template_matching.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/picking/deep.hpp"

namespace hyseis::learning::similarity {

namespace {

using cd = std::complex<double>;

// In-place iterative radix-2 FFT (n a power of two); inverse without the 1/n factor. The
// twiddles exp(-2 pi i k / n), k < n/2, are computed directly (not by repeated multiplication, for
// accuracy) once per size and reused by every stage (stride n/len) and every call.
const std::vector<cd>& twiddles(std::size_t n) {
  thread_local std::vector<cd> w;
  thread_local std::size_t wn = 0;
  if (wn != n) {
    w.resize(n / 2);
    for (std::size_t k = 0; k < n / 2; ++k) {
      const double a = -2 * M_PI * static_cast<double>(k) / static_cast<double>(n);
      w[k] = cd(std::cos(a), std::sin(a));
    }
    wn = n;
  }
  return w;
}

void fft(std::vector<cd>& a, bool inverse) {
  const std::size_t n = a.size();
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  const std::vector<cd>& w = twiddles(n);
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const std::size_t half = len / 2, stride = n / len;
    const double sgn = inverse ? -1.0 : 1.0;
    for (std::size_t i = 0; i < n; i += len)
      for (std::size_t k = 0; k < half; ++k) {
        // Complex product written out: std::complex's operator* checks for NaN/Inf (__muldc3).
        const double wr = w[k * stride].real(), wi = sgn * w[k * stride].imag();
        const double xr = a[i + k + half].real(), xi = a[i + k + half].imag();
        const double vr = xr * wr - xi * wi, vi = xr * wi + xi * wr;
        const double ur = a[i + k].real(), ui = a[i + k].imag();
        a[i + k] = cd(ur + vr, ui + vi);
        a[i + k + half] = cd(ur - vr, ui - vi);
      }
  }
}

std::size_t next_pow2(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

void check(const std::vector<double>& t, const std::vector<double>& x) {
  HYSEIS_REQUIRE(t.size() >= 2, core::InvalidInput, "normalized_xcorr: template needs >= 2 samples, got " << t.size());
  HYSEIS_REQUIRE(x.size() >= t.size(), core::InvalidInput,
                 "normalized_xcorr: data (" << x.size() << " samples) shorter than the template (" << t.size() << ")");
  for (std::size_t i = 0; i < t.size(); ++i)
    HYSEIS_REQUIRE(std::isfinite(t[i]), core::InvalidInput, "normalized_xcorr: non-finite template sample " << i);
  for (std::size_t i = 0; i < x.size(); ++i)
    HYSEIS_REQUIRE(std::isfinite(x[i]), core::InvalidInput, "normalized_xcorr: non-finite data sample " << i);
}

// Demeaned template and its norm.
std::vector<double> demeaned(const std::vector<double>& t, double& norm) {
  const double m = std::accumulate(t.begin(), t.end(), 0.0) / static_cast<double>(t.size());
  std::vector<double> d(t.size());
  norm = 0;
  for (std::size_t i = 0; i < t.size(); ++i) d[i] = t[i] - m, norm += d[i] * d[i];
  norm = std::sqrt(norm);
  return d;
}

// Window standard-deviation sums: sqrt(sum_j (x_{k+j} - xbar_k)^2) for every k, by prefix sums
// of the globally demeaned data (in long double to limit cancellation).
std::vector<double> window_norms(const std::vector<double>& x, std::size_t M) {
  const std::size_t N = x.size(), K = N - M + 1;
  long double gm = 0;
  for (double v : x) gm += v;
  gm /= N;
  std::vector<long double> s1(N + 1, 0), s2(N + 1, 0);
  for (std::size_t i = 0; i < N; ++i) {
    const long double v = x[i] - gm;
    s1[i + 1] = s1[i] + v;
    s2[i + 1] = s2[i] + v * v;
  }
  std::vector<double> out(K);
  for (std::size_t k = 0; k < K; ++k) {
    const long double a = s1[k + M] - s1[k], b = s2[k + M] - s2[k];
    const long double v = b - a * a / static_cast<long double>(M);
    out[k] = v > 0 ? std::sqrt(static_cast<double>(v)) : 0.0;
  }
  return out;
}

double scale_of(const std::vector<double>& x) {
  double m = 0;
  for (double v : x) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace

std::vector<double> normalized_xcorr_direct(const std::vector<double>& t, const std::vector<double>& x) {
  check(t, x);
  const std::size_t M = t.size(), K = x.size() - M + 1;
  double tn = 0;
  const auto t0 = demeaned(t, tn);
  const auto wn = window_norms(x, M);
  const double eps = 1e-12 * scale_of(x) * std::sqrt(static_cast<double>(M));
  std::vector<double> cc(K, 0.0);
  if (tn <= 1e-12 * scale_of(t) * std::sqrt(static_cast<double>(M))) return cc;
  for (std::size_t k = 0; k < K; ++k) {
    if (wn[k] <= eps) continue;
    double s = 0;
    for (std::size_t j = 0; j < M; ++j) s += t0[j] * x[k + j];
    cc[k] = std::clamp(s / (tn * wn[k]), -1.0, 1.0);
  }
  return cc;
}

std::vector<double> normalized_xcorr(const std::vector<double>& t, const std::vector<double>& x) {
  check(t, x);
  const std::size_t M = t.size(), N = x.size(), K = N - M + 1;
  double tn = 0;
  const auto t0 = demeaned(t, tn);
  std::vector<double> cc(K, 0.0);
  if (tn <= 1e-12 * scale_of(t) * std::sqrt(static_cast<double>(M))) return cc;
  const auto wn = window_norms(x, M);
  const double eps = 1e-12 * scale_of(x) * std::sqrt(static_cast<double>(M));
  // Overlap-save: blocks of nfft data samples give nfft - M + 1 valid lags each. The block is
  // about 8 M (at least 2 M, at most 2^16 and no longer than the data need): longer blocks waste
  // fewer samples per FFT, shorter ones keep log(nfft) small. Two real blocks travel in one
  // complex FFT (real and imaginary parts): since the template is real, the inverse transform of
  // (A + iB) conj(T) is corr(a, t) + i corr(b, t).
  const std::size_t nfft = std::min(std::max<std::size_t>(next_pow2(8 * M), 1024),
                                    std::max(next_pow2(2 * M), next_pow2(N)));
  const std::size_t step = nfft - M + 1;
  std::vector<cd> T(nfft, cd(0, 0));
  for (std::size_t j = 0; j < M; ++j) T[j] = t0[j];
  fft(T, false);
  for (auto& v : T) v = std::conj(v);
  std::vector<cd> B(nfft);
  for (std::size_t s = 0; s < K; s += 2 * step) {
    const std::size_t s2 = s + step;
    for (std::size_t i = 0; i < nfft; ++i)
      B[i] = cd(s + i < N ? x[s + i] : 0.0, s2 < K && s2 + i < N ? x[s2 + i] : 0.0);
    fft(B, false);
    for (std::size_t i = 0; i < nfft; ++i)
      B[i] = cd(B[i].real() * T[i].real() - B[i].imag() * T[i].imag(),
                B[i].real() * T[i].imag() + B[i].imag() * T[i].real());
    fft(B, true);
    for (int part = 0; part < 2; ++part) {
      const std::size_t b = part == 0 ? s : s2;
      if (b >= K) break;
      const std::size_t n = std::min(step, K - b);
      for (std::size_t k = 0; k < n; ++k) {
        if (wn[b + k] <= eps) continue;
        const double v = part == 0 ? B[k].real() : B[k].imag();
        cc[b + k] = std::clamp(v / static_cast<double>(nfft) / (tn * wn[b + k]), -1.0, 1.0);
      }
    }
  }
  return cc;
}

std::vector<double> stacked_xcorr(const std::vector<std::vector<double>>& templates,
                                  const std::vector<std::vector<double>>& data, const std::vector<std::size_t>& moveouts) {
  HYSEIS_REQUIRE(!templates.empty() && templates.size() == data.size(), core::InvalidInput,
                 "stacked_xcorr: " << templates.size() << " templates for " << data.size() << " data channels");
  HYSEIS_REQUIRE(moveouts.empty() || moveouts.size() == templates.size(), core::InvalidInput,
                 "stacked_xcorr: " << moveouts.size() << " moveouts for " << templates.size() << " channels");
  std::vector<std::vector<double>> cc(templates.size());
  std::size_t K = static_cast<std::size_t>(-1);
  for (std::size_t c = 0; c < templates.size(); ++c) {
    cc[c] = normalized_xcorr(templates[c], data[c]);
    const std::size_t mo = moveouts.empty() ? 0 : moveouts[c];
    HYSEIS_REQUIRE(cc[c].size() > mo, core::InvalidInput,
                   "stacked_xcorr: channel " << c << " moveout " << mo << " exceeds its " << cc[c].size() << " lags");
    K = std::min(K, cc[c].size() - mo);
  }
  std::vector<double> st(K, 0.0);
  for (std::size_t c = 0; c < cc.size(); ++c) {
    const std::size_t mo = moveouts.empty() ? 0 : moveouts[c];
    for (std::size_t k = 0; k < K; ++k) st[k] += cc[c][k + mo];
  }
  for (auto& v : st) v /= static_cast<double>(cc.size());
  return st;
}

double mad(const std::vector<double>& x) {
  HYSEIS_REQUIRE(!x.empty(), core::InvalidInput, "mad: empty input");
  std::vector<double> v = x;
  auto median = [](std::vector<double>& a) {
    const std::size_t h = a.size() / 2;
    std::nth_element(a.begin(), a.begin() + static_cast<long>(h), a.end());
    double m = a[h];
    if (a.size() % 2 == 0) m = 0.5 * (m + *std::max_element(a.begin(), a.begin() + static_cast<long>(h)));
    return m;
  };
  const double m = median(v);
  for (auto& a : v) a = std::abs(a - m);
  return median(v);
}

std::vector<Detection> detect(const std::vector<double>& stack, const DetectOptions& o) {
  HYSEIS_REQUIRE(o.mad_multiplier > 0, core::InvalidInput, "detect: mad_multiplier must be > 0");
  const double thr = o.mad_multiplier * mad(stack);
  std::vector<Detection> out;
  for (const auto& p : picking::find_peaks(stack, thr, o.min_distance)) out.push_back({p.sample, p.value, thr});
  return out;
}

}  // namespace hyseis::learning::similarity
