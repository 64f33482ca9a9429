// Scenario runner for `scenario.type: eew_network` (scenarios/eew_network.yaml).
#include "hyseis/hybrid/eew/scenario.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/hybrid/eew/network.hpp"
#include "hyseis/hybrid/eew/synthetic_records.hpp"
#include "hyseis/learning/eew/classifier.hpp"

namespace hyseis::hybrid::eew {

namespace cfg = core::config;
namespace plot = core::plot;
using core::json::Json;

namespace {

struct City {
  double x = 0, y = 0, sigma = 10, fraction = 0;
};

struct Spec {
  std::string name;
  std::string data_file;
  le::DatasetOptions data;
  le::AnnOptions ann;
  int val_windows_per_activity = 300, test_windows_per_activity = 300;
  std::uint64_t data_seed = 11;
  std::string training = "ncedc";  ///< which ANN the phones run: "ncedc" or "synthetic" (stochastic records)
  SyntheticRecordOptions synth;        ///< training records (count); validation / test use synth_val / synth_test
  int synth_val = 100, synth_test = 100, synth_windows_per_record = 5;
  int phones = 1000;
  int stations = 20;                 ///< seismic stations on a jittered grid over the region
  std::uint64_t station_seed = 9;
  double region_km = 100;
  std::vector<City> cities;
  double busy_fraction = 0.1;
  std::uint64_t network_seed = 7;
  NetworkModel model;
  ServerOptions server;
  std::vector<EventSpec> events;
  std::vector<TargetSite> targets;
  double duration = 60, step = 0.5, pre_event = 60;
  double replay_hours = 24;
  bool figures = true;
};

std::string resolve_data_file(const cfg::Node& root) {
  namespace fsys = std::filesystem;
  std::string dir;
  const bool given = root.has("data") && root["data"].has("dir");
  if (given) {
    dir = root["data"].get<std::string>("dir");
    if (fsys::path(dir).is_relative()) dir = (fsys::path(root.file()).parent_path() / dir).lexically_normal().string();
  } else {
    dir = core::fs::validation_data_root(root.file()) + "/phasenet_ncedc_picks";
  }
  const std::string f = dir + "/phasenet_ncedc_154.h5";
  if (!fsys::exists(f)) {
    if (given) root["data"]["dir"].fail("NCEDC data file '" + f + "' not found");
    root.fail("NCEDC data file '" + f + "' not found; set data.dir or HYSEIS_VALIDATION_DATA");
  }
  return f;
}

Spec parse(const cfg::Node& root) {
  root.require_map();
  root.allow_keys({"scenario", "data", "classifier", "network", "stations", "model", "server", "events", "targets", "time",
                   "noise_replay", "output"});
  Spec s;
  const auto sc = root["scenario"];
  sc.allow_keys({"name", "type", "description"});
  s.name = sc.get<std::string>("name");
  sc["type"].choice({"eew_network"});
  if (root.has("data")) root["data"].allow_keys({"dir"});
  s.data_file = resolve_data_file(root);
  if (root.has("classifier")) {
    const auto c = root["classifier"];
    c.allow_keys({"hidden", "activation", "epochs", "patience", "batch_size", "learning_rate", "weight_decay", "seed",
                  "eq_windows_per_record", "windows_per_activity", "val_windows_per_activity",
                  "test_windows_per_activity", "threshold", "data_seed", "training", "synthetic"});
    s.training = c.get_choice("training", {"synthetic", "ncedc"}, s.training);
    if (c.has("synthetic")) {
      const auto y = c["synthetic"];
      y.allow_keys({"train_records", "val_records", "test_records", "windows_per_record", "mag_min", "mag_max", "r_min_km",
                    "r_max_km", "p_ratio"});
      s.synth.count = y.get_int("train_records", s.synth.count, 1, 100000);
      s.synth_val = y.get_int("val_records", s.synth_val, 1, 100000);
      s.synth_test = y.get_int("test_records", s.synth_test, 1, 100000);
      s.synth_windows_per_record = y.get_int("windows_per_record", s.synth_windows_per_record, 1, 10000);
      s.synth.mag_min = y.get("mag_min", s.synth.mag_min, cfg::Range(2, 8.5));
      s.synth.mag_max = y.get("mag_max", s.synth.mag_max, cfg::Range(s.synth.mag_min, 8.5));
      s.synth.r_min_km = y.get("r_min_km", s.synth.r_min_km, cfg::Positive());
      s.synth.r_max_km = y.get("r_max_km", s.synth.r_max_km, cfg::Range(s.synth.r_min_km, 1000));
      s.synth.p_ratio = y.get("p_ratio", s.synth.p_ratio, cfg::NonNegative());
    }
    if (c.has("hidden")) {
      s.ann.hidden.clear();
      for (const auto& e : c["hidden"].elements()) s.ann.hidden.push_back(e.as<int>());
      if (s.ann.hidden.empty()) c["hidden"].fail("give at least one hidden layer width");
      for (auto h : s.ann.hidden)
        if (h < 1 || h > 4096) c["hidden"].fail("widths must be in [1, 4096]");
    }
    s.ann.activation = c.get_choice("activation", {"relu", "tanh", "gelu", "softplus", "silu"}, s.ann.activation);
    s.ann.epochs = c.get_int("epochs", s.ann.epochs, 1, 100000);
    s.ann.patience = c.get_int("patience", s.ann.patience, 0, 100000);
    s.ann.batch_size = c.get_int("batch_size", int(s.ann.batch_size), 1, 1 << 20);
    s.ann.learning_rate = c.get("learning_rate", s.ann.learning_rate, cfg::Positive());
    s.ann.weight_decay = c.get("weight_decay", s.ann.weight_decay, cfg::NonNegative());
    s.ann.seed = std::uint64_t(c.get_int("seed", int(s.ann.seed), 0, 1 << 30));
    s.data.eq_windows_per_record = c.get_int("eq_windows_per_record", s.data.eq_windows_per_record, 1, 10000);
    s.data.windows_per_activity = c.get_int("windows_per_activity", s.data.windows_per_activity, 1, 1000000);
    s.val_windows_per_activity = c.get_int("val_windows_per_activity", s.val_windows_per_activity, 1, 1000000);
    s.test_windows_per_activity = c.get_int("test_windows_per_activity", s.test_windows_per_activity, 1, 1000000);
    s.model.threshold = c.get("threshold", s.model.threshold, cfg::OpenRange(0, 1));
    s.data_seed = std::uint64_t(c.get_int("data_seed", int(s.data_seed), 0, 1 << 30));
  }
  if (root.has("network")) {
    const auto n = root["network"];
    n.allow_keys({"phones", "region_km", "cities", "busy_fraction", "seed"});
    s.phones = n.get_int("phones", s.phones, 10, 1000000);
    s.region_km = n.get("region_km", s.region_km, cfg::Positive());
    s.busy_fraction = n.get("busy_fraction", s.busy_fraction, cfg::Range(0, 1));
    s.network_seed = std::uint64_t(n.get_int("seed", int(s.network_seed), 0, 1 << 30));
    if (n.has("cities")) {
      double tot = 0;
      for (const auto& e : n["cities"].elements()) {
        e.allow_keys({"x", "y", "sigma_km", "fraction"});
        City c;
        c.x = e.get<double>("x");
        c.y = e.get<double>("y");
        c.sigma = e.get("sigma_km", cfg::Positive());
        c.fraction = e.get("fraction", cfg::Range(0, 1));
        tot += c.fraction;
        s.cities.push_back(c);
      }
      if (tot > 1 + 1e-12) n["cities"].fail("city fractions must sum to <= 1 (the rest is spread uniformly)");
    }
  }
  if (root.has("stations")) {
    const auto st = root["stations"];
    st.allow_keys({"count", "seed", "noise_m_s2", "sta_s", "lta_s", "sta_lta_on", "sta_lta_off", "latency_s",
                   "false_triggers_per_h"});
    s.stations = st.get_int("count", s.stations, 0, 100000);
    s.station_seed = std::uint64_t(st.get_int("seed", int(s.station_seed), 0, 1 << 30));
    s.model.station_noise = st.get("noise_m_s2", s.model.station_noise, cfg::Positive());
    s.model.sta_s = st.get("sta_s", s.model.sta_s, cfg::Positive());
    s.model.lta_s = st.get("lta_s", s.model.lta_s, cfg::Greater(s.model.sta_s));
    s.model.sta_lta_on = st.get("sta_lta_on", s.model.sta_lta_on, cfg::Greater(1.0));
    s.model.sta_lta_off = st.get("sta_lta_off", s.model.sta_lta_off, cfg::OpenRange(0, s.model.sta_lta_on));
    s.model.station_latency = st.get("latency_s", s.model.station_latency, cfg::NonNegative());
    s.model.station_false_rate_per_h = st.get("false_triggers_per_h", s.model.station_false_rate_per_h, cfg::NonNegative());
  }
  if (root.has("model")) {
    const auto m = root["model"];
    m.allow_keys({"layer_tops_km", "vp_km_s", "vp_vs", "vs30", "p_to_s_ratio", "trigger_level", "trigger_delay_max",
                  "clock_sigma", "latency_mean", "latency_jitter", "pd_sigma", "busy_rate_per_h", "quiet_rate_per_h"});
    if (m.has("layer_tops_km")) s.model.velocity.top = m["layer_tops_km"].as<std::vector<double>>();
    if (m.has("vp_km_s")) s.model.velocity.vp = m["vp_km_s"].as<std::vector<double>>();
    try {
      s.model.velocity.validate();
    } catch (const core::InvalidInput& e) {
      m.fail(std::string("layer_tops_km / vp_km_s: ") + e.what());
    }
    s.model.vp_vs = m.get("vp_vs", s.model.vp_vs, cfg::Greater(1.0));
    s.model.vs30 = m.get("vs30", s.model.vs30, cfg::Range(100, 2000));
    s.model.p_to_s_ratio = m.get("p_to_s_ratio", s.model.p_to_s_ratio, cfg::OpenRange(0, 1));
    s.model.trigger_level = m.get("trigger_level", s.model.trigger_level, cfg::Positive());
    s.model.trigger_delay_max = m.get("trigger_delay_max", s.model.trigger_delay_max, cfg::NonNegative());
    s.model.clock_sigma = m.get("clock_sigma", s.model.clock_sigma, cfg::NonNegative());
    s.model.latency_mean = m.get("latency_mean", s.model.latency_mean, cfg::NonNegative());
    s.model.latency_jitter = m.get("latency_jitter", s.model.latency_jitter, cfg::Range(0, s.model.latency_mean));
    s.model.pd_sigma = m.get("pd_sigma", s.model.pd_sigma, cfg::NonNegative());
    s.model.busy_rate_per_h = m.get("busy_rate_per_h", s.model.busy_rate_per_h, cfg::NonNegative());
    s.model.quiet_rate_per_h = m.get("quiet_rate_per_h", s.model.quiet_rate_per_h, cfg::NonNegative());
  }
  if (root.has("server")) {
    const auto v = root["server"];
    v.allow_keys({"eps_km", "time_scale_km_s", "min_pts", "confirm_radius_km", "min_count", "min_fraction", "memory_s",
                  "loc_half_width_km", "loc_dx_km", "loc_depths_km", "loc_penalty", "loc_max_stations", "pd_p_residual_s"});
    auto& o = s.server;
    o.eps_km = v.get("eps_km", o.eps_km, cfg::Positive());
    o.time_scale = v.get("time_scale_km_s", o.time_scale, cfg::NonNegative());
    o.min_pts = v.get_int("min_pts", o.min_pts, 1, 100000);
    o.confirm_radius_km = v.get("confirm_radius_km", o.confirm_radius_km, cfg::Positive());
    o.min_count = v.get_int("min_count", o.min_count, 1, 100000);
    o.min_fraction = v.get("min_fraction", o.min_fraction, cfg::Range(0, 1));
    o.memory_s = v.get("memory_s", o.memory_s, cfg::Positive());
    o.loc_half_width_km = v.get("loc_half_width_km", o.loc_half_width_km, cfg::Positive());
    o.loc_dx_km = v.get("loc_dx_km", o.loc_dx_km, cfg::Positive());
    if (v.has("loc_depths_km")) {
      o.loc_depths = v["loc_depths_km"].as<std::vector<double>>();
      bool ok = !o.loc_depths.empty() && o.loc_depths.front() >= 0;
      for (std::size_t k = 2; k < o.loc_depths.size(); ++k)
        ok = ok && std::abs((o.loc_depths[k] - o.loc_depths[k - 1]) - (o.loc_depths[1] - o.loc_depths[0])) < 1e-9;
      if (o.loc_depths.size() > 1) ok = ok && o.loc_depths[1] > o.loc_depths[0];
      if (!ok) v["loc_depths_km"].fail("must be a non-empty, equally spaced, increasing list of depths >= 0");
    }
    o.loc_penalty = v.get("loc_penalty", o.loc_penalty, cfg::NonNegative());
    o.loc_max_stations = v.get_int("loc_max_stations", o.loc_max_stations, 2, 1000000);
    o.pd_p_residual_s = v.get("pd_p_residual_s", o.pd_p_residual_s, cfg::Positive());
  }
  const auto ev = root["events"];
  for (const auto& e : ev.elements()) {
    e.allow_keys({"name", "x", "y", "depth_km", "mag"});
    EventSpec x;
    x.name = e.get<std::string>("name");
    x.x = e.get<double>("x");
    x.y = e.get<double>("y");
    x.depth = e.get("depth_km", cfg::Range(0, 100));
    x.mag = e.get("mag", cfg::Range(3, 8.5));
    s.events.push_back(x);
  }
  if (s.events.empty()) ev.fail("give at least one event");
  if (root.has("targets"))
    for (const auto& e : root["targets"].elements()) {
      e.allow_keys({"name", "x", "y"});
      s.targets.push_back({e.get<std::string>("name"), e.get<double>("x"), e.get<double>("y")});
    }
  if (root.has("time")) {
    const auto t = root["time"];
    t.allow_keys({"duration", "step", "pre_event"});
    s.duration = t.get("duration", s.duration, cfg::Positive());
    s.step = t.get("step", s.step, cfg::Positive());
    s.pre_event = t.get("pre_event", s.pre_event, cfg::NonNegative());
  }
  if (root.has("noise_replay")) {
    const auto r = root["noise_replay"];
    r.allow_keys({"hours"});
    s.replay_hours = r.get("hours", s.replay_hours, cfg::NonNegative());
  }
  if (root.has("output")) {
    const auto o = root["output"];
    o.allow_keys({"figures"});
    s.figures = o.get<bool>("figures", true);
  }
  return s;
}

std::vector<Phone> make_phones(const Spec& s) {
  std::mt19937_64 rng(s.network_seed);
  std::uniform_real_distribution<double> u(-s.region_km, s.region_km), u01(0, 1);
  std::normal_distribution<double> g;
  std::vector<Phone> p;
  for (int i = 0; i < s.phones; ++i) {
    Phone ph;
    double r = u01(rng), acc = 0;
    bool placed = false;
    for (const auto& c : s.cities) {
      acc += c.fraction;
      if (r < acc) {
        ph.x = std::clamp(c.x + c.sigma * g(rng), -s.region_km, s.region_km);
        ph.y = std::clamp(c.y + c.sigma * g(rng), -s.region_km, s.region_km);
        placed = true;
        break;
      }
    }
    if (!placed) { ph.x = u(rng); ph.y = u(rng); }
    ph.busy = u01(rng) < s.busy_fraction;
    p.push_back(ph);
  }
  // Seismic stations: a near-square grid over the region, each node jittered by up to a quarter cell.
  if (s.stations > 0) {
    std::mt19937_64 rs(s.station_seed);
    const int nx = int(std::ceil(std::sqrt(double(s.stations)))), ny = (s.stations + nx - 1) / nx;
    const double cx = 2 * s.region_km / nx, cy = 2 * s.region_km / ny;
    std::uniform_real_distribution<double> j(-0.25, 0.25);
    for (int k = 0; k < s.stations; ++k) {
      Phone st;
      st.station = true;
      st.x = -s.region_km + cx * ((k % nx) + 0.5 + j(rs));
      st.y = -s.region_km + cy * ((k / nx) + 0.5 + j(rs));
      p.push_back(st);
    }
  }
  return p;
}

double nan() { return std::numeric_limits<double>::quiet_NaN(); }

/// Shaking class of a PGA (Worden et al. 2012 PGA->MMI thresholds, rounded): for the target table.
std::string pga_class(double pga_m_s2) {
  const double g = pga_m_s2 / 9.80665;
  if (g < 0.0017) return "not felt (MMI I)";
  if (g < 0.014) return "weak (MMI II-III)";
  if (g < 0.039) return "light (MMI IV)";
  if (g < 0.092) return "moderate (MMI V)";
  if (g < 0.18) return "strong (MMI VI)";
  if (g < 0.34) return "very strong (MMI VII)";
  return "severe (MMI VIII+)";
}

Json num(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

}  // namespace

void run_eew_network_scenario(const cfg::Node& root, const std::string& out_dir) {
  const auto t_start = std::chrono::steady_clock::now();
  Spec spec = parse(root);
  spec.model.validate();
  spec.server.validate();

  // ------------------------------------------------------------ classifier
  const auto records = le::load_ncedc_records(spec.data_file);
  const le::RecordSplit split = le::split_records(records, 0.6, 0.2, spec.data_seed);
  std::mt19937_64 r_tr(spec.data_seed + 1), r_va(spec.data_seed + 2), r_te(spec.data_seed + 3);
  const le::LabelledSet tr = le::build_dataset(split.train, spec.data, r_tr);
  le::DatasetOptions dv = spec.data, dt = spec.data;
  dv.windows_per_activity = spec.val_windows_per_activity;
  dt.windows_per_activity = spec.test_windows_per_activity;
  const le::LabelledSet va = le::build_dataset(split.val, dv, r_va), te = le::build_dataset(split.test, dt, r_te);
  le::MyShakeAnn ann(spec.ann);
  const le::AnnHistory hist = ann.train(tr, va);
  ann.save(out_dir + "/classifier_ncedc.pt");
  le::LogisticModel logistic;
  logistic.fit(tr.x, tr.label);

  // Synthetic-trained variant: earthquake windows from Boore (2003) stochastic time series (M, R drawn
  // uniformly), activity windows as above; held-out synthetic records for validation and test.
  const auto t_syn0 = std::chrono::steady_clock::now();
  std::mt19937_64 r_syn(spec.data_seed + 21);
  SyntheticRecordOptions so_tr = spec.synth, so_va = spec.synth, so_te = spec.synth;
  so_va.count = spec.synth_val;
  so_te.count = spec.synth_test;
  const auto syn_tr = stochastic_eq_records(so_tr, r_syn), syn_va = stochastic_eq_records(so_va, r_syn),
             syn_te = stochastic_eq_records(so_te, r_syn);
  le::DatasetOptions ds = spec.data, dsv = dv, dst = dt;
  ds.eq_windows_per_record = dsv.eq_windows_per_record = dst.eq_windows_per_record = spec.synth_windows_per_record;
  std::mt19937_64 s_tr(spec.data_seed + 22), s_va(spec.data_seed + 23), s_te(spec.data_seed + 24);
  const le::LabelledSet tr_s = le::build_dataset(syn_tr, ds, s_tr), va_s = le::build_dataset(syn_va, dsv, s_va),
                        te_s = le::build_dataset(syn_te, dst, s_te);
  const double synth_gen_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_syn0).count();
  le::MyShakeAnn ann_syn(spec.ann);
  const le::AnnHistory hist_syn = ann_syn.train(tr_s, va_s);
  ann_syn.save(out_dir + "/classifier_synthetic.pt");
  le::LogisticModel logistic_syn;
  logistic_syn.fit(tr_s.x, tr_s.label);
  const le::MyShakeAnn& phone_ann = spec.training == "synthetic" ? ann_syn : ann;
  phone_ann.save(out_dir + "/classifier.pt");

