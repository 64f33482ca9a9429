// Scenario runner for `scenario.type: gmpe_compare` (scenarios/gmpe_compare.yaml).
#include "hyseis/hybrid/gmpe/scenario.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <map>
#include <numeric>
#include <random>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/hybrid/gmpe/pi_gmpe.hpp"
#include "hyseis/hybrid/gmpe/stress_drop.hpp"
#include "hyseis/hybrid/gmpe/trained.hpp"
#include "hyseis/learning/regression/gm_dataset.hpp"
#include "hyseis/learning/regression/mixed_gmpe.hpp"
#include "hyseis/learning/regression/nn_gmpe.hpp"
#include "hyseis/learning/regression/xgb_gmpe.hpp"

namespace hyseis::hybrid::gmpe {

namespace cfg = core::config;
namespace plot = core::plot;
namespace reg = learning::regression;
using core::json::Json;

namespace {

const std::vector<std::string> kAllModels{"linear", "bssa14", "nn", "xgboost", "hybrid"};

struct Spec {
  std::string name;
  std::string flatfile;
  std::vector<std::string> imts{"PGA", "PGV", "SA(0.2)", "SA(1.0)", "SA(3.0)"};
  double test_fraction = 0.2;
  std::uint64_t seed = 3;
  int folds = 5;
  double extrapolation_min_mag = 7.0;
  std::vector<std::string> models = kAllModels;
  reg::LinearGmpeOptions linear;
  reg::NnGmpeOptions nn;
  reg::XgbGmpeOptions xgb;
  PiGmpeOptions pi;
  StressDropOptions sd;
  bool figures = true;
  bool save_models = true;
};

std::string resolve_flatfile(const cfg::Node& data) {
  namespace fsys = std::filesystem;
  const std::string rel = "nga_flatfile_subsets/nga_west1_mainshocks_1231.csv";
  std::string path;
  if (data.has("flatfile")) {
    path = data.get<std::string>("flatfile");
    if (fsys::path(path).is_relative())
      path = (fsys::path(core::fs::validation_data_root(data.file())) / path).lexically_normal().string();
  } else {
    path = (fsys::path(core::fs::validation_data_root(data.file())) / rel).lexically_normal().string();
  }
  if (!fsys::exists(path))
    data.fail("flatfile '" + path + "' not found; relative paths are read from $HYSEIS_VALIDATION_DATA, else from "
              "<source>/../shared/validation (see ../shared/validation/nga_flatfile_subsets/PROVENANCE.md)");
  return path;
}

Spec parse(const cfg::Node& root) {
  root.require_map();
  root.allow_keys({"scenario", "data", "split", "models", "linear", "nn", "xgboost", "hybrid", "stress_drop", "output"});
  Spec s;
  const auto sc = root["scenario"];
  sc.allow_keys({"name", "type", "description"});
  s.name = sc.get<std::string>("name");
  sc["type"].choice({"gmpe_compare"});
  if (root.has("data")) {
    const auto d = root["data"];
    d.allow_keys({"flatfile", "imts"});
    s.flatfile = resolve_flatfile(d);
    if (d.has("imts")) {
      s.imts.clear();
      for (const auto& e : d["imts"].elements()) {
        const std::string im = e.as<std::string>();
        try {
          (void)reg::flatfile_column_for_imt(im);
        } catch (const core::InvalidInput& ex) {
          e.fail(ex.what());
        }
        s.imts.push_back(im);
      }
      if (s.imts.empty()) d["imts"].fail("give at least one IMT");
    }
  } else {
    s.flatfile = resolve_flatfile(root["scenario"]);
  }
  if (root.has("split")) {
    const auto p = root["split"];
    p.allow_keys({"test_fraction", "seed", "folds", "extrapolation_min_magnitude"});
    s.test_fraction = p.get("test_fraction", s.test_fraction, cfg::OpenRange(0, 1));
    s.seed = std::uint64_t(p.get_int("seed", int(s.seed), 0, 1 << 30));
    s.folds = p.get_int("folds", s.folds, 2, 50);
    s.extrapolation_min_mag = p.get("extrapolation_min_magnitude", s.extrapolation_min_mag, cfg::Range(3, 9));
  }
  if (root.has("models")) {
    s.models.clear();
    for (const auto& e : root["models"].elements()) s.models.push_back(e.choice(kAllModels));
    if (s.models.empty()) root["models"].fail("give at least one model");
  }
  if (root.has("linear")) {
    const auto l = root["linear"];
    l.allow_keys({"h", "search_h", "mechanism"});
    s.linear.h = l.get("h", s.linear.h, cfg::Positive());
    s.linear.search_h = l.get<bool>("search_h", s.linear.search_h);
    s.linear.mechanism = l.get<bool>("mechanism", s.linear.mechanism);
  } else {
    s.linear.search_h = true;
    s.linear.mechanism = true;
  }
  auto hidden = [](const cfg::Node& n, std::vector<std::int64_t>& h) {
    if (!n.has("hidden")) return;
    h.clear();
    for (const auto& e : n["hidden"].elements()) h.push_back(std::int64_t(e.as_number(cfg::Range(1, 4096))));
    if (h.empty()) n["hidden"].fail("give at least one hidden layer width");
  };
  if (root.has("nn")) {
    const auto n = root["nn"];
    n.allow_keys({"hidden", "activation", "epochs", "batch_size", "learning_rate", "weight_decay", "patience",
                  "validation_fraction", "seed"});
    hidden(n, s.nn.hidden);
    s.nn.activation = n.get_choice("activation", {"relu", "tanh", "gelu", "softplus", "silu"}, s.nn.activation);
    s.nn.epochs = n.get_int("epochs", s.nn.epochs, 1, 100000);
    s.nn.batch_size = n.get_int("batch_size", int(s.nn.batch_size), 1, 1 << 20);
    s.nn.learning_rate = n.get("learning_rate", s.nn.learning_rate, cfg::Positive());
    s.nn.weight_decay = n.get("weight_decay", s.nn.weight_decay, cfg::NonNegative());
    s.nn.patience = n.get_int("patience", s.nn.patience, 0, 100000);
    s.nn.validation_fraction = n.get("validation_fraction", s.nn.validation_fraction, cfg::OpenRange(0, 1));
    s.nn.seed = std::uint64_t(n.get_int("seed", int(s.nn.seed), 0, 1 << 30));
  }
  if (root.has("xgboost")) {
    const auto x = root["xgboost"];
    x.allow_keys({"rounds", "max_depth", "eta", "subsample", "colsample_bytree", "min_child_weight", "lambda",
                  "tree_method", "seed"});
    s.xgb.rounds = x.get_int("rounds", s.xgb.rounds, 1, 100000);
    s.xgb.max_depth = x.get_int("max_depth", s.xgb.max_depth, 1, 32);
    s.xgb.eta = x.get("eta", s.xgb.eta, cfg::Range(1e-6, 1));
    s.xgb.subsample = x.get("subsample", s.xgb.subsample, cfg::Range(1e-6, 1));
    s.xgb.colsample_bytree = x.get("colsample_bytree", s.xgb.colsample_bytree, cfg::Range(1e-6, 1));
    s.xgb.min_child_weight = x.get("min_child_weight", s.xgb.min_child_weight, cfg::NonNegative());
    s.xgb.lambda = x.get("lambda", s.xgb.lambda, cfg::NonNegative());
    s.xgb.tree_method = x.get_choice("tree_method", {"exact", "hist", "approx"}, s.xgb.tree_method);
    s.xgb.seed = std::uint64_t(x.get_int("seed", int(s.xgb.seed), 0, 1 << 30));
  }
  if (root.has("hybrid")) {
    const auto h = root["hybrid"];
    h.allow_keys({"baseline", "stress_drop", "kappa0", "hidden", "activation", "epochs", "batch_size",
                  "learning_rate", "weight_decay", "patience", "validation_fraction", "seed", "weight_distance",
                  "weight_magnitude", "m_saturation", "max_mag_slope", "collocation_points", "collocation_batch",
                  "augment_points", "augment_weight", "augment_m_min", "augment_m_max", "augment_r_max"});
    auto& o = s.pi;
    o.baseline.model = h.get_choice("baseline", {"bssa14", "stochastic"}, o.baseline.model);
    o.baseline.stress_drop = h.get("stress_drop", o.baseline.stress_drop, cfg::Positive());
    o.baseline.kappa0 = h.get("kappa0", o.baseline.kappa0, cfg::Positive());
    hidden(h, o.hidden);
    o.activation = h.get_choice("activation", {"tanh", "gelu", "softplus", "silu"}, o.activation);
    o.epochs = h.get_int("epochs", o.epochs, 1, 100000);
    o.batch_size = h.get_int("batch_size", int(o.batch_size), 1, 1 << 20);
    o.learning_rate = h.get("learning_rate", o.learning_rate, cfg::Positive());
    o.weight_decay = h.get("weight_decay", o.weight_decay, cfg::NonNegative());
    o.patience = h.get_int("patience", o.patience, 0, 100000);
    o.validation_fraction = h.get("validation_fraction", o.validation_fraction, cfg::OpenRange(0, 1));
    o.seed = std::uint64_t(h.get_int("seed", int(o.seed), 0, 1 << 30));
    o.weight_distance = h.get("weight_distance", o.weight_distance, cfg::NonNegative());
    o.weight_magnitude = h.get("weight_magnitude", o.weight_magnitude, cfg::NonNegative());
    o.m_saturation = h.get("m_saturation", o.m_saturation, cfg::Range(3, 9));
    o.max_mag_slope = h.get("max_mag_slope", o.max_mag_slope, cfg::Positive());
    o.collocation_points = h.get_int("collocation_points", o.collocation_points, 1, 1 << 20);
    o.collocation_batch = h.get_int("collocation_batch", o.collocation_batch, 1, 1 << 20);
    o.augment_points = h.get_int("augment_points", o.augment_points, 0, 1 << 20);
    o.augment_weight = h.get("augment_weight", o.augment_weight, cfg::NonNegative());
    o.augment_m_min = h.get("augment_m_min", o.augment_m_min, cfg::Range(3, 9));
    o.augment_m_max = h.get("augment_m_max", o.augment_m_max, cfg::Range(3, 9));
    o.augment_r_max = h.get("augment_r_max", o.augment_r_max, cfg::Positive());
    if (!(o.augment_m_max > o.augment_m_min)) h.fail("augment_m_max must be > augment_m_min");
    try {
      o.validate();
    } catch (const core::InvalidInput& e) {
      h.fail(e.what());
    }
  }
  if (root.has("stress_drop")) {
    const auto d = root["stress_drop"];
    d.allow_keys({"max_period", "min_records", "kappa0"});
    s.sd.max_period = d.get("max_period", s.sd.max_period, cfg::Positive());
    s.sd.min_records = d.get_int("min_records", s.sd.min_records, 1, 100000);
    s.sd.kappa0 = d.get("kappa0", s.sd.kappa0, cfg::Positive());
  }
  if (root.has("output")) {
    const auto o = root["output"];
    o.allow_keys({"figures", "save_models"});
    s.figures = o.get<bool>("figures", s.figures);
    s.save_models = o.get<bool>("save_models", s.save_models);
  }
  if (s.pi.baseline.model == "stochastic")
    for (const auto& im : s.imts)
      if (im == "PGV" && std::find(s.models.begin(), s.models.end(), "hybrid") != s.models.end())
        root["hybrid"]["baseline"].fail("the stochastic baseline has no PGV; remove PGV from data.imts or use bssa14");
  return s;
}

using Predictor = std::function<Eigen::MatrixXd(const Eigen::MatrixXd& predictors)>;

std::vector<reg::GmRecord> records(const reg::GmFlatfile& d, int imt) {
  std::vector<reg::GmRecord> r(d.size());
  for (std::size_t k = 0; k < d.size(); ++k) {
    const auto i = Eigen::Index(k);
    r[k].event = d.events[std::size_t(d.event_index[k])];
    r[k].mag = d.predictors(i, reg::kMag);
    r[k].rjb = d.predictors(i, reg::kRjb);
    r[k].vs30 = d.predictors(i, reg::kVs30);
    r[k].rake = d.predictors(i, reg::kRake);
    r[k].ln_y = d.ln_y(i, imt);
  }
  return r;
}

// Trains `model` on `train`; if save_dir is set, also writes the trained model there.
Predictor train(const std::string& model, const reg::GmFlatfile& train, const Spec& s, const std::string& save_dir = "",
                const std::vector<double>& tau = {}, const std::vector<double>& phi = {}) {
  TrainedManifest man;
  man.tau = tau;
  man.phi = phi;
  man.kind = model;
  man.imts = train.imts;
  man.range = TrainingRange::of(train);
  if (model == "bssa14") {
    BaselineOptions b;
    const auto imts = train.imts;
    return [b, imts](const Eigen::MatrixXd& P) { return baseline_ln_median(b, imts, P); };
  }
  if (model == "linear") {
    std::vector<reg::MixedFit> fits;
    for (Eigen::Index j = 0; j < train.ln_y.cols(); ++j) fits.push_back(reg::fit_linear_gmpe(records(train, int(j)), s.linear));
    if (!save_dir.empty()) {
      man.linear = fits;
      write_manifest(save_dir, model, man);
    }
    return [fits](const Eigen::MatrixXd& P) {
      Eigen::MatrixXd out(P.rows(), Eigen::Index(fits.size()));
      for (Eigen::Index k = 0; k < P.rows(); ++k)
        for (std::size_t j = 0; j < fits.size(); ++j)
          out(k, Eigen::Index(j)) = reg::linear_gmpe_ln_median(fits[j], P(k, reg::kMag), P(k, reg::kRjb),
                                                               P(k, reg::kVs30), P(k, reg::kRake), true);
      return out;
    };
  }
  if (model == "nn") {
    auto m = std::make_shared<reg::NnGmpe>(s.nn);
    m->fit(reg::gm_features(train.predictors), train.ln_y, train.event_index, train.n_events());
    if (!save_dir.empty()) {
      m->save(save_dir + "/nn");
      write_manifest(save_dir, model, man);
    }
    return [m](const Eigen::MatrixXd& P) { return m->predict(reg::gm_features(P)); };
  }
  if (model == "xgboost") {
    auto m = std::make_shared<reg::XgbGmpe>(s.xgb);
    m->fit(reg::gm_features(train.predictors), train.ln_y);
    if (!save_dir.empty()) {
      m->save(save_dir + "/xgboost");
      write_manifest(save_dir, model, man);
    }
    return [m](const Eigen::MatrixXd& P) { return m->predict(reg::gm_features(P)); };
  }
  auto m = std::make_shared<PiGmpe>(s.pi);
  m->fit(train);
  if (!save_dir.empty()) {
    m->save(save_dir + "/hybrid");
    write_manifest(save_dir, model, man);
  }
  return [m](const Eigen::MatrixXd& P) { return m->predict(P); };
}

struct Metrics {
  double rmse = 0, bias = 0, tau = 0, phi = 0, sigma = 0;
  std::vector<reg::ResidualDecomposition> per_imt;
};

Metrics metrics(const reg::GmFlatfile& test, const Eigen::MatrixXd& pred) {
  Metrics m;
  const Eigen::MatrixXd r = test.ln_y - pred;
  m.rmse = std::sqrt(r.squaredNorm() / double(r.size()));
  m.bias = r.mean();
  for (Eigen::Index j = 0; j < r.cols(); ++j) {
    m.per_imt.push_back(reg::decompose_residuals(r.col(j), test.event_index, test.n_events()));
    m.tau += m.per_imt.back().tau * m.per_imt.back().tau;
    m.phi += m.per_imt.back().phi * m.per_imt.back().phi;
  }
  m.tau = std::sqrt(m.tau / double(r.cols()));
  m.phi = std::sqrt(m.phi / double(r.cols()));
  m.sigma = std::sqrt(m.tau * m.tau + m.phi * m.phi);
  return m;
}

Json metrics_json(const Metrics& m, const std::vector<std::string>& imts) {
  Json j = {{"rmse_ln", m.rmse}, {"bias_ln", m.bias}, {"tau", m.tau}, {"phi", m.phi}, {"sigma", m.sigma}};
  Json per = Json::object();
  for (std::size_t k = 0; k < imts.size(); ++k)
    per[imts[k]] = {{"rmse_ln", m.per_imt[k].rmse}, {"bias_ln", m.per_imt[k].mean}, {"tau", m.per_imt[k].tau},
                    {"phi", m.per_imt[k].phi}, {"sigma", m.per_imt[k].sigma}};
  j["per_imt"] = per;
  return j;
}

std::vector<int> rows_where(const reg::GmFlatfile& d, const std::function<bool(std::size_t)>& f) {
  std::vector<int> r;
  for (std::size_t k = 0; k < d.size(); ++k)
    if (f(k)) r.push_back(int(k));
  return r;
}

std::array<unsigned char, 3> model_color(const std::string& m) {
  if (m == "linear") return {30, 100, 220};
  if (m == "bssa14") return {0, 0, 0};
  if (m == "nn") return {230, 140, 20};
  if (m == "xgboost") return {40, 160, 60};
  return {220, 40, 40};
}

// Binned mean residual (pooled over IMTs) against x, one line per model.
void residual_plot(const std::string& path, const std::string& title, const std::string& xlabel,
                   const std::vector<double>& x, bool log_bins, int nbins,
                   const std::map<std::string, Eigen::MatrixXd>& residuals, const std::vector<std::string>& models) {
  double lo = *std::min_element(x.begin(), x.end()), hi = *std::max_element(x.begin(), x.end());
  if (log_bins) {
    lo = std::log(std::max(lo, 0.1));
    hi = std::log(std::max(hi, 0.2));
  }
  plot::LinePlot lp;
  lp.title = title;
  lp.xlabel = xlabel;
  lp.ylabel = "mean residual ln(obs/pred), all IMTs";
  lp.log_x = log_bins;
  for (const auto& m : models) {
    const Eigen::MatrixXd& r = residuals.at(m);
    std::vector<double> sum(std::size_t(nbins), 0.0), cnt(std::size_t(nbins), 0.0), xs(std::size_t(nbins), 0.0);
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double v = log_bins ? std::log(std::max(x[k], 0.1)) : x[k];
      const int b = std::clamp(int((v - lo) / (hi - lo + 1e-12) * nbins), 0, nbins - 1);
      sum[std::size_t(b)] += r.row(Eigen::Index(k)).sum();
      cnt[std::size_t(b)] += double(r.cols());
      xs[std::size_t(b)] += double(r.cols()) * (log_bins ? std::exp(v) : v);
    }
    plot::Series s;
    s.label = m;
    s.color = model_color(m);
    for (int b = 0; b < nbins; ++b)
      if (cnt[std::size_t(b)] >= 10) {
        s.x.push_back(xs[std::size_t(b)] / cnt[std::size_t(b)]);
        s.y.push_back(sum[std::size_t(b)] / cnt[std::size_t(b)]);
      }
    if (s.x.size() >= 2) lp.series.push_back(s);
  }
  if (!lp.series.empty()) {
    plot::Series zero;
    zero.x = {lp.series[0].x.front(), lp.series[0].x.back()};
    zero.y = {0, 0};
    zero.dashed = true;
    zero.color = {120, 120, 120};
    lp.series.push_back(zero);
    plot::save_png(lp, path);
  }
}

std::string fmt(double v, int p = 3) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(p) << v;
  return os.str();
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = double(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

}  // namespace

void run_gmpe_compare_scenario(const cfg::Node& root, const std::string& out_dir) {
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  const Spec s = parse(root);
  const reg::GmFlatfile data = reg::read_gm_flatfile(s.flatfile, s.imts);
  spdlog::info("gmpe_compare: {} records of {} events ({} rows, {} excluded for missing values, {} non-positive)",
               data.size(), data.n_events(), data.rows, data.excluded_missing, data.excluded_nonpositive);
  const std::vector<double> ev_mag = data.event_magnitudes();
  const std::vector<std::string>& models = s.models;
  std::map<std::string, double> seconds;
  std::map<std::string, std::pair<std::vector<double>, std::vector<double>>> kfold_sigmas;
  auto timed_train = [&](const std::string& m, const reg::GmFlatfile& tr, const std::string& save = "") {
    const auto t0 = clock::now();
    Predictor p = save.empty() ? train(m, tr, s) : train(m, tr, s, save, kfold_sigmas[m].first, kfold_sigmas[m].second);
    seconds[m] += std::chrono::duration<double>(clock::now() - t0).count();
    return p;
  };

  Json summary;
  summary["scenario"] = s.name;
  summary["type"] = "gmpe_compare";
  summary["units"] = {{"residual", "natural log"}, {"PGA_SA", "g"}, {"PGV", "cm/s"}, {"distance", "km"},
                      {"vs30", "m/s"}, {"stress_drop", "bar"}};
  Json excl = Json::object();
  for (const auto& [c, n] : data.missing_by_column) excl[c] = n;
  summary["data"] = {{"flatfile", s.flatfile},
                     {"rows", data.rows},
                     {"records_used", data.size()},
                     {"events", data.n_events()},
                     {"excluded_missing", data.excluded_missing},
                     {"excluded_nonpositive", data.excluded_nonpositive},
                     {"exclusion_rule", "a row is excluded if EQID, M, Rjb, Rrup, Ztor, Vs30, Rake, Dip or any requested "
                                        "IM is missing (empty, NA, NaN, -999), or an IM or Vs30 is <= 0"},
                     {"missing_by_column", excl},
                     {"excluded_rows_first50", data.excluded_rows},
                     {"imts", s.imts},
                     {"magnitude_range", {data.predictors.col(reg::kMag).minCoeff(), data.predictors.col(reg::kMag).maxCoeff()}}};

  core::h5::Writer h5(out_dir + "/gmpe_compare.h5");
  h5.attribute("/", "scenario", s.name);
  h5.attribute("/", "units", "ln_y: ln(g) for PGA/SA, ln(cm/s) for PGV; distances km; Vs30 m/s; stress drop bar");
  h5.attribute("/", "config_yaml", YAML::Dump(root.yaml()));
  h5.write("data/predictors", {data.size(), std::size_t(reg::kNumPredictors)},
           Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>(data.predictors).data());
  h5.attribute("data/predictors", "columns", "M, Rjb, Rrup, Ztor, Vs30, Rake, Dip");
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> lny = data.ln_y;
  h5.write("data/ln_y", {data.size(), s.imts.size()}, lny.data());
  h5.write_strings("data/imts", s.imts);
  h5.write_strings("data/events", data.events);
  h5.write_strings("data/record_id", data.record_id);
  std::vector<double> evi(data.event_index.begin(), data.event_index.end());
  h5.write("data/event_index", evi);
  auto write_pred = [&](const std::string& name, const Eigen::MatrixXd& p) {
    const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rm = p;
    h5.write(name, {std::size_t(p.rows()), std::size_t(p.cols())}, rm.data());
  };

  std::ostringstream table;
  auto table_header = [&](const std::string& title) {
    table << title << "\n"
          << std::left << std::setw(10) << "model" << std::right << std::setw(10) << "RMSE" << std::setw(9) << "bias"
          << std::setw(9) << "tau" << std::setw(9) << "phi" << std::setw(9) << "sigma" << "\n";
  };
  auto table_row = [&](const std::string& m, const Metrics& x, const std::string& extra = "") {
    table << std::left << std::setw(10) << m << std::right << std::setw(10) << fmt(x.rmse) << std::setw(9)
          << fmt(x.bias) << std::setw(9) << fmt(x.tau) << std::setw(9) << fmt(x.phi) << std::setw(9) << fmt(x.sigma)
          << extra << "\n";
  };

  // 1. Hold-out split by event.
  std::vector<bool> test_ev(std::size_t(data.n_events()), false);
  {
    const std::vector<int> ev_idx = [&] {
      std::vector<int> v(std::size_t(data.n_events()));
      std::iota(v.begin(), v.end(), 0);
      return v;
    }();
    const std::vector<bool> m = reg::split_events(ev_idx, data.n_events(), s.test_fraction, s.seed);
    for (std::size_t i = 0; i < m.size(); ++i) test_ev[i] = m[i];
  }
  const auto hold_train = data.subset(rows_where(data, [&](std::size_t k) { return !test_ev[std::size_t(data.event_index[k])]; }));
  const auto hold_test = data.subset(rows_where(data, [&](std::size_t k) { return test_ev[std::size_t(data.event_index[k])]; }));
  spdlog::info("gmpe_compare: hold-out split: {} training events ({} records), {} test events ({} records)",
               hold_train.n_events(), hold_train.size(), hold_test.n_events(), hold_test.size());
  table_header("Hold-out split by event: " + std::to_string(hold_test.n_events()) + " test events, " +
               std::to_string(hold_test.size()) + " records (ln units, all IMTs)");
  Json holdout = Json::object();
  for (const auto& m : models) {
    const Predictor p = timed_train(m, hold_train);
    const Eigen::MatrixXd pred = p(hold_test.predictors);
    const Metrics x = metrics(hold_test, pred);
    holdout[m] = metrics_json(x, s.imts);
    table_row(m, x);
    spdlog::info("gmpe_compare: hold-out {:8s} RMSE {:.3f}", m, x.rmse);
  }

  // 2. k-fold by event: out-of-fold predictions for every record.
  std::vector<int> fold_of_event(std::size_t(data.n_events()));
  {
    std::vector<int> order(static_cast<std::size_t>(data.n_events()));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(s.seed + 1000);
    std::shuffle(order.begin(), order.end(), rng);
    for (std::size_t i = 0; i < order.size(); ++i) fold_of_event[std::size_t(order[i])] = int(i % std::size_t(s.folds));
  }
  std::map<std::string, Eigen::MatrixXd> oof;
  std::map<std::string, std::vector<double>> fold_rmse;
  for (const auto& m : models) oof[m] = Eigen::MatrixXd::Zero(data.ln_y.rows(), data.ln_y.cols());
  for (int f = 0; f < s.folds; ++f) {
    const auto in_fold = [&](std::size_t k) { return fold_of_event[std::size_t(data.event_index[k])] == f; };
    const std::vector<int> te_rows = rows_where(data, in_fold);
    const auto tr = data.subset(rows_where(data, [&](std::size_t k) { return !in_fold(k); }));
    const auto te = data.subset(te_rows);
    for (const auto& m : models) {
      const Eigen::MatrixXd pred = timed_train(m, tr)(te.predictors);
      for (std::size_t i = 0; i < te_rows.size(); ++i) oof[m].row(te_rows[i]) = pred.row(Eigen::Index(i));
      const Eigen::MatrixXd r = te.ln_y - pred;
      fold_rmse[m].push_back(std::sqrt(r.squaredNorm() / double(r.size())));
    }
    spdlog::info("gmpe_compare: fold {}/{} done", f + 1, s.folds);
  }
  table << "\n";
  table_header(std::to_string(s.folds) + "-fold cross-validation by event, out-of-fold (fold RMSE mean +- std)");
  Json kfold = Json::object();
  std::map<std::string, Eigen::MatrixXd> oof_res;
  for (const auto& m : models) {
    const Metrics x = metrics(data, oof[m]);
    for (const auto& d : x.per_imt) {
      kfold_sigmas[m].first.push_back(d.tau);
      kfold_sigmas[m].second.push_back(d.phi);
    }
    const auto& fr = fold_rmse[m];
    const double mu = std::accumulate(fr.begin(), fr.end(), 0.0) / double(fr.size());
    double var = 0;
    for (double v : fr) var += (v - mu) * (v - mu);
    const double sd = std::sqrt(var / double(std::max<std::size_t>(1, fr.size() - 1)));
    Json j = metrics_json(x, s.imts);
    j["fold_rmse"] = fr;
    j["fold_rmse_mean"] = mu;
    j["fold_rmse_std"] = sd;
    kfold[m] = j;
    table_row(m, x, "   folds " + fmt(mu) + " +- " + fmt(sd));
    write_pred("kfold/" + m + "/ln_pred", oof[m]);
    oof_res[m] = data.ln_y - oof[m];
  }

  // 3. Extrapolation: hold out the largest-magnitude events.
  const auto large = [&](std::size_t k) { return data.predictors(Eigen::Index(k), reg::kMag) >= s.extrapolation_min_mag; };
  const std::vector<int> ex_rows = rows_where(data, large);
  Json extrap = Json::object();
  std::string best_extrap;
  double best_extrap_rmse = 1e300;
  std::map<std::string, Eigen::MatrixXd> ex_res;
  reg::GmFlatfile ex_test;
  if (ex_rows.empty() || ex_rows.size() == data.size()) {
    summary["extrapolation"] = {{"skipped", "no events on one side of M = " + fmt(s.extrapolation_min_mag, 2)}};
  } else {
    const auto ex_train = data.subset(rows_where(data, [&](std::size_t k) { return !large(k); }));
    ex_test = data.subset(ex_rows);
    table << "\n";
    table_header("Extrapolation: trained on M < " + fmt(s.extrapolation_min_mag, 2) + " (" +
                 std::to_string(ex_train.n_events()) + " events), tested on M >= " + fmt(s.extrapolation_min_mag, 2) +
                 " (" + std::to_string(ex_test.n_events()) + " events, " + std::to_string(ex_test.size()) + " records)");
    for (const auto& m : models) {
      const Eigen::MatrixXd pred = timed_train(m, ex_train)(ex_test.predictors);
      const Metrics x = metrics(ex_test, pred);
      Json j = metrics_json(x, s.imts);
      // Per held-out event RMSE.
      Json per_ev = Json::object();
      for (int e = 0; e < ex_test.n_events(); ++e) {
        double ss = 0;
        int n = 0;
        for (std::size_t k = 0; k < ex_test.size(); ++k)
          if (ex_test.event_index[k] == e) {
            ss += (ex_test.ln_y.row(Eigen::Index(k)) - pred.row(Eigen::Index(k))).squaredNorm();
            n += int(pred.cols());
          }
        per_ev[ex_test.events[std::size_t(e)]] = std::sqrt(ss / n);
      }
      j["rmse_per_event"] = per_ev;
      extrap[m] = j;
      table_row(m, x);
      write_pred("extrapolation/" + m + "/ln_pred", pred);
      ex_res[m] = ex_test.ln_y - pred;
      if (x.rmse < best_extrap_rmse) {
        best_extrap_rmse = x.rmse;
        best_extrap = m;
      }
    }
    std::vector<double> exr(ex_rows.begin(), ex_rows.end());
    h5.write("extrapolation/rows", exr);
    summary["extrapolation_min_magnitude"] = s.extrapolation_min_mag;
    summary["extrapolation"] = extrap;
    summary["extrapolation_best_model"] = best_extrap;
    if (std::find(models.begin(), models.end(), "hybrid") != models.end())
      summary["hybrid_lowest_extrapolation_error"] = best_extrap == "hybrid";
  }
  summary["holdout"] = holdout;
  summary["holdout_events"] = {{"train", hold_train.n_events()}, {"test", hold_test.n_events()},
                               {"test_records", hold_test.size()}};
  summary["kfold"] = kfold;
  summary["folds"] = s.folds;

  // 4. Final models on all records (saved for `hyseis gmpe`), hybrid constraint check.
  if (s.save_models) {
    const std::string dir = out_dir + "/models";
    std::filesystem::create_directories(dir);
    Json saved = Json::array();
    for (const auto& m : models) {
      if (m == "bssa14") continue;
      (void)timed_train(m, data, dir);
      saved.push_back("models/" + m + ".gmpe.json");
    }
    summary["saved_models"] = saved;
  }
  if (std::find(models.begin(), models.end(), "hybrid") != models.end()) {
    PiGmpe pi(s.pi);
    const auto fr = pi.fit(data);
    const ConstraintReport c = pi.check_constraints(5.0, 8.0, 31, 0.5, 300.0, 30, {300.0, 760.0}, 1e-3);
    summary["hybrid_constraints"] = {
        {"grid", "M 5-8 (31) x Rjb 0.5-300 km (30, log) x Vs30 {300, 760} x {strike-slip, reverse} x IMTs"},
        {"points", c.points},
        {"max_dlnY_dlnRjb", c.max_dlny_dlnr},
        {"fraction_distance_violations_gt_1e-3", c.fraction_distance_violations},
        {"max_d2lnY_dM2_above_m_saturation", c.max_d2lny_dm2},
        {"fraction_curvature_violations_gt_1e-3", c.fraction_magnitude_violations},
        {"dlnY_dM_range", {c.min_dlny_dm, c.max_dlny_dm}},
        {"baseline_max_dlnY_dlnRjb", c.baseline_max_dlny_dlnr},
        {"baseline_max_d2lnY_dM2_above_m_saturation", c.baseline_max_d2lny_dm2},
        {"final_distance_penalty", fr.final_distance_penalty},
        {"final_magnitude_penalty", fr.final_magnitude_penalty},
        {"m_saturation", s.pi.m_saturation}};
    summary["hybrid_baseline"] = s.pi.baseline.model;
    if (s.figures && !fr.train_loss.empty()) {
      plot::LinePlot lp;
      lp.title = "hybrid GMPE training (all records): total loss and validation MSE";
      lp.xlabel = "epoch";
      lp.ylabel = "loss (ln units^2)";
      lp.log_y = true;
      plot::Series a, b;
      for (std::size_t e = 0; e < fr.train_loss.size(); ++e) {
        a.x.push_back(double(e + 1));
        a.y.push_back(fr.train_loss[e]);
        b.x.push_back(double(e + 1));
        b.y.push_back(fr.val_loss[e]);
      }
      a.label = "train (data + augmentation + penalties)";
      a.color = {220, 40, 40};
      b.label = "validation events (data MSE)";
      b.color = {30, 100, 220};
      lp.series = {a, b};
      plot::save_png(lp, out_dir + "/hybrid_training.png");
    }
  }

  // 5. Event terms vs stress drop (Trugman & Shearer 2018).
  {
    const StressDropFit sd = fit_event_stress_drops(data, s.sd);
    Json j;
    j["imts_used"] = sd.imts_used;
    j["method"] = "per event: ln(dsigma) minimising sum (ln obs - F_site - ln Y_stoch(M, R; dsigma))^2 over its "
                  "records and the IMTs with T <= max_period (Gauss-Newton, analytic d lnY/d dsigma), "
                  "F_site = BSSA14(Vs30) - BSSA14(620 m/s); R = sqrt(Rjb^2 + h(M)^2)";
    if (sd.imts_used.empty()) {
      j["skipped"] = "no PGA or SA(T <= max_period) among the IMTs";
    } else {
      // Event terms: BSSA14 as published, mean over the IMTs used for the stress drops.
      std::vector<int> cols;
      for (const auto& im : sd.imts_used)
        cols.push_back(int(std::find(s.imts.begin(), s.imts.end(), im) - s.imts.begin()));
      const Eigen::MatrixXd base = baseline_ln_median(BaselineOptions{}, s.imts, data.predictors);
      Eigen::VectorXd et = Eigen::VectorXd::Zero(data.n_events());
      for (int c : cols) et += reg::decompose_residuals(data.ln_y.col(c) - base.col(c), data.event_index, data.n_events()).event_terms;
      et /= double(cols.size());
      std::vector<double> x, y, mags;
      std::vector<std::string> ids;
      for (int e = 0; e < data.n_events(); ++e)
        if (sd.fitted[std::size_t(e)]) {
          x.push_back(std::log(sd.stress_drop_bar[std::size_t(e)]));
          y.push_back(et(e));
          mags.push_back(ev_mag[std::size_t(e)]);
          ids.push_back(data.events[std::size_t(e)]);
        }
      const double r = x.size() >= 3 ? pearson(x, y) : std::nan("");
      std::vector<double> sdv;
      for (double v : x) sdv.push_back(std::exp(v));
      const double med = [&] {
        std::vector<double> t = sdv;
        std::nth_element(t.begin(), t.begin() + long(t.size() / 2), t.end());
        return t.empty() ? std::nan("") : t[t.size() / 2];
      }();
      j["events_fitted"] = x.size();
      j["median_stress_drop_bar"] = med;
      j["pearson_event_term_vs_ln_stress_drop"] = r;
      j["event_terms_from"] = "BSSA14 as published, mean over imts_used";
      j["stress_drop_vs_magnitude_pearson"] = x.size() >= 3 ? pearson(x, mags) : std::nan("");
      h5.write_strings("stress_drop/events", ids);
      h5.write("stress_drop/ln_stress_drop_bar", x);
      h5.write("stress_drop/event_term", y);
      h5.write("stress_drop/magnitude", mags);
      if (s.figures && x.size() >= 3) {
        plot::LinePlot lp;
        lp.title = "BSSA14 event terms vs stochastic-model stress drop (r = " + fmt(r, 2) + ", " +
                   std::to_string(x.size()) + " events)";
        lp.xlabel = "stress drop (bar)";
        lp.ylabel = "event term (ln units)";
        lp.log_x = true;
        const double dx = 0.04, dy = 0.03;
        for (std::size_t i = 0; i < x.size(); ++i) {
          plot::Series h, v;
          h.x = {std::exp(x[i] - dx), std::exp(x[i] + dx)};
          h.y = {y[i], y[i]};
          v.x = {std::exp(x[i]), std::exp(x[i])};
          v.y = {y[i] - dy, y[i] + dy};
          h.color = v.color = {30, 100, 220};
          lp.series.push_back(h);
          lp.series.push_back(v);
        }
        // Least-squares line.
        const double mx = std::accumulate(x.begin(), x.end(), 0.0) / double(x.size());
        const double my = std::accumulate(y.begin(), y.end(), 0.0) / double(y.size());
        double sxy = 0, sxx = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
          sxy += (x[i] - mx) * (y[i] - my);
          sxx += (x[i] - mx) * (x[i] - mx);
        }
        const double b = sxy / sxx;
        const double x0 = *std::min_element(x.begin(), x.end()), x1 = *std::max_element(x.begin(), x.end());
        plot::Series fit;
        fit.label = "least squares: slope " + fmt(b, 2) + " per ln(bar)";
        fit.color = {220, 40, 40};
        fit.x = {std::exp(x0), std::exp(x1)};
        fit.y = {my + b * (x0 - mx), my + b * (x1 - mx)};
        lp.series.push_back(fit);
        plot::save_png(lp, out_dir + "/event_terms_vs_stress_drop.png");
        j["slope_event_term_per_ln_stress_drop"] = b;
      }
    }
    summary["stress_drop"] = j;
  }

