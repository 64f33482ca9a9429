// Stochastic-method time series (Boore 2003). See stochastic_timeseries.hpp.
#include "hyseis/physics/groundmotion/stochastic_timeseries.hpp"

#include <algorithm>
#include <cmath>

#include "hyseis/core/error.hpp"

namespace hyseis::physics::groundmotion {

namespace {
constexpr double kPi = 3.14159265358979323846;
std::size_t next_pow2(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}
}  // namespace

void fft_radix2(std::vector<std::complex<double>>& x, int sign) {
  const std::size_t n = x.size();
  HYSEIS_REQUIRE(n >= 1 && (n & (n - 1)) == 0, core::InvalidInput, "fft_radix2: length " << n << " is not a power of two");
  for (std::size_t i = 1, j = 0; i < n; ++i) {  // bit reversal
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(x[i], x[j]);
  }
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const double ang = sign * 2.0 * kPi / double(len);
    const std::complex<double> wl(std::cos(ang), std::sin(ang));
    const std::size_t h = len / 2;
    // Twiddles computed directly every 64 steps to bound round-off growth of the recurrence.
    for (std::size_t i = 0; i < n; i += len) {
      std::complex<double> w(1.0, 0.0);
      for (std::size_t k = 0; k < h; ++k) {
        if ((k & 63) == 0) w = std::polar(1.0, ang * double(k));
        const std::complex<double> u = x[i + k], v = x[i + k + h] * w;
        x[i + k] = u + v;
        x[i + k + h] = u - v;
        w *= wl;
      }
    }
  }
}

double ShapeWindow::operator()(double t, double t_eta) const {
  if (t < 0.0 || t > t_eta) return 0.0;
  const double b = -eps * std::log(eta) / (1.0 + eps * (std::log(eps) - 1.0));
  const double c = b / eps;
  const double a = std::pow(std::exp(1.0) / eps, b);
  const double x = t / t_eta;
  return a * std::pow(x, b) * std::exp(-c * x);
}

std::vector<double> stochastic_component(const StochasticPointSource& model, double mag, double r, double fs,
                                         std::size_t n, std::size_t start, std::mt19937_64& rng,
                                         double spectrum_scale, const ShapeWindow& window) {
  HYSEIS_REQUIRE(std::isfinite(fs) && fs > 0.0, core::InvalidInput, "stochastic_component: fs must be > 0 (got " << fs << ")");
  HYSEIS_REQUIRE(window.eps > 0.0 && window.eps < 1.0 && window.eta > 0.0 && window.eta < 1.0 && window.f_tgm > 0.0,
                 core::InvalidInput, "stochastic_component: window eps, eta in (0,1), f_tgm > 0");
  const double dt = 1.0 / fs;
  const double t_eta = window.f_tgm * model.duration(mag, r);
  const std::size_t nw = std::max<std::size_t>(2, std::size_t(std::ceil(t_eta * fs)) + 1);
  HYSEIS_REQUIRE(n >= start + nw, core::InvalidInput,
                 "stochastic_component: " << n << " samples cannot hold the window (" << nw << " samples from " << start << ")");
  const std::size_t nfft = next_pow2(std::max(n, 2 * nw));
  std::vector<std::complex<double>> z(nfft, {0.0, 0.0});
  std::normal_distribution<double> g(0.0, 1.0);
  for (std::size_t j = 0; j < nw; ++j) z[j] = window(double(j) * dt, t_eta) * g(rng);
  fft_radix2(z, -1);
  double ms = 0.0;
  for (const auto& c : z) ms += std::norm(c);
  ms /= double(nfft);
  const double norm = 1.0 / std::sqrt(ms);
  const double df = fs / double(nfft);
  z[0] = 0.0;
  for (std::size_t k = 1; k <= nfft / 2; ++k) {
    const double a = spectrum_scale * model.fourier_acceleration(double(k) * df, mag, r) * norm;  // cm/s
    z[k] *= a;
    if (k != nfft / 2) z[nfft - k] *= a;
  }
  z[nfft / 2] = z[nfft / 2].real();
  fft_radix2(z, +1);
  // y_j = (1/(N dt)) sum_k Y_k e^{+...}; cm/s^2 -> m/s^2.
  const double s = 1.0 / (double(nfft) * dt) * 0.01;
  std::vector<double> y(n, 0.0);
  for (std::size_t j = 0; j + start < n && j < nfft; ++j) y[start + j] = s * z[j].real();
  return y;
}

std::vector<double> fourier_amplitude(const std::vector<double>& y, double fs) {
  std::vector<std::complex<double>> z(y.begin(), y.end());
  fft_radix2(z, -1);
  std::vector<double> a(y.size() / 2 + 1);
  for (std::size_t k = 0; k < a.size(); ++k) a[k] = std::abs(z[k]) / fs;
  return a;
}

void StochasticRecordOptions::validate() const {
  HYSEIS_REQUIRE(fs > 0.0 && pre_event_s >= 0.0 && post_s >= 0.0 && vp > vs && vs > 0.0 && vertical_ratio >= 0.0 &&
                     p_ratio >= 0.0 && p_horizontal_ratio >= 0.0 && p_duration_fraction >= 0.0,
                 core::InvalidInput,
                 "stochastic record options: need fs > 0, pre_event_s, post_s >= 0, vp > vs > 0, non-negative ratios");
}

StochasticRecord stochastic_record(const StochasticPointSource& model, double mag, double r_km,
                                   const StochasticRecordOptions& opt, std::mt19937_64& rng) {
  opt.validate();
  const double tp = r_km / opt.vp, ts = r_km / opt.vs;
  const double t0 = tp - opt.pre_event_s;
  const double tgm = model.duration(mag, r_km);
  const double t_eta = opt.window.f_tgm * tgm;
  StochasticRecord rec;
  rec.fs = opt.fs;
  rec.mag = mag;
  rec.r_km = r_km;
  rec.ip = std::size_t(std::lround((tp - t0) * opt.fs));
  rec.is = std::size_t(std::lround((ts - t0) * opt.fs));
  const std::size_t n = rec.is + std::size_t(std::ceil((t_eta + opt.post_s) * opt.fs)) + 2;
  rec.e = stochastic_component(model, mag, r_km, opt.fs, n, rec.is, rng, 1.0, opt.window);
  rec.n = stochastic_component(model, mag, r_km, opt.fs, n, rec.is, rng, 1.0, opt.window);
  rec.z = stochastic_component(model, mag, r_km, opt.fs, n, rec.is, rng, opt.vertical_ratio, opt.window);
  if (opt.p_wave && opt.p_ratio > 0.0) {
    // P segment: its own window of duration (ts - tp) + fraction * Tgm, expressed through a scaled f_tgm.
    ShapeWindow pw = opt.window;
    pw.f_tgm = ((ts - tp) + opt.p_duration_fraction * tgm) / tgm;
    const auto pz = stochastic_component(model, mag, r_km, opt.fs, n, rec.ip, rng, opt.p_ratio, pw);
    const auto pe = stochastic_component(model, mag, r_km, opt.fs, n, rec.ip, rng, opt.p_ratio * opt.p_horizontal_ratio, pw);
    const auto pn = stochastic_component(model, mag, r_km, opt.fs, n, rec.ip, rng, opt.p_ratio * opt.p_horizontal_ratio, pw);
    for (std::size_t j = 0; j < n; ++j) {
      rec.z[j] += pz[j];
      rec.e[j] += pe[j];
      rec.n[j] += pn[j];
    }
  }
  return rec;
}

}  // namespace hyseis::physics::groundmotion
