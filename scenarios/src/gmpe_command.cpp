// `hyseis gmpe` (see gmpe_command.hpp).
#include "gmpe_command.hpp"

#include <CLI/CLI.hpp>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/hybrid/gmpe/pi_gmpe.hpp"
#include "hyseis/hybrid/gmpe/trained.hpp"
#include "hyseis/learning/data/csv.hpp"
#include "hyseis/learning/regression/gm_dataset.hpp"
#include "hyseis/physics/groundmotion/bssa14.hpp"
#include "hyseis/physics/groundmotion/cy14.hpp"
#include "hyseis/physics/groundmotion/stochastic.hpp"

namespace hyseis::scenarios {

namespace gm = physics::groundmotion;
namespace reg = learning::regression;

namespace {

struct Scenario {
  double mag, rjb, vs30, rake, dip, ztor, rrup, rx;
  std::string where;  // "--mag ..." or "file:line"
};

struct Range {
  double m0, m1, r0, r1, v0, v1;
  std::string what;  // model name
};

// Ranges of applicability (published): BSSA14 M 3-8.5 (normal faults 3-7), Rjb 0-400 km,
// Vs30 150-1500 m/s; CY14 M 3.5-8.5 (normal 3.5-8.0), Rrup 0-300 km, Vs30 180-1500 m/s;
// stochastic (Boore 2003 point source with finite-fault pseudo-depth): M 3-8.5, R 0-500 km.
Range builtin_range(const std::string& model, double rake) {
  const bool normal = rake > -150.0 && rake < -30.0;
  if (model == "bssa14") return {3.0, normal ? 7.0 : 8.5, 0.0, 400.0, 150.0, 1500.0, "BSSA14"};
  if (model == "cy14") return {3.5, normal ? 8.0 : 8.5, 0.0, 300.0, 180.0, 1500.0, "CY14"};
  return {3.0, 8.5, 0.0, 500.0, 150.0, 1500.0, "stochastic"};
}

std::vector<std::string> split_imts(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : s) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  if (out.empty()) throw core::InvalidInput("--imt: give at least one IMT, e.g. PGA,PGV,SA(1.0)");
  return out;
}

void complete(Scenario& s) {
  auto need = [&](double v, const char* name) {
    if (!std::isfinite(v)) throw core::InvalidInput(s.where + ": " + name + " is required and must be finite");
  };
  need(s.mag, "magnitude (--mag / column mag)");
  need(s.rjb, "Rjb (--rjb / column rjb)");
  need(s.vs30, "Vs30 (--vs30 / column vs30)");
  if (!(s.mag > 0)) throw core::InvalidInput(s.where + ": magnitude must be > 0, got " + std::to_string(s.mag));
  if (s.rjb < 0) throw core::InvalidInput(s.where + ": Rjb must be >= 0 km, got " + std::to_string(s.rjb));
  if (!(s.vs30 > 0)) throw core::InvalidInput(s.where + ": Vs30 must be > 0 m/s, got " + std::to_string(s.vs30));
  if (!(s.rake >= -180 && s.rake <= 180)) throw core::InvalidInput(s.where + ": rake must be in [-180, 180] degrees");
  const bool ss = !(s.rake > 30 && s.rake < 150) && !(s.rake > -150 && s.rake < -30);
  if (std::isnan(s.dip)) s.dip = ss ? 90.0 : 45.0;
  if (std::isnan(s.ztor)) s.ztor = gm::CY14::mean_ztor(s.mag, s.rake);
  if (std::isnan(s.rrup)) s.rrup = std::sqrt(s.rjb * s.rjb + s.ztor * s.ztor);
  if (std::isnan(s.rx)) s.rx = -s.rjb;
  if (s.ztor < 0 || s.rrup < 0) throw core::InvalidInput(s.where + ": Ztor and Rrup must be >= 0 km");
  if (s.rrup + 1e-9 < s.rjb) throw core::InvalidInput(s.where + ": Rrup must be >= Rjb");
}

// Returns true if outside; throws unless extrapolate.
bool check_range(const Scenario& s, const Range& r, bool extrapolate) {
  std::ostringstream why;
  const double dist = r.what == "CY14" ? s.rrup : s.rjb;
  if (s.mag < r.m0 || s.mag > r.m1) why << "magnitude " << s.mag << " outside [" << r.m0 << ", " << r.m1 << "]";
  else if (dist < r.r0 || dist > r.r1)
    why << (r.what == "CY14" ? "Rrup " : "Rjb ") << dist << " km outside [" << r.r0 << ", " << r.r1 << "] km";
  else if (s.vs30 < r.v0 || s.vs30 > r.v1) why << "Vs30 " << s.vs30 << " m/s outside [" << r.v0 << ", " << r.v1 << "] m/s";
  else return false;
  if (!extrapolate)
    throw core::InvalidInput(s.where + ": " + why.str() + " (range of " + r.what +
                             "); pass --extrapolate to evaluate outside it");
  return true;
}

std::vector<Scenario> read_scenarios(const GmpeArgs& a) {
  std::vector<Scenario> out;
  if (a.csv.empty()) {
    out.push_back({a.mag, a.rjb, a.vs30, a.rake, a.dip, a.ztor, a.rrup, a.rx, "command line"});
    return out;
  }
  std::ifstream in(a.csv, std::ios::binary);
  if (!in) throw core::IoError("cannot open scenarios CSV '" + a.csv + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  const auto t = learning::data::csv_parse(ss.str(), a.csv);
  for (const char* c : {"mag", "rjb", "vs30"})
    if (t.column(c) < 0) throw core::IoError(a.csv + ": required column '" + std::string(c) + "' missing (columns: mag, rjb, vs30[, rake, dip, ztor, rrup, rx])");
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const std::string where = a.csv + ":" + std::to_string(i + 2);
    auto num = [&](const char* col, double fallback) {
      if (t.column(col) < 0) return fallback;
      const std::string v = t.get(i, col);
      if (v.empty()) return fallback;
      char* end = nullptr;
      const double d = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !std::isfinite(d))
        throw core::IoError(where + ": column '" + col + "': expected a number, got '" + v + "'");
      return d;
    };
    const double nan = std::numeric_limits<double>::quiet_NaN();
    out.push_back({num("mag", nan), num("rjb", nan), num("vs30", nan), num("rake", a.rake), num("dip", a.dip),
                   num("ztor", a.ztor), num("rrup", a.rrup), num("rx", a.rx), where});
  }
  if (out.empty()) throw core::IoError(a.csv + ": no scenarios");
  return out;
}

