// Per-Fourier-mode PDE discovery of the postseismic relaxation law (see discovery.hpp).
#include "hyseis/hybrid/geodesy/discovery.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/sindy/derivatives.hpp"
#include "hyseis/learning/sindy/field.hpp"
#include "hyseis/learning/sindy/library.hpp"
#include "hyseis/learning/sindy/stridge.hpp"

namespace hyseis::hybrid::geodesy {

namespace sindy = learning::sindy;
using core::InvalidInput;

namespace {
bool uniform(const std::vector<double>& g) {
  if (g.size() < 2) return false;
  const double h = g[1] - g[0];
  if (!(h > 0)) return false;
  for (std::size_t i = 1; i < g.size(); ++i)
    if (std::abs(g[i] - g[i - 1] - h) > 1e-8 * std::max(1.0, std::abs(h) * double(g.size()))) return false;
  return true;
}
}  // namespace

void VelocityField::validate() const {
  HYSEIS_REQUIRE(x.size() >= 8 && uniform(x), InvalidInput,
                 "velocity field: stations x must be >= 8 uniformly spaced ascending values");
  HYSEIS_REQUIRE(x.front() >= 0, InvalidInput, "velocity field: stations must lie at x >= 0 (odd field), got x0 = " << x.front());
  HYSEIS_REQUIRE(t.size() >= 12 && uniform(t), InvalidInput,
                 "velocity field: times t must be >= 12 uniformly spaced ascending values (missing epochs are not "
                 "interpolated), got " << t.size());
  HYSEIS_REQUIRE(v.size() == t.size(), InvalidInput, "velocity field: v has " << v.size() << " rows, t has " << t.size());
  for (std::size_t n = 0; n < v.size(); ++n) {
    HYSEIS_REQUIRE(v[n].size() == x.size(), InvalidInput,
                   "velocity field: row " << n << " has " << v[n].size() << " values, expected " << x.size());
    for (double q : v[n]) HYSEIS_REQUIRE(std::isfinite(q), InvalidInput, "velocity field: non-finite value at time row " << n);
  }
}

double mode_relaxation_rate(double k, double H, double tau) {
  HYSEIS_REQUIRE(H > 0 && tau > 0, InvalidInput, "mode_relaxation_rate: H and tau must be > 0, got H = " << H << ", tau = " << tau);
  return -std::expm1(-2 * std::abs(k) * H) / (2 * tau);
}

void RelaxationDiscoveryOptions::validate() const {
  HYSEIS_REQUIRE(!wavenumbers.empty(), InvalidInput, "discovery.wavenumbers: give at least one wavenumber");
  for (double k : wavenumbers) HYSEIS_REQUIRE(k > 0 && std::isfinite(k), InvalidInput, "discovery.wavenumbers: must be > 0, got " << k);
  HYSEIS_REQUIRE(window_length >= 0, InvalidInput, "discovery.window_length: must be >= 0, got " << window_length);
  HYSEIS_REQUIRE(max_poly >= 1 && max_poly <= 5, InvalidInput, "discovery.max_poly: must be in [1, 5], got " << max_poly);
  HYSEIS_REQUIRE(poly_degree >= 1 && poly_half_width >= 1 && 2 * poly_half_width + 1 > poly_degree, InvalidInput,
                 "discovery.poly_degree/poly_half_width: need degree >= 1 and 2 w + 1 > degree");
  HYSEIS_REQUIRE(noise_fraction >= 0 && noise_fraction < 1, InvalidInput, "discovery.noise_fraction: must be in [0, 1)");
}

std::vector<std::vector<double>> mode_amplitudes(const VelocityField& f, const std::vector<double>& k, double L) {
  f.validate();
  if (L <= 0) L = f.x.back();
  HYSEIS_REQUIRE(L <= f.x.back() + 1e-9 * L, InvalidInput,
                 "discovery.window_length: " << L << " exceeds the last station " << f.x.back());
  const double dx = f.x[1] - f.x[0];
  std::vector<std::vector<double>> a(k.size(), std::vector<double>(f.t.size(), 0.0));
  for (std::size_t m = 0; m < k.size(); ++m) {
    std::vector<double> psi(f.x.size(), 0.0);  // -2 d/dx[W cos kx] * trapezoid weight
    for (std::size_t i = 0; i < f.x.size(); ++i) {
      const double x = f.x[i];
      if (x > L) break;
      const double c = std::cos(M_PI * x / (2 * L));
      const double W = c * c, dW = -(M_PI / (2 * L)) * std::sin(M_PI * x / L);
      const double w = (i == 0 || x + dx > L + 1e-9 * L) ? 0.5 * dx : dx;
      psi[i] = -2 * (dW * std::cos(k[m] * x) - W * k[m] * std::sin(k[m] * x)) * w;
    }
    for (std::size_t n = 0; n < f.t.size(); ++n) {
      double s = 0;
      for (std::size_t i = 0; i < f.x.size(); ++i) s += psi[i] * f.v[n][i];
      // the segment [0, x0] if the first station is not on the fault: v(0) = 0, linear in between
      if (f.x.front() > 0) s += psi[0] / (0.5 * dx) * 0.5 * f.x.front() * 0.5 * f.v[n][0];
      a[m][n] = s;
    }
  }
  return a;
}

RelaxationDiscovery discover_relaxation(const VelocityField& f_in, const RelaxationDiscoveryOptions& o, double H) {
  o.validate();
  HYSEIS_REQUIRE(H > 0, InvalidInput, "discovery: layer thickness must be > 0, got " << H);
  VelocityField f = f_in;
  f.validate();
  if (o.noise_fraction > 0) {
    double mean = 0, sq = 0, n = 0;
    for (const auto& r : f.v)
      for (double q : r) mean += q, sq += q * q, n += 1;
    mean /= n;
    const double sd = std::sqrt(std::max(0.0, sq / n - mean * mean));
    sindy::Rng rng(o.seed);
    for (auto& r : f.v)
      for (double& q : r) q += o.noise_fraction * sd * rng.normal();
  }
  const auto amp = mode_amplitudes(f, o.wavenumbers, o.window_length);
  sindy::DiffSpec spec;
  spec.method = sindy::DiffMethod::PolyFit;
  spec.poly_degree = o.poly_degree;
  spec.poly_half_width = o.poly_half_width;
  spec.validate(1);
  const double dt = f.t[1] - f.t[0];
  const std::size_t trim = std::size_t(spec.half_width(1));
  HYSEIS_REQUIRE(f.t.size() > 2 * trim + 8, InvalidInput,
                 "discovery: " << f.t.size() << " epochs are too few for the time-derivative window 2*" << trim << "+1");

  RelaxationDiscovery out;
  out.all_linear = true;
  for (std::size_t m = 0; m < o.wavenumbers.size(); ++m) {
    const auto a_s = sindy::diff(amp[m], dt, 0, spec);  // smoothed amplitude
    const auto a_t = sindy::diff(amp[m], dt, 1, spec);
    const std::size_t rows = f.t.size() - 2 * trim;
    sindy::LinearSystem<double> sys;
    sys.theta.resize(Eigen::Index(rows), o.max_poly + 1);
    sys.lhs.resize(Eigen::Index(rows));
    sys.names = {"1", "a"};
    for (int p = 2; p <= o.max_poly; ++p) sys.names.push_back("a^" + std::to_string(p));
    for (std::size_t r = 0; r < rows; ++r) {
      const double av = a_s[r + trim];
      double pw = 1;
      for (int p = 0; p <= o.max_poly; ++p, pw *= av) sys.theta(Eigen::Index(r), p) = pw;
      sys.lhs(Eigen::Index(r)) = a_t[r + trim];
    }
    sindy::TrainOptions to;
    to.seed = 17 + m;
    const auto model = sindy::train_stridge(sys, to);
    ModeFit mf;
    mf.k = o.wavenumbers[m];
    for (auto s : model.support()) mf.terms.push_back(model.names[s]);
    std::string eq = model.equation();
    const auto pos = eq.find("u_t");
    if (pos != std::string::npos) eq.replace(pos, 3, "a_t");
    mf.equation = eq;
    mf.rate = -model.coefficient("a");
    mf.constant = model.coefficient("1");
    mf.linear_law = mf.terms.size() == 2 && mf.terms[0] == "1" && mf.terms[1] == "a";
    out.all_linear = out.all_linear && mf.linear_law;
    out.modes.push_back(mf);
  }
  // Dispersion fit: lambda_k = c (1 - exp(-2 k H)), c = 1/(2 tau), relative least squares.
  auto fit_c = [&](double h, double* resid) {
    double num = 0, den = 0;
    for (const auto& mf : out.modes) {
      if (!(mf.rate > 0)) continue;
      const double g = -std::expm1(-2 * mf.k * h) / mf.rate;
      num += g;
      den += g * g;
    }
    const double c = den > 0 ? num / den : 0;
    double r = 0, cnt = 0;
    for (const auto& mf : out.modes) {
      if (!(mf.rate > 0)) continue;
      const double e = (mf.rate - c * -std::expm1(-2 * mf.k * h)) / mf.rate;
      r += e * e;
      cnt += 1;
    }
    if (resid) *resid = cnt > 0 ? std::sqrt(r / cnt) : INFINITY;
    return c;
  };
  const double c0 = fit_c(H, nullptr);
  out.tau_known_h = c0 > 0 ? 1 / (2 * c0) : NAN;
  // joint fit: scan log H over [H/20, 20 H], then golden section
  double best_h = H, best_r = INFINITY;
  for (int i = 0; i <= 240; ++i) {
    const double h = H / 20 * std::pow(400.0, i / 240.0);
    double r;
    fit_c(h, &r);
    if (r < best_r) best_r = r, best_h = h;
  }
  double lo = std::log(best_h) - std::log(400.0) / 240, hi = std::log(best_h) + std::log(400.0) / 240;
  const double gr = (std::sqrt(5.0) - 1) / 2;
  for (int it = 0; it < 80; ++it) {
    const double a = hi - gr * (hi - lo), b = lo + gr * (hi - lo);
    double ra, rb;
    fit_c(std::exp(a), &ra);
    fit_c(std::exp(b), &rb);
    if (ra < rb) hi = b; else lo = a;
  }
  out.h_fit = std::exp(0.5 * (lo + hi));
  const double c1 = fit_c(out.h_fit, &out.rate_rms_misfit);
  out.tau_fit = c1 > 0 ? 1 / (2 * c1) : NAN;
  return out;
}

}  // namespace hyseis::hybrid::geodesy
