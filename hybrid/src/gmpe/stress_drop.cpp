// Per-event stress drops by the stochastic model (see stress_drop.hpp).
#include "hyseis/hybrid/gmpe/stress_drop.hpp"

#include <algorithm>
#include <cmath>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/gmpe/pi_gmpe.hpp"
#include "hyseis/physics/groundmotion/bssa14.hpp"
#include "hyseis/physics/groundmotion/stochastic.hpp"

namespace hyseis::hybrid::gmpe {

namespace gm = physics::groundmotion;
namespace reg = learning::regression;

StressDropFit fit_event_stress_drops(const reg::GmFlatfile& data, const StressDropOptions& o) {
  if (!(o.max_period > 0) || o.min_records < 1 || !(o.kappa0 > 0) || !(o.dsigma_min > 0) ||
      !(o.dsigma_max > o.dsigma_min) || o.iterations < 1)
    throw core::InvalidInput("stress_drop options: need max_period > 0, min_records >= 1, kappa0 > 0, "
                             "0 < dsigma_min < dsigma_max, iterations >= 1");
  StressDropFit out;
  std::vector<int> cols;
  std::vector<gm::Imt> imts;
  for (std::size_t j = 0; j < data.imts.size(); ++j) {
    const gm::Imt im = parse_imt(data.imts[j]);
    if (im.kind == gm::Imt::Kind::PGA || (im.kind == gm::Imt::Kind::SA && im.period <= o.max_period)) {
      cols.push_back(int(j));
      imts.push_back(im);
      out.imts_used.push_back(data.imts[j]);
    }
  }
  const int E = data.n_events();
  out.stress_drop_bar.assign(std::size_t(E), std::nan(""));
  out.fitted.assign(std::size_t(E), false);
  out.n_records.assign(std::size_t(E), 0);
  out.rms_misfit.assign(std::size_t(E), std::nan(""));
  out.iterations.assign(std::size_t(E), 0);
  if (cols.empty()) return out;

  // Site-corrected observations and distances.
  gm::BSSA14Options bo;
  bo.period_policy = gm::PeriodPolicy::interpolate;
  const gm::BSSA14 bssa(bo);
  const std::size_t n = data.size();
  std::vector<std::vector<double>> obs(n, std::vector<double>(cols.size()));
  std::vector<double> R(n);
  for (std::size_t k = 0; k < n; ++k) {
    const auto i = Eigen::Index(k);
    gm::Rupture rup;
    rup.mag = data.predictors(i, reg::kMag);
    rup.rake = data.predictors(i, reg::kRake);
    gm::Site site, rock;
    site.rjb = rock.rjb = data.predictors(i, reg::kRjb);
    site.vs30 = data.predictors(i, reg::kVs30);
    rock.vs30 = 620.0;
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const double fsite = bssa.evaluate(rup, site, imts[c]).ln_median - bssa.evaluate(rup, rock, imts[c]).ln_median;
      obs[k][c] = data.ln_y(i, cols[c]) - fsite;
    }
    const double h = std::pow(10.0, -0.405 + 0.235 * rup.mag);
    R[k] = std::sqrt(site.rjb * site.rjb + h * h);
  }
  std::vector<std::vector<std::size_t>> recs(static_cast<std::size_t>(E));
  for (std::size_t k = 0; k < n; ++k) recs[std::size_t(data.event_index[k])].push_back(k);

  gm::StochasticParameters sp;
  sp.kappa0 = o.kappa0;
  sp.n_freq = o.n_freq;
  sp.n_peak = 1000;
  const double lo = std::log(o.dsigma_min), hi = std::log(o.dsigma_max);
  for (int e = 0; e < E; ++e) {
    const auto& rr = recs[std::size_t(e)];
    out.n_records[std::size_t(e)] = int(rr.size());
    if (int(rr.size()) < o.min_records) continue;
    double theta = std::log(100.0), ss = 0;
    int it = 0;
    for (; it < o.iterations; ++it) {
      sp.stress_drop = std::exp(theta);
      const gm::StochasticPointSource model(sp);
      double jj = 0, je = 0;
      ss = 0;
      for (std::size_t k : rr) {
        const double m = data.predictors(Eigen::Index(k), reg::kMag);
        for (std::size_t c = 0; c < cols.size(); ++c) {
          const gm::StochasticResult res =
              imts[c].kind == gm::Imt::Kind::PGA ? model.pga(m, R[k]) : model.psa(imts[c].period, m, R[k]);
          const double r = obs[k][c] - res.ln_value;
          const double J = sp.stress_drop * res.dln_dstress_drop;
          jj += J * J;
          je += J * r;
          ss += r * r;
        }
      }
      if (!(jj > 0)) break;
      const double step = std::clamp(je / jj, -1.0, 1.0);
      const double next = std::clamp(theta + step, lo, hi);
      const bool done = std::abs(next - theta) < 1e-6;
      theta = next;
      if (done) break;
    }
    out.stress_drop_bar[std::size_t(e)] = std::exp(theta);
    out.fitted[std::size_t(e)] = true;
    out.rms_misfit[std::size_t(e)] = std::sqrt(ss / double(rr.size() * cols.size()));
    out.iterations[std::size_t(e)] = it + 1;
  }
  return out;
}

}  // namespace hyseis::hybrid::gmpe