  // 6. Residual plots (out-of-fold residuals, pooled over IMTs).
  if (s.figures) {
    std::vector<double> mag(data.size()), rjb(data.size()), vs30(data.size());
    for (std::size_t k = 0; k < data.size(); ++k) {
      mag[k] = data.predictors(Eigen::Index(k), reg::kMag);
      rjb[k] = std::max(0.1, data.predictors(Eigen::Index(k), reg::kRjb));
      vs30[k] = data.predictors(Eigen::Index(k), reg::kVs30);
    }
    residual_plot(out_dir + "/residuals_vs_magnitude.png", "out-of-fold residuals vs magnitude (" +
                  std::to_string(s.folds) + "-fold by event)", "M", mag, false, 12, oof_res, models);
    residual_plot(out_dir + "/residuals_vs_distance.png", "out-of-fold residuals vs Rjb", "Rjb (km)", rjb, true, 12,
                  oof_res, models);
    residual_plot(out_dir + "/residuals_vs_vs30.png", "out-of-fold residuals vs Vs30", "Vs30 (m/s)", vs30, true, 10,
                  oof_res, models);
    if (!ex_res.empty()) {
      std::vector<double> r2(ex_test.size());
      for (std::size_t k = 0; k < ex_test.size(); ++k) r2[k] = std::max(0.1, ex_test.predictors(Eigen::Index(k), reg::kRjb));
      residual_plot(out_dir + "/extrapolation_residuals_vs_distance.png",
                    "extrapolation: residuals of the M >= " + fmt(s.extrapolation_min_mag, 2) + " events vs Rjb",
                    "Rjb (km)", r2, true, 10, ex_res, models);
    }
  }

  h5.commit();
  Json secs = Json::object();
  for (const auto& [m, t] : seconds) secs[m] = t;
  summary["training_seconds_total"] = secs;
  summary["runtime_s"] = std::chrono::duration<double>(clock::now() - t_start).count();
  core::json::write_atomic(out_dir + "/summary.json", summary);
  core::fs::write_text_atomic(out_dir + "/gmpe_table.txt", table.str());
  spdlog::info("gmpe_compare:\n{}", table.str());
}

}  // namespace hyseis::hybrid::gmpe