  const auto p_ann = ann.probabilities(te.x), p_lr = logistic.probabilities(te.x);
  const auto p_syn = ann_syn.probabilities(te.x), p_syn_lr = logistic_syn.probabilities(te.x);
  const auto p_syn_s = ann_syn.probabilities(te_s.x), p_ann_s = ann.probabilities(te_s.x);
  const auto m_ann = le::binary_metrics(p_ann, te.label, spec.model.threshold);
  const auto m_lr = le::binary_metrics(p_lr, te.label, spec.model.threshold);
  auto metrics_json = [&](const le::BinaryMetrics& m, const std::vector<double>& p, const le::LabelledSet& set) {
    Json j = {{"accuracy", m.accuracy}, {"precision", m.precision}, {"recall", m.recall}, {"f1", m.f1},
              {"roc_auc", m.auc}, {"threshold", m.threshold},
              {"confusion", {{"tp", m.tp}, {"fp", m.fp}, {"tn", m.tn}, {"fn", m.fn}}}};
    Json per = Json::object();
    for (const auto& c : le::per_kind_confusion(p, set.kind, spec.model.threshold))
      per[c.kind < 0 ? "earthquake" : le::activity_name(le::Activity(c.kind))] = {
          {"n", c.n}, {"classified_earthquake", c.predicted_eq},
          {"fraction_classified_earthquake", double(c.predicted_eq) / double(std::max(1L, c.n))}};
    j["per_class"] = per;
    return j;
  };
  auto metrics_on = [&](const std::vector<double>& p, const le::LabelledSet& set) {
    return metrics_json(le::binary_metrics(p, set.label, spec.model.threshold), p, set);
  };