std::string g17(double v) {
  std::ostringstream os;
  os << std::setprecision(8) << v;
  return os.str();
}

}  // namespace

CLI::App* add_gmpe_command(CLI::App& app, GmpeArgs& a) {
  auto* c = app.add_subcommand("gmpe", "evaluate a ground-motion model (median and sigma) for scenarios");
  c->add_option("--model,-m", a.model,
                "bssa14, cy14, stochastic, or a trained-model manifest (*.gmpe.json from the gmpe_compare scenario)");
  c->add_option("--mag", a.mag, "moment magnitude");
  c->add_option("--rjb", a.rjb, "Joyner-Boore distance (km)");
  c->add_option("--vs30", a.vs30, "Vs30 (m/s)");
  c->add_option("--rake", a.rake, "rake (degrees, default 0 = strike-slip)");
  c->add_option("--dip", a.dip, "dip (degrees; default 90 for strike-slip, 45 otherwise)");
  c->add_option("--ztor", a.ztor, "depth to top of rupture (km; default CY14's E[Ztor | M, rake])");
  c->add_option("--rrup", a.rrup, "rupture distance (km; default sqrt(Rjb^2 + Ztor^2))");
  c->add_option("--rx", a.rx, "CY14 Rx (km; default -Rjb: footwall, no hanging-wall term)");
  c->add_option("--imt", a.imts, "comma-separated IMTs: PGA,PGV,SA(1.0) (default PGA)");
  c->add_option("--csv", a.csv, "scenarios CSV with columns mag, rjb, vs30[, rake, dip, ztor, rrup, rx]");
  c->add_option("--out,-o", a.out, "output CSV (default: standard output)");
  c->add_flag("--extrapolate", a.extrapolate,
              "evaluate outside the model's range of magnitude / distance / Vs30 (rows flagged), and SA periods "
              "between table rows by ln(T) interpolation; without it such input is an error");
  c->add_option("--stress-drop", a.stress_drop, "stochastic model: Brune stress parameter (bar, default 100)");
  c->add_option("--kappa0", a.kappa0, "stochastic model: kappa0 (s, default 0.04)");
  return c;
}

