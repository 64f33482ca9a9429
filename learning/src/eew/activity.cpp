#include "hyseis/learning/eew/activity.hpp"

#include <algorithm>
#include <cmath>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/solvers/signal.hpp"

namespace hyseis::learning::eew {
using hyseis::core::InvalidInput;

namespace {

double uniform(std::mt19937_64& rng, double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
double log_uniform(std::mt19937_64& rng, double a, double b) { return std::exp(uniform(rng, std::log(a), std::log(b))); }

void add(ThreeComp& a, const ThreeComp& b) {
  for (std::size_t i = 0; i < a.size(); ++i) { a.x[i] += b.x[i]; a.y[i] += b.y[i]; a.z[i] += b.z[i]; }
}

ThreeComp zeros(std::size_t n, double fs) {
  ThreeComp a;
  a.fs = fs;
  a.x.assign(n, 0.0);
  a.y.assign(n, 0.0);
  a.z.assign(n, 0.0);
  return a;
}

/// Adds a damped sinusoid amp·exp(-(t-t0)/decay)·sin(2π f (t-t0)) for t >= t0 to component c.
void add_impulse(std::vector<double>& c, double fs, double t0, double amp, double f, double decay) {
  const std::size_t i0 = std::size_t(std::max(0.0, std::ceil(t0 * fs)));
  for (std::size_t i = i0; i < c.size(); ++i) {
    const double t = i / fs - t0;
    if (t > 8 * decay) break;
    c[i] += amp * std::exp(-t / decay) * std::sin(2 * M_PI * f * t);
  }
}

/// Walking / running gait model (see the header).
ThreeComp gait(std::size_t n, double fs, double f_lo, double f_hi, double a_lo, double a_hi, double imp_lo,
               double imp_hi, std::mt19937_64& rng) {
  ThreeComp a = zeros(n, fs);
  const double f = uniform(rng, f_lo, f_hi), A = uniform(rng, a_lo, a_hi);
  std::normal_distribution<double> g;
  double ph[3], phx = uniform(rng, 0, 2 * M_PI), phy = uniform(rng, 0, 2 * M_PI);
  for (double& p : ph) p = uniform(rng, 0, 2 * M_PI);
  const double sway = uniform(rng, 0.2, 0.4) * A, fore = uniform(rng, 0.2, 0.4) * A;
  // Gait phase with timing jitter: phase advances by 2π per step, step durations jittered by 3 %.
  double phase = uniform(rng, 0, 2 * M_PI), next_step = uniform(rng, 0.0, 1.0 / f);
  const double imp_f = uniform(rng, 8, 15);
  double rate = f;
  for (std::size_t i = 0; i < n; ++i) {
    const double t = i / fs;
    if (t >= next_step) {  // heel strike
      add_impulse(a.z, fs, t, uniform(rng, imp_lo, imp_hi), imp_f, 0.03);
      add_impulse(a.x, fs, t, 0.3 * uniform(rng, imp_lo, imp_hi), imp_f, 0.03);
      rate = f * (1.0 + 0.03 * g(rng));
      next_step += 1.0 / rate;
    }
    phase += 2 * M_PI * rate / fs;
    double v = 0;
    for (int k = 1; k <= 3; ++k) v += A / k * std::sin(k * phase + ph[k - 1]);
    a.z[i] += v;
    a.y[i] += sway * std::sin(0.5 * phase + phy);
    a.x[i] += fore * std::sin(phase + phx);
  }
  return a;
}

}  // namespace

std::string activity_name(Activity a) {
  switch (a) {
    case Activity::resting: return "resting";
    case Activity::walking: return "walking";
    case Activity::running: return "running";
    case Activity::vehicle: return "vehicle";
    case Activity::handling: return "handling";
  }
  return "unknown";
}

ThreeComp sensor_noise(std::size_t n, double fs, double sigma, std::mt19937_64& rng) {
  ThreeComp a = zeros(n, fs);
  std::normal_distribution<double> g(0.0, sigma);
  for (std::size_t i = 0; i < n; ++i) { a.x[i] = g(rng); a.y[i] = g(rng); a.z[i] = g(rng); }
  return a;
}

void random_rotation(ThreeComp& a, std::mt19937_64& rng) {
  std::normal_distribution<double> g;
  double q[4], s = 0;
  for (double& v : q) { v = g(rng); s += v * v; }
  s = std::sqrt(s);
  for (double& v : q) v /= s;
  const double w = q[0], x = q[1], y = q[2], z = q[3];
  const double R[3][3] = {{1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)},
                          {2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)},
                          {2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)}};
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double v[3] = {a.x[i], a.y[i], a.z[i]};
    a.x[i] = R[0][0] * v[0] + R[0][1] * v[1] + R[0][2] * v[2];
    a.y[i] = R[1][0] * v[0] + R[1][1] * v[1] + R[1][2] * v[2];
    a.z[i] = R[2][0] * v[0] + R[2][1] * v[1] + R[2][2] * v[2];
  }
}

