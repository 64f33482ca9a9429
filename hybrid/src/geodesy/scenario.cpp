// Scenario runner for `scenario.type: postseismic` (see scenario.hpp, docs/tutorials/postseismic.md).
#include "hyseis/hybrid/geodesy/scenario.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <random>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/hybrid/geodesy/discovery.hpp"
#include "hyseis/hybrid/geodesy/surrogate.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace hyseis::hybrid::geodesy {

namespace cfg = core::config;
namespace plot = core::plot;
namespace cyc = physics::cycle;
using core::json::Json;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

struct Spec {
  std::string name;
  cyc::ViscoelasticCycleOptions fe;   // the "true" model
  // GPS
  std::vector<double> stations{-80, -40, -20, -10, -5, 2, 5, 10, 15, 20, 30, 45, 60, 90, 130, 180};
  std::vector<double> survey_phases{0.05, 0.15, 0.3, 0.5, 0.75, 0.95};
  double velocity_sigma = 5e-4;       // m/yr
  cyc::NoiseOptions noise;            // daily position noise
  std::uint64_t velocity_seed = 11;
  // InSAR
  double insar_x0 = -100, insar_x1 = 100, insar_dx = 1, insar_t0 = 1, insar_t1 = 6, insar_sigma = 2e-3;
  // discovery
  std::vector<double> k_h{0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0};
  double window = 2400, spacing = 4;
  double discovery_noise = 0;
  // surrogate
  SurrogateOptions sur;
  int n_tau = 24, n_phase = 40, n_x = 40;
  std::vector<double> fe_validation_tau{30, 120};
  bool cache = true;
  // inversion
  InversionOptions inv;
  bool figures = true;
};

std::vector<double> numbers(const cfg::Node& n, const cfg::Constraint& c) {
  std::vector<double> v;
  for (const auto& e : n.elements()) v.push_back(e.as_number(c));
  if (v.empty()) n.fail("give at least one value");
  return v;
}