int run_gmpe_command(const GmpeArgs& a, std::ostream& os) {
  const std::vector<std::string> imt_names = split_imts(a.imts);
  std::vector<gm::Imt> imts;
  for (const auto& n : imt_names) imts.push_back(hybrid::gmpe::parse_imt(n));
  std::vector<Scenario> scen = read_scenarios(a);
  for (auto& s : scen) complete(s);

  std::ostringstream out;
  out << "scenario,mag,rjb_km,rrup_km,vs30_m_per_s,rake,ztor_km,imt,median,unit,ln_median,tau,phi,sigma,extrapolated\n";
  auto row = [&](std::size_t i, const Scenario& s, const std::string& imt, double ln_med, double tau, double phi,
                 double sigma, bool extra) {
    if (!std::isfinite(ln_med))
      throw core::NumericalError(s.where + ": model '" + a.model + "' gave a non-finite median for " + imt);
    out << i << ',' << g17(s.mag) << ',' << g17(s.rjb) << ',' << g17(s.rrup) << ',' << g17(s.vs30) << ','
        << g17(s.rake) << ',' << g17(s.ztor) << ',' << imt << ',' << g17(std::exp(ln_med)) << ','
        << (imt == "PGV" ? "cm/s" : "g") << ',' << g17(ln_med) << ',' << (std::isfinite(tau) ? g17(tau) : "")
        << ',' << (std::isfinite(phi) ? g17(phi) : "") << ',' << (std::isfinite(sigma) ? g17(sigma) : "") << ','
        << (extra ? 1 : 0) << '\n';
  };

  const std::string& m = a.model;
  if (m == "bssa14" || m == "cy14") {
    std::unique_ptr<gm::Gmpe> model;
    const auto pol = a.extrapolate ? gm::PeriodPolicy::interpolate : gm::PeriodPolicy::exact;
    if (m == "bssa14") {
      gm::BSSA14Options o;
      o.period_policy = pol;
      model = std::make_unique<gm::BSSA14>(o);
    } else {
      gm::CY14Options o;
      o.period_policy = pol;
      model = std::make_unique<gm::CY14>(o);
    }
    for (std::size_t j = 0; j < imts.size(); ++j)
      if (!model->supports(imts[j]))
        throw core::InvalidInput("--imt " + imt_names[j] + ": not supported by " + model->name() +
                                 (a.extrapolate ? " (period outside its table)"
                                                : " (period not a table row; --extrapolate interpolates in ln T "
                                                  "inside the table)"));
    for (std::size_t i = 0; i < scen.size(); ++i) {
      const Scenario& s = scen[i];
      const bool extra = check_range(s, builtin_range(m, s.rake), a.extrapolate);
      gm::Rupture r;
      r.mag = s.mag;
      r.rake = s.rake;
      r.dip = s.dip;
      r.ztor = s.ztor;
      gm::Site site;
      site.rjb = s.rjb;
      site.rrup = s.rrup;
      site.rx = s.rx;
      site.vs30 = s.vs30;
      for (std::size_t j = 0; j < imts.size(); ++j) {
        const gm::GmpeResult g = model->evaluate(r, site, imts[j]);
        row(i, s, imt_names[j], g.ln_median, g.tau, g.phi, g.sigma, extra);
      }
    }
  } else if (m == "stochastic") {
    gm::StochasticParameters p;
    p.stress_drop = a.stress_drop;
    p.kappa0 = a.kappa0;
    const gm::StochasticPointSource model(p);
    for (std::size_t j = 0; j < imts.size(); ++j)
      if (imts[j].kind == gm::Imt::Kind::PGV)
        throw core::InvalidInput("--imt PGV: the stochastic (RVT) model gives PGA and SA only");
    for (std::size_t i = 0; i < scen.size(); ++i) {
      const Scenario& s = scen[i];
      const bool extra = check_range(s, builtin_range(m, s.rake), a.extrapolate);
      const double h = std::pow(10.0, -0.405 + 0.235 * s.mag);
      const double R = std::sqrt(s.rjb * s.rjb + h * h);
      for (std::size_t j = 0; j < imts.size(); ++j) {
        const double ln = imts[j].kind == gm::Imt::Kind::PGA ? model.pga(s.mag, R).ln_value
                                                             : model.psa(imts[j].period, s.mag, R).ln_value;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        row(i, s, imt_names[j], ln, nan, nan, nan, extra);
      }
    }
  } else {
    if (m.size() < 10 || m.substr(m.size() - 10) != ".gmpe.json")
      throw core::InvalidInput("--model '" + m + "': expected bssa14, cy14, stochastic or a *.gmpe.json manifest");
    const auto t = hybrid::gmpe::TrainedGmpe::load(m);
    const auto& man = t.manifest();
    std::vector<int> col;
    for (std::size_t j = 0; j < imt_names.size(); ++j) {
      int c = -1;
      for (std::size_t k = 0; k < man.imts.size(); ++k)
        if (man.imts[k] == imt_names[j] || (hybrid::gmpe::parse_imt(man.imts[k]).kind == imts[j].kind &&
                                            std::abs(hybrid::gmpe::parse_imt(man.imts[k]).period - imts[j].period) < 1e-9))
          c = int(k);
      if (c < 0) {
        std::string list;
        for (const auto& x : man.imts) list += (list.empty() ? "" : ", ") + x;
        throw core::InvalidInput("--imt " + imt_names[j] + ": the trained " + man.kind +
                                 " model predicts only " + list + " (no period extrapolation for learned models)");
      }
      col.push_back(c);
    }
    const Range r{man.range.mag_min, man.range.mag_max, man.range.rjb_min, man.range.rjb_max,
                  man.range.vs30_min, man.range.vs30_max, "the trained " + man.kind + " model's training data"};
    Eigen::MatrixXd P(Eigen::Index(scen.size()), reg::kNumPredictors);
    std::vector<bool> extra(scen.size());
    for (std::size_t i = 0; i < scen.size(); ++i) {
      const Scenario& s = scen[i];
      extra[i] = check_range(s, r, a.extrapolate);
      P.row(Eigen::Index(i)) << s.mag, s.rjb, s.rrup, s.ztor, s.vs30, s.rake, s.dip;
    }
    const Eigen::MatrixXd pred = t.predict(P);
    for (std::size_t i = 0; i < scen.size(); ++i)
      for (std::size_t j = 0; j < col.size(); ++j) {
        const double tau = man.tau.empty() ? std::nan("") : man.tau[std::size_t(col[j])];
        const double phi = man.phi.empty() ? std::nan("") : man.phi[std::size_t(col[j])];
        row(i, scen[i], imt_names[j], pred(Eigen::Index(i), col[j]), tau, phi, std::sqrt(tau * tau + phi * phi),
            extra[i]);
      }
  }
  if (a.out.empty()) os << out.str();
  else core::fs::write_text_atomic(a.out, out.str());
  return 0;
}

}  // namespace hyseis::scenarios