  Json summary;
  summary["scenario"] = spec.name;
  summary["type"] = "eew_network";
  summary["units"] = {{"time", "s after origin"}, {"length", "km"}, {"acceleration", "m/s^2"}, {"pd", "cm"}};
  summary["classifier"] = {
      {"features", "log10 IQR, max zero-crossing rate, log10 CAV of a 2 s window (MyShake)"},
      {"earthquake_windows", "NCEDC records (PhaseNet sample), split by record 60/20/20, scaled to phone accelerations"},
      {"non_earthquake_windows", "SYNTHETIC activity models (resting, walking, running, vehicle, handling)"},
      {"records", {{"train", split.train.size()}, {"val", split.val.size()}, {"test", split.test.size()}}},
      {"samples", {{"train", tr.size()}, {"val", va.size()}, {"test", te.size()}}},
      {"ann", metrics_json(m_ann, p_ann, te)},
      {"logistic_baseline", metrics_json(m_lr, p_lr, te)},
      {"ann_on_synthetic_test", metrics_on(p_ann_s, te_s)},
      {"ann_hidden", spec.ann.hidden},
      {"epochs_run", hist.epochs_run},
      {"best_epoch", hist.best_epoch},
      {"phone_classifier", spec.training == "synthetic" ? "ann_synthetic" : "ann (NCEDC-trained)"}};
  summary["classifier"]["ann_synthetic"] = {
      {"earthquake_windows", "Boore (2003) stochastic-method 3-component records (physics/groundmotion/stochastic_timeseries), "
                             "M ~ U(mag_min, mag_max), hypocentral R ~ U(r_min, r_max), approximate P onset; cut, rotated, "
                             "scaled and noised like the NCEDC windows"},
      {"mag_range", {spec.synth.mag_min, spec.synth.mag_max}},
      {"r_range_km", {spec.synth.r_min_km, spec.synth.r_max_km}},
      {"records", {{"train", syn_tr.size()}, {"val", syn_va.size()}, {"test", syn_te.size()}}},
      {"samples", {{"train", tr_s.size()}, {"val", va_s.size()}, {"test", te_s.size()}}},
      {"generation_wall_s", synth_gen_s},
      {"on_synthetic_test", metrics_on(p_syn_s, te_s)},
      {"on_ncedc_test", metrics_on(p_syn, te)},
      {"logistic_on_synthetic_test", metrics_on(logistic_syn.probabilities(te_s.x), te_s)},
      {"logistic_on_ncedc_test", metrics_on(p_syn_lr, te)},
      {"epochs_run", hist_syn.epochs_run},
      {"best_epoch", hist_syn.best_epoch}};