Spec parse(const cfg::Node& root) {
  root.require_map();
  root.allow_keys({"scenario", "model", "gps", "insar", "discovery", "surrogate", "inversion", "output"});
  Spec s;
  const auto sc = root["scenario"];
  sc.allow_keys({"name", "type", "description"});
  s.name = sc.get<std::string>("name");
  sc["type"].choice({"postseismic"});
  auto& f = s.fe;
  f.cycles = 6;
  f.record_cycles = 1;
  if (root.has("model")) {
    const auto m = root["model"];
    m.allow_keys({"layer_thickness_km", "relaxation_time_yr", "viscosity_pa_s", "shear_modulus_pa", "recurrence_yr",
                  "slip_m", "cycles", "steps_per_cycle", "cell_size_km", "fe_degree", "tip_levels", "domain_km"});
    f.layer_thickness = f.locking_depth = m.get("layer_thickness_km", f.layer_thickness, cfg::Positive());
    f.recurrence = m.get("recurrence_yr", f.recurrence, cfg::Positive());
    if (m.has("viscosity_pa_s")) {
      if (m.has("relaxation_time_yr")) m.fail("give relaxation_time_yr or viscosity_pa_s, not both");
      const double eta = m.get("viscosity_pa_s", cfg::Positive());
      const double mu = m.get("shear_modulus_pa", 3e10, cfg::Positive());
      f.relaxation_time = eta / mu / (365.25 * 86400);
    } else {
      f.relaxation_time = m.get("relaxation_time_yr", f.relaxation_time, cfg::Positive());
    }
    f.slip = m.get("slip_m", f.slip, cfg::Positive());
    f.cycles = m.get_int("cycles", f.cycles, 2, 100);
    f.steps_per_cycle = m.get_int("steps_per_cycle", f.steps_per_cycle, 20, 2000);
    if (f.steps_per_cycle % 20) m["steps_per_cycle"].fail("must be a multiple of 20");
    f.cell_size = m.get("cell_size_km", f.cell_size, cfg::Positive());
    f.fe_degree = m.get_int("fe_degree", f.fe_degree, 1, 4);
    f.tip_levels = m.get_int("tip_levels", f.tip_levels, 0, 10);
    f.domain_width = f.domain_depth = m.get("domain_km", f.domain_width, cfg::Positive());
  }
  if (root.has("gps")) {
    const auto g = root["gps"];
    g.allow_keys({"stations_km", "survey_phases", "velocity_sigma_m_per_yr", "velocity_seed", "white_sigma_m",
                  "flicker_m_per_yr_quarter", "seed"});
    if (g.has("stations_km")) {
      s.stations = numbers(g["stations_km"], cfg::Constraint{[](double x) { return std::isfinite(x); }, "finite"});
      for (double x : s.stations)
        if (x == 0)
          g["stations_km"].fail("a station at x = 0 lies on the fault trace (the surface velocity is discontinuous there)");
    }
    if (g.has("survey_phases")) s.survey_phases = numbers(g["survey_phases"], cfg::Range(1e-6, 1));
    s.velocity_sigma = g.get("velocity_sigma_m_per_yr", s.velocity_sigma, cfg::Positive());
    s.velocity_seed = std::uint64_t(g.get_int("velocity_seed", int(s.velocity_seed), 0, 1 << 30));
    s.noise.white_sigma = g.get("white_sigma_m", s.noise.white_sigma, cfg::NonNegative());
    s.noise.flicker_amplitude = g.get("flicker_m_per_yr_quarter", s.noise.flicker_amplitude, cfg::NonNegative());
    s.noise.seed = std::uint64_t(g.get_int("seed", int(s.noise.seed), 0, 1 << 30));
  }
  if (root.has("insar")) {
    const auto i = root["insar"];
    i.allow_keys({"x_range_km", "spacing_km", "t0_yr", "t1_yr", "sigma_m"});
    if (i.has("x_range_km")) {
      const auto r = i["x_range_km"].as<std::vector<double>>();
      if (r.size() != 2 || !(r[1] > r[0])) i["x_range_km"].fail("must be [x0, x1] with x0 < x1");
      s.insar_x0 = r[0];
      s.insar_x1 = r[1];
    }
    s.insar_dx = i.get("spacing_km", s.insar_dx, cfg::Positive());
    s.insar_t0 = i.get("t0_yr", s.insar_t0, cfg::NonNegative());
    s.insar_t1 = i.get("t1_yr", s.insar_t1, cfg::NonNegative());
    if (s.insar_t1 <= s.insar_t0) i["t1_yr"].fail("must be > t0_yr");
    s.insar_sigma = i.get("sigma_m", s.insar_sigma, cfg::NonNegative());
  }
  if (root.has("discovery")) {
    const auto d = root["discovery"];
    d.allow_keys({"wavenumbers_kh", "window_km", "station_spacing_km", "noise_fraction"});
    if (d.has("wavenumbers_kh")) s.k_h = numbers(d["wavenumbers_kh"], cfg::Positive());
    s.window = d.get("window_km", s.window, cfg::Positive());
    s.spacing = d.get("station_spacing_km", s.spacing, cfg::Positive());
    if (s.window / s.spacing < 50) d["station_spacing_km"].fail("must give >= 50 stations over window_km");
    s.discovery_noise = d.get("noise_fraction", s.discovery_noise, cfg::Range(0, 0.5));
  }
  if (root.has("surrogate")) {
    const auto u = root["surrogate"];
    u.allow_keys({"hidden", "activation", "tau_over_t_range", "phase_min", "epochs", "batch_size", "learning_rate",
                  "lr_decay", "patience", "seed", "threads", "grid", "fe_validation_tau_yr", "cache"});
    if (u.has("hidden")) {
      s.sur.hidden.clear();
      for (const auto& e : u["hidden"].elements()) s.sur.hidden.push_back(e.as_number(cfg::Range(1, 4096)));
    }
    if (u.has("activation")) s.sur.activation = u["activation"].choice({"tanh", "silu", "gelu", "softplus", "relu"});
    if (u.has("tau_over_t_range")) {
      const auto r = u["tau_over_t_range"].as<std::vector<double>>();
      if (r.size() != 2 || !(r[0] > 0) || !(r[1] > r[0]))
        u["tau_over_t_range"].fail("must be [min, max] with 0 < min < max (relaxation time / recurrence; negative viscosities are not physical)");
      s.sur.tau_min = r[0];
      s.sur.tau_max = r[1];
    }
    s.sur.phase_min = u.get("phase_min", s.sur.phase_min, cfg::Range(1e-4, 0.5));
    s.sur.epochs = u.get_int("epochs", s.sur.epochs, 1, 100000);
    s.sur.batch_size = u.get_int("batch_size", int(s.sur.batch_size), 1, 1 << 20);
    s.sur.learning_rate = u.get("learning_rate", s.sur.learning_rate, cfg::Positive());
    s.sur.lr_decay = u.get("lr_decay", s.sur.lr_decay, cfg::Range(1e-3, 1));
    s.sur.patience = u.get_int("patience", s.sur.patience, 0, 100000);
    s.sur.seed = std::uint64_t(u.get_int("seed", int(s.sur.seed), 0, 1 << 30));
    s.sur.threads = u.get_int("threads", s.sur.threads, 1, 64);
    if (u.has("grid")) {
      const auto gr = u["grid"];
      gr.allow_keys({"tau", "phase", "x"});
      s.n_tau = gr.get_int("tau", s.n_tau, 3, 1000);
      s.n_phase = gr.get_int("phase", s.n_phase, 3, 1000);
      s.n_x = gr.get_int("x", s.n_x, 3, 1000);
    }
    if (u.has("fe_validation_tau_yr")) {
      s.fe_validation_tau.clear();
      for (const auto& e : u["fe_validation_tau_yr"].elements()) s.fe_validation_tau.push_back(e.as_number(cfg::Positive()));
    }
    s.cache = u.get<bool>("cache", s.cache);
  }
  if (root.has("inversion")) {
    const auto v = root["inversion"];
    v.allow_keys({"start_tau_yr", "start_depth_km", "iterations", "ensemble", "seed"});
    if (v.has("start_tau_yr")) s.inv.start_tau = numbers(v["start_tau_yr"], cfg::Positive());
    if (v.has("start_depth_km")) s.inv.start_h = numbers(v["start_depth_km"], cfg::Positive());
    s.inv.iterations = v.get_int("iterations", s.inv.iterations, 1, 10000);
    s.inv.ensemble = v.get_int("ensemble", s.inv.ensemble, 0, 10000);
    s.inv.seed = std::uint64_t(v.get_int("seed", int(s.inv.seed), 0, 1 << 30));
  }
  if (root.has("output")) {
    const auto o = root["output"];
    o.allow_keys({"figures"});
    s.figures = o.get<bool>("figures", true);
  }
  const double tt = f.relaxation_time / f.recurrence;
  if (tt < s.sur.tau_min || tt > s.sur.tau_max)
    root["model"].fail("relaxation_time / recurrence = " + std::to_string(tt) + " lies outside the surrogate range [" +
                       std::to_string(s.sur.tau_min) + ", " + std::to_string(s.sur.tau_max) + "]");
  for (double t : s.fe_validation_tau)
    if (t / f.recurrence < s.sur.tau_min || t / f.recurrence > s.sur.tau_max)
      root["surrogate"].fail("fe_validation_tau_yr " + std::to_string(t) + " lies outside the surrogate range");
  for (double p : s.survey_phases)
    if (p < s.sur.phase_min) root["gps"]["survey_phases"].fail("phases must be >= surrogate.phase_min");
  f.validate();
  s.sur.validate();
  s.inv.validate();
  return s;
}