double peak_vector(const ThreeComp& a) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::sqrt(a.x[i] * a.x[i] + a.y[i] * a.y[i] + a.z[i] * a.z[i]));
  return m;
}

ThreeComp synth_activity(Activity act, double duration_s, double fs, std::mt19937_64& rng) {
  if (!(duration_s > 0) || !std::isfinite(duration_s)) throw InvalidInput("eew synth_activity: duration must be positive");
  if (!(fs >= 50.0) || !std::isfinite(fs)) throw InvalidInput("eew synth_activity: fs must be >= 50 Hz, got " + std::to_string(fs));
  const std::size_t n = std::size_t(std::llround(duration_s * fs));
  if (n < 2) throw InvalidInput("eew synth_activity: window shorter than 2 samples");
  ThreeComp a = zeros(n, fs);
  switch (act) {
    case Activity::resting: break;
    case Activity::walking: a = gait(n, fs, 1.6, 2.4, 1.0, 3.0, 1.0, 4.0, rng); break;
    case Activity::running: a = gait(n, fs, 2.5, 3.3, 4.0, 12.0, 5.0, 15.0, rng); break;
    case Activity::vehicle: {
      const double rms = log_uniform(rng, 0.03, 0.5);
      // Band-pass filtered noise, padded so the filter's start-up transient is discarded.
      const std::size_t pad = std::size_t(2 * fs);
      for (auto* c : {&a.x, &a.y, &a.z}) {
        ThreeComp w = sensor_noise(n + 2 * pad, fs, 1.0, rng);
        auto f = solvers::signal::bandpass(w.x, 2.0, std::min(20.0, 0.45 * fs), fs);
        double s = 0;
        for (std::size_t i = pad; i < pad + n; ++i) s += f[i] * f[i];
        s = std::sqrt(s / double(n));
        for (std::size_t i = 0; i < n; ++i) (*c)[i] = rms * f[pad + i] / s;
      }
      const int m = 3;
      for (auto* c : {&a.x, &a.y, &a.z})
        for (int k = 0; k < m; ++k) {
          const double fk = uniform(rng, 0.2, 1.0), ak = uniform(rng, 0.1, 0.8) / m, pk = uniform(rng, 0, 2 * M_PI);
          for (std::size_t i = 0; i < n; ++i) (*c)[i] += ak * std::sin(2 * M_PI * fk * i / fs + pk);
        }
      break;
    }
    case Activity::handling: {
      const double dur = uniform(rng, 0.3, 1.5), amp = uniform(rng, 1.0, 5.0);
      const double t0 = uniform(rng, -0.5 * dur, duration_s - 0.2);
      ThreeComp dir = sensor_noise(1, fs, 1.0, rng);
      const double nrm = std::sqrt(dir.x[0] * dir.x[0] + dir.y[0] * dir.y[0] + dir.z[0] * dir.z[0]);
      for (std::size_t i = 0; i < n; ++i) {
        const double t = i / fs - t0;
        if (t < 0 || t > dur) continue;
        // Zero-mean acceleration of a displacement bump: one period of a sine under a raised cosine.
        const double v = amp * std::sin(2 * M_PI * t / dur) * 0.5 * (1 - std::cos(2 * M_PI * t / dur));
        a.x[i] += v * dir.x[0] / nrm;
        a.y[i] += v * dir.y[0] / nrm;
        a.z[i] += v * dir.z[0] / nrm;
      }
      if (uniform(rng, 0, 1) < 0.7) {
        const double ti = t0 + dur, f = uniform(rng, 20, std::min(40.0, 0.45 * fs)), dec = uniform(rng, 0.02, 0.06);
        const double ai = uniform(rng, 2.0, 20.0);
        add_impulse(a.z, fs, ti, ai, f, dec);
        add_impulse(a.x, fs, ti, 0.4 * ai, f, dec);
        add_impulse(a.y, fs, ti, 0.3 * ai, f, dec);
      }
      break;
    }
  }
  random_rotation(a, rng);
  add(a, sensor_noise(n, fs, uniform(rng, 0.003, 0.01), rng));
  return a;
}

