// Linear GMPE by one-way mixed-effects regression: see hyseis/learning/regression/mixed_gmpe.hpp.
#include "hyseis/learning/regression/mixed_gmpe.hpp"

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/data/csv.hpp"

namespace hyseis::learning::regression {

namespace {

bool is_missing(const std::string& s) {
  return s.empty() || s == "NA" || s == "NaN" || s == "nan" || s == "-999" || s == "-999.0";
}

double parse_number(const std::string& s, const std::string& file, std::size_t line,
                    const std::string& col) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(v))
    throw core::IoError(file + ":" + std::to_string(line) + ": column '" + col +
                        "': expected a number, got '" + s + "'");
  return v;
}

bool is_reverse(double rake) { return rake > 30.0 && rake < 150.0; }
bool is_normal(double rake) { return rake > -150.0 && rake < -30.0; }

struct Eval {
  double loglik = -std::numeric_limits<double>::infinity();
  Eigen::VectorXd beta;
  Eigen::MatrixXd xtwx_inv;
  double phi2 = 0;
};

// Profile (restricted) log-likelihood at lambda = tau^2/phi^2 (constants dropped).
Eval evaluate(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, const std::vector<int>& group,
              const std::vector<int>& counts, double lambda, bool reml) {
  const Eigen::Index n = X.rows(), p = X.cols();
  const int G = static_cast<int>(counts.size());
  // W_i^-1 = I - g_i 1 1^T, g_i = lambda / (1 + n_i lambda).
  Eigen::MatrixXd S = Eigen::MatrixXd::Zero(G, p);
  Eigen::VectorXd sy = Eigen::VectorXd::Zero(G);
  for (Eigen::Index k = 0; k < n; ++k) {
    S.row(group[k]) += X.row(k);
    sy(group[k]) += y(k);
  }
  Eigen::MatrixXd A = X.transpose() * X;
  Eigen::VectorXd b = X.transpose() * y;
  double logdetW = 0;
  for (int i = 0; i < G; ++i) {
    const double g = lambda / (1.0 + counts[i] * lambda);
    A.noalias() -= g * S.row(i).transpose() * S.row(i);
    b.noalias() -= g * sy(i) * S.row(i).transpose();
    logdetW += std::log1p(counts[i] * lambda);
  }
  Eval e;
  Eigen::LDLT<Eigen::MatrixXd> ldlt(A);
  if (ldlt.info() != Eigen::Success) return e;
  e.beta = ldlt.solve(b);
  e.xtwx_inv = ldlt.solve(Eigen::MatrixXd::Identity(p, p));
  const Eigen::VectorXd r = y - X * e.beta;
  Eigen::VectorXd sr = Eigen::VectorXd::Zero(G);
  for (Eigen::Index k = 0; k < n; ++k) sr(group[k]) += r(k);
  double q = r.squaredNorm();
  for (int i = 0; i < G; ++i) q -= lambda / (1.0 + counts[i] * lambda) * sr(i) * sr(i);
  const double dof = reml ? double(n - p) : double(n);
  e.phi2 = q / dof;
  e.loglik = -0.5 * (dof * std::log(e.phi2) + logdetW);
  if (reml) {
    const Eigen::VectorXd d = ldlt.vectorD();
    double logdetA = 0;
    for (Eigen::Index j = 0; j < p; ++j) logdetA += std::log(std::abs(d(j)));
    // ln|V| + ln|X^T V^-1 X| = n ln phi2 + ln|W| + ln|A| - p ln phi2: the -p is in dof.
    e.loglik += -0.5 * logdetA;
  }
  e.loglik -= 0.5 * dof * (1.0 + std::log(2.0 * M_PI));
  return e;
}

}  // namespace

