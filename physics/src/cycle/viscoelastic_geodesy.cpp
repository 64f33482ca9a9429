// Synthetic geodesy from the antiplane cycle model: GPS time series with white + flicker noise
// (Hosking 1981 fractional differencing; amplitude convention of Williams 2003) and InSAR
// line-of-sight differences, written to HDF5.
#include <algorithm>
#include <cmath>
#include <complex>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace hyseis::physics::cycle {

namespace {
using core::InvalidInput;
constexpr double kPi = 3.14159265358979323846;

std::vector<double> standard_normal(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> N01(0.0, 1.0);
  std::vector<double> e(n);
  for (auto& x : e) x = N01(rng);
  return e;
}

/// Linear interpolation in a sorted axis (clamped; duplicate abscissae take the later value).
double interp(const std::vector<double>& t, const std::vector<double>& y, double x) {
  if (x <= t.front()) return y.front();
  if (x >= t.back()) return y.back();
  const auto it = std::upper_bound(t.begin(), t.end(), x);
  const std::size_t j = static_cast<std::size_t>(it - t.begin());
  const std::size_t i = j - 1;
  const double dt = t[j] - t[i];
  return dt > 0 ? y[i] + (y[j] - y[i]) * (x - t[i]) / dt : y[j];
}

}  // namespace

void NoiseOptions::validate() const {
  HYSEIS_REQUIRE(std::isfinite(white_sigma) && white_sigma >= 0, InvalidInput,
                 "noise.white_sigma: must be >= 0, got " << white_sigma);
  HYSEIS_REQUIRE(std::isfinite(flicker_amplitude) && flicker_amplitude >= 0, InvalidInput,
                 "noise.flicker_amplitude: must be >= 0, got " << flicker_amplitude);
  HYSEIS_REQUIRE(std::isfinite(sample_interval) && sample_interval > 0, InvalidInput,
                 "noise.sample_interval: must be > 0, got " << sample_interval);
}

std::vector<double> flicker_noise(std::size_t n, std::uint64_t seed) {
  const auto e = standard_normal(n, seed);
  std::vector<double> h(n);
  if (n > 0) h[0] = 1.0;
  for (std::size_t k = 1; k < n; ++k) h[k] = h[k - 1] * (double(k) - 0.5) / double(k);
  std::vector<double> x(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0;
    for (std::size_t k = 0; k <= i; ++k) s += h[k] * e[i - k];
    x[i] = s;
  }
  return x;
}

std::vector<double> gps_noise(std::size_t n, const NoiseOptions& o) {
  o.validate();
  const auto w = standard_normal(n, o.seed);
  const auto f = flicker_noise(n, o.seed ^ 0x9E3779B97F4A7C15ULL);
  const double bf = o.flicker_amplitude * std::pow(o.sample_interval, 0.25);
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = o.white_sigma * w[i] + bf * f[i];
  return x;
}

double spectral_slope(const std::vector<std::vector<double>>& series, double f_lo, double f_hi) {
  HYSEIS_REQUIRE(!series.empty() && series[0].size() >= 16, InvalidInput,
                 "spectral_slope: need at least one series of length >= 16");
  HYSEIS_REQUIRE(f_lo > 0 && f_lo < f_hi && f_hi <= 0.5, InvalidInput,
                 "spectral_slope: need 0 < f_lo < f_hi <= 0.5, got " << f_lo << ", " << f_hi);
  const std::size_t n = series[0].size();
  std::vector<double> psd(n / 2 + 1, 0.0);
  for (const auto& s : series) {
    HYSEIS_REQUIRE(s.size() == n, InvalidInput, "spectral_slope: series of different lengths");
    double mean = 0;
    for (double v : s) mean += v;
    mean /= double(n);
    for (std::size_t k = 1; k <= n / 2; ++k) {
      std::complex<double> acc = 0;
      const double w = 2 * kPi * double(k) / double(n);
      for (std::size_t i = 0; i < n; ++i) {
        const double hann = 0.5 - 0.5 * std::cos(2 * kPi * double(i) / double(n - 1));
        acc += hann * (s[i] - mean) * std::polar(1.0, -w * double(i));
      }
      psd[k] += std::norm(acc);
    }
  }
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int m = 0;
  for (std::size_t k = 1; k <= n / 2; ++k) {
    const double f = double(k) / double(n);
    if (f < f_lo || f > f_hi) continue;
    const double lx = std::log10(f), ly = std::log10(psd[k]);
    sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
    ++m;
  }
  HYSEIS_REQUIRE(m >= 3, InvalidInput, "spectral_slope: fewer than 3 frequencies in [f_lo, f_hi]");
  return (m * sxy - sx * sy) / (m * sxx - sx * sx);
}