  // Recall by channel family on the NCEDC test records (HN = strong-motion accelerometers, the others
  // velocity sensors differentiated to acceleration), windows drawn as for the test set, for both ANNs.
  {
    std::mt19937_64 rf(spec.data_seed + 4);
    le::EqWindowOptions eo = spec.data.eq;
    eo.window_s = spec.data.window_s;
    std::vector<le::FeatureVec> fx;
    std::vector<std::string> fam;
    for (const auto& r : split.test)
      for (int k = 0; k < spec.data.eq_windows_per_record; ++k) {
        fx.push_back(le::classifier_input(le::earthquake_window(r, eo, rf)));
        fam.push_back(r.channels.substr(0, 2));
      }
    auto by_family = [&](const le::Classifier& c) {
      const auto pf = c.probabilities(fx);
      std::map<std::string, std::pair<long, long>> cnt;
      for (std::size_t k = 0; k < pf.size(); ++k) {
        ++cnt[fam[k]].first;
        if (pf[k] >= spec.model.threshold) ++cnt[fam[k]].second;
      }
      Json j = Json::object();
      for (const auto& [f, c] : cnt)
        j[f] = {{"windows", c.first}, {"classified_earthquake", c.second}, {"recall", double(c.second) / double(c.first)}};
      return j;
    };
    summary["classifier"]["ann_recall_by_channel_family"] = by_family(ann);
    summary["classifier"]["ann_synthetic"]["recall_by_channel_family"] = by_family(ann_syn);
  }