std::vector<GmRecord> read_flatfile(const std::string& path, const std::string& im_column,
                                    FlatfileReport* report) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::IoError(path + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  const data::CsvTable t = data::csv_parse(ss.str(), path);
  const int cid = t.column("EQID");
  const char* required[] = {"M", "Rjb", "Vs30", "Rake"};
  for (const char* c : required)
    if (t.column(c) < 0) throw core::IoError(path + ":1: missing required column '" + c + "'");
  if (t.column(im_column) < 0)
    throw core::IoError(path + ":1: missing intensity-measure column '" + im_column + "'");
  const int cm = t.column("M"), cr = t.column("Rjb"), cv = t.column("Vs30"), ck = t.column("Rake"),
            cy = t.column(im_column);
  FlatfileReport rep;
  rep.rows = t.rows.size();
  rep.has_event_column = cid >= 0;
  std::vector<GmRecord> out;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& row = t.rows[i];
    const std::size_t line = i + 2;
    const std::string* f[] = {&row[cm], &row[cr], &row[cv], &row[ck], &row[cy]};
    const char* names[] = {"M", "Rjb", "Vs30", "Rake", im_column.c_str()};
    bool missing = false;
    double v[5];
    for (int j = 0; j < 5; ++j) {
      if (is_missing(*f[j])) { missing = true; continue; }
      v[j] = parse_number(*f[j], path, line, names[j]);
    }
    if (cid >= 0 && is_missing(row[cid])) missing = true;
    if (missing) { ++rep.skipped_missing; continue; }
    if (v[4] <= 0 || v[2] <= 0) { ++rep.skipped_nonpositive; continue; }
    if (v[1] < 0)
      throw core::IoError(path + ":" + std::to_string(line) + ": column 'Rjb': negative distance " +
                          *f[1]);
    GmRecord r;
    r.event = cid >= 0 ? row[cid] : row[cm];
    r.mag = v[0];
    r.rjb = v[1];
    r.vs30 = v[2];
    r.rake = v[3];
    r.ln_y = std::log(v[4]);
    out.push_back(r);
  }
  rep.used = out.size();
  if (report) *report = rep;
  return out;
}

Eigen::VectorXd fit_ols(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  return X.colPivHouseholderQr().solve(y);
}

MixedFit fit_mixed_effects(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                           const std::vector<int>& group, int n_groups, bool reml, int max_iter,
                           double tol) {
  HYSEIS_REQUIRE(X.rows() == y.size() && static_cast<Eigen::Index>(group.size()) == y.size(),
                 core::InvalidInput, "fit_mixed_effects: X, y and group sizes differ");
  HYSEIS_REQUIRE(X.rows() > X.cols(), core::InvalidInput,
                 "fit_mixed_effects: " << X.rows() << " records for " << X.cols() << " coefficients");
  std::vector<int> counts(static_cast<std::size_t>(n_groups), 0);
  for (int g : group) {
    HYSEIS_REQUIRE(g >= 0 && g < n_groups, core::InvalidInput,
                   "fit_mixed_effects: group index " << g << " outside [0, " << n_groups << ")");
    ++counts[static_cast<std::size_t>(g)];
  }
  // Golden section on t = ln(lambda) in [-20, 8]; lambda = 0 (OLS) is the other candidate.
  const double gr = 0.5 * (std::sqrt(5.0) - 1.0);
  double a = -20.0, b = 8.0;
  double t1 = b - gr * (b - a), t2 = a + gr * (b - a);
  double f1 = evaluate(X, y, group, counts, std::exp(t1), reml).loglik;
  double f2 = evaluate(X, y, group, counts, std::exp(t2), reml).loglik;
  int it = 0;
  bool converged = false;
  for (; it < max_iter; ++it) {
    if (b - a < tol) { converged = true; break; }
    if (f1 > f2) {
      b = t2; t2 = t1; f2 = f1; t1 = b - gr * (b - a);
      f1 = evaluate(X, y, group, counts, std::exp(t1), reml).loglik;
    } else {
      a = t1; t1 = t2; f1 = f2; t2 = a + gr * (b - a);
      f2 = evaluate(X, y, group, counts, std::exp(t2), reml).loglik;
    }
  }
  double lambda = std::exp(0.5 * (a + b));
  Eval best = evaluate(X, y, group, counts, lambda, reml);
  const Eval zero = evaluate(X, y, group, counts, 0.0, reml);
  if (zero.loglik >= best.loglik) { best = zero; lambda = 0.0; }
  if (!std::isfinite(best.loglik))
    throw core::NumericalError("fit_mixed_effects: singular design (X^T V^-1 X not invertible)");

  MixedFit fit;
  fit.coef = best.beta;
  fit.coef_cov = best.phi2 * best.xtwx_inv;
  fit.phi = std::sqrt(best.phi2);
  fit.tau = std::sqrt(lambda * best.phi2);
  fit.sigma = std::hypot(fit.tau, fit.phi);
  fit.loglik = best.loglik;
  fit.iterations = it;
  fit.converged = converged;
  fit.event_index = group;
  fit.total_residuals = y - X * fit.coef;
  Eigen::VectorXd sr = Eigen::VectorXd::Zero(n_groups);
  for (Eigen::Index k = 0; k < y.size(); ++k) sr(group[k]) += fit.total_residuals(k);
  fit.event_terms.resize(n_groups);
  for (int i = 0; i < n_groups; ++i) fit.event_terms(i) = lambda / (1.0 + counts[i] * lambda) * sr(i);
  fit.within_residuals = fit.total_residuals;
  for (Eigen::Index k = 0; k < y.size(); ++k) fit.within_residuals(k) -= fit.event_terms(group[k]);
  return fit;
}

