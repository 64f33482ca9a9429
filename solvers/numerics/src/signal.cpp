// Signal processing for seismograms: see hyseis/solvers/signal.hpp and docs/theory/picking.md.
#include "hyseis/solvers/signal.hpp"

#include <algorithm>
#include <cmath>
#include <complex>

#include "hyseis/core/error.hpp"

namespace hyseis::solvers::signal {

namespace {

using cd = std::complex<double>;
constexpr double kPi = 3.14159265358979323846;

enum class Band { Low, High, Pass };

void check_order(int order) {
  HYSEIS_REQUIRE(order >= 1 && order <= 20, core::InvalidInput,
                 "Butterworth order must be in [1, 20], got " << order);
}

void check_freq(double f, double fs, const char* what) {
  HYSEIS_REQUIRE(std::isfinite(fs) && fs > 0, core::InvalidInput, "sampling rate must be > 0, got " << fs);
  HYSEIS_REQUIRE(std::isfinite(f) && f > 0 && f < 0.5 * fs, core::InvalidInput,
                 what << " must lie in (0, Nyquist = " << 0.5 * fs << ") Hz, got " << f);
}

cd eval(const Sos& sos, double f, double fs) {
  const cd zi = std::exp(cd(0, -2 * kPi * f / fs));  // z^-1
  cd h(1, 0);
  for (const auto& s : sos) {
    h *= (s.b0 + s.b1 * zi + s.b2 * zi * zi) / (1.0 + s.a1 * zi + s.a2 * zi * zi);
  }
  return h;
}

// Groups digital poles into sections (conjugate pairs, then real pairs, then one real pole),
// attaches the band's zeros and normalises the gain at the reference frequency.
Sos assemble(const std::vector<cd>& poles, Band band, double fref, double fs) {
  std::vector<cd> cplx;
  std::vector<double> real;
  for (const cd& p : poles) {
    if (std::abs(p.imag()) > 1e-10 * std::max(1.0, std::abs(p))) {
      if (p.imag() > 0) cplx.push_back(p);
    } else {
      real.push_back(p.real());
    }
  }
  std::sort(real.begin(), real.end());
  Sos sos;
  auto numerator = [&](Section& s, bool second_order) {
    if (band == Band::Pass) {
      s.b0 = 1; s.b1 = 0; s.b2 = -1;  // one zero at z = +1 and one at z = -1
    } else if (band == Band::Low) {
      if (second_order) { s.b0 = 1; s.b1 = 2; s.b2 = 1; } else { s.b0 = 1; s.b1 = 1; s.b2 = 0; }
    } else {
      if (second_order) { s.b0 = 1; s.b1 = -2; s.b2 = 1; } else { s.b0 = 1; s.b1 = -1; s.b2 = 0; }
    }
  };
  for (const cd& p : cplx) {
    Section s;
    s.a1 = -2 * p.real();
    s.a2 = std::norm(p);
    numerator(s, true);
    sos.push_back(s);
  }
  std::size_t i = 0;
  for (; i + 1 < real.size(); i += 2) {
    Section s;
    s.a1 = -(real[i] + real[i + 1]);
    s.a2 = real[i] * real[i + 1];
    numerator(s, true);
    sos.push_back(s);
  }
  if (i < real.size()) {
    Section s;
    s.a1 = -real[i];
    s.a2 = 0;
    numerator(s, false);
    sos.push_back(s);
  }
  const double g = std::abs(eval(sos, fref, fs));
  HYSEIS_REQUIRE(g > 0 && std::isfinite(g), core::NumericalError, "Butterworth design: zero gain at reference frequency");
  sos.front().b0 /= g;
  sos.front().b1 /= g;
  sos.front().b2 /= g;
  return sos;
}

std::vector<cd> prototype(int order) {
  std::vector<cd> p;
  for (int k = 1; k <= order; ++k) p.push_back(std::exp(cd(0, kPi * (2.0 * k + order - 1) / (2.0 * order))));
  return p;
}

cd bilinear(cd s, double fs) { return (2 * fs + s) / (2 * fs - s); }
double prewarp(double f, double fs) { return 2 * fs * std::tan(kPi * f / fs); }

void filter_inplace(const Sos& sos, std::vector<double>& x, const std::vector<std::array<double, 2>>* zi, double scale) {
  for (std::size_t k = 0; k < sos.size(); ++k) {
    const Section& s = sos[k];
    double z1 = zi ? (*zi)[k][0] * scale : 0.0;
    double z2 = zi ? (*zi)[k][1] * scale : 0.0;
    for (double& v : x) {
      const double in = v;
      const double y = s.b0 * in + z1;
      z1 = s.b1 * in - s.a1 * y + z2;
      z2 = s.b2 * in - s.a2 * y;
      v = y;
    }
  }
}

// Steady-state state of each section for a unit step at the cascade's input.
std::vector<std::array<double, 2>> step_state(const Sos& sos) {
  std::vector<std::array<double, 2>> zi(sos.size());
  double level = 1.0;
  for (std::size_t k = 0; k < sos.size(); ++k) {
    const Section& s = sos[k];
    const double g = (s.b0 + s.b1 + s.b2) / (1.0 + s.a1 + s.a2);
    const double z2 = (s.b2 - s.a2 * g) * level;
    const double z1 = (s.b1 - s.a1 * g) * level + z2;
    zi[k] = {z1, z2};
    level *= g;
  }
  return zi;
}

void check_finite(const std::vector<double>& x, const char* what) {
  for (std::size_t i = 0; i < x.size(); ++i)
    HYSEIS_REQUIRE(std::isfinite(x[i]), core::InvalidInput,
                   what << ": non-finite sample (" << x[i] << ") at index " << i << " of " << x.size());
}

}  // namespace

void demean(std::vector<double>& x) {
  if (x.empty()) return;
  double m = 0;
  for (double v : x) m += v;
  m /= static_cast<double>(x.size());
  for (double& v : x) v -= m;
}

void detrend_linear(std::vector<double>& x) {
  check_finite(x, "detrend");
  const std::size_t n = x.size();
  if (n < 2) {
    demean(x);
    return;
  }
  // Least squares on centred abscissa t_i = i - (n-1)/2: slope = sum t x / sum t^2.
  const double c = 0.5 * static_cast<double>(n - 1);
  double mean = 0, stx = 0, stt = 0;
  for (std::size_t i = 0; i < n; ++i) mean += x[i];
  mean /= static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) - c;
    stx += t * x[i];
    stt += t * t;
  }
  const double slope = stx / stt;
  for (std::size_t i = 0; i < n; ++i) x[i] -= mean + slope * (static_cast<double>(i) - c);
}