  core::h5::Writer h5(out_dir + "/eew.h5");
  h5.attribute("/", "scenario", spec.name);
  h5.attribute("/", "units", "time s after origin, coordinates km, acceleration m/s^2, Pd cm");
  h5.attribute("/", "config_yaml", YAML::Dump(root.yaml()));
  h5.write("classifier/test_probability_ann", p_ann);
  h5.write("classifier/test_probability_logistic", p_lr);
  h5.write("classifier/test_probability_ann_synthetic", p_syn);
  h5.write("classifier/synthetic_test_probability_ann_synthetic", p_syn_s);
  {
    std::vector<double> lab(te_s.label.begin(), te_s.label.end());
    h5.write("classifier/synthetic_test_label", lab);
    h5.write("classifier/synthetic_train_loss", hist_syn.train_loss);
    h5.write("classifier/synthetic_val_loss", hist_syn.val_loss);
  }
  {
    std::vector<double> lab(te.label.begin(), te.label.end()), kind(te.kind.begin(), te.kind.end());
    h5.write("classifier/test_label", lab);
    h5.write("classifier/test_kind", kind);
    h5.write("classifier/train_loss", hist.train_loss);
    h5.write("classifier/val_loss", hist.val_loss);
  }

  // ------------------------------------------------------------ network
  const std::vector<Phone> phones = make_phones(spec);
  {
    std::vector<double> xy;
    for (const auto& p : phones) { xy.push_back(p.x); xy.push_back(p.y); xy.push_back(p.busy ? 1 : 0); xy.push_back(p.station ? 1 : 0); }
    h5.write("network/phones", {phones.size(), 4}, xy.data());
    h5.attribute("network/phones", "columns", "x_km, y_km, busy, station (sensors: phones first, then stations)");
  }
  std::mt19937_64 rng(spec.network_seed + 100);
  const le::PdMagnitudeModel pd_model = calibrate_pd(spec.model, 2000, rng);
  summary["pd_magnitude_model"] = {{"a", pd_model.a}, {"b", pd_model.b}, {"c", pd_model.c}, {"sigma", pd_model.sigma},
                                   {"form", "M = a + b log10 Pd[cm] + c log10 R[km], fitted on 2000 synthetic (Wu & Zhao 2006) samples"}};
  int n_busy = 0;
  for (const auto& p : phones) n_busy += p.busy;
  summary["network"] = {{"phones", spec.phones}, {"stations", spec.stations}, {"busy_phones", n_busy}, {"region_km", spec.region_km},
                        {"station_trigger", {{"method", "classic STA/LTA on the vertical of a Boore (2003) stochastic record scaled to the sampled BSSA14 PGA"},
                                             {"sta_s", spec.model.sta_s}, {"lta_s", spec.model.lta_s}, {"on", spec.model.sta_lta_on},
                                             {"off", spec.model.sta_lta_off}, {"noise_m_s2", spec.model.station_noise},
                                             {"latency_s", spec.model.station_latency},
                                             {"false_triggers_per_h", spec.model.station_false_rate_per_h}}}};