std::vector<EqRecord> load_ncedc_records(const std::string& h5_file) {
  const core::h5::Array w = core::h5::read_dataset(h5_file, "waveforms");
  if (w.shape.size() != 3 || w.shape[2] != 3) throw core::IoError(h5_file + ": 'waveforms' must have shape (n, samples, 3)");
  const std::size_t nt = w.shape[0], ns = w.shape[1];
  const core::h5::Array itp = core::h5::read_dataset(h5_file, "itp"), its = core::h5::read_dataset(h5_file, "its");
  const auto chans = core::h5::read_strings(h5_file, "channels");
  const auto names = core::h5::read_strings(h5_file, "fname");
  if (itp.data.size() != nt || its.data.size() != nt || chans.size() != nt || names.size() != nt)
    throw core::IoError(h5_file + ": itp/its/channels/fname do not match the number of waveforms");
  double fs = 100.0;
  if (core::h5::has_object(h5_file, "/")) {
    try { fs = core::h5::read_attribute(h5_file, "/", "sampling_rate_hz"); } catch (const core::Error&) {}
  }
  std::vector<EqRecord> out;
  for (std::size_t k = 0; k < nt; ++k) {
    if (chans[k].find('_') == std::string::npos) continue;  // 1-component record
    EqRecord r;
    r.name = names[k];
    r.channels = chans[k];
    r.itp = int(itp.data[k]);
    r.its = int(its.data[k]);
    r.acc.fs = fs;
    std::vector<double>* comp[3] = {&r.acc.x, &r.acc.y, &r.acc.z};
    for (int c = 0; c < 3; ++c) {
      comp[c]->resize(ns);
      for (std::size_t i = 0; i < ns; ++i) (*comp[c])[i] = w.data[(k * ns + i) * 3 + c];
    }
    const bool accelerometer = chans[k].size() >= 2 && chans[k][1] == 'N';
    if (!accelerometer)
      for (int c = 0; c < 3; ++c) {
        std::vector<double> d(ns, 0.0);
        for (std::size_t i = 1; i + 1 < ns; ++i) d[i] = ((*comp[c])[i + 1] - (*comp[c])[i - 1]) * fs / 2;
        d[0] = d[1];
        d[ns - 1] = d[ns - 2];
        *comp[c] = std::move(d);
      }
    out.push_back(std::move(r));
  }
  if (out.empty()) throw core::IoError(h5_file + ": no 3-component records");
  return out;
}

ThreeComp earthquake_window(const EqRecord& rec, const EqWindowOptions& opt, std::mt19937_64& rng, double peak) {
  const double fs = rec.acc.fs;
  const std::size_t n = std::size_t(std::llround(opt.window_s * fs));
  const bool at_s = uniform(rng, 0, 1) < opt.s_fraction;
  const double pick = at_s ? rec.its : rec.itp;
  long start = std::lround(pick + uniform(rng, opt.p_offset_min, opt.p_offset_max) * fs);
  start = std::clamp(start, 0L, long(rec.acc.size()) - long(n));
  ThreeComp a = zeros(n, fs);
  for (std::size_t i = 0; i < n; ++i) {
    a.x[i] = rec.acc.x[start + i];
    a.y[i] = rec.acc.y[start + i];
    a.z[i] = rec.acc.z[start + i];
  }
  for (auto* c : {&a.x, &a.y, &a.z}) {  // per-window mean removal (the phone removes gravity)
    double m = 0;
    for (double v : *c) m += v;
    m /= double(n);
    for (double& v : *c) v -= m;
  }
  random_rotation(a, rng);
  const double target = peak > 0 ? peak : log_uniform(rng, opt.peak_min, opt.peak_max);
  const double p = peak_vector(a);
  if (p > 0)
    for (auto* c : {&a.x, &a.y, &a.z})
      for (double& v : *c) v *= target / p;
  add(a, sensor_noise(n, fs, uniform(rng, opt.noise_min, opt.noise_max), rng));
  return a;
}

}  // namespace hyseis::learning::eew