Eigen::MatrixXd linear_gmpe_design(const std::vector<GmRecord>& recs, double h, bool mechanism,
                                   std::vector<std::string>* names) {
  const Eigen::Index p = mechanism ? 9 : 7;
  Eigen::MatrixXd X(static_cast<Eigen::Index>(recs.size()), p);
  for (std::size_t k = 0; k < recs.size(); ++k) {
    const auto& r = recs[k];
    const double dm = r.mag - 6.0, R = std::sqrt(r.rjb * r.rjb + h * h);
    const Eigen::Index i = static_cast<Eigen::Index>(k);
    X(i, 0) = 1.0;
    X(i, 1) = dm;
    X(i, 2) = dm * dm;
    X(i, 3) = std::log(R);
    X(i, 4) = dm * std::log(R);
    X(i, 5) = R;
    X(i, 6) = std::log(r.vs30 / 760.0);
    if (mechanism) {
      X(i, 7) = is_normal(r.rake) ? 1.0 : 0.0;
      X(i, 8) = is_reverse(r.rake) ? 1.0 : 0.0;
    }
  }
  if (names) {
    *names = {"c0", "c1 (M-6)", "c2 (M-6)^2", "c3 lnR", "c4 (M-6)lnR", "c5 R", "c6 ln(Vs30/760)"};
    if (mechanism) { names->push_back("c7 F_N"); names->push_back("c8 F_R"); }
  }
  return X;
}

MixedFit fit_linear_gmpe(const std::vector<GmRecord>& recs, const LinearGmpeOptions& opt) {
  HYSEIS_REQUIRE(!recs.empty(), core::InvalidInput, "fit_linear_gmpe: no records");
  std::map<std::string, int> ids;
  std::vector<std::string> events;
  std::vector<int> group;
  Eigen::VectorXd y(static_cast<Eigen::Index>(recs.size()));
  for (std::size_t k = 0; k < recs.size(); ++k) {
    const auto& r = recs[k];
    HYSEIS_REQUIRE(r.rjb >= 0 && r.vs30 > 0 && std::isfinite(r.ln_y) && std::isfinite(r.mag),
                   core::InvalidInput, "fit_linear_gmpe: invalid record " << k);
    auto it = ids.find(r.event);
    if (it == ids.end()) {
      it = ids.emplace(r.event, static_cast<int>(events.size())).first;
      events.push_back(r.event);
    }
    group.push_back(it->second);
    y(static_cast<Eigen::Index>(k)) = r.ln_y;
  }
  HYSEIS_REQUIRE(opt.h > 0 || opt.search_h, core::InvalidInput, "fit_linear_gmpe: h must be > 0");
  std::vector<double> hs;
  if (opt.search_h) {
    HYSEIS_REQUIRE(opt.h_min > 0 && opt.h_max >= opt.h_min && opt.h_step > 0, core::InvalidInput,
                   "fit_linear_gmpe: invalid h search range");
    for (double h = opt.h_min; h <= opt.h_max + 1e-12; h += opt.h_step) hs.push_back(h);
  } else {
    hs.push_back(opt.h);
  }
  MixedFit best;
  best.loglik = -std::numeric_limits<double>::infinity();
  for (double h : hs) {
    std::vector<std::string> names;
    const Eigen::MatrixXd X = linear_gmpe_design(recs, h, opt.mechanism, &names);
    MixedFit f = fit_mixed_effects(X, y, group, static_cast<int>(events.size()), opt.reml,
                                   opt.max_iter, opt.tol);
    if (f.loglik > best.loglik) {
      best = std::move(f);
      best.h = h;
      best.coef_names = names;
    }
  }
  best.events = events;
  return best;
}

double linear_gmpe_ln_median(const MixedFit& fit, double mag, double rjb, double vs30, double rake,
                             bool mechanism) {
  HYSEIS_REQUIRE(rjb >= 0 && vs30 > 0, core::InvalidInput,
                 "linear_gmpe_ln_median: need rjb >= 0 and vs30 > 0");
  GmRecord r;
  r.mag = mag; r.rjb = rjb; r.vs30 = vs30; r.rake = rake;
  (void)mechanism;
  const bool mech = fit.coef.size() == 9;  // mechanism flags from rake when the fit has them
  const Eigen::MatrixXd X = linear_gmpe_design({r}, fit.h, mech);
  return (X.row(0).head(fit.coef.size()) * fit.coef)(0);
}

}  // namespace hyseis::learning::regression