  std::vector<double> times;
  for (double t = 0; t <= spec.duration + 1e-9; t += spec.step) times.push_back(t);
  Json events_json = Json::array();
  std::vector<plot::Series> loc_series, mag_series;
  const std::array<std::array<unsigned char, 3>, 6> colors{{{31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40}, {148, 103, 189}, {140, 86, 75}}};
  std::size_t biggest = 0;
  std::vector<std::vector<TriggerMsg>> all_msgs;
  std::vector<ServerState> alert_states;
  for (std::size_t e = 0; e < spec.events.size(); ++e) {
    const EventSpec& ev = spec.events[e];
    if (ev.mag > spec.events[biggest].mag) biggest = e;
    const auto msgs = simulate_triggers(&ev, phones, spec.model, split.test, phone_ann, -spec.pre_event - spec.server.memory_s,
                                        spec.duration, rng);
    std::vector<double> conf(times.size(), 0), loc_err(times.size(), nan()), depth_err(times.size(), nan()),
        mag_est(times.size(), nan()), n_recv(times.size(), 0), ex(times.size(), nan()), ey(times.size(), nan());
    double alert_time = nan();
    ServerState at_alert;
    for (std::size_t k = 0; k < times.size(); ++k) {
      const ServerState s = server_update(msgs, phones, times[k], spec.model, spec.server, pd_model);
      n_recv[k] = s.n_received;
      if (!s.confirmed) continue;
      conf[k] = 1;
      loc_err[k] = std::hypot(s.x - ev.x, s.y - ev.y);
      depth_err[k] = s.z - ev.depth;
      mag_est[k] = s.mag;
      ex[k] = s.x;
      ey[k] = s.y;
      if (!std::isfinite(alert_time)) { alert_time = times[k]; at_alert = s; }
    }
    alert_states.push_back(at_alert);
    long n_eq = 0, n_eq_sent = 0, n_noise = 0, n_noise_sent = 0, n_s = 0, n_st = 0;
    double first_station = nan();
    for (const auto& m : msgs) {
      const bool sent = m.probability >= spec.model.threshold;
      if (m.station && m.from_event) {
        ++n_st;
        if (!(m.t_trigger >= first_station)) first_station = m.t_trigger;
      }
      if (m.from_event) { ++n_eq; n_eq_sent += sent; n_s += m.s_wave; }
      else { ++n_noise; n_noise_sent += sent; }
    }
    auto at_time = [&](const std::vector<double>& v, double t) {
      for (std::size_t k = 0; k < times.size(); ++k)
        if (times[k] >= t - 1e-9) return v[k];
      return nan();
    };
    Json targets = Json::array();
    for (const auto& site : spec.targets) {
      const double epi = std::hypot(site.x - ev.x, site.y - ev.y);
      const double ts = spec.model.vp_vs * spec.model.velocity.travel_time(epi, ev.depth);
      Json t = {{"name", site.name}, {"epicentral_km", epi}, {"s_arrival_s", ts},
                {"warning_time_s", num(ts - alert_time)},
                {"true_median_pga_m_s2", median_pga(ev.mag, epi, spec.model.vs30)}};
      if (std::isfinite(alert_time)) {
        const double epi_est = std::hypot(site.x - at_alert.x, site.y - at_alert.y);
        const double m_est = std::clamp(at_alert.mag, 3.0, 8.5);
        const double med = median_pga(m_est, epi_est, spec.model.vs30), sig = pga_sigma(m_est, epi_est, spec.model.vs30);
        t["predicted_pga_at_alert_m_s2"] = med;
        t["predicted_pga_sigma_ln"] = sig;  // BSSA14 total sigma (natural log)
        t["predicted_pga_16_84_m_s2"] = {med * std::exp(-sig), med * std::exp(sig)};
        t["predicted_mmi_class"] = pga_class(med);
      }
      targets.push_back(t);
    }
    const std::string g = "events/" + ev.name;
    h5.write(g + "/time", times);
    h5.write(g + "/confirmed", conf);
    h5.write(g + "/location_error_km", loc_err);
    h5.write(g + "/depth_error_km", depth_err);
    h5.write(g + "/magnitude_estimate", mag_est);
    h5.write(g + "/x_estimate_km", ex);
    h5.write(g + "/y_estimate_km", ey);
    h5.write(g + "/triggers_in_memory", n_recv);
    {
      std::vector<double> tm;
      for (const auto& m : msgs)
        tm.insert(tm.end(), {m.t_trigger, m.t_received, double(m.sensor), m.probability, m.from_event ? 1.0 : 0.0,
                             m.s_wave ? 1.0 : 0.0, m.pd_cm, m.peak});
      h5.write(g + "/triggers", {msgs.size(), 8}, tm.data());
      h5.attribute(g + "/triggers", "columns", "t_trigger, t_received, sensor, probability, from_event, s_wave, pd_cm, peak_m_s2");
    }
    h5.attribute(g, "x_km", ev.x);
    h5.attribute(g, "y_km", ev.y);
    h5.attribute(g, "depth_km", ev.depth);
    h5.attribute(g, "magnitude", ev.mag);
    const double final_t = times.back();
    events_json.push_back({{"name", ev.name}, {"mag", ev.mag}, {"x_km", ev.x}, {"y_km", ev.y}, {"depth_km", ev.depth},
                           {"alert_time_s", num(alert_time)},
                           {"location_error_at_alert_km", num(std::isfinite(alert_time) ? at_time(loc_err, alert_time) : nan())},
                           {"magnitude_at_alert", num(std::isfinite(alert_time) ? at_alert.mag : nan())},
                           {"magnitude_error_at_alert", num(std::isfinite(alert_time) ? at_alert.mag - ev.mag : nan())},
                           {"triggers_at_alert", std::isfinite(alert_time) ? at_alert.cluster_size : 0},
                           {"location_error_at_alert_plus_5s_km", num(std::isfinite(alert_time) ? at_time(loc_err, alert_time + 5) : nan())},
                           {"magnitude_error_at_alert_plus_5s", num(std::isfinite(alert_time) ? at_time(mag_est, alert_time + 5) - ev.mag : nan())},
                           {"location_error_final_km", num(loc_err.back())},
                           {"magnitude_error_final", num(mag_est.back() - ev.mag)},
                           {"final_time_s", final_t},
                           {"earthquake_triggers", n_eq}, {"earthquake_triggers_sent", n_eq_sent}, {"s_wave_triggers", n_s},
                           {"background_triggers", n_noise}, {"background_triggers_sent", n_noise_sent},
                           {"station_triggers", n_st}, {"first_station_trigger_s", num(first_station)},
                           {"targets", targets}});
    const auto col = colors[e % colors.size()];
    loc_series.push_back({times, loc_err, ev.name + " (M" + std::to_string(ev.mag).substr(0, 3) + ")", col, false});
    std::vector<double> merr(mag_est.size());
    for (std::size_t k = 0; k < merr.size(); ++k) merr[k] = mag_est[k] - ev.mag;
    mag_series.push_back({times, merr, ev.name, col, false});
    all_msgs.push_back(msgs);
  }
  summary["events"] = events_json;