std::vector<double> merged_stations(const Spec& s) {
  std::vector<double> x;
  for (double q = s.spacing; q <= s.window + 1e-9; q += s.spacing) x.push_back(q);
  for (double q : s.stations) x.push_back(std::abs(q));
  for (double q = 0.5; q <= 200; q *= 1.25) x.push_back(q);  // profile figure stations
  x.push_back(std::max(std::abs(s.insar_x0), std::abs(s.insar_x1)) + 1);
  std::sort(x.begin(), x.end());
  x.erase(std::unique(x.begin(), x.end(), [](double a, double b) { return std::abs(a - b) < 1e-9; }), x.end());
  return x;
}

std::size_t index_of(const std::vector<double>& v, double q) {
  auto it = std::min_element(v.begin(), v.end(), [&](double a, double b) { return std::abs(a - q) < std::abs(b - q); });
  return std::size_t(it - v.begin());
}

/// Cache lookup: `out_dir/name`, or — when the CLI writes into `<dir>.partial` (core::fs::AtomicDir)
/// — the same file of the previous run in `<dir>`, copied in (with `extra_suffix` sidecars).
bool find_cached(const std::string& out_dir, const std::string& name, const std::vector<std::string>& extra_suffix) {
  namespace fsys = std::filesystem;
  const fsys::path here = fsys::path(out_dir) / name;
  if (fsys::exists(here)) return true;
  const std::string suffix = ".partial";
  std::string d = out_dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  if (d.size() <= suffix.size() || d.compare(d.size() - suffix.size(), suffix.size(), suffix) != 0) return false;
  const fsys::path prev = fsys::path(d.substr(0, d.size() - suffix.size())) / name;
  if (!fsys::exists(prev)) return false;
  for (const auto& x : extra_suffix)
    if (!fsys::exists(prev.string() + x)) return false;
  fsys::copy_file(prev, here, fsys::copy_options::overwrite_existing);
  for (const auto& x : extra_suffix)
    fsys::copy_file(prev.string() + x, here.string() + x, fsys::copy_options::overwrite_existing);
  return true;
}