void GeodesyOptions::validate() const {
  noise.validate();
  for (double x : station_x)
    HYSEIS_REQUIRE(std::isfinite(x) && x != 0, InvalidInput,
                   "geodesy.station_x: stations must be finite and off the fault trace (x != 0), got " << x);
  for (std::size_t i = 1; i < epochs.size(); ++i)
    HYSEIS_REQUIRE(epochs[i] > epochs[i - 1], InvalidInput,
                   "geodesy.epochs: must be strictly increasing (epoch " << i << ": " << epochs[i] << " after "
                                                                         << epochs[i - 1] << ")");
  for (double x : insar_x)
    HYSEIS_REQUIRE(std::isfinite(x), InvalidInput, "geodesy.insar_x: must be finite, got " << x);
  const double nrm = std::sqrt(los[0] * los[0] + los[1] * los[1] + los[2] * los[2]);
  HYSEIS_REQUIRE(std::abs(nrm - 1) < 1e-6, InvalidInput, "geodesy.los: must be a unit vector, |los| = " << nrm);
  HYSEIS_REQUIRE(std::isfinite(insar_sigma) && insar_sigma >= 0, InvalidInput,
                 "geodesy.insar_sigma: must be >= 0, got " << insar_sigma);
}

GeodesyData synthesize_geodesy(const std::vector<double>& record_time, const std::vector<double>& record_x,
                               const std::vector<std::vector<double>>& record_w, const GeodesyOptions& o) {
  o.validate();
  HYSEIS_REQUIRE(record_time.size() >= 2 && record_w.size() == record_time.size(), InvalidInput,
                 "synthesize_geodesy: need >= 2 record times and one row per time (" << record_time.size()
                                                                                      << " times, " << record_w.size()
                                                                                      << " rows)");
  HYSEIS_REQUIRE(!record_x.empty(), InvalidInput, "synthesize_geodesy: empty record station list");
  for (std::size_t i = 1; i < record_x.size(); ++i)
    HYSEIS_REQUIRE(record_x[i] > record_x[i - 1] && record_x[0] > 0, InvalidInput,
                   "synthesize_geodesy: record stations must be positive and increasing");
  for (const auto& row : record_w)
    HYSEIS_REQUIRE(row.size() == record_x.size(), InvalidInput, "synthesize_geodesy: ragged displacement record");
  const double t0 = record_time.front(), t1 = record_time.back();
  for (double e : o.epochs)
    HYSEIS_REQUIRE(e >= t0 && e <= t1, InvalidInput,
                   "geodesy.epochs: epoch " << e << " lies outside the record [" << t0 << ", " << t1
                                            << "] (missing epochs are not extrapolated)");
  HYSEIS_REQUIRE(o.insar_t0 >= t0 && o.insar_t1 <= t1 && o.insar_t0 <= o.insar_t1, InvalidInput,
                 "geodesy.insar_t0/t1: must satisfy " << t0 << " <= t0 <= t1 <= " << t1 << ", got " << o.insar_t0
                                                     << ", " << o.insar_t1);
  auto within = [&](double x) {
    HYSEIS_REQUIRE(std::abs(x) <= record_x.back(), InvalidInput,
                   "synthesize_geodesy: |x| = " << std::abs(x) << " beyond the last record station " << record_x.back());
  };
  for (double x : o.station_x) within(x);
  for (double x : o.insar_x) within(x);

  // w(x, t): odd in x, linear in x between record stations (w(0) = 0 for x below the first).
  std::vector<double> xs = {0.0};
  xs.insert(xs.end(), record_x.begin(), record_x.end());
  auto w_at = [&](double x, double t) {
    std::vector<double> col(record_time.size());
    const double ax = std::abs(x);
    std::vector<double> row(xs.size());
    // interpolate in time for each record station, then in x
    for (std::size_t j = 0; j < record_x.size(); ++j) {
      for (std::size_t i = 0; i < record_time.size(); ++i) col[i] = record_w[i][j];
      row[j + 1] = interp(record_time, col, t);
    }
    row[0] = 0.0;
    return (x > 0 ? 1.0 : -1.0) * interp(xs, row, ax);
  };

  GeodesyData d;
  d.station_x = o.station_x;
  d.epochs = o.epochs;
  for (std::size_t s = 0; s < o.station_x.size(); ++s) {
    std::vector<double> clean;
    for (double e : o.epochs) clean.push_back(w_at(o.station_x[s], e));
    NoiseOptions no = o.noise;
    no.seed = o.noise.seed + 1000003ULL * (s + 1);
    const auto nz = gps_noise(clean.size(), no);
    std::vector<double> noisy(clean.size());
    for (std::size_t i = 0; i < clean.size(); ++i) noisy[i] = clean[i] + nz[i];
    d.gps_clean.push_back(std::move(clean));
    d.gps.push_back(std::move(noisy));
  }
  d.insar_x = o.insar_x;
  const auto e = standard_normal(o.insar_x.size(), o.noise.seed + 7);
  for (std::size_t i = 0; i < o.insar_x.size(); ++i) {
    const double los = (w_at(o.insar_x[i], o.insar_t1) - w_at(o.insar_x[i], o.insar_t0)) * o.los[1];
    d.insar_los_clean.push_back(los);
    d.insar_los.push_back(los + o.insar_sigma * e[i]);
  }
  for (int k = 0; k < 3; ++k) d.los[k] = o.los[k];
  return d;
}

