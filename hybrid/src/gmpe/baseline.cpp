// Physical baselines of the hybrid GMPE: BSSA14 as published or the Boore (2003) stochastic model.
#include <cmath>
#include <cstdlib>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/gmpe/pi_gmpe.hpp"
#include "hyseis/physics/groundmotion/bssa14.hpp"
#include "hyseis/physics/groundmotion/stochastic.hpp"

namespace hyseis::hybrid::gmpe {

namespace gm = physics::groundmotion;
namespace reg = learning::regression;

void BaselineOptions::validate() const {
  if (model != "bssa14" && model != "stochastic")
    throw core::InvalidInput("baseline.model: must be bssa14 or stochastic, got '" + model + "'");
  if (!(stress_drop > 0)) throw core::InvalidInput("baseline.stress_drop: must be > 0 bar");
  if (!(kappa0 > 0)) throw core::InvalidInput("baseline.kappa0: must be > 0 s");
  if (n_freq < 100 || n_freq % 2) throw core::InvalidInput("baseline.n_freq: must be even and >= 100");
}

gm::Imt parse_imt(const std::string& name) {
  if (name == "PGA") return gm::Imt::pga();
  if (name == "PGV") return gm::Imt::pgv();
  if (name.size() > 4 && name.rfind("SA(", 0) == 0 && name.back() == ')') {
    const std::string num = name.substr(3, name.size() - 4);
    char* end = nullptr;
    const double t = std::strtod(num.c_str(), &end);
    if (end != num.c_str() && *end == '\0' && std::isfinite(t) && t > 0) return gm::Imt::sa(t);
  }
  throw core::InvalidInput("IMT '" + name + "': expected PGA, PGV or SA(T) with T > 0 s, e.g. SA(1.0)");
}

Eigen::MatrixXd baseline_ln_median(const BaselineOptions& opt, const std::vector<std::string>& imts,
                                   const Eigen::MatrixXd& P) {
  opt.validate();
  if (P.cols() != reg::kNumPredictors) throw core::InvalidInput("baseline_ln_median: predictors must have 7 columns");
  std::vector<gm::Imt> im;
  for (const auto& s : imts) im.push_back(parse_imt(s));
  Eigen::MatrixXd out(P.rows(), Eigen::Index(im.size()));
  if (opt.model == "bssa14") {
    gm::BSSA14Options bo;
    bo.period_policy = gm::PeriodPolicy::interpolate;
    const gm::BSSA14 model(bo);
    for (std::size_t j = 0; j < im.size(); ++j)
      if (!model.supports(im[j])) throw core::InvalidInput("baseline bssa14: IMT '" + imts[j] + "' not supported");
    for (Eigen::Index k = 0; k < P.rows(); ++k) {
      gm::Rupture r;
      r.mag = P(k, reg::kMag);
      r.rake = P(k, reg::kRake);
      r.dip = P(k, reg::kDip);
      r.ztor = P(k, reg::kZtor);
      gm::Site s;
      s.rjb = P(k, reg::kRjb);
      s.rrup = P(k, reg::kRrup);
      s.vs30 = P(k, reg::kVs30);
      for (std::size_t j = 0; j < im.size(); ++j) out(k, Eigen::Index(j)) = model.evaluate(r, s, im[j]).ln_median;
    }
    return out;
  }
  gm::StochasticParameters sp;
  sp.stress_drop = opt.stress_drop;
  sp.kappa0 = opt.kappa0;
  sp.n_freq = opt.n_freq;
  sp.n_peak = 1000;
  const gm::StochasticPointSource model(sp);
  for (std::size_t j = 0; j < im.size(); ++j)
    if (im[j].kind == gm::Imt::Kind::PGV)
      throw core::InvalidInput("baseline stochastic: PGV is not provided by the RVT stochastic model; use "
                               "baseline.model: bssa14 or drop PGV from the IMTs");
  for (Eigen::Index k = 0; k < P.rows(); ++k) {
    const double m = P(k, reg::kMag), rjb = P(k, reg::kRjb);
    const double h = std::pow(10.0, -0.405 + 0.235 * m);
    const double R = std::sqrt(rjb * rjb + h * h);
    for (std::size_t j = 0; j < im.size(); ++j)
      out(k, Eigen::Index(j)) =
          im[j].kind == gm::Imt::Kind::PGA ? model.pga(m, R).ln_value : model.psa(im[j].period, m, R).ln_value;
  }
  return out;
}

}  // namespace hyseis::hybrid::gmpe