const std::array<unsigned char, 3> kColors[] = {{30, 100, 220}, {220, 40, 40}, {40, 160, 60}, {150, 60, 200}, {230, 140, 20}, {0, 0, 0}};

}  // namespace

void run_postseismic_scenario(const cfg::Node& root, const std::string& out_dir) {
  const Spec spec = parse(root);
  const auto& F = spec.fe;
  const double T = F.recurrence, H = F.layer_thickness, tau = F.relaxation_time, vp = F.slip / F.recurrence;
  Json summary;
  summary["scenario"] = spec.name;
  summary["type"] = "postseismic";
  summary["units"] = {{"length", "km"}, {"time", "yr"}, {"displacement", "m"}, {"velocity", "m/yr"}};
  summary["model"] = {{"layer_thickness_km", H}, {"locking_depth_km", F.locking_depth}, {"relaxation_time_yr", tau},
                      {"recurrence_yr", T}, {"slip_m", F.slip}, {"plate_rate_m_per_yr", vp}, {"cycles", F.cycles},
                      {"steps_per_cycle", F.steps_per_cycle}, {"cell_size_km", F.cell_size}};

  // 1. the cycle model ------------------------------------------------------------------------
  auto fe = F;
  fe.profile_x = merged_stations(spec);
  fe.profile_phases.clear();
  for (int n = 1; n <= fe.steps_per_cycle; ++n) fe.profile_phases.push_back(double(n) / fe.steps_per_cycle);
  double t0 = now();
  const auto res = cyc::run_viscoelastic_cycle(fe);
  const double fe_seconds = now() - t0;
  summary["fe"] = {{"dofs", res.n_dofs}, {"cells", res.n_cells}, {"steps", res.n_steps}, {"seconds", fe_seconds},
                   {"seconds_per_cycle", fe_seconds / fe.cycles}, {"periodicity_error", res.periodicity_error},
                   {"stations", fe.profile_x.size()}};
  // FE vs Savage-Prescott over the GPS stations (sanity of the truth)
  cyc::SavagePrescottParams sp;
  sp.layer_thickness = sp.locking_depth = H;
  sp.recurrence = T;
  sp.relaxation_time = tau;
  sp.slip = F.slip;
  double fe_sp_max = 0, vmax = 0;
  for (std::size_t n = 0; n < res.phases.size(); ++n) {
    const auto ref = cyc::savage_prescott_velocity(sp, fe.profile_x, res.phases[n] * T);
    for (std::size_t i = 0; i < ref.size(); ++i) {
      if (fe.profile_x[i] > 200) continue;
      fe_sp_max = std::max(fe_sp_max, std::abs(res.velocity[n][i] - ref[i]));
      vmax = std::max(vmax, std::abs(ref[i]));
    }
  }
  summary["fe"]["max_error_vs_savage_prescott_relative"] = fe_sp_max / vmax;

  // 2. synthetic geodesy -------------------------------------------------------------------------
  cyc::GeodesyOptions go;
  go.station_x = spec.stations;
  go.noise = spec.noise;
  const double rec_end = res.record_time.back();
  for (double t = 0; t <= rec_end + 1e-9; t += go.noise.sample_interval * 7) go.epochs.push_back(t);  // weekly
  for (double x = spec.insar_x0; x <= spec.insar_x1 + 1e-9; x += spec.insar_dx)
    if (std::abs(x) > 1e-9) go.insar_x.push_back(x);
  go.insar_t0 = spec.insar_t0;
  go.insar_t1 = std::min(spec.insar_t1, rec_end);
  go.insar_sigma = spec.insar_sigma;
  const auto geod = cyc::synthesize_geodesy(res.record_time, fe.profile_x, res.record_displacement, go);
  cyc::write_geodesy_hdf5(out_dir + "/geodesy.h5", geod, go);
  // GPS velocities at the survey phases: the model velocity plus white noise (campaign estimates)
  GpsVelocities gv;
  gv.recurrence = T;
  gv.plate_rate = vp;
  {
    std::mt19937_64 rng(spec.velocity_seed);
    std::normal_distribution<double> g;
    for (double ph : spec.survey_phases) {
      const std::size_t n = index_of(res.phases, ph);
      for (double x : spec.stations) {
        const std::size_t i = index_of(fe.profile_x, std::abs(x));
        gv.x.push_back(x);
        gv.phase.push_back(res.phases[n]);
        gv.v.push_back((x < 0 ? -1 : 1) * res.velocity[n][i] + spec.velocity_sigma * g(rng));
        gv.sigma.push_back(spec.velocity_sigma);
      }
    }
  }
  summary["gps"] = {{"stations", spec.stations.size()}, {"survey_phases", spec.survey_phases},
                    {"velocity_sigma_m_per_yr", spec.velocity_sigma}, {"epochs", go.epochs.size()},
                    {"white_sigma_m", go.noise.white_sigma}, {"flicker_m_per_yr_quarter", go.noise.flicker_amplitude}};

  // 3. PDE discovery ----------------------------------------------------------------------------
  VelocityField vf;
  vf.x.push_back(0);
  for (double q = spec.spacing; q <= spec.window + 1e-9; q += spec.spacing) vf.x.push_back(q);
  for (std::size_t n = 0; n < res.phases.size(); ++n) {
    vf.t.push_back(res.phases[n] * T);
    std::vector<double> row{0.0};
    for (std::size_t i = 1; i < vf.x.size(); ++i) row.push_back(res.velocity[n][index_of(fe.profile_x, vf.x[i])]);
    vf.v.push_back(row);
  }
  RelaxationDiscoveryOptions dopt;
  for (double kh : spec.k_h) dopt.wavenumbers.push_back(kh / H);
  dopt.window_length = spec.window;
  dopt.noise_fraction = spec.discovery_noise;
  t0 = now();
  const auto disc = discover_relaxation(vf, dopt, H);
  Json dj = Json::array();
  for (const auto& m : disc.modes) {
    const double truth = mode_relaxation_rate(m.k, H, tau);
    dj.push_back({{"kH", m.k * H}, {"equation", m.equation}, {"terms", m.terms}, {"rate_per_yr", m.rate},
                  {"rate_true_per_yr", truth}, {"rate_relative_error", m.rate / truth - 1}});
  }
  summary["discovery"] = {{"modes", dj},
                          {"all_modes_pure_relaxation", std::all_of(disc.modes.begin(), disc.modes.end(), [](const ModeFit& m) {
                             return m.terms == std::vector<std::string>{"a"};
                           })},
                          {"tau_known_h_yr", disc.tau_known_h}, {"tau_joint_yr", disc.tau_fit}, {"h_joint_km", disc.h_fit},
                          {"tau_relative_error", disc.tau_known_h / tau - 1}, {"h_joint_relative_error", disc.h_fit / H - 1},
                          {"window_km", spec.window}, {"noise_fraction", spec.discovery_noise}, {"seconds", now() - t0},
                          {"law", "a_t = c - lambda(k) a, lambda(k) = (1 - exp(-2 k H)) / (2 tau); c = 0 for D = H"}};

  // 4. surrogate ----------------------------------------------------------------------------------
  const std::string cache_samples = out_dir + "/surrogate_training.h5", cache_model = out_dir + "/surrogate.pt";
  t0 = now();
  CycleSamples train_set, held_out;
  bool samples_cached = false;
  if (spec.cache && find_cached(out_dir, "surrogate_training.h5", {})) {
    train_set = read_samples_hdf5(cache_samples);
    samples_cached = true;
  } else {
    train_set = savage_prescott_grid(spec.sur, spec.n_tau, spec.n_phase, spec.n_x, false);
    write_samples_hdf5(cache_samples, train_set, "Savage-Prescott series (D = H), savage_prescott_grid(" +
                                                     std::to_string(spec.n_tau) + ", " + std::to_string(spec.n_phase) +
                                                     ", " + std::to_string(spec.n_x) + ")");
  }
  held_out = savage_prescott_grid(spec.sur, spec.n_tau, spec.n_phase, spec.n_x, true);
  const double sample_seconds = now() - t0;
  ViscoelasticSurrogate sur(spec.sur);
  SurrogateReport rep;
  bool model_cached = false;
  if (spec.cache && find_cached(out_dir, "surrogate.pt", {".json"})) {
    sur = ViscoelasticSurrogate::load(cache_model);
    model_cached = true;
  } else {
    rep = sur.train(train_set, held_out);
    sur.save(cache_model);
  }
  const double l2_train = sur.relative_l2(train_set), l2_held = sur.relative_l2(held_out);
  // FE validation subset: the main run plus FE runs at other relaxation times, same outputs
  std::vector<double> out_x, out_ph;
  for (double ph : fe.profile_phases)
    for (double x : spec.stations) out_x.push_back(x), out_ph.push_back(ph);
  Json fev = Json::array();
  std::vector<double> fe_times{fe_seconds};
  double worst_fe_l2 = 0;
  auto compare_fe = [&](const cyc::ViscoelasticCycleResult& r, double tau_v, double secs) {
    std::vector<double> xh, ph, tt, ref;
    for (std::size_t n = 0; n < r.phases.size(); ++n)
      for (double x : spec.stations) {
        xh.push_back(x / H);
        ph.push_back(r.phases[n]);
        tt.push_back(tau_v / T);
        ref.push_back((x < 0 ? -1 : 1) * r.velocity[n][index_of(r.profile_x, std::abs(x))] / vp);
      }
    const auto p = sur.predict(xh, ph, tt);
    double num = 0, den = 0;
    for (std::size_t i = 0; i < p.size(); ++i) num += (p[i] - ref[i]) * (p[i] - ref[i]), den += ref[i] * ref[i];
    const double e = std::sqrt(num / den);
    worst_fe_l2 = std::max(worst_fe_l2, e);
    fev.push_back({{"tau_yr", tau_v}, {"relative_l2_surrogate_vs_fe", e}, {"fe_seconds", secs}, {"outputs", p.size()}});
  };
  compare_fe(res, tau, fe_seconds);
  for (double tv : spec.fe_validation_tau) {
    auto o2 = F;
    o2.relaxation_time = tv;
    o2.record_cycles = 0;
    o2.profile_x.clear();
    for (double x : spec.stations) o2.profile_x.push_back(std::abs(x));
    std::sort(o2.profile_x.begin(), o2.profile_x.end());
    o2.profile_x.erase(std::unique(o2.profile_x.begin(), o2.profile_x.end()), o2.profile_x.end());
    o2.profile_phases = fe.profile_phases;
    const double ts = now();
    const auto r2 = cyc::run_viscoelastic_cycle(o2);
    const double secs = now() - ts;
    fe_times.push_back(secs);
    compare_fe(r2, tv, secs);
  }
  // timing: the same outputs (stations x all step phases) for one parameter set
  std::vector<double> xh_o(out_x.size()), tt_o(out_x.size(), tau / T);
  for (std::size_t i = 0; i < out_x.size(); ++i) xh_o[i] = out_x[i] / H;
  int reps = 0;
  const double ts = now();
  while (now() - ts < 0.5 || reps < 5) {
    (void)sur.predict(xh_o, out_ph, tt_o);
    ++reps;
  }
  const double sur_seconds = (now() - ts) / reps;
  const double fe_mean = [&] {
    double s = 0;
    for (double q : fe_times) s += q;
    return s / double(fe_times.size());
  }();
  summary["surrogate"] = {{"training_source", "Savage-Prescott series (exact for this model; FE runs validate)"},
                          {"training_samples", train_set.size()}, {"held_out_samples", held_out.size()},
                          {"samples_cached", samples_cached}, {"model_cached", model_cached},
                          {"sample_seconds", sample_seconds}, {"train_seconds", rep.train_seconds},
                          {"epochs_run", rep.epochs_run}, {"best_epoch", rep.best_epoch},
                          {"hidden", spec.sur.hidden}, {"activation", spec.sur.activation},
                          {"tau_over_t_range", {spec.sur.tau_min, spec.sur.tau_max}},
                          {"relative_l2_train", l2_train}, {"relative_l2_held_out", l2_held},
                          {"held_out_goal", 0.01}, {"held_out_goal_met", l2_held <= 0.01},
                          {"fe_validation", fev}, {"relative_l2_vs_fe_worst", worst_fe_l2},
                          {"outputs_per_parameter_set", out_x.size()},
                          {"fe_seconds_per_parameter_set", fe_mean}, {"surrogate_seconds_per_parameter_set", sur_seconds},
                          {"speedup", fe_mean / sur_seconds}, {"speedup_goal", 500}};

  // 5. inversion --------------------------------------------------------------------------------
  const auto inv = invert_tau_depth(sur, gv, spec.inv);
  Json starts = Json::array();
  for (std::size_t i = 0; i < inv.start_tau.size(); ++i)
    starts.push_back({{"start_tau_yr", inv.start_tau[i]}, {"start_h_km", inv.start_h[i]}, {"chi2", inv.start_chi2[i]},
                      {"tau_yr", inv.end_tau[i]}, {"h_km", inv.end_h[i]}});
  summary["inversion"] = {{"tau_true_yr", tau}, {"h_true_km", H}, {"tau_yr", inv.tau}, {"h_km", inv.h},
                          {"tau_std_gauss_newton", inv.tau_std}, {"h_std_gauss_newton", inv.h_std},
                          {"corr_ln_tau_ln_h", inv.corr_log}, {"tau_ensemble_mean", inv.ensemble_tau_mean},
                          {"tau_ensemble_std", inv.ensemble_tau_std}, {"h_ensemble_mean", inv.ensemble_h_mean},
                          {"h_ensemble_std", inv.ensemble_h_std}, {"chi2", inv.chi2}, {"n_data", inv.n_data},
                          {"tau_error_sigmas", (inv.tau - tau) / inv.tau_std}, {"h_error_sigmas", (inv.h - H) / inv.h_std},
                          {"tau_relative_error", inv.tau / tau - 1}, {"h_relative_error", inv.h / H - 1},
                          {"viscosity_pa_s_at_mu_30GPa", inv.tau * 365.25 * 86400 * 3e10},
                          {"starts", starts}, {"seconds", inv.seconds}};

  // 6. outputs ----------------------------------------------------------------------------------
  core::h5::Writer h5(out_dir + "/postseismic.h5");
  h5.attribute("/", "scenario", spec.name);
  h5.attribute("/", "units", "km, yr, m, m/yr; surrogate samples dimensionless");
  h5.attribute("/", "config_yaml", YAML::Dump(root.yaml()));
  {
    std::vector<double> flat;
    for (const auto& r : res.velocity) flat.insert(flat.end(), r.begin(), r.end());
    h5.write("fe/x", fe.profile_x);
    h5.write("fe/phases", res.phases);
    h5.write("fe/velocity", {res.phases.size(), fe.profile_x.size()}, flat.data());
    h5.write("fe/coseismic", res.coseismic);
    std::vector<double> k, rate, truth;
    for (const auto& m : disc.modes) k.push_back(m.k), rate.push_back(m.rate), truth.push_back(mode_relaxation_rate(m.k, H, tau));
    h5.write("discovery/k", k);
    h5.write("discovery/rate", rate);
    h5.write("discovery/rate_true", truth);
    h5.write("gps_velocity/x", gv.x);
    h5.write("gps_velocity/phase", gv.phase);
    h5.write("gps_velocity/v", gv.v);
    h5.write("gps_velocity/sigma", gv.sigma);
    h5.write("inversion/ensemble_tau", inv.ensemble_tau);
    h5.write("inversion/ensemble_h", inv.ensemble_h);
    h5.write("surrogate/train_loss", rep.train_loss);
    h5.write("surrogate/val_loss", rep.val_loss);
  }
  h5.commit();
  core::json::write_atomic(out_dir + "/summary.json", summary);

  if (spec.figures) {
    // velocity profiles: FE vs surrogate vs Savage-Prescott
    plot::LinePlot lp;
    lp.title = "surface velocity, FE (solid) vs surrogate (dashed), tau = " + std::to_string(int(std::lround(tau))) + " yr";
    lp.xlabel = "distance from fault x (km)";
    lp.ylabel = "fault-parallel velocity (mm/yr)";
    int c = 0;
    for (double ph : {0.02, 0.1, 0.3, 0.6, 1.0}) {
      const std::size_t n = index_of(res.phases, ph);
      plot::Series a, b;
      std::ostringstream lab;
      lab << "t/T = " << res.phases[n];
      a.label = lab.str() + " FE";
      b.label = lab.str() + " NN";
      a.color = b.color = kColors[c++ % 6];
      b.dashed = true;
      std::vector<double> xs;
      for (double x : fe.profile_x)
        if (x <= 200) xs.push_back(x);
      const auto pv = sur.velocity(xs, res.phases[n], tau, H, T, vp);
      for (std::size_t i = 0; i < xs.size(); ++i) {
        a.x.push_back(xs[i]);
        a.y.push_back(1e3 * res.velocity[n][index_of(fe.profile_x, xs[i])]);
        b.x.push_back(xs[i]);
        b.y.push_back(1e3 * pv[i]);
      }
      lp.series.push_back(a);
      lp.series.push_back(b);
    }
    plot::save_png(lp, out_dir + "/velocity_profiles.png");
    // GPS time series
    plot::LinePlot gp;
    gp.title = "synthetic GPS (weekly, white + flicker noise), first 10 yr after the earthquake";
    gp.xlabel = "time after the earthquake (yr)";
    gp.ylabel = "fault-parallel displacement (m)";
    c = 0;
    for (std::size_t s = 0; s < geod.station_x.size(); s += std::max<std::size_t>(1, geod.station_x.size() / 4)) {
      plot::Series a{{}, {}, "x = " + std::to_string(int(geod.station_x[s])) + " km", kColors[c % 6], false};
      plot::Series b{{}, {}, "", {0, 0, 0}, true};
      for (std::size_t n = 0; n < geod.epochs.size() && geod.epochs[n] <= 10; ++n) {
        a.x.push_back(geod.epochs[n]);
        a.y.push_back(geod.gps[s][n]);
        b.x.push_back(geod.epochs[n]);
        b.y.push_back(geod.gps_clean[s][n]);
      }
      gp.series.push_back(a);
      gp.series.push_back(b);
      ++c;
    }
    plot::save_png(gp, out_dir + "/gps_timeseries.png");
    // InSAR
    plot::LinePlot ip;
    ip.title = "InSAR LOS change between t0 and t1";
    ip.xlabel = "x (km)";
    ip.ylabel = "LOS (m)";
    ip.series.push_back({geod.insar_x, geod.insar_los, "noisy", {30, 100, 220}, false});
    ip.series.push_back({geod.insar_x, geod.insar_los_clean, "clean", {0, 0, 0}, true});
    plot::save_png(ip, out_dir + "/insar_los.png");
    // discovered dispersion
    plot::LinePlot dp;
    dp.title = "mode relaxation rate: discovered (dashed, one value per mode) vs (1 - exp(-2kH))/(2 tau)";
    dp.xlabel = "k H";
    dp.ylabel = "lambda (1/yr)";
    plot::Series tr{{}, {}, "truth", {0, 0, 0}, false}, ds{{}, {}, "discovered", {220, 40, 40}, true};
    for (double kh = 0.05; kh <= spec.k_h.back() * 1.05; kh += 0.05) tr.x.push_back(kh), tr.y.push_back(mode_relaxation_rate(kh / H, H, tau));
    for (const auto& m : disc.modes) ds.x.push_back(m.k * H), ds.y.push_back(m.rate);
    dp.series.push_back(tr);
    dp.series.push_back(ds);
    plot::save_png(dp, out_dir + "/discovery_dispersion.png");
    // inversion: ensemble and truth in (tau, H)
    plot::LinePlot ip2;
    ip2.title = "inversion: ensemble (blue), best fit (red), truth (black)";
    ip2.xlabel = "relaxation time tau (yr)";
    ip2.ylabel = "locking depth H (km)";
    std::vector<plot::Series> ens;  // one small cross per ensemble member
    const double dxm = 0.004 * tau, dym = 0.004 * H;
    for (std::size_t e = 0; e < inv.ensemble_tau.size(); ++e) {
      const double a = inv.ensemble_tau[e], b = inv.ensemble_h[e];
      ens.push_back({{a - dxm, a + dxm, a, a, a}, {b, b, b, b - dym, b + dym}, e == 0 ? "ensemble" : "", {30, 100, 220}, false});
    }
    plot::Series be{{inv.tau - inv.tau_std, inv.tau + inv.tau_std, inv.tau, inv.tau, inv.tau},
                    {inv.h, inv.h, inv.h, inv.h - inv.h_std, inv.h + inv.h_std}, "best +- 1 sigma (GN)", {220, 40, 40}, false};
    plot::Series tr2{{tau * 0.995, tau * 1.005, tau, tau, tau}, {H, H, H, H * 0.995, H * 1.005}, "truth", {0, 0, 0}, false};
    ip2.series = ens;
    ip2.series.push_back(be);
    ip2.series.push_back(tr2);
    plot::save_png(ip2, out_dir + "/inversion_recovered.png");
    if (!rep.train_loss.empty()) {
      plot::LinePlot tp;
      tp.title = "surrogate training (standardised MSE)";
      tp.xlabel = "epoch";
      tp.ylabel = "loss";
      tp.log_y = true;
      plot::Series a, b;
      for (std::size_t e = 0; e < rep.train_loss.size(); ++e) a.x.push_back(double(e)), a.y.push_back(rep.train_loss[e]);
      for (std::size_t e = 0; e < rep.val_loss.size(); ++e) b.x.push_back(double(e)), b.y.push_back(rep.val_loss[e]);
      a.label = "train";
      b.label = "held out";
      a.color = {30, 100, 220};
      b.color = {220, 40, 40};
      tp.series = {a, b};
      plot::save_png(tp, out_dir + "/surrogate_training.png");
    }
  }
}

}  // namespace hyseis::hybrid::geodesy
