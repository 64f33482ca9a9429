// gmpe_bssa14_vectorised: BSSA14 median + sigma for 10^6 site-source pairs (one IMT per pass:
// PGA, PGV, SA(1.0)), batch SoA evaluator (physics/groundmotion/bssa14_batch.hpp: coefficient
// row looked up once, one validation pass, branch-light loop) against a straightforward scalar
// loop over BSSA14::evaluate (per call: input checks, table lookup, PGA_r) in the same run.
// Inputs are random but fixed (seeded): M 3-8.5, rake uniform, Rjb 0-300 km, Vs30 150-1500 m/s.
// Metric: evaluations (pairs x IMTs) per second, median of `repeats` runs, with the standard
// deviation across runs; ratio = batch / scalar. The two paths must agree to 1e-10 in ln median,
// tau, phi, sigma (max abs difference reported; the case throws otherwise).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "hyseis/bench/bench.hpp"
#include "hyseis/physics/groundmotion/bssa14.hpp"
#include "hyseis/physics/groundmotion/bssa14_batch.hpp"

namespace hyseis::bench::detail {

namespace {

namespace gm = physics::groundmotion;

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void median_std(std::vector<double> v, double& med, double& sd) {
  std::sort(v.begin(), v.end());
  med = v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
  double mu = 0;
  for (double x : v) mu += x;
  mu /= double(v.size());
  double s = 0;
  for (double x : v) s += (x - mu) * (x - mu);
  sd = v.size() > 1 ? std::sqrt(s / double(v.size() - 1)) : 0.0;
}

}  // namespace

std::vector<Row> gmpe_bssa14_vectorised(const Options& opt) {
  const std::string kCase = "gmpe_bssa14_vectorised";
  const std::size_t n = opt.quick ? 20000 : 1000000;
  const int repeats = opt.quick ? 3 : 5;
  std::mt19937_64 rng(2014);
  std::uniform_real_distribution<double> U(0, 1);
  std::vector<double> mag(n), rake(n), rjb(n), vs30(n);
  for (std::size_t i = 0; i < n; ++i) {
    mag[i] = 3.0 + 5.5 * U(rng);
    rake[i] = -180.0 + 360.0 * U(rng);
    rjb[i] = 300.0 * U(rng);
    vs30[i] = 150.0 + 1350.0 * U(rng);
  }
  const std::vector<gm::Imt> imts{gm::Imt::pga(), gm::Imt::pgv(), gm::Imt::sa(1.0)};
  const double evals = double(n) * double(imts.size());
  std::vector<double> b_ln(n), b_tau(n), b_phi(n), b_sig(n), s_ln(n), s_tau(n), s_phi(n), s_sig(n);
  const gm::BSSA14 model;
  double max_diff = 0, checksum_b = 0, checksum_s = 0;
  std::vector<double> rate_batch, rate_scalar;
  for (int rep = 0; rep < repeats; ++rep) {
    double tb = 0, ts = 0;
    for (const auto& imt : imts) {
      double t0 = seconds_now();
      gm::bssa14_batch({mag.data(), rake.data(), rjb.data(), vs30.data(), n}, imt,
                       {b_ln.data(), b_tau.data(), b_phi.data(), b_sig.data()});
      tb += seconds_now() - t0;
      t0 = seconds_now();
      for (std::size_t i = 0; i < n; ++i) {
        gm::Rupture r;
        r.mag = mag[i];
        r.rake = rake[i];
        gm::Site s;
        s.rjb = rjb[i];
        s.vs30 = vs30[i];
        const gm::GmpeResult g = model.evaluate(r, s, imt);
        s_ln[i] = g.ln_median;
        s_tau[i] = g.tau;
        s_phi[i] = g.phi;
        s_sig[i] = g.sigma;
      }
      ts += seconds_now() - t0;
      if (rep == 0)
        for (std::size_t i = 0; i < n; ++i) {
          max_diff = std::max({max_diff, std::abs(b_ln[i] - s_ln[i]), std::abs(b_tau[i] - s_tau[i]),
                               std::abs(b_phi[i] - s_phi[i]), std::abs(b_sig[i] - s_sig[i])});
          checksum_b += b_ln[i];
          checksum_s += s_ln[i];
        }
    }
    rate_batch.push_back(evals / tb);
    rate_scalar.push_back(evals / ts);
  }
  if (!(max_diff <= 1e-10))
    throw std::runtime_error(kCase + ": batch and scalar BSSA14 disagree (max abs difference " +
                             std::to_string(max_diff) + ")");
  double mb, sb, ms, ss;
  median_std(rate_batch, mb, sb);
  median_std(rate_scalar, ms, ss);
  const std::string base = "scalar loop over BSSA14::evaluate";
  std::vector<Row> rows;
  rows.push_back({kCase, "evaluations_per_s (median, " + std::to_string(n) + " pairs x 3 IMTs)", mb, ms, mb / ms,
                  "1/s", base});
  rows.push_back({kCase, "evaluations_per_s_std", sb, ss, 0.0, "1/s", base});
  rows.push_back({kCase, "max_abs_difference_batch_vs_scalar", max_diff, 0.0, 0.0, "ln units", base});
  rows.push_back({kCase, "checksum_sum_ln_median", checksum_b, checksum_s, 0.0, "ln units", base});
  return rows;
}

}  // namespace hyseis::bench::detail