  // ------------------------------------------------------------ 24 h noise-only replay
  if (spec.replay_hours > 0) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto msgs = simulate_triggers(nullptr, phones, spec.model, split.test, phone_ann, 0.0, spec.replay_hours * 3600.0, rng);
    // Alert episodes: evaluate the server at every arrival (its state changes only then); an episode
    // starts when no cluster was confirmed at the previous evaluation and one is now.
    auto count_alerts = [&](bool use_classifier) {
      std::vector<TriggerMsg> sent;
      for (const auto& m : msgs)
        if (!use_classifier || m.probability >= spec.model.threshold) sent.push_back(m);
      long alerts = 0;
      bool prev = false;
      std::size_t lo = 0;
      std::vector<TriggerMsg> window;
      for (std::size_t k = 0; k < sent.size(); ++k) {
        const double t = sent[k].t_received;
        while (lo < sent.size() && sent[lo].t_received < t - spec.server.memory_s - 10.0) ++lo;
        window.assign(sent.begin() + long(lo), sent.begin() + long(k) + 1);
        const bool c = server_confirms(window, phones, t, spec.model, spec.server, false);
        if (c && !prev) ++alerts;
        prev = c;
      }
      return std::pair<long, std::size_t>(alerts, sent.size());
    };
    const auto [alerts, n_sent] = count_alerts(true);
    const auto [alerts_nc, n_all] = count_alerts(false);
    const double days = spec.replay_hours / 24.0;
    summary["noise_replay"] = {
        {"hours", spec.replay_hours},
        {"method", "feature-level: Poisson activity episodes per phone, each a synthetic 2 s window classified by the ANN"},
        {"activity_windows", n_all}, {"triggers_sent", n_sent},
        {"false_alerts", alerts}, {"false_alerts_per_day", double(alerts) / days},
        {"false_alerts_without_classifier", alerts_nc}, {"false_alerts_per_day_without_classifier", double(alerts_nc) / days},
        {"wall_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()}};
  }

  // ------------------------------------------------------------ figures
  if (spec.figures) {
    plot::LinePlot lp;
    lp.title = "Epicentral error of the EEW location vs time (from first alert)";
    lp.xlabel = "time after origin (s)";
    lp.ylabel = "location error (km)";
    lp.series = loc_series;
    plot::save_png(lp, out_dir + "/timeline_location.png");
    plot::LinePlot mp;
    mp.title = "Magnitude error (Pd, network median) vs time";
    mp.xlabel = "time after origin (s)";
    mp.ylabel = "M estimate - M true";
    mp.series = mag_series;
    mp.series.push_back({times, std::vector<double>(times.size(), 0.0), "0", {0, 0, 0}, true});
    plot::save_png(mp, out_dir + "/timeline_magnitude.png");
    // ROC of both classifiers.
    std::vector<double> fa, ta, fl, tl, fs_, ts_;
    le::roc_curve(p_ann, te.label, fa, ta);
    le::roc_curve(p_lr, te.label, fl, tl);
    le::roc_curve(p_syn, te.label, fs_, ts_);
    plot::LinePlot roc;
    roc.title = "ROC on held-out windows (NCEDC test records vs synthetic activity)";
    roc.xlabel = "false-positive rate";
    roc.ylabel = "true-positive rate";
    roc.series = {{fa, ta, "ANN trained on NCEDC", {31, 119, 180}, false},
                  {fs_, ts_, "ANN trained on stochastic synthetics", {44, 160, 44}, false},
                  {fl, tl, "logistic baseline (NCEDC)", {214, 39, 40}, false},
                  {{0, 1}, {0, 1}, "chance", {120, 120, 120}, true}};
    plot::save_png(roc, out_dir + "/roc.png");
    plot::LinePlot tl_plot;
    tl_plot.title = "Classifier training (class-balanced BCE)";
    tl_plot.xlabel = "epoch";
    tl_plot.ylabel = "loss";
    std::vector<double> ep(hist.train_loss.size());
    for (std::size_t k = 0; k < ep.size(); ++k) ep[k] = double(k + 1);
    tl_plot.series = {{ep, hist.train_loss, "train", {31, 119, 180}, false}, {ep, hist.val_loss, "validation", {214, 39, 40}, false}};
    plot::save_png(tl_plot, out_dir + "/training.png");
    // Map of the largest event: log10 median PGA, phones, epicentre and estimate at alert.
    const EventSpec& ev = spec.events[biggest];
    plot::Image im;
    im.title = ev.name + ": median PGA, phones, true + alert epicentre";
    im.xlabel = "x (km)";
    im.ylabel = "y (km)";
    im.colorbar_label = "log10 PGA (m/s^2)";
    im.nx = im.nz = 101;
    im.xmin = im.zmin = -spec.region_km;
    im.xmax = im.zmax = spec.region_km;
    im.colormap = "viridis";
    im.symmetric = false;
    im.width = 900;
    im.height = 800;
    for (int j = 0; j < im.nz; ++j)
      for (int i = 0; i < im.nx; ++i) {
        const double x = im.xmin + (im.xmax - im.xmin) * i / (im.nx - 1), y = im.zmin + (im.zmax - im.zmin) * j / (im.nz - 1);
        im.values.push_back(std::log10(median_pga(ev.mag, std::hypot(x - ev.x, y - ev.y), spec.model.vs30)));
      }
    const std::size_t stride = std::max<std::size_t>(1, phones.size() / 400);
    for (std::size_t p = 0; p < phones.size(); p += stride)
      if (!phones[p].station) im.markers_triangle.push_back({phones[p].x, phones[p].y});
    for (const auto& p : phones)  // every station (also triangles: the plot has two marker kinds)
      if (p.station) im.markers_triangle.push_back({p.x, p.y});
    im.markers_star.push_back({ev.x, ev.y});
    if (alert_states[biggest].confirmed) im.markers_star.push_back({alert_states[biggest].x, alert_states[biggest].y});
    plot::save_png(im, out_dir + "/map.png");
  }
  h5.commit();
  summary["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  core::json::write_atomic(out_dir + "/summary.json", summary);
}

}  // namespace hyseis::hybrid::eew