void cosine_taper(std::vector<double>& x, double fraction) {
  HYSEIS_REQUIRE(fraction >= 0 && fraction <= 0.5, core::InvalidInput,
                 "taper fraction must be in [0, 0.5] (per side), got " << fraction);
  const std::size_t n = x.size();
  const auto m = static_cast<std::size_t>(std::floor(fraction * static_cast<double>(n)));
  for (std::size_t i = 0; i < m; ++i) {
    const double w = 0.5 * (1.0 - std::cos(kPi * static_cast<double>(i) / static_cast<double>(m)));
    x[i] *= w;
    x[n - 1 - i] *= w;
  }
}

Sos butterworth_lowpass(int order, double fc, double fs) {
  check_order(order);
  check_freq(fc, fs, "low-pass corner");
  const double wc = prewarp(fc, fs);
  std::vector<cd> z;
  for (const cd& p : prototype(order)) z.push_back(bilinear(wc * p, fs));
  return assemble(z, Band::Low, 0.0, fs);
}

Sos butterworth_highpass(int order, double fc, double fs) {
  check_order(order);
  check_freq(fc, fs, "high-pass corner");
  const double wc = prewarp(fc, fs);
  std::vector<cd> z;
  for (const cd& p : prototype(order)) z.push_back(bilinear(wc / p, fs));
  return assemble(z, Band::High, 0.5 * fs, fs);
}

Sos butterworth_bandpass(int order, double fmin, double fmax, double fs) {
  check_order(order);
  check_freq(fmin, fs, "band-pass lower corner");
  check_freq(fmax, fs, "band-pass upper corner");
  HYSEIS_REQUIRE(fmin < fmax, core::InvalidInput,
                 "band-pass corners must satisfy fmin < fmax, got " << fmin << " >= " << fmax);
  const double w1 = prewarp(fmin, fs), w2 = prewarp(fmax, fs);
  const double bw = w2 - w1, w0sq = w1 * w2;
  std::vector<cd> z;
  for (const cd& p : prototype(order)) {
    const cd h = p * (0.5 * bw);
    const cd r = std::sqrt(h * h - w0sq);
    z.push_back(bilinear(h + r, fs));
    z.push_back(bilinear(h - r, fs));
  }
  const double f0 = fs / kPi * std::atan(std::sqrt(w0sq) / (2 * fs));
  return assemble(z, Band::Pass, f0, fs);
}

double sos_gain(const Sos& sos, double f, double fs) { return std::abs(eval(sos, f, fs)); }
double sos_phase(const Sos& sos, double f, double fs) { return std::arg(eval(sos, f, fs)); }

