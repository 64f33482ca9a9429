// Multi-IMT flatfile reader, ML-GMPE features and residual decomposition (issue 7).
#include "hyseis/learning/regression/gm_dataset.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/data/csv.hpp"
#include "hyseis/learning/regression/mixed_gmpe.hpp"

namespace hyseis::learning::regression {

namespace {

bool is_missing(const std::string& s) {
  return s.empty() || s == "NA" || s == "NaN" || s == "nan" || s == "-999" || s == "-999.0";
}

double parse_number(const std::string& s, const std::string& file, std::size_t line, const std::string& col) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !std::isfinite(v))
    throw core::IoError(file + ":" + std::to_string(line) + ": column '" + col + "': expected a number, got '" + s + "'");
  return v;
}

}  // namespace

std::string flatfile_column_for_imt(const std::string& imt) {
  if (imt == "PGA" || imt == "PGV") return imt;
  if (imt.size() > 4 && imt.rfind("SA(", 0) == 0 && imt.back() == ')') {
    const std::string num = imt.substr(3, imt.size() - 4);
    char* end = nullptr;
    const double t = std::strtod(num.c_str(), &end);
    if (end != num.c_str() && *end == '\0' && t > 0 && std::isfinite(t)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "T%.3fS", t);
      return buf;
    }
  }
  throw core::InvalidInput("IMT '" + imt + "': expected PGA, PGV or SA(T) with T > 0 in seconds, e.g. SA(1.0)");
}

std::vector<double> GmFlatfile::event_magnitudes() const {
  std::vector<double> m(events.size(), std::nan(""));
  for (std::size_t k = 0; k < event_index.size(); ++k)
    if (std::isnan(m[event_index[k]])) m[event_index[k]] = predictors(Eigen::Index(k), kMag);
  return m;
}

GmFlatfile GmFlatfile::subset(const std::vector<int>& rows_in) const {
  GmFlatfile s;
  s.path = path;
  s.imts = imts;
  s.imt_columns = imt_columns;
  s.rows = rows_in.size();
  s.predictors.resize(Eigen::Index(rows_in.size()), predictors.cols());
  s.ln_y.resize(Eigen::Index(rows_in.size()), ln_y.cols());
  std::unordered_map<int, int> remap;
  for (std::size_t i = 0; i < rows_in.size(); ++i) {
    const int r = rows_in[i];
    if (r < 0 || std::size_t(r) >= size()) throw core::InvalidInput("GmFlatfile::subset: row " + std::to_string(r) + " out of range");
    s.predictors.row(Eigen::Index(i)) = predictors.row(r);
    s.ln_y.row(Eigen::Index(i)) = ln_y.row(r);
    s.record_id.push_back(record_id[std::size_t(r)]);
    const int g = event_index[std::size_t(r)];
    auto it = remap.find(g);
    if (it == remap.end()) {
      it = remap.emplace(g, int(s.events.size())).first;
      s.events.push_back(events[std::size_t(g)]);
    }
    s.event_index.push_back(it->second);
  }
  return s;
}

