// Scenario `picking_train`: synthetic data -> PhaseNet / GPD training -> evaluation on NCEDC.
#include "hyseis/hybrid/picking/scenario.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/mpi.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/hybrid/picking/synthetics.hpp"
#include "hyseis/learning/data/seisbench.hpp"
#include "hyseis/learning/picking/classic.hpp"
#include "hyseis/learning/picking/deep.hpp"
#include "hyseis/learning/picking/picks_io.hpp"
#include "hyseis/solvers/signal.hpp"
#include "ncedc.hpp"

namespace hyseis::hybrid::picking {

namespace cfg = core::config;
namespace pk = learning::picking;
namespace sig = solvers::signal;
using core::json::Json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kTestFirst = 100, kTestLast = 153, kValFirst = 90, kValLast = 99;
constexpr std::size_t kDevTestFirst = 80, kDevTestLast = 99, kDevValFirst = 70, kDevValLast = 79;

struct NetSpec {
  pk::DeepPickerOptions model;
  pk::PickerTrainOptions train;
  int finetune_epochs = 10;
  double finetune_learning_rate = 3e-4;
  int real_crops_per_trace = 0;  // crops per NCEDC trace per epoch (real-only, fine-tuning); 0: crops_per_trace
  int ensemble = 1;              // NCEDC-trained PhaseNets: members (seeds seed..seed+n-1), probabilities averaged
  bool real_early_stopping = true;  // NCEDC-trained PhaseNets: keep the best validation epoch (false: the last)
};

struct Spec {
  std::string name;
  std::string ncedc_file;
  std::string synthetic_cache;          // empty: <out>/synthetics
  std::size_t real_train_traces = 90;   // traces 0..n-1 of 0..89
  std::size_t test_traces = 54;         // first n of 100..153 (tiny configs use fewer)
  // "test": train 0..89, early-stop 90..99, evaluate 100..153 (the split).
  // "dev": train 0..69, early-stop 70..79, evaluate 80..99 -- for choosing settings without
  // ever looking at the test split.
  // "cv": K-fold cross-validation over traces 0..99 (every trace scored once, by models that
  // never trained on it) -- five times the dev split's traces for choosing settings.
  std::string evaluate_on = "test";
  int folds = 5;
  bool have_synthetics = false;
  SyntheticOptions synthetics;
  std::vector<std::string> models;
  NetSpec phasenet, gpd;
  std::string gpd_train_on = "real";
  std::vector<double> bandpass;         // optional [fmin, fmax] before the deep pickers
  double p_threshold = 0.3, s_threshold = 0.3;
  bool tune_thresholds = false;         // choose each deep model's thresholds on the validation traces
  std::string pick_rule = "highest";    // deep models: "highest" / "first" peak >= threshold
  struct Fixed {
    double p = kNaN, s = kNaN;
    std::string p_rule, s_rule;
  };
  std::map<std::string, Fixed> model_thresholds;  // evaluation.thresholds.<model>: P, S, P_rule, S_rule
  std::string models_dir;               // load <dir>/<model>.pt instead of training (re-scoring)
  std::vector<std::string> synthetic_models;  // load these PhaseNets (an ensemble) instead of training on synthetics
  int synthetic_ensemble = 1;           // PhaseNets trained on synthetics (seeds seed..), probabilities averaged
  double overlap = 0.5;
  std::size_t gpd_step = 10;
  std::uint64_t eval_seed = 20190605;
  bool figures = true;
  int threads = 2;
};

std::string default_ncedc(const cfg::Node& root) {
  return core::fs::validation_data_root(root.file()) + "/phasenet_ncedc_picks/phasenet_ncedc_154.h5";
}

void parse_net(const cfg::Node& n, NetSpec& s, bool gpd) {
  n.require_map();
  std::vector<std::string> keys{"window", "filters", "seed", "epochs", "batch_size", "learning_rate", "lr_decay",
                                "patience", "weight_decay", "finetune_epochs", "finetune_learning_rate",
                                "polarity_flip", "drop_horizontals", "noise_fraction", "noise_max_rel"};
  if (gpd) {
    for (const char* k : {"hidden", "jitter_s", "copies", "train_on"}) keys.push_back(k);
  } else {
    for (const char* k : {"kernel", "crops_per_trace", "real_crops_per_trace", "label_sigma_s", "random_crop_fraction",
                          "synthetic_model", "ensemble", "real_noise_fraction", "real_noise_max_rel",
                          "real_early_stopping", "synthetic_ensemble"})
      keys.push_back(k);
  }
  n.allow_keys(keys);
  auto& m = s.model;
  auto& t = s.train;
  m.window = n.get_int("window", static_cast<int>(m.window), 16, 100000);
  if (n.has("filters")) {
    m.filters.clear();
    for (double f : n["filters"].as<std::vector<double>>()) {
      if (f < 1 || f != std::floor(f)) n["filters"].fail("must be positive integers");
      m.filters.push_back(static_cast<std::int64_t>(f));
    }
  }
  m.seed = static_cast<std::uint64_t>(n.get_int("seed", 0, 0, 2147483647));
  t.seed = m.seed;
  t.epochs = n.get_int("epochs", t.epochs, 1, 100000);
  t.batch_size = n.get_int("batch_size", static_cast<int>(t.batch_size), 1, 100000);
  t.learning_rate = n.get("learning_rate", t.learning_rate, cfg::Positive());
  t.lr_decay = n.get("lr_decay", t.lr_decay, cfg::Range(0.01, 1));
  t.patience = n.get_int("patience", t.patience, 0, 100000);
  t.weight_decay = n.get("weight_decay", t.weight_decay, cfg::NonNegative());
  t.polarity_flip = n.get<bool>("polarity_flip", t.polarity_flip);
  t.drop_horizontals = n.get("drop_horizontals", t.drop_horizontals, cfg::Range(0, 1));
  t.noise_fraction = n.get("noise_fraction", t.noise_fraction, cfg::Range(0, 1));
  t.noise_max_rel = n.get("noise_max_rel", t.noise_max_rel, cfg::NonNegative());
  s.finetune_epochs = n.get_int("finetune_epochs", s.finetune_epochs, 0, 100000);
  s.finetune_learning_rate = n.get("finetune_learning_rate", s.finetune_learning_rate, cfg::Positive());
  if (gpd) {
    m.hidden = n.get_int("hidden", static_cast<int>(m.hidden), 1, 100000);
    t.gpd_jitter_s = n.get("jitter_s", t.gpd_jitter_s, cfg::NonNegative());
    t.gpd_copies = n.get_int("copies", t.gpd_copies, 1, 1000);
  } else {
    m.kernel = n.get_int("kernel", static_cast<int>(m.kernel), 1, 101);
    t.crops_per_trace = n.get_int("crops_per_trace", t.crops_per_trace, 1, 1000);
    s.real_crops_per_trace = n.get_int("real_crops_per_trace", t.crops_per_trace, 1, 1000);
    t.label_sigma_s = n.get("label_sigma_s", t.label_sigma_s, cfg::Positive());
    t.random_crop_fraction = n.get("random_crop_fraction", t.random_crop_fraction, cfg::Range(0, 1));
    s.ensemble = n.get_int("ensemble", s.ensemble, 1, 20);
    s.real_early_stopping = n.get<bool>("real_early_stopping", s.real_early_stopping);
    t.real_noise_fraction = n.get("real_noise_fraction", t.real_noise_fraction, cfg::Range(0, 1));
    t.real_noise_max_rel = n.get("real_noise_max_rel", t.real_noise_max_rel, cfg::NonNegative());
  }
  try {
    m.validate();
    t.validate();
  } catch (const core::InvalidInput& e) {
    n.fail(e.what());
  }
}

Spec parse(const cfg::Node& root) {
  root.require_map();
  root.allow_keys({"scenario", "data", "synthetics", "models", "phasenet", "gpd", "evaluation", "preprocess", "output",
                   "threads"});
  Spec s;
  const auto sc = root["scenario"];
  sc.allow_keys({"name", "type", "description"});
  s.name = sc.get<std::string>("name");
  sc["type"].choice({"picking_train"});
  s.ncedc_file = default_ncedc(root);
  if (root.has("data")) {
    const auto d = root["data"];
    d.allow_keys({"ncedc_file", "synthetic_cache", "real_train_traces", "test_traces", "evaluate_on", "folds"});
    s.evaluate_on = d.get_choice("evaluate_on", {"test", "dev", "cv"}, "test");
    s.folds = d.get_int("folds", s.folds, 2, 10);
    namespace fsys = std::filesystem;
    const fsys::path base = fsys::path(root.file()).parent_path();
    if (d.has("ncedc_file")) {
      s.ncedc_file = d.get<std::string>("ncedc_file");
      if (fsys::path(s.ncedc_file).is_relative()) s.ncedc_file = (base / s.ncedc_file).lexically_normal().string();
    }
    if (d.has("synthetic_cache")) {
      s.synthetic_cache = d.get<std::string>("synthetic_cache");
      if (fsys::path(s.synthetic_cache).is_relative())
        s.synthetic_cache = (base / s.synthetic_cache).lexically_normal().string();
    }
    s.real_train_traces = static_cast<std::size_t>(d.get_int("real_train_traces", 90, 2, 90));
    if (s.evaluate_on == "dev" && s.real_train_traces > 70)
      s.real_train_traces = 70;  // 70..99 are the dev validation / evaluation traces
    s.test_traces = static_cast<std::size_t>(d.get_int("test_traces", 54, 1, 54));
  }
  if (!std::filesystem::exists(s.ncedc_file)) {
    const std::string msg = "NCEDC file '" + s.ncedc_file +
                            "' not found; set data.ncedc_file or HYSEIS_VALIDATION_DATA to the shared/validation folder";
    if (root.has("data")) root["data"].fail(msg);
    root.fail(msg);
  }
  s.models = {"stalta_aic", "gpd", "phasenet_synthetic", "phasenet_real", "phasenet_finetuned"};
  if (root.has("models")) {
    s.models.clear();
    for (const auto& e : root["models"].elements())
      s.models.push_back(e.choice({"stalta_aic", "gpd", "phasenet_synthetic", "phasenet_real", "phasenet_finetuned"}));
    if (s.models.empty()) root["models"].fail("give at least one model");
  }
  auto uses = [&](const std::string& m) { return std::find(s.models.begin(), s.models.end(), m) != s.models.end(); };
  s.phasenet.model.kind = pk::PickerKind::phasenet;
  s.phasenet.model.window = 3001;
  s.gpd.model.kind = pk::PickerKind::gpd;
  s.gpd.model.window = 400;
  s.gpd.train.batch_size = 64;
  if (root.has("phasenet")) {
    parse_net(root["phasenet"], s.phasenet, false);
    s.synthetic_ensemble = root["phasenet"].get_int("synthetic_ensemble", 1, 1, 20);
    if (root["phasenet"].has("synthetic_model")) {  // one file or a list (an ensemble)
      namespace fsys = std::filesystem;
      const auto n = root["phasenet"]["synthetic_model"];
      std::vector<cfg::Node> items = n.is_sequence() ? n.elements() : std::vector<cfg::Node>{n};
      if (items.empty()) n.fail("give at least one model file");
      for (const auto& it : items) {
        std::string p = it.as<std::string>();
        if (fsys::path(p).is_relative()) p = (fsys::path(root.file()).parent_path() / p).lexically_normal().string();
        if (!fsys::exists(p)) it.fail("model file '" + p + "' not found");
        s.synthetic_models.push_back(p);
      }
    }
  }
  if (root.has("gpd")) {
    parse_net(root["gpd"], s.gpd, true);
    s.gpd_train_on = root["gpd"].get_choice("train_on", {"real", "synthetic"}, "real");
  }
  s.have_synthetics = ((uses("phasenet_synthetic") || uses("phasenet_finetuned")) && s.synthetic_models.empty()) ||
                      (uses("gpd") && s.gpd_train_on == "synthetic");
  if (root.has("evaluation") && root["evaluation"].has("models_dir")) s.have_synthetics = false;  // nothing is trained
  if (s.have_synthetics) {
    if (root.has("synthetics")) s.synthetics = parse_synthetic_options(root["synthetics"], s.ncedc_file);
    if (s.synthetics.ncedc_file.empty()) s.synthetics.ncedc_file = s.ncedc_file;
    try {
      s.synthetics.validate();
    } catch (const core::InvalidInput& e) {
      root.fail(e.what());
    }
  }
  if (root.has("preprocess")) {
    const auto p = root["preprocess"];
    p.allow_keys({"bandpass"});
    if (p.has("bandpass")) {
      s.bandpass = p["bandpass"].as<std::vector<double>>();
      if (s.bandpass.size() != 2 || !(s.bandpass[0] > 0) || !(s.bandpass[1] > s.bandpass[0]) || s.bandpass[1] >= 50)
        p["bandpass"].fail("must be [fmin, fmax] with 0 < fmin < fmax < 50 Hz");
    }
  }
  if (root.has("evaluation")) {
    const auto e = root["evaluation"];
    e.allow_keys({"p_threshold", "s_threshold", "tune_thresholds", "pick_rule", "models_dir", "overlap", "gpd_step",
                  "seed", "thresholds"});
    s.pick_rule = e.get_choice("pick_rule", {"highest", "first"}, "highest");
    if (e.has("models_dir")) {
      namespace fsys = std::filesystem;
      s.models_dir = e.get<std::string>("models_dir");
      if (fsys::path(s.models_dir).is_relative())
        s.models_dir = (fsys::path(root.file()).parent_path() / s.models_dir).lexically_normal().string();
      if (!fsys::is_directory(s.models_dir)) e["models_dir"].fail("directory '" + s.models_dir + "' not found");
      if (s.evaluate_on == "cv")
        e["models_dir"].fail("cannot re-score saved models under data.evaluate_on: cv (a model trained on NCEDC "
                             "traces would be scored on its own training traces)");
    }
    s.tune_thresholds = e.get<bool>("tune_thresholds", false);
    if (e.has("thresholds")) {  // per model, e.g. chosen by cross-validation (best_fixed_threshold)
      const auto th = e["thresholds"];
      th.require_map();
      th.allow_keys({"gpd", "phasenet_synthetic", "phasenet_real", "phasenet_finetuned"});
      for (const char* m : {"gpd", "phasenet_synthetic", "phasenet_real", "phasenet_finetuned"}) {
        if (!th.has(m)) continue;
        const auto n = th[m];
        n.require_map();
        n.allow_keys({"P", "S", "P_rule", "S_rule"});
        Spec::Fixed f;
        if (n.has("P")) f.p = n.get("P", 0.3, cfg::OpenRange(0, 1));
        if (n.has("S")) f.s = n.get("S", 0.3, cfg::OpenRange(0, 1));
        if (n.has("P_rule")) f.p_rule = n.get_choice("P_rule", {"highest", "first"}, "first");
        if (n.has("S_rule")) f.s_rule = n.get_choice("S_rule", {"highest", "first"}, "first");
        s.model_thresholds[m] = f;
      }
    }
    s.p_threshold = e.get("p_threshold", s.p_threshold, cfg::OpenRange(0, 1));
    s.s_threshold = e.get("s_threshold", s.s_threshold, cfg::OpenRange(0, 1));
    s.overlap = e.get("overlap", s.overlap, cfg::Range(0, 0.95));
    s.gpd_step = static_cast<std::size_t>(e.get_int("gpd_step", 10, 1, 1000));
    s.eval_seed = static_cast<std::uint64_t>(e.get_int("seed", 20190605, 0, 2147483647));
  }
  s.phasenet.model.bandpass = s.bandpass;  // recorded in the model files (hyseis pick applies it)
  s.gpd.model.bandpass = s.bandpass;
  if (root.has("output")) {
    const auto o = root["output"];
    o.allow_keys({"figures"});
    s.figures = o.get<bool>("figures", true);
  }
  s.threads = root.get_int("threads", 2, 1, 256);
  return s;
}

std::vector<std::vector<double>> prep(std::vector<std::vector<double>> ch, const Spec& s) {
  if (s.bandpass.empty()) return ch;
  for (auto& c : ch) {
    bool zero = true;
    for (double a : c) zero = zero && a == 0;
    if (zero) continue;
    sig::detrend_linear(c);
    sig::cosine_taper(c, 0.05);
    c = sig::bandpass(c, s.bandpass[0], s.bandpass[1], 100.0, 4, true);
  }
  return ch;
}

struct ModelResult {
  std::string name, trained_on;
  pk::PhaseScore p, s;
  bool has_s = true;
  std::vector<double> p_pick, s_pick;  // per test trace (window samples; NaN = none)
  std::vector<double> p_score, s_score;  // probability of those picks (STA/LTA: peak cf)
  double p_threshold = kNaN, s_threshold = kNaN;
  std::string p_rule, s_rule;
  pk::PickerTrainReport train;
  bool trained = false;
  std::vector<std::size_t> idx, off;                 // scored traces and their window starts
  std::vector<double> truth_p, truth_s;              // analyst picks (window samples)
  std::vector<std::vector<pk::Peak>> raw_p, raw_s;   // all probability peaks >= 0.01 per window
  std::vector<ModelResult> folds;                    // cross-validation: per-fold results
  double eval_seconds = 0;
  std::int64_t parameters = 0;
};

Json score_json(const pk::PhaseScore& s) {
  Json j;
  j["traces"] = s.traces;
  j["picked"] = s.picked;
  j["true_positives"] = s.true_positives;
  j["precision"] = s.precision;
  j["recall"] = s.recall;
  j["f1"] = s.f1;
  j["residual_mean_s"] = s.residual_mean_s;
  j["residual_std_s"] = s.residual_std_s;
  j["all_residuals_s"] = s.residuals_s;  // pick - analyst for every trace with a pick (not only within tolerance)
  return j;
}

std::array<unsigned char, 3> colour(std::size_t i) {
  static const std::array<unsigned char, 3> c[] = {{0, 0, 0}, {230, 120, 0}, {0, 110, 200}, {0, 160, 60}, {200, 0, 0}, {140, 0, 160}};
  return c[i % 6];
}

// Flat serialisation of fold results (cross-validation over MPI ranks).
struct Packer {
  std::vector<double> d;
  std::size_t at = 0;
  void put(double x) { d.push_back(x); }
  void put(const std::vector<double>& v) {
    put(static_cast<double>(v.size()));
    d.insert(d.end(), v.begin(), v.end());
  }
  void put(const std::string& str) {
    put(static_cast<double>(str.size()));
    for (char c : str) put(static_cast<double>(static_cast<unsigned char>(c)));
  }
  void put(const std::vector<std::size_t>& v) { put(std::vector<double>(v.begin(), v.end())); }
  void put(const std::vector<std::vector<pk::Peak>>& pk) {
    put(static_cast<double>(pk.size()));
    for (const auto& t : pk) {
      put(static_cast<double>(t.size()));
      for (const auto& q : t) put(static_cast<double>(q.sample)), put(q.value);
    }
  }
  double get() {
    HYSEIS_REQUIRE(at < d.size(), core::Error, "picking cross-validation: truncated fold message");
    return d[at++];
  }
  std::size_t get_n() { return static_cast<std::size_t>(get()); }
  std::vector<double> get_v() {
    std::vector<double> v(get_n());
    for (auto& x : v) x = get();
    return v;
  }
  std::vector<std::size_t> get_idx() {
    const auto v = get_v();
    return std::vector<std::size_t>(v.begin(), v.end());
  }
  std::string get_s() {
    std::string str(get_n(), ' ');
    for (auto& c : str) c = static_cast<char>(static_cast<unsigned char>(get()));
    return str;
  }
  std::vector<std::vector<pk::Peak>> get_peaks() {
    std::vector<std::vector<pk::Peak>> out(get_n());
    for (auto& t : out) {
      t.resize(get_n());
      for (auto& q : t) q.sample = get_n(), q.value = get();
    }
    return out;
  }
};

void pack(Packer& pc, const ModelResult& r) {
  pc.put(r.name), pc.put(r.trained_on);
  pc.put(r.has_s ? 1.0 : 0.0), pc.put(r.trained ? 1.0 : 0.0);
  pc.put(r.p_threshold), pc.put(r.s_threshold), pc.put(r.p_rule), pc.put(r.s_rule);
  pc.put(r.eval_seconds), pc.put(static_cast<double>(r.parameters));
  pc.put(r.train.train_loss), pc.put(r.train.val_loss);
  pc.put(static_cast<double>(r.train.best_epoch)), pc.put(static_cast<double>(r.train.epochs_run));
  pc.put(r.train.seconds), pc.put(static_cast<double>(r.train.train_examples));
  pc.put(r.p_pick), pc.put(r.s_pick), pc.put(r.p_score), pc.put(r.s_score);
  pc.put(r.truth_p), pc.put(r.truth_s), pc.put(r.idx), pc.put(r.off);
  pc.put(r.raw_p), pc.put(r.raw_s);
}

ModelResult unpack(Packer& pc) {
  ModelResult r;
  r.name = pc.get_s(), r.trained_on = pc.get_s();
  r.has_s = pc.get() != 0, r.trained = pc.get() != 0;
  r.p_threshold = pc.get(), r.s_threshold = pc.get(), r.p_rule = pc.get_s(), r.s_rule = pc.get_s();
  r.eval_seconds = pc.get(), r.parameters = static_cast<std::int64_t>(pc.get());
  r.train.train_loss = pc.get_v(), r.train.val_loss = pc.get_v();
  r.train.best_epoch = static_cast<int>(pc.get()), r.train.epochs_run = static_cast<int>(pc.get());
  r.train.seconds = pc.get(), r.train.train_examples = pc.get_n();
  r.p_pick = pc.get_v(), r.s_pick = pc.get_v(), r.p_score = pc.get_v(), r.s_score = pc.get_v();
  r.truth_p = pc.get_v(), r.truth_s = pc.get_v(), r.idx = pc.get_idx(), r.off = pc.get_idx();
  r.raw_p = pc.get_peaks(), r.raw_s = pc.get_peaks();
  return r;
}

// File of ensemble member j of model `name` in `dir`: <name>.pt, then <name>_m<j>.pt.
std::string member_file(const std::string& dir, const std::string& name, std::size_t j) {
  return dir + "/" + name + (j ? "_m" + std::to_string(j) : "") + ".pt";
}

// All member files of `name` in `dir` that exist: <name>.pt, <name>_m1.pt, ... (up to a gap).
std::vector<std::string> member_files(const std::string& dir, const std::string& name) {
  std::vector<std::string> v{member_file(dir, name, 0)};
  while (std::filesystem::exists(member_file(dir, name, v.size()))) v.push_back(member_file(dir, name, v.size()));
  return v;
}

// One pick per trace from all probability peaks (in time order): "highest" = the highest peak at
// or above the threshold, "first" = the earliest one. NaN when none reaches the threshold.
std::vector<double> choose_picks(const std::vector<std::vector<pk::Peak>>& peaks, double thr, const std::string& rule,
                                 std::vector<double>* score) {
  std::vector<double> out(peaks.size(), kNaN);
  if (score) score->assign(peaks.size(), 0.0);
  for (std::size_t k = 0; k < peaks.size(); ++k) {
    double v = -1;
    for (const auto& q : peaks[k]) {
      if (q.value < thr) continue;
      if (rule == "first") {
        out[k] = static_cast<double>(q.sample), v = q.value;
        break;
      }
      if (q.value > v) v = q.value, out[k] = static_cast<double>(q.sample);
    }
    if (score && v > 0) (*score)[k] = v;
  }
  return out;
}

// Threshold (grid 0.05..0.95) and rule with the best F1 averaged over the threshold and its two
// grid neighbours (a plateau, not a spike: with a few traces F1 jumps by one trace); ties go to
// the preferred rule, then to the lower threshold. `f1` (if given): the F1 at the choice.
double choose_threshold(const std::vector<std::vector<pk::Peak>>& peaks, const std::vector<double>& truth, double tol,
                        const std::string& preferred, std::string& rule, double* f1) {
  double best_t = 0.5, best_f = -1, best_raw = 0;
  std::string best_r = preferred;
  const std::vector<std::string> rules{preferred, preferred == "first" ? "highest" : "first"};
  for (const auto& ru : rules) {
    std::vector<double> f(19);
    for (int i = 0; i < 19; ++i)
      f[i] = pk::score_picks(choose_picks(peaks, 0.05 * (i + 1), ru, nullptr), truth, tol, 100.0).f1;
    for (int i = 0; i < 19; ++i) {
      const int a = std::max(0, i - 1), b = std::min(18, i + 1);
      double m = 0;
      for (int k = a; k <= b; ++k) m += f[k];
      m /= (b - a + 1);
      if (m > best_f + 1e-12) best_f = m, best_t = 0.05 * (i + 1), best_r = ru, best_raw = f[i];
    }
  }
  rule = best_r;
  if (f1) *f1 = best_raw;
  return best_t;
}

}  // namespace