std::vector<double> sosfilt(const Sos& sos, const std::vector<double>& x) {
  check_finite(x, "sosfilt");
  std::vector<double> y = x;
  filter_inplace(sos, y, nullptr, 0.0);
  return y;
}

std::vector<double> sosfiltfilt(const Sos& sos, const std::vector<double>& x, int padlen) {
  check_finite(x, "sosfiltfilt");
  const std::size_t n = x.size();
  if (n == 0 || sos.empty()) return x;
  std::size_t pad = padlen < 0 ? 3 * (2 * sos.size() + 1) : static_cast<std::size_t>(padlen);
  pad = std::min(pad, n - 1);
  std::vector<double> e;
  e.reserve(n + 2 * pad);
  for (std::size_t i = pad; i >= 1; --i) e.push_back(2 * x[0] - x[i]);
  e.insert(e.end(), x.begin(), x.end());
  for (std::size_t i = 1; i <= pad; ++i) e.push_back(2 * x[n - 1] - x[n - 1 - i]);
  const auto zi = step_state(sos);
  filter_inplace(sos, e, &zi, e.front());
  std::reverse(e.begin(), e.end());
  filter_inplace(sos, e, &zi, e.front());
  std::reverse(e.begin(), e.end());
  return std::vector<double>(e.begin() + static_cast<std::ptrdiff_t>(pad),
                             e.begin() + static_cast<std::ptrdiff_t>(pad + n));
}

std::vector<double> bandpass(const std::vector<double>& x, double fmin, double fmax, double fs, int order,
                             bool zero_phase) {
  const Sos sos = butterworth_bandpass(order, fmin, fmax, fs);
  return zero_phase ? sosfiltfilt(sos, x) : sosfilt(sos, x);
}

std::vector<double> decimate(const std::vector<double>& x, int q) {
  HYSEIS_REQUIRE(q >= 1, core::InvalidInput, "decimation factor must be >= 1, got " << q);
  if (q == 1) return x;
  const Sos sos = butterworth_lowpass(8, 0.4 / q, 1.0);
  const std::vector<double> y = sosfiltfilt(sos, x);
  std::vector<double> out;
  out.reserve(y.size() / static_cast<std::size_t>(q) + 1);
  for (std::size_t i = 0; i < y.size(); i += static_cast<std::size_t>(q)) out.push_back(y[i]);
  return out;
}

std::vector<double> resample(const std::vector<double>& x, double fs_in, double fs_out, int half_width) {
  HYSEIS_REQUIRE(std::isfinite(fs_in) && fs_in > 0, core::InvalidInput, "input sampling rate must be > 0, got " << fs_in);
  HYSEIS_REQUIRE(std::isfinite(fs_out) && fs_out > 0, core::InvalidInput, "output sampling rate must be > 0, got " << fs_out);
  HYSEIS_REQUIRE(half_width >= 2, core::InvalidInput, "resampling kernel half-width must be >= 2, got " << half_width);
  check_finite(x, "resample");
  if (x.empty()) return {};
  if (fs_in == fs_out) return x;
  const std::size_t n = x.size();
  const double ratio = fs_out / fs_in;
  const auto m = static_cast<std::size_t>(std::floor(static_cast<double>(n - 1) * ratio + 1e-9)) + 1;
  const double fc = 0.5 * std::min(fs_in, fs_out) * 0.95;
  const double half = half_width * std::max(1.0, fs_in / fs_out);  // in input samples
  const double scale = 2 * fc / fs_in;
  std::vector<double> y(m, 0.0);
  for (std::size_t k = 0; k < m; ++k) {
    const double c = static_cast<double>(k) / ratio;  // position in input samples
    const auto lo = static_cast<std::ptrdiff_t>(std::max(0.0, std::ceil(c - half)));
    const auto hi = static_cast<std::ptrdiff_t>(std::min(static_cast<double>(n - 1), std::floor(c + half)));
    double acc = 0;
    for (std::ptrdiff_t i = lo; i <= hi; ++i) {
      const double d = c - static_cast<double>(i);           // input samples
      const double arg = 2 * fc * d / fs_in;                  // sinc argument
      const double sinc = std::abs(arg) < 1e-12 ? 1.0 : std::sin(kPi * arg) / (kPi * arg);
      const double w = 0.5 * (1.0 + std::cos(kPi * d / half));
      acc += x[static_cast<std::size_t>(i)] * scale * sinc * w;
    }
    y[k] = acc;
  }
  return y;
}

}  // namespace hyseis::solvers::signal