GmFlatfile read_gm_flatfile(const std::string& path, const std::vector<std::string>& imts) {
  if (imts.empty()) throw core::InvalidInput("read_gm_flatfile: give at least one IMT");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::IoError("cannot open flatfile '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  const data::CsvTable t = data::csv_parse(ss.str(), path);
  GmFlatfile f;
  f.path = path;
  f.imts = imts;
  for (const auto& i : imts) f.imt_columns.push_back(flatfile_column_for_imt(i));
  const std::vector<std::string> pred_cols{"M", "Rjb", "Rrup", "Ztor", "Vs30", "Rake", "Dip"};
  std::vector<std::string> required = pred_cols;
  required.push_back("EQID");
  for (const auto& c : f.imt_columns) required.push_back(c);
  for (const auto& c : required)
    if (t.column(c) < 0) throw core::IoError(path + ": required column '" + c + "' not found in the header");
  for (const auto& c : required) f.missing_by_column[c] = 0;
  const int rec_col = t.column("RecNum");
  f.rows = t.rows.size();
  std::vector<std::vector<double>> P, Y;
  std::unordered_map<std::string, int> ev;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const std::size_t line = i + 2;
    bool missing = false;
    std::string reason;
    for (const auto& c : required)
      if (is_missing(t.get(i, c))) {
        ++f.missing_by_column[c];
        if (!missing) reason = "line " + std::to_string(line) + ": missing " + c;
        missing = true;
      }
    if (missing) {
      ++f.excluded_missing;
      if (f.excluded_rows.size() < 50) f.excluded_rows.push_back(reason);
      continue;
    }
    std::vector<double> p;
    for (const auto& c : pred_cols) p.push_back(parse_number(t.get(i, c), path, line, c));
    std::vector<double> y;
    bool nonpos = !(p[kVs30] > 0) || p[kRjb] < 0 || p[kRrup] < 0;
    for (const auto& c : f.imt_columns) {
      const double v = parse_number(t.get(i, c), path, line, c);
      if (!(v > 0)) nonpos = true;
      y.push_back(v > 0 ? std::log(v) : 0.0);
    }
    if (nonpos) {
      ++f.excluded_nonpositive;
      if (f.excluded_rows.size() < 50)
        f.excluded_rows.push_back("line " + std::to_string(line) + ": IM or Vs30 <= 0 or negative distance");
      continue;
    }
    P.push_back(p);
    Y.push_back(y);
    f.record_id.push_back(rec_col >= 0 ? t.rows[i][std::size_t(rec_col)] : std::to_string(line));
    const std::string id = t.get(i, "EQID");
    auto it = ev.find(id);
    if (it == ev.end()) {
      it = ev.emplace(id, int(f.events.size())).first;
      f.events.push_back(id);
    }
    f.event_index.push_back(it->second);
  }
  if (P.empty()) throw core::IoError(path + ": no usable records after excluding rows with missing values");
  f.predictors.resize(Eigen::Index(P.size()), kNumPredictors);
  f.ln_y.resize(Eigen::Index(P.size()), Eigen::Index(imts.size()));
  for (std::size_t k = 0; k < P.size(); ++k) {
    for (int j = 0; j < kNumPredictors; ++j) f.predictors(Eigen::Index(k), j) = P[k][std::size_t(j)];
    for (std::size_t j = 0; j < imts.size(); ++j) f.ln_y(Eigen::Index(k), Eigen::Index(j)) = Y[k][j];
  }
  return f;
}

Eigen::RowVectorXd gm_feature_row(double mag, double rjb, double rrup, double ztor, double vs30, double rake,
                                  GmDistance distance) {
  const double r = distance == GmDistance::rjb ? rjb : rrup;
  Eigen::RowVectorXd x(kNumGmFeatures);
  x << mag, 0.5 * std::log(r * r + 36.0), ztor, std::log(vs30), (rake > -150.0 && rake < -30.0) ? 1.0 : 0.0,
      (rake > 30.0 && rake < 150.0) ? 1.0 : 0.0;
  return x;
}

Eigen::MatrixXd gm_features(const Eigen::MatrixXd& p, GmDistance distance) {
  if (p.cols() != kNumPredictors) throw core::InvalidInput("gm_features: predictors must have 7 columns");
  Eigen::MatrixXd X(p.rows(), kNumGmFeatures);
  for (Eigen::Index k = 0; k < p.rows(); ++k)
    X.row(k) = gm_feature_row(p(k, kMag), p(k, kRjb), p(k, kRrup), p(k, kZtor), p(k, kVs30), p(k, kRake), distance);
  return X;
}

std::vector<std::string> gm_feature_names() {
  return {"M", "ln_sqrt_R2_h2", "Ztor_km", "ln_Vs30", "F_normal", "F_reverse"};
}

ResidualDecomposition decompose_residuals(const Eigen::VectorXd& r, const std::vector<int>& event_index, int n_events) {
  if (std::size_t(r.size()) != event_index.size() || r.size() < 2)
    throw core::InvalidInput("decompose_residuals: need >= 2 residuals, one event index per residual");
  ResidualDecomposition d;
  d.mean = r.mean();
  d.rmse = std::sqrt(r.squaredNorm() / double(r.size()));
  const Eigen::MatrixXd X = Eigen::MatrixXd::Ones(r.size(), 1);
  const MixedFit fit = fit_mixed_effects(X, r, event_index, n_events, true);
  d.tau = fit.tau;
  d.phi = fit.phi;
  d.sigma = fit.sigma;
  d.event_terms = fit.event_terms.array() + fit.coef(0);
  d.within = fit.within_residuals;
  return d;
}

}  // namespace hyseis::learning::regression