void run_picking_scenario(const cfg::Node& root, const std::string& out_dir, MPI_Comm comm) {
  const Spec s = parse(root);
  int rank = 0, nranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &nranks);
  const auto t_start = std::chrono::steady_clock::now();
  auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count(); };

  // 1. Synthetic data (all ranks).
  SyntheticReport syn_rep;
  const std::string syn_dir = s.synthetic_cache.empty() ? out_dir + "/synthetics" : s.synthetic_cache;
  if (s.have_synthetics) syn_rep = generate_picking_synthetics(s.synthetics, syn_dir, comm);
  const double t_synthetics = since();
  const bool dev = s.evaluate_on == "dev", cv = s.evaluate_on == "cv";
  // With several ranks every rank works: cross-validation spreads its folds over them, the
  // test / dev protocols the members of the ensembles (rank 0 then evaluates alone).
  const bool spread = nranks > 1;
  pk::set_torch_threads(spread ? std::max(1, s.threads / nranks) : s.threads);
  std::filesystem::create_directories(out_dir + "/models");
  const auto nc = detail::read_ncedc(s.ncedc_file);
  HYSEIS_REQUIRE(nc.n >= 154 && nc.samples >= 7500, core::IoError,
                 s.ncedc_file << ": expected 154 traces of >= 7500 samples, got " << nc.n << " x " << nc.samples);

  // 2. Splits. test: train 0..n-1, validate 90-99, score 100-153. dev: train 0-69, validate
  // 70-79, score 80-99. cv (K folds over 0-99): fold k scores its block of 100/K consecutive
  // traces; of the other traces the last 10 validate and the rest train.
  auto real_set = [&](const std::vector<std::size_t>& idx) {
    std::vector<pk::LabelledTrace> v;
    for (std::size_t i : idx) {
      pk::LabelledTrace t;
      t.channels = prep(nc.zne(i, 0, nc.samples), s);
      t.p_sample = nc.itp[i];
      t.s_sample = nc.its[i];
      v.push_back(std::move(t));
    }
    return v;
  };
  auto range = [](std::size_t a, std::size_t b) {
    std::vector<std::size_t> v;
    for (std::size_t i = a; i <= b; ++i) v.push_back(i);
    return v;
  };
  // Evaluation windows (the STA/LTA validation case's protocol: 60 s, start uniform in [0, 1500]).
  const std::size_t W = 6000;
  auto windows = [&](std::size_t n, std::uint64_t seed) {
    std::mt19937_64 r(seed);
    std::uniform_int_distribution<std::size_t> shift(0, 1500);
    std::vector<std::size_t> off(n);
    for (auto& o : off) o = shift(r);
    return off;
  };
  struct Split {
    int fold = -1;
    std::vector<std::size_t> train, val, val_off, score, score_off;
  };
  std::vector<Split> splits;
  if (cv) {
    const auto all_off = windows(100, s.eval_seed);
    for (int k = 0; k < s.folds; ++k) {
      Split sp;
      sp.fold = k;
      const std::size_t lo = 100 * k / s.folds, hi = 100 * (k + 1) / s.folds;
      std::vector<std::size_t> rest;
      for (std::size_t i = 0; i < 100; ++i) {
        if (i >= lo && i < hi)
          sp.score.push_back(i), sp.score_off.push_back(all_off[i]);
        else
          rest.push_back(i);
      }
      const std::size_t ntrain = std::min(s.real_train_traces, rest.size() - 10);
      sp.train.assign(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(ntrain));
      sp.val.assign(rest.end() - 10, rest.end());
      sp.val_off = windows(sp.val.size(), s.eval_seed + 1 + static_cast<std::uint64_t>(k));
      splits.push_back(sp);
    }
  } else {
    Split sp;
    sp.train = range(0, s.real_train_traces - 1);
    sp.val = dev ? range(kDevValFirst, kDevValLast) : range(kValFirst, kValLast);
    sp.score = dev ? range(kDevTestFirst, kDevTestLast) : range(kTestFirst, kTestFirst + s.test_traces - 1);
    // Offsets drawn over the whole split in order (so "first n" test traces keep theirs).
    sp.score_off = windows(sp.score.size(), s.eval_seed);
    sp.val_off = windows(sp.val.size(), s.eval_seed + 1);
    splits.push_back(sp);
  }
  const std::string split_name = cv ? "cross-validation (traces 0-99)" : dev ? "dev split" : "test split";

  std::vector<pk::LabelledTrace> syn_train, syn_val;
  if (s.have_synthetics) {
    learning::data::SeisBenchDataset ds(syn_dir);
    for (std::size_t i = 0; i < ds.size(); ++i) {
      const auto w = ds.waveform(i);
      pk::LabelledTrace t;
      for (std::size_t c = 0; c < w.channels; ++c) t.channels.push_back(w.channel(c));
      t.channels = prep(t.channels, s);
      t.p_sample = ds.number(i, "trace_p_arrival_sample");
      t.s_sample = ds.number(i, "trace_s_arrival_sample");
      (ds.get(i, "split") == "train" ? syn_train : syn_val).push_back(std::move(t));
    }
    HYSEIS_REQUIRE(!syn_train.empty(), core::InvalidInput, syn_dir << ": no synthetic traces in split 'train'");
  }

  // All P / S probability peaks (>= 0.01, 1 s apart) of every window; a threshold and the pick
  // rule then choose the trace's one pick per phase.
  auto raw_picks = [&](const pk::PickerEnsemble& m, const std::vector<std::size_t>& idx,
                       const std::vector<std::size_t>& off, std::vector<std::vector<pk::Peak>>& p,
                       std::vector<std::vector<pk::Peak>>& sp) {
    pk::SlidingOptions so;
    so.overlap = s.overlap;
    so.gpd_step = s.gpd_step;
    p.clear(), sp.clear();
    for (std::size_t k = 0; k < idx.size(); ++k) {
      const auto pr = m.predict(prep(nc.zne(idx[k], off[k], W), s), 100.0, so);
      p.push_back(pk::find_peaks(pr.p, 0.01, 100));
      sp.push_back(pk::find_peaks(pr.s, 0.01, 100));
    }
  };
  // Threshold and rule chosen on the validation windows (choose_threshold).
  auto tune = [&](const std::vector<std::vector<pk::Peak>>& peaks, const std::vector<double>& truth, double tol,
                  std::string& rule) { return choose_threshold(peaks, truth, tol, s.pick_rule, rule, nullptr); };
  auto truths = [&](const std::vector<std::size_t>& idx, const std::vector<std::size_t>& off,
                    std::vector<double>& tp, std::vector<double>& ts) {
    tp.clear(), ts.clear();
    for (std::size_t k = 0; k < idx.size(); ++k) {
      tp.push_back(nc.itp[idx[k]] - static_cast<double>(off[k]));
      ts.push_back(nc.its[idx[k]] - static_cast<double>(off[k]));
    }
  };
  auto uses = [&](const std::string& m) { return std::find(s.models.begin(), s.models.end(), m) != s.models.end(); };
  auto given = [&](const std::string& name) { return s.models_dir + "/" + name + ".pt"; };
  const std::string real_range = "ncedc " + std::to_string(splits[0].train.front()) + "-" +
                                 std::to_string(splits[0].train.back()) + (cv ? " (fold 0; each fold its own)" : "");

  // Models trained once, not per fold: PhaseNet on synthetics (and GPD when trained on them).
  // With several ranks the synthetic members are shared out (member k on rank k mod n), saved,
  // and every rank then loads them all; a GPD on synthetics is trained by rank 0.
  std::vector<pk::DeepPicker> syn_members;   // PhaseNet(s) on synthetics
  std::unique_ptr<pk::DeepPicker> gpd_syn;
  pk::PickerTrainReport syn_train_rep, gpd_syn_rep;
  bool syn_trained = false, gpd_syn_trained = false;
  std::string syn_from = "synthetic";
  const bool want_syn = uses("phasenet_synthetic") || uses("phasenet_finetuned");
  const bool want_gpd_syn = uses("gpd") && s.gpd_train_on == "synthetic" && s.models_dir.empty();
  const bool syn_given = !s.models_dir.empty() || !s.synthetic_models.empty();
  if (rank == 0 || (want_syn && !syn_given)) {
    if (want_syn) {
      if (!s.models_dir.empty()) {
        for (const auto& p : member_files(s.models_dir, "phasenet_synthetic")) syn_members.push_back(pk::DeepPicker::load(p));
        syn_from = "(loaded from " + given("phasenet_synthetic") + ")";
      } else if (!s.synthetic_models.empty()) {  // given: evaluate / fine-tune as they are
        for (const auto& p : s.synthetic_models) syn_members.push_back(pk::DeepPicker::load(p));
        syn_from = "synthetic (" + s.synthetic_models.front() + (s.synthetic_models.size() > 1 ? ", ..." : "") + ")";
      } else {
        for (int j = 0; j < s.synthetic_ensemble; ++j) {
          if (j % nranks != rank) continue;  // another rank's member
          auto mo = s.phasenet.model;
          mo.seed += static_cast<std::uint64_t>(j);
          pk::DeepPicker m(mo);
          auto to = s.phasenet.train;
          to.seed += static_cast<std::uint64_t>(j);
          to.label = "phasenet_synthetic" +
                     (s.synthetic_ensemble > 1 ? " " + std::to_string(j + 1) + "/" + std::to_string(s.synthetic_ensemble) : "");
          const auto rep = m.train(syn_train, syn_val, to);
          if (j == 0) syn_train_rep = rep;
          m.save(member_file(out_dir + "/models", "phasenet_synthetic", static_cast<std::size_t>(j)));
          syn_members.push_back(std::move(m));
        }
        syn_trained = true;
        syn_from = "synthetic (" + std::to_string(syn_train.size()) + " traces)";
      }
      for (auto& m : syn_members) {  // a given model must have been trained as configured
        if (m.options().bandpass == s.bandpass) continue;
        HYSEIS_REQUIRE(m.options().bandpass.empty(), core::InvalidInput,
                       "phasenet.synthetic_model: a model was trained with another band-pass than preprocess.bandpass");
        spdlog::warn("picking: a given synthetic model records no band-pass; taking preprocess.bandpass as its own");
        m.set_bandpass(s.bandpass);
      }
      if (syn_given)
        for (std::size_t j = 0; j < syn_members.size(); ++j)
          syn_members[j].save(member_file(out_dir + "/models", "phasenet_synthetic", j));
    }
    if (want_gpd_syn && rank == 0) {
      gpd_syn = std::make_unique<pk::DeepPicker>(s.gpd.model);
      auto to = s.gpd.train;
      to.label = "gpd";
      gpd_syn_rep = gpd_syn->train(syn_train, syn_val, to);
      gpd_syn_trained = true;
      gpd_syn->save(out_dir + "/models/gpd.pt");
    }
  }
  if (spread) {
    core::mpi::idle_barrier(comm);  // every member is trained and saved
    int n = syn_given ? static_cast<int>(syn_members.size()) : s.synthetic_ensemble;
    MPI_Bcast(&n, 1, MPI_INT, 0, comm);
    if (want_syn) {
      syn_members.clear();
      for (int j = 0; j < n; ++j)
        syn_members.push_back(pk::DeepPicker::load(member_file(out_dir + "/models", "phasenet_synthetic", static_cast<std::size_t>(j))));
    }
    if (rank != 0) {
      if (want_gpd_syn) gpd_syn = std::make_unique<pk::DeepPicker>(pk::DeepPicker::load(out_dir + "/models/gpd.pt"));
    }
  }

  // 3. Train (NCEDC models) and score one split.
  int job = 0;  // ensemble members trained so far (test / dev with several ranks: member k on rank k % n)
  auto run_split = [&](const Split& sp) {
    std::vector<ModelResult> results;
    const bool lead = cv || rank == 0;   // the rank that evaluates this split
    const bool share = !cv && spread;    // its ensemble members are trained by all ranks
    const auto train_set = real_set(sp.train), val_set = real_set(sp.val);
    // Real-noise augmentation pool: the pre-P part (to 1 s before the analyst's P) of this
    // split's training traces only.
    std::vector<std::vector<std::vector<double>>> noise_pool;
    for (const auto& t : train_set) {
      if (!(t.p_sample > 600)) continue;  // at least 5 s of noise
      const auto n = static_cast<std::size_t>(t.p_sample) - 100;
      std::vector<std::vector<double>> rec;
      for (const auto& c : t.channels) rec.emplace_back(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(n));
      noise_pool.push_back(std::move(rec));
    }
    std::vector<double> truth_p, truth_s, val_p, val_s;
    truths(sp.score, sp.score_off, truth_p, truth_s);
    truths(sp.val, sp.val_off, val_p, val_s);
    const std::string tag = sp.fold >= 0 ? "fold " + std::to_string(sp.fold) + ": " : "";
    // models/<name>.pt (ensembles: member j > 0 as <name>_m<j>.pt); folds: <name>_fold<k>[_m<j>].pt,
    // and fold 0 also under the plain names.
    auto save = [&](const pk::PickerEnsemble& e, const std::string& name) {
      for (std::size_t j = 0; j < e.size(); ++j) {
        if (sp.fold >= 0) e.member(j).save(member_file(out_dir + "/models", name + "_fold" + std::to_string(sp.fold), j));
        if (sp.fold <= 0) e.member(j).save(member_file(out_dir + "/models", name, j));
      }
    };
    auto one = [](const pk::DeepPicker& m) {
      pk::PickerEnsemble e;
      e.add(m.clone());
      return e;
    };
    auto base = [&](ModelResult& r) {
      r.idx = sp.score, r.off = sp.score_off, r.truth_p = truth_p, r.truth_s = truth_s;
    };
    auto evaluate = [&](const std::string& name, const pk::PickerEnsemble& m, const std::string& trained_on,
                        const pk::PickerTrainReport* rep) {
      ModelResult r;
      base(r);
      r.name = name;
      r.trained_on = trained_on + (m.size() > 1 ? " (ensemble of " + std::to_string(m.size()) + ")" : "");
      r.parameters = m.member(0).parameter_count() * static_cast<std::int64_t>(m.size());
      if (rep) r.train = *rep, r.trained = true;
      r.p_threshold = s.p_threshold;
      r.s_threshold = s.s_threshold;
      r.p_rule = r.s_rule = s.pick_rule;
      if (const auto it = s.model_thresholds.find(name); it != s.model_thresholds.end()) {
        const auto& f = it->second;
        if (!std::isnan(f.p)) r.p_threshold = f.p;
        if (!std::isnan(f.s)) r.s_threshold = f.s;
        if (!f.p_rule.empty()) r.p_rule = f.p_rule;
        if (!f.s_rule.empty()) r.s_rule = f.s_rule;
      }
      // A model trained on synthetics only keeps the configured thresholds and rule: choosing
      // them on real traces would give it real labels after all.
      const bool synthetic_only = name == "phasenet_synthetic" || (name == "gpd" && s.gpd_train_on == "synthetic");
      if (s.tune_thresholds && !synthetic_only) {
        std::vector<std::vector<pk::Peak>> vp, vs;
        raw_picks(m, sp.val, sp.val_off, vp, vs);
        r.p_threshold = tune(vp, val_p, 10, r.p_rule);
        r.s_threshold = tune(vs, val_s, 20, r.s_rule);
        spdlog::info("picking: {}{}: chosen on the validation traces: P {} peak >= {:.2f}, S {} peak >= {:.2f}", tag,
                     name, r.p_rule, r.p_threshold, r.s_rule, r.s_threshold);
      }
      const auto t0 = std::chrono::steady_clock::now();
      raw_picks(m, sp.score, sp.score_off, r.raw_p, r.raw_s);
      r.p_pick = choose_picks(r.raw_p, r.p_threshold, r.p_rule, &r.p_score);
      r.s_pick = choose_picks(r.raw_s, r.s_threshold, r.s_rule, &r.s_score);
      r.eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      r.p = pk::score_picks(r.p_pick, truth_p, 10, 100.0);
      r.s = pk::score_picks(r.s_pick, truth_s, 20, 100.0);
      spdlog::info("picking: {}{} on the NCEDC {}: P F1 {:.3f} (P {:.3f} R {:.3f}), S F1 {:.3f}", tag, name,
                   split_name, r.p.f1, r.p.precision, r.p.recall, r.s.f1);
      results.push_back(r);
    };

    // (a) STA/LTA + AIC, exactly the validation case's processing (Z, 1-20 Hz, first trigger).
    if (uses("stalta_aic") && lead) {
      ModelResult r;
      base(r);
      r.name = "stalta_aic";
      r.trained_on = "-";
      r.has_s = false;
      const auto t0 = std::chrono::steady_clock::now();
      for (std::size_t k = 0; k < sp.score.size(); ++k) {
        auto z = nc.zne(sp.score[k], sp.score_off[k], W)[0];
        sig::detrend_linear(z);
        sig::cosine_taper(z, 0.05);
        z = sig::bandpass(z, 1.0, 20.0, 100.0, 4, true);
        const auto picks = pk::stalta_aic_picks(z, 100.0, pk::StaLtaAicOptions{});
        r.p_pick.push_back(picks.empty() ? kNaN : static_cast<double>(picks.front().sample));
        r.p_score.push_back(picks.empty() ? 0.0 : picks.front().peak_cf);
        r.s_pick.push_back(kNaN);
        r.s_score.push_back(0.0);
      }
      r.eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      r.p = pk::score_picks(r.p_pick, truth_p, 10, 100.0);
      r.s = pk::score_picks(r.s_pick, truth_s, 20, 100.0);
      spdlog::info("picking: {}stalta_aic on the NCEDC {}: P F1 {:.3f}", tag, split_name, r.p.f1);
      results.push_back(r);
    }
    // (b) GPD
    if (!lead) {
      // not this rank's: only ensemble members below
    } else if (uses("gpd") && !s.models_dir.empty()) {
      const auto m = one(pk::DeepPicker::load(given("gpd")));
      save(m, "gpd");
      evaluate("gpd", m, "(loaded from " + given("gpd") + ")", nullptr);
    } else if (uses("gpd") && gpd_syn) {
      evaluate("gpd", one(*gpd_syn), "synthetic", gpd_syn_trained ? &gpd_syn_rep : nullptr);
    } else if (uses("gpd")) {
      pk::DeepPicker m(s.gpd.model);
      auto to = s.gpd.train;
      to.label = tag + "gpd";
      const auto rep = m.train(train_set, val_set, to);
      const auto e = one(m);
      save(e, "gpd");
      evaluate("gpd", e, real_range, &rep);
    }
    // (c) PhaseNet on synthetics, (d) on real, (e) synthetics then fine-tuned on real.
    if (uses("phasenet_synthetic") && lead)
    {
      pk::PickerEnsemble e;
      for (const auto& m : syn_members) e.add(m.clone());
      evaluate("phasenet_synthetic", e, syn_from, syn_trained ? &syn_train_rep : nullptr);
    }
    for (const char* nm : {"phasenet_real", "phasenet_finetuned"})
      if (uses(nm) && !s.models_dir.empty() && lead) {
        const auto m = pk::PickerEnsemble::load(member_files(s.models_dir, nm));  // with its members, if any
        save(m, nm);
        evaluate(nm, m, "(loaded from " + given(nm) + ")", nullptr);
      }
    // The NCEDC-trained PhaseNets: `phasenet.ensemble` members from seeds seed, seed + 1, ...
    auto train_real = [&](const std::string& name, bool finetune) {
      pk::PickerEnsemble e;
      pk::PickerTrainReport rep0;
      const int owner0 = job % nranks;  // the rank that trains member 0 (its report goes to rank 0)
      for (int j = 0; j < s.phasenet.ensemble; ++j) {
        if (share && (job++) % nranks != rank) continue;
        auto mo = s.phasenet.model;
        mo.seed += static_cast<std::uint64_t>(j);
        // fine-tuning: member j starts from synthetic member j (cyclically)
        pk::DeepPicker m = finetune ? syn_members[static_cast<std::size_t>(j) % syn_members.size()].clone() : pk::DeepPicker(mo);
        auto to = s.phasenet.train;
        to.seed += static_cast<std::uint64_t>(j);
        to.label = tag + name + (s.phasenet.ensemble > 1 ? " " + std::to_string(j + 1) + "/" + std::to_string(s.phasenet.ensemble) : "");
        if (s.phasenet.real_crops_per_trace > 0) to.crops_per_trace = s.phasenet.real_crops_per_trace;
        if (to.real_noise_fraction > 0) to.noise_pool = noise_pool;
        if (finetune) {
          to.epochs = std::max(1, s.phasenet.finetune_epochs);
          to.learning_rate = s.phasenet.finetune_learning_rate;
        }
        // Without early stopping the validation traces are not shown to the training at all (the
        // last epoch is kept); they still choose thresholds when tune_thresholds is set.
        const auto rep = m.train(train_set, s.phasenet.real_early_stopping ? val_set : std::vector<pk::LabelledTrace>{}, to);
        if (j == 0) rep0 = rep;
        if (share) m.save(member_file(out_dir + "/models", name, static_cast<std::size_t>(j)));
        e.add(std::move(m));
      }
      if (share) {
        core::mpi::idle_barrier(comm);  // all members saved
        if (owner0 != 0 && rank == owner0) {
          Packer pc;
          pc.put(rep0.train_loss), pc.put(rep0.val_loss), pc.put(static_cast<double>(rep0.best_epoch));
          pc.put(static_cast<double>(rep0.epochs_run)), pc.put(rep0.seconds), pc.put(static_cast<double>(rep0.train_examples));
          const int n = static_cast<int>(pc.d.size());
          MPI_Send(&n, 1, MPI_INT, 0, 7103, comm);
          MPI_Send(pc.d.data(), n, MPI_DOUBLE, 0, 7104, comm);
        }
        if (!lead) return;
        if (owner0 != 0) {
          int n = 0;
          MPI_Recv(&n, 1, MPI_INT, owner0, 7103, comm, MPI_STATUS_IGNORE);
          Packer pc;
          pc.d.resize(static_cast<std::size_t>(n));
          MPI_Recv(pc.d.data(), n, MPI_DOUBLE, owner0, 7104, comm, MPI_STATUS_IGNORE);
          rep0.train_loss = pc.get_v(), rep0.val_loss = pc.get_v(), rep0.best_epoch = static_cast<int>(pc.get());
          rep0.epochs_run = static_cast<int>(pc.get()), rep0.seconds = pc.get(), rep0.train_examples = pc.get_n();
        }
        std::vector<std::string> files;
        for (int j = 0; j < s.phasenet.ensemble; ++j) files.push_back(member_file(out_dir + "/models", name, static_cast<std::size_t>(j)));
        e = pk::PickerEnsemble::load(files);
      }
      save(e, name);
      evaluate(name, e, (finetune ? "synthetic, then " : "") + real_range, &rep0);
    };
    if (uses("phasenet_real") && s.models_dir.empty()) train_real("phasenet_real", false);
    if (uses("phasenet_finetuned") && s.models_dir.empty()) train_real("phasenet_finetuned", true);
    return results;
  };

  // Folds round-robin over the ranks; rank 0 gathers them.
  std::vector<std::vector<ModelResult>> per_fold(splits.size());
  if (cv) {
    for (std::size_t k = 0; k < splits.size(); ++k)
      if (static_cast<int>(k) % nranks == rank) per_fold[k] = run_split(splits[k]);
  } else {
    per_fold[0] = run_split(splits[0]);  // every rank: the ensemble members are shared out
    if (rank != 0) return;
  }
  if (cv && nranks > 1) {
    if (rank != 0) {
      Packer pc;
      for (std::size_t k = 0; k < splits.size(); ++k)
        if (static_cast<int>(k) % nranks == rank) {
          pc.put(static_cast<double>(per_fold[k].size()));
          for (const auto& r : per_fold[k]) pack(pc, r);
        }
      const int n = static_cast<int>(pc.d.size());
      MPI_Send(&n, 1, MPI_INT, 0, 7101, comm);
      MPI_Send(pc.d.data(), n, MPI_DOUBLE, 0, 7102, comm);
      return;
    }
    for (int src = 1; src < nranks; ++src) {
      int n = 0;
      MPI_Request req;  // wait without spinning: the other rank may still be training
      MPI_Irecv(&n, 1, MPI_INT, src, 7101, comm, &req);
      int done = 0;
      while (MPI_Test(&req, &done, MPI_STATUS_IGNORE), !done) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      Packer pc;
      pc.d.resize(static_cast<std::size_t>(n));
      MPI_Recv(pc.d.data(), n, MPI_DOUBLE, src, 7102, comm, MPI_STATUS_IGNORE);
      for (std::size_t k = 0; k < splits.size(); ++k)
        if (static_cast<int>(k) % nranks == src) {
          per_fold[k].resize(pc.get_n());
          for (auto& r : per_fold[k]) r = unpack(pc);
        }
    }
  }
  // Pool the folds: one result per model over all scored traces.
  std::vector<ModelResult> results = per_fold[0];
  for (std::size_t k = 1; k < per_fold.size(); ++k) {
    HYSEIS_REQUIRE(per_fold[k].size() == results.size(), core::Error, "picking cross-validation: fold " << k << " has "
                   << per_fold[k].size() << " models, fold 0 " << results.size());
    for (std::size_t m = 0; m < results.size(); ++m) {
      auto& r = results[m];
      const auto& f = per_fold[k][m];
      auto cat = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
      cat(r.p_pick, f.p_pick), cat(r.s_pick, f.s_pick), cat(r.p_score, f.p_score), cat(r.s_score, f.s_score);
      cat(r.truth_p, f.truth_p), cat(r.truth_s, f.truth_s), cat(r.idx, f.idx), cat(r.off, f.off);
      cat(r.raw_p, f.raw_p), cat(r.raw_s, f.raw_s);
      r.eval_seconds += f.eval_seconds;
    }
  }
  for (auto& r : results) {
    r.folds.clear();
    for (const auto& pf : per_fold)
      for (const auto& f : pf)
        if (f.name == r.name) r.folds.push_back(f);
    for (auto& f : r.folds) {  // (scores are not sent between ranks: recompute them)
      f.p = pk::score_picks(f.p_pick, f.truth_p, 10, 100.0);
      f.s = pk::score_picks(f.s_pick, f.truth_s, 20, 100.0);
      f.raw_p.clear(), f.raw_s.clear();
    }
    if (cv) {
      r.p = pk::score_picks(r.p_pick, r.truth_p, 10, 100.0);
      r.s = pk::score_picks(r.s_pick, r.truth_s, 20, 100.0);
    }
  }
  const std::vector<std::size_t> test_idx = results.empty() ? splits[0].score : results[0].idx;
  const std::vector<std::size_t> offs = results.empty() ? splits[0].score_off : results[0].off;
  std::vector<double> truth_p, truth_s;
  truths(test_idx, offs, truth_p, truth_s);
  const std::size_t real_train_count = splits[0].train.size();

  // 4. Outputs: table, summary.json, HDF5, picks, figures.
  std::ostringstream tab;
  tab << "| picker | trained on | P precision | P recall | P F1 | P mean (s) | P std (s) | S precision | S recall | S F1 | "
         "S mean (s) | S std (s) |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  tab << std::fixed;
  for (const auto& r : results) {
    tab << "| " << r.name << " | " << r.trained_on << " | " << std::setprecision(3) << r.p.precision << " | "
        << r.p.recall << " | " << r.p.f1 << " | " << r.p.residual_mean_s << " | " << r.p.residual_std_s << " | ";
    if (r.has_s)
      tab << r.s.precision << " | " << r.s.recall << " | " << r.s.f1 << " | " << r.s.residual_mean_s << " | "
          << r.s.residual_std_s << " |\n";
    else
      tab << "- | - | - | - | - |\n";
  }
  core::fs::write_text_atomic(out_dir + "/evaluation.md",
                              std::string(cv ? "NCEDC traces 0-99, " + std::to_string(s.folds) + "-fold cross-validation (each trace scored by models that never trained on it"
                                             : dev ? "NCEDC dev split (traces 80-99, trained on 0-69"
                                                   : "NCEDC test split (traces 100-153") +
                                  std::string(!cv && !dev && test_idx.size() < 54 ? ", first " + std::to_string(test_idx.size()) : "") +
                                  "), 60 s windows, P within 0.1 s, S within 0.2 s\n\n" + tab.str());
  spdlog::info("picking evaluation:\n{}", tab.str());

  Json summary;
  summary["scenario"] = s.name;
  summary["test_traces"] = test_idx.size();
  summary["evaluate_on"] = s.evaluate_on;
  summary["protocol"] =
      std::string(cv ? "NCEDC traces 0-99 in " + std::to_string(s.folds) +
                           " folds of consecutive traces (fold k scored by models trained on the other traces but their last 10, "
                           "which stop early and choose thresholds)"
                     : dev ? "NCEDC dev traces 80-99 (train 0-69, early stopping 70-79)" : "NCEDC traces 100-153") +
      ", 60 s windows starting uniformly in [0, 1500] samples (mt19937_64 seed " +
      std::to_string(s.eval_seed) +
      "), one P / S pick per trace: the " +
      (s.pick_rule == "first" ? std::string("earliest") : std::string("highest")) +
      " probability peak above threshold" +
      (s.tune_thresholds ? " (for models trained on NCEDC, rule and threshold chosen on the validation traces)" : "") +
      (!s.model_thresholds.empty() ? " (per-model rules and thresholds of evaluation.thresholds where given)" : "") +
      "; TP within 0.1 s (P) / 0.2 s (S)";
  summary["synthetics"] = {{"traces", syn_rep.traces}, {"events", syn_rep.events}, {"train", syn_train.size()},
                           {"val", syn_val.size()}, {"seconds", syn_rep.seconds}};
  summary["real_train_traces"] = real_train_count;
  if (cv) summary["folds"] = s.folds;
  Json models = Json::object();
  for (const auto& r : results) {
    Json j;
    j["trained_on"] = r.trained_on;
    j["P"] = score_json(r.p);
    if (r.has_s) j["S"] = score_json(r.s);
    if (r.trained) {
      j["epochs_run"] = r.train.epochs_run;
      j["best_epoch"] = r.train.best_epoch;
      j["train_seconds"] = r.train.seconds;
      j["final_train_loss"] = r.train.train_loss.empty() ? kNaN : r.train.train_loss.back();
      j["best_val_loss"] = r.train.val_loss.empty() ? kNaN : *std::min_element(r.train.val_loss.begin(), r.train.val_loss.end());
      j["train_examples"] = r.train.train_examples;
      j["parameters"] = r.parameters;
    }
    j["eval_seconds"] = r.eval_seconds;
    if (!std::isnan(r.p_threshold)) {
      j["thresholds"] = {{"P", r.p_threshold}, {"S", r.s_threshold}};
      j["pick_rule"] = {{"P", r.p_rule}, {"S", r.s_rule}};
    }
    if ((dev || cv) && !r.raw_p.empty()) {
      // F1 against a fixed threshold for both pick rules (for choosing settings; never written
      // for the test split, which must not be tuned on).
      Json curve = Json::object();
      for (const char* ru : {"first", "highest"}) {
        std::vector<double> th, fp, fs;
        for (int i = 1; i <= 19; ++i) {
          const double t = 0.05 * i;
          th.push_back(t);
          fp.push_back(pk::score_picks(choose_picks(r.raw_p, t, ru, nullptr), r.truth_p, 10, 100.0).f1);
          fs.push_back(pk::score_picks(choose_picks(r.raw_s, t, ru, nullptr), r.truth_s, 20, 100.0).f1);
        }
        curve[ru] = {{"threshold", th}, {"P_f1", fp}, {"S_f1", fs}};
      }
      j["f1_vs_threshold"] = curve;
      if (r.name != "stalta_aic") {
        // The fixed rule and threshold these traces favour (for evaluation.thresholds).
        Json ch;
        for (int ph = 0; ph < 2; ++ph) {
          std::string ru;
          double f1 = 0;
          const double t = choose_threshold(ph ? r.raw_s : r.raw_p, ph ? r.truth_s : r.truth_p, ph ? 20 : 10,
                                            s.pick_rule, ru, &f1);
          ch[ph ? "S" : "P"] = {{"rule", ru}, {"threshold", t}, {"f1", f1}};
        }
        j["best_fixed_threshold"] = ch;
      }
    }
    if (cv) {
      Json fl = Json::array();
      for (const auto& f : r.folds) {
        Json fj;
        fj["P_f1"] = f.p.f1;
        fj["S_f1"] = f.s.f1;
        if (f.trained) fj["best_epoch"] = f.train.best_epoch, fj["epochs_run"] = f.train.epochs_run;
        if (!std::isnan(f.p_threshold)) fj["thresholds"] = {{"P", f.p_threshold}, {"S", f.s_threshold}};
        fl.push_back(fj);
      }
      j["folds"] = fl;
    }
    models[r.name] = j;
  }
  summary["models"] = models;
  summary["seconds"] = {{"synthetics", t_synthetics}, {"total", since()}};

  {
    core::h5::Writer h5(out_dir + "/picking.h5");
    std::vector<double> idx(test_idx.begin(), test_idx.end()), off(offs.begin(), offs.end());
    h5.write("test/trace_index", idx);
    h5.write("test/window_offset", off);
    h5.write("test/truth_p_sample", truth_p);
    h5.write("test/truth_s_sample", truth_s);
    for (const auto& r : results) {
      h5.write("models/" + r.name + "/p_pick_sample", r.p_pick);
      h5.write("models/" + r.name + "/s_pick_sample", r.s_pick);
      if (r.trained) {
        h5.write("models/" + r.name + "/train_loss", r.train.train_loss);
        h5.write("models/" + r.name + "/val_loss", r.train.val_loss);
      }
    }
    h5.attribute("/", "units", "samples at 100 Hz from the start of each 60 s test window");
    h5.attribute("/", "ncedc_file", s.ncedc_file);
    h5.commit();
  }
  // Picks of the last deep model (or STA/LTA) as CSV + QuakeML; time 0 = window start.
  if (!results.empty()) {
    const auto& r = results.back();
    std::vector<pk::Pick> picks;
    const auto nets = core::h5::read_strings(s.ncedc_file, "network");
    const auto stas = core::h5::read_strings(s.ncedc_file, "station");
    for (std::size_t k = 0; k < test_idx.size(); ++k) {
      for (int ph = 0; ph < 2; ++ph) {
        const double smp = ph ? r.s_pick[k] : r.p_pick[k];
        if (std::isnan(smp)) continue;
        pk::Pick p;
        p.network = nets[test_idx[k]];
        p.station = stas[test_idx[k]];
        p.channel = "HH?";
        p.phase = ph ? "S" : "P";
        p.time_us = static_cast<std::int64_t>(std::llround(smp * 1e4));
        p.score = ph ? r.s_score[k] : r.p_score[k];
        p.method = r.name;
        picks.push_back(p);
      }
    }
    pk::write_picks_csv(out_dir + "/picks.csv", picks);
    pk::write_picks_quakeml(out_dir + "/picks.xml", picks, "local/hyseis/" + s.name);
    summary["picks_model"] = r.name;
  }
  if (s.figures) {
    // Residual histograms (P, S): counts per 0.05 s bin in [-1, 1] s.
    for (int ph = 0; ph < 2; ++ph) {
      core::plot::LinePlot lp;
      lp.title = std::string(ph ? "S" : "P") + " pick residuals, NCEDC " + split_name + " (pick - analyst)";
      lp.xlabel = "residual (s)";
      lp.ylabel = "picks per 0.05 s bin";
      for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& res = ph ? results[i].s.residuals_s : results[i].p.residuals_s;
        if (ph && !results[i].has_s) continue;
        core::plot::Series se;
        se.label = results[i].name;
        se.color = colour(i);
        std::vector<double> cnt(40, 0);
        for (double x : res)
          if (x >= -1 && x < 1) cnt[static_cast<std::size_t>((x + 1) / 0.05)] += 1;
        for (std::size_t b = 0; b < 40; ++b) {
          se.x.push_back(-1 + 0.05 * b);
          se.y.push_back(cnt[b]);
          se.x.push_back(-1 + 0.05 * (b + 1));
          se.y.push_back(cnt[b]);
        }
        lp.series.push_back(se);
      }
      core::plot::save_png(lp, out_dir + (ph ? "/residuals_s.png" : "/residuals_p.png"));
    }
    // Training curves.
    core::plot::LinePlot tc;
    tc.title = "training (solid) and validation (dashed) loss";
    tc.xlabel = "epoch";
    tc.ylabel = "loss";
    tc.log_y = true;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!results[i].trained) continue;
      for (int v = 0; v < 2; ++v) {
        core::plot::Series se;
        const auto& y = v ? results[i].train.val_loss : results[i].train.train_loss;
        for (std::size_t e = 0; e < y.size(); ++e) se.x.push_back(e + 1.0), se.y.push_back(y[e]);
        se.label = results[i].name + (v ? " (val)" : "");
        se.color = colour(i);
        se.dashed = v == 1;
        tc.series.push_back(se);
      }
    }
    if (!tc.series.empty()) core::plot::save_png(tc, out_dir + "/training_curves.png");
    // Example test traces: Z (normalised), P/S probabilities of the last deep model, analyst picks.
    const std::string ex_model = results.empty() ? "" : results.back().name;
    if (!ex_model.empty() && ex_model != "stalta_aic") {
      const auto m = pk::PickerEnsemble::load(member_files(out_dir + "/models", ex_model));
      core::plot::LinePlot lp;
      lp.title = "NCEDC test traces: Z (black), " + ex_model + " P (blue) / S (red) probability, analyst picks (dashed)";
      lp.xlabel = "time in window (s)";
      lp.ylabel = "trace";
      const std::size_t show = std::min<std::size_t>(4, test_idx.size());
      for (std::size_t k = 0; k < show; ++k) {
        const auto ch = prep(nc.zne(test_idx[k], offs[k], W), s);
        const auto pr = m.predict(ch, 100.0, {s.overlap, s.gpd_step, 32});
        double mx = 0;
        for (double a : ch[0]) mx = std::max(mx, std::abs(a));
        core::plot::Series z, pp, ss;
        z.color = {0, 0, 0};
        pp.color = {0, 0, 220};
        ss.color = {200, 0, 0};
        const double y0 = 2.0 * k;
        for (std::size_t i = 0; i < W; i += 2) {
          const double t = i / 100.0;
          z.x.push_back(t), z.y.push_back(y0 + 1.2 + 0.5 * ch[0][i] / (mx > 0 ? mx : 1));
          pp.x.push_back(t), pp.y.push_back(y0 + pr.p[i]);
          ss.x.push_back(t), ss.y.push_back(y0 + pr.s[i]);
        }
        lp.series.push_back(z);
        lp.series.push_back(pp);
        lp.series.push_back(ss);
        for (int ph = 0; ph < 2; ++ph) {
          core::plot::Series mk;
          const double t = (ph ? truth_s[k] : truth_p[k]) / 100.0;
          mk.x = {t, t};
          mk.y = {y0, y0 + 1.8};
          mk.dashed = true;
          mk.color = ph ? std::array<unsigned char, 3>{200, 0, 0} : std::array<unsigned char, 3>{0, 0, 220};
          lp.series.push_back(mk);
        }
      }
      lp.height = 800;
      core::plot::save_png(lp, out_dir + "/examples.png");
    }
  }
  summary["seconds"]["total"] = since();
  core::json::write_atomic(out_dir + "/summary.json", summary);
}

}  // namespace hyseis::hybrid::picking