void write_geodesy_hdf5(const std::string& path, const GeodesyData& d, const GeodesyOptions& o) {
  core::h5::Writer w(path);
  const std::size_t ns = d.station_x.size(), ne = d.epochs.size();
  std::vector<double> flat, flat_clean;
  for (std::size_t s = 0; s < ns; ++s) {
    flat.insert(flat.end(), d.gps[s].begin(), d.gps[s].end());
    flat_clean.insert(flat_clean.end(), d.gps_clean[s].begin(), d.gps_clean[s].end());
  }
  w.write("gps/station_x", d.station_x);
  w.write("gps/epochs", d.epochs);
  w.write("gps/displacement", {ns, ne}, flat.data());
  w.write("gps/displacement_clean", {ns, ne}, flat_clean.data());
  w.attribute("gps", "component", "fault-parallel (north; fault strikes north, x = east distance)");
  w.attribute("gps", "layout", "displacement[station][epoch]");
  w.attribute("gps", "units", "x: km, epochs: yr, displacement: m");
  w.attribute("gps", "white_sigma_m", o.noise.white_sigma);
  w.attribute("gps", "flicker_amplitude_m_per_yr^0.25", o.noise.flicker_amplitude);
  w.attribute("gps", "sample_interval_yr", o.noise.sample_interval);
  w.attribute("gps", "seed", static_cast<double>(o.noise.seed));
  w.attribute("gps", "noise_model", "white + flicker (Hosking fractional differencing, d = 1/2), b_f dt^(1/4) scaling");
  w.write("insar/x", d.insar_x);
  w.write("insar/los", d.insar_los);
  w.write("insar/los_clean", d.insar_los_clean);
  w.write("insar/los_vector", {3}, d.los);
  w.attribute("insar", "t0_yr", o.insar_t0);
  w.attribute("insar", "t1_yr", o.insar_t1);
  w.attribute("insar", "sigma_m", o.insar_sigma);
  w.attribute("insar", "definition", "los = (w(t1) - w(t0)) * los_vector[1] (east, north, up unit vector)");
  w.commit();
}

void write_cycle_hdf5(const std::string& path, const ViscoelasticCycleOptions& o, const ViscoelasticCycleResult& r) {
  auto flatten = [](const std::vector<std::vector<double>>& m, std::size_t cols, const char* what) {
    std::vector<double> f;
    for (const auto& row : m) {
      HYSEIS_REQUIRE(row.size() == cols, InvalidInput,
                     "write_cycle_hdf5: " << what << " has a row of " << row.size() << " values, expected " << cols);
      f.insert(f.end(), row.begin(), row.end());
    }
    return f;
  };
  const std::size_t ns = r.profile_x.size();
  core::h5::Writer w(path);
  w.write("profile/x", r.profile_x);
  w.write("profile/phases", r.phases);
  const auto v = flatten(r.velocity, ns, "velocity");
  w.write("profile/velocity", {r.velocity.size(), ns}, v.data());
  if (!r.coseismic.empty()) w.write("profile/coseismic", r.coseismic);
  std::vector<std::vector<double>> prev;
  for (const auto& row : r.velocity_previous_cycle)
    prev.push_back(row.size() == ns ? row : std::vector<double>(ns, std::nan("")));
  const auto vp = flatten(prev, ns, "velocity_previous_cycle");
  w.write("profile/velocity_previous_cycle", {prev.size(), ns}, vp.data());
  if (!r.record_time.empty()) {
    w.write("record/time", r.record_time);
    const auto d = flatten(r.record_displacement, ns, "record_displacement");
    w.write("record/displacement", {r.record_time.size(), ns}, d.data());
  }
  w.attribute("/", "model", "antiplane earthquake cycle: elastic layer over Maxwell half-space (hyseis physics/cycle)");
  w.attribute("/", "units", "x, H, D: km; t, T, tau: yr; slip, displacement: m; velocity: m/yr (total, x > 0 side)");
  w.attribute("/", "layer_thickness", o.layer_thickness);
  w.attribute("/", "locking_depth", o.locking_depth);
  w.attribute("/", "recurrence", o.recurrence);
  w.attribute("/", "relaxation_time", o.relaxation_time);
  w.attribute("/", "slip", o.slip);
  w.attribute("/", "shear_modulus", o.shear_modulus);
  w.attribute("/", "cycles", o.cycles);
  w.attribute("/", "steps_per_cycle", o.steps_per_cycle);
  w.attribute("/", "theta", o.theta);
  w.attribute("/", "fe_degree", o.fe_degree);
  w.attribute("/", "cell_size", o.cell_size);
  w.attribute("/", "tip_levels", o.tip_levels);
  w.attribute("/", "domain_width", o.domain_width);
  w.attribute("/", "domain_depth", o.domain_depth);
  w.attribute("/", "far_boundary", o.far_boundary);
  w.attribute("/", "periodicity_error", r.periodicity_error);
  w.attribute("/", "n_dofs", r.n_dofs);
  w.commit();
}

}  // namespace hyseis::physics::cycle
