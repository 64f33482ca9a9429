#include "hyseis/hybrid/eew/network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/picking/classic.hpp"
#include "hyseis/physics/groundmotion/bssa14.hpp"
#include "hyseis/physics/groundmotion/stochastic_timeseries.hpp"

namespace hyseis::hybrid::eew {
using core::InvalidInput;
namespace gm = physics::groundmotion;

namespace {
constexpr double kG = 9.80665;
double mag_clamp(double m) { return std::clamp(m, 2.0, 8.5); }

const gm::BSSA14& bssa14() {
  static const gm::BSSA14 model(gm::BSSA14Options{true, gm::PeriodPolicy::exact, gm::BSSA14Basin::none});
  return model;
}

gm::GmpeResult pga_result(double mag, double epi_km, double vs30) {
  gm::Rupture r;
  r.mag = mag;
  gm::Site s;
  s.rjb = epi_km;
  s.rrup = epi_km;
  s.vs30 = vs30;
  return bssa14().evaluate(r, s, gm::Imt::pga());
}

double uniform(std::mt19937_64& rng, double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
}  // namespace

void NetworkModel::validate() const {
  velocity.validate();
  auto pos = [](double v, const char* name) {
    if (!(v > 0) || !std::isfinite(v)) throw InvalidInput(std::string("eew network model: ") + name + " must be positive");
  };
  pos(vp_vs, "vp_vs");
  pos(vs30, "vs30");
  pos(p_to_s_ratio, "p_to_s_ratio");
  pos(trigger_level, "trigger_level");
  pos(window_s, "window_s");
  if (!(trigger_delay_max >= 0) || !(clock_sigma >= 0) || !(latency_jitter >= 0) || !(latency_mean >= latency_jitter) ||
      !(pd_sigma >= 0) || !(busy_rate_per_h >= 0) || !(quiet_rate_per_h >= 0))
    throw InvalidInput("eew network model: delays, sigmas and rates must be >= 0 and latency_mean >= latency_jitter");
  if (!(threshold > 0 && threshold < 1)) throw InvalidInput("eew network model: threshold must be in (0, 1)");
  if (!(station_noise > 0) || !(sta_s > 0) || !(lta_s > sta_s) || !(sta_lta_on > sta_lta_off) || !(sta_lta_off > 0) ||
      !(station_latency >= 0) || !(station_false_rate_per_h >= 0))
    throw InvalidInput("eew network model: need station_noise > 0, 0 < sta_s < lta_s, sta_lta_on > sta_lta_off > 0, "
                       "station_latency >= 0, station_false_rate_per_h >= 0");
}

void ServerOptions::validate() const {
  if (!(eps_km > 0) || !(time_scale >= 0) || min_pts < 1 || !(confirm_radius_km > 0) || min_count < 1 ||
      !(min_fraction >= 0 && min_fraction <= 1) || !(memory_s > 0) || !(loc_half_width_km > 0) || !(loc_dx_km > 0) ||
      loc_depths.empty() || !(loc_penalty >= 0) || loc_max_stations < 2 || !(pd_p_residual_s > 0))
    throw InvalidInput("eew server options: need eps_km > 0, time_scale >= 0, min_pts >= 1, confirm_radius_km > 0, "
                       "min_count >= 1, min_fraction in [0,1], memory_s > 0, loc_half_width_km > 0, loc_dx_km > 0, "
                       "loc_depths non-empty, loc_penalty >= 0, loc_max_stations >= 2, pd_p_residual_s > 0");
  for (double d : loc_depths)
    if (!(d >= 0)) throw InvalidInput("eew server options: loc_depths must be >= 0");
}

double median_pga(double mag, double epi_km, double vs30) { return std::exp(pga_result(mag, epi_km, vs30).ln_median) * kG; }
double pga_phi(double mag, double epi_km, double vs30) { return pga_result(mag, epi_km, vs30).phi; }
double pga_sigma(double mag, double epi_km, double vs30) { return pga_result(mag, epi_km, vs30).sigma; }
double wu_zhao_pd(double mag, double r_km) { return std::pow(10.0, -3.801 + 0.722 * mag - 1.437 * std::log10(r_km)); }

namespace {
/// Triggers of the seismic stations (see NetworkModel): event triggers by STA/LTA on a stochastic record,
/// plus Poisson noise triggers. Probability 1 (no classifier).
std::vector<TriggerMsg> station_triggers(const EventSpec* event, const std::vector<Phone>& phones, const NetworkModel& model,
                                         double t_begin, double t_end, std::mt19937_64& rng) {
  std::vector<TriggerMsg> out;
  std::normal_distribution<double> g;
  static const gm::StochasticPointSource source;
  const double fs = 100.0;
  for (std::size_t i = 0; i < phones.size(); ++i) {
    if (!phones[i].station) continue;
    if (event) {
      const auto& p = phones[i];
      const double epi = std::hypot(p.x - event->x, p.y - event->y);
      const double r = std::max(1.0, std::hypot(epi, event->depth));
      const double tp = model.velocity.travel_time(epi, event->depth), ts = model.vp_vs * tp;
      const double pga = median_pga(event->mag, epi, model.vs30) * std::exp(pga_phi(event->mag, epi, model.vs30) * g(rng));
      gm::StochasticRecordOptions ro;
      ro.fs = fs;
      ro.pre_event_s = model.lta_s + 5.0;
      ro.post_s = 1.0;
      ro.p_ratio = model.p_to_s_ratio;
      ro.vp = r / tp;  // place the P and S windows at the layered-model arrivals
      ro.vs = r / ts;
      auto rec = gm::stochastic_record(source, mag_clamp(event->mag), r, ro, rng);
      double hpk = 0;
      for (std::size_t k = 0; k < rec.e.size(); ++k) hpk = std::max({hpk, std::abs(rec.e[k]), std::abs(rec.n[k])});
      const double scale = hpk > 0 ? pga / hpk : 0.0;
      std::vector<double> z(rec.z.size());
      for (std::size_t k = 0; k < z.size(); ++k) z[k] = scale * rec.z[k] + model.station_noise * g(rng);
      const int nsta = std::max(1, int(std::lround(model.sta_s * fs)));
      const int nlta = std::max(nsta + 1, int(std::lround(model.lta_s * fs)));
      const auto cf = learning::picking::classic_sta_lta(z, nsta, nlta);
      const auto on = learning::picking::trigger_onset(cf, model.sta_lta_on, model.sta_lta_off);
      if (!on.empty()) {
        TriggerMsg m;
        m.sensor = int(i);
        m.from_event = true;
        m.station = true;
        m.t_trigger = tp + (double(on.front().on) - double(rec.ip)) / fs;
        m.s_wave = on.front().on + std::size_t(0.5 * fs) >= rec.is;
        m.t_received = m.t_trigger + model.station_latency;
        m.pd_cm = wu_zhao_pd(event->mag, r) * std::pow(10.0, model.pd_sigma * g(rng)) / (m.s_wave ? model.p_to_s_ratio : 1.0);
        m.peak = pga;
        m.probability = 1.0;
        out.push_back(m);
      }
    }
    const double rate = model.station_false_rate_per_h * (t_end - t_begin) / 3600.0;
    const int n = rate > 0 ? std::poisson_distribution<int>(rate)(rng) : 0;
    for (int k = 0; k < n; ++k) {
      TriggerMsg m;
      m.sensor = int(i);
      m.kind = -2;
      m.station = true;
      m.t_trigger = uniform(rng, t_begin, t_end);
      m.t_received = m.t_trigger + model.station_latency;
      m.peak = 10.0 * model.station_noise;
      m.pd_cm = 1e-5;
      m.probability = 1.0;
      out.push_back(m);
    }
  }
  return out;
}
}  // namespace

std::vector<TriggerMsg> simulate_triggers(const EventSpec* event, const std::vector<Phone>& phones,
                                          const NetworkModel& model, const std::vector<le::EqRecord>& records,
                                          const le::Classifier& classifier, double t_begin, double t_end,
                                          std::mt19937_64& rng) {
  model.validate();
  if (records.empty()) throw InvalidInput("eew simulate_triggers: no earthquake records");
  if (!(t_end >= t_begin)) throw InvalidInput("eew simulate_triggers: t_end < t_begin");
  std::normal_distribution<double> g;
  std::vector<TriggerMsg> out;
  std::vector<le::FeatureVec> feats;
  const double fs = records.front().acc.fs;
  auto latency = [&]() { return uniform(rng, model.latency_mean - model.latency_jitter, model.latency_mean + model.latency_jitter); };
  auto busy_activity = [&]() {
    // Busy phones: walking, running, vehicle or handling (equal odds).
    const le::Activity kinds[4] = {le::Activity::walking, le::Activity::running, le::Activity::vehicle, le::Activity::handling};
    return kinds[std::uniform_int_distribution<int>(0, 3)(rng)];
  };
  if (event) {
    if (!(event->mag >= 3 && event->mag <= 8.5) || !(event->depth >= 0))
      throw InvalidInput("eew simulate_triggers: event '" + event->name + "' needs 3 <= mag <= 8.5 and depth >= 0");
    le::EqWindowOptions wo;
    wo.window_s = model.window_s;
    for (std::size_t i = 0; i < phones.size(); ++i) {
      const auto& p = phones[i];
      if (p.station) continue;
      const double epi = std::hypot(p.x - event->x, p.y - event->y);
      const double r = std::hypot(epi, event->depth);
      const double tp = model.velocity.travel_time(epi, event->depth), ts = model.vp_vs * tp;
      const double pga = median_pga(event->mag, epi, model.vs30) * std::exp(pga_phi(event->mag, epi, model.vs30) * g(rng));
      const double ppk = model.p_to_s_ratio * pga;
      TriggerMsg m;
      m.sensor = int(i);
      m.from_event = true;
      double peak = 0, t_arr = 0;
      if (ppk >= model.trigger_level) { peak = ppk; t_arr = tp; }
      else if (pga >= model.trigger_level) { peak = pga; t_arr = ts; m.s_wave = true; }
      else continue;
      m.t_trigger = t_arr + uniform(rng, 0, model.trigger_delay_max) + model.clock_sigma * g(rng);
      m.t_received = m.t_trigger + model.window_s + latency();
      m.pd_cm = wu_zhao_pd(event->mag, r) * std::pow(10.0, model.pd_sigma * g(rng)) / (m.s_wave ? model.p_to_s_ratio : 1.0);
      m.peak = peak;
      wo.s_fraction = m.s_wave ? 1.0 : 0.0;
      const auto& rec = records[std::uniform_int_distribution<std::size_t>(0, records.size() - 1)(rng)];
      le::ThreeComp w = le::earthquake_window(rec, wo, rng, peak);
      if (p.busy) {
        const le::ThreeComp a = le::synth_activity(busy_activity(), model.window_s, fs, rng);
        for (std::size_t k = 0; k < w.size(); ++k) { w.x[k] += a.x[k]; w.y[k] += a.y[k]; w.z[k] += a.z[k]; }
      }
      feats.push_back(le::classifier_input(w));
      out.push_back(m);
    }
  }
  const double hours = (t_end - t_begin) / 3600.0;
  for (std::size_t i = 0; i < phones.size(); ++i) {
    if (phones[i].station) continue;
    const double rate = (phones[i].busy ? model.busy_rate_per_h : model.quiet_rate_per_h) * hours;
    const int n = rate > 0 ? std::poisson_distribution<int>(rate)(rng) : 0;
    for (int k = 0; k < n; ++k) {
      // Quiet phones: handling (picked up / put down); busy phones: any activity.
      const le::Activity a = phones[i].busy ? busy_activity() : le::Activity::handling;
      const le::ThreeComp w = le::synth_activity(a, model.window_s, fs, rng);
      TriggerMsg m;
      m.sensor = int(i);
      m.kind = int(a);
      m.t_trigger = uniform(rng, t_begin, t_end);
      m.t_received = m.t_trigger + model.window_s + latency();
      m.peak = le::peak_vector(w);
      m.pd_cm = 100.0 * m.peak / std::pow(2 * M_PI * 2.0, 2);  // displacement of a 2 Hz motion [cm]
      feats.push_back(le::classifier_input(w));
      out.push_back(m);
    }
  }
  const std::vector<double> prob = classifier.probabilities(feats);
  for (std::size_t k = 0; k < out.size(); ++k) out[k].probability = prob[k];
  const auto st = station_triggers(event, phones, model, t_begin, t_end, rng);
  out.insert(out.end(), st.begin(), st.end());
  std::sort(out.begin(), out.end(), [](const TriggerMsg& a, const TriggerMsg& b) { return a.t_received < b.t_received; });
  return out;
}

namespace {
/// Sent triggers received by t_now within the memory window.
std::vector<le::Trigger> visible(const std::vector<TriggerMsg>& msgs, double t_now, const NetworkModel& model,
                                 const ServerOptions& opt, bool use_classifier, std::vector<int>* idx) {
  std::vector<le::Trigger> t;
  for (std::size_t k = 0; k < msgs.size(); ++k) {
    const auto& m = msgs[k];
    if (m.t_received > t_now || m.t_trigger < t_now - opt.memory_s) continue;
    if (use_classifier && m.probability < model.threshold) continue;
    t.push_back(le::Trigger{m.t_trigger, 0, 0, m.peak, m.sensor});
    if (idx) idx->push_back(int(k));
  }
  return t;
}
std::vector<le::SensorPosition> positions(const std::vector<Phone>& phones) {
  std::vector<le::SensorPosition> s(phones.size());
  for (std::size_t i = 0; i < phones.size(); ++i) s[i] = {phones[i].x, phones[i].y};
  return s;
}
}  // namespace

bool server_confirms(const std::vector<TriggerMsg>& msgs, const std::vector<Phone>& phones, double t_now,
                     const NetworkModel& model, const ServerOptions& opt, bool use_classifier) {
  std::vector<le::Trigger> t = visible(msgs, t_now, model, opt, use_classifier, nullptr);
  if (int(t.size()) < opt.min_count) return false;
  for (auto& tr : t) { tr.x = phones[tr.sensor].x; tr.y = phones[tr.sensor].y; }
  const le::SpaceTimeMetric metric{false, opt.time_scale};
  const auto cl = le::dbscan(t, opt.eps_km, opt.min_pts, metric, opt.search);
  static thread_local std::vector<le::SensorPosition> pos_cache;
  if (pos_cache.size() != phones.size()) pos_cache = positions(phones);
  for (int c = 0; c < cl.n_clusters; ++c)
    if (le::confirm_event(t, cl, c, pos_cache, opt.confirm_radius_km, opt.min_count, opt.min_fraction, metric).confirmed)
      return true;
  return false;
}

ServerState server_update(const std::vector<TriggerMsg>& msgs, const std::vector<Phone>& phones, double t_now,
                          const NetworkModel& model, const ServerOptions& opt, const le::PdMagnitudeModel& pd_model) {
  ServerState s;
  std::vector<int> idx;
  std::vector<le::Trigger> t = visible(msgs, t_now, model, opt, true, &idx);
  s.n_received = int(t.size());
  if (t.empty()) return s;
  for (auto& tr : t) { tr.x = phones[tr.sensor].x; tr.y = phones[tr.sensor].y; }
  const le::SpaceTimeMetric metric{false, opt.time_scale};
  const auto cl = le::dbscan(t, opt.eps_km, opt.min_pts, metric, opt.search);
  const auto pos = positions(phones);
  int best = -1;
  for (int c = 0; c < cl.n_clusters; ++c) {
    const auto conf = le::confirm_event(t, cl, c, pos, opt.confirm_radius_km, opt.min_count, opt.min_fraction, metric);
    if (conf.confirmed && (best < 0 || conf.n_triggered > s.confirmation.n_triggered)) {
      best = c;
      s.confirmation = conf;
    }
  }
  if (best < 0) return s;
  s.confirmed = true;
  // Triggered phones of the cluster (earliest trigger per phone).
  std::vector<double> first(phones.size(), std::numeric_limits<double>::infinity());
  std::vector<int> pd_msg(phones.size(), -1);
  for (std::size_t k = 0; k < t.size(); ++k) {
    if (cl.label[k] != best) continue;
    ++s.cluster_size;
    const int p = t[k].sensor;
    if (t[k].t < first[p]) { first[p] = t[k].t; pd_msg[p] = idx[k]; }
  }
  // Location data. At most loc_max_stations phones: the earliest-triggered ones (up to all, leaving at
  // least half of the budget for silent phones) and the silent phones nearest to their centroid.
  std::vector<std::pair<double, int>> trig_p;  // (first trigger time, phone)
  for (std::size_t p = 0; p < phones.size(); ++p)
    if (std::isfinite(first[p])) trig_p.push_back({first[p], int(p)});
  std::sort(trig_p.begin(), trig_p.end());
  const std::size_t cap = std::size_t(opt.loc_max_stations);
  const std::size_t n_trig = std::min(trig_p.size(), cap / 2);
  // Time up to which the data are used. If all triggers fit, this is the newest time for which the
  // server knows every phone's state: t_now - window - maximum latency (or the latest trigger). If
  // the budget cuts the triggers, the location uses the snapshot at the last selected trigger: a
  // phone is "silent" if it had not triggered by then (phones that triggered later are the most
  // informative not-yet-arrived constraints of that snapshot).
  double t_known = t_now - model.window_s - (model.latency_mean + model.latency_jitter);
  const bool snapshot = trig_p.size() > n_trig;
  if (snapshot) t_known = trig_p[n_trig - 1].first;
  else
    for (const auto& tp : trig_p) t_known = std::max(t_known, tp.first);
  // Earliest sent trigger per phone among all visible messages (any cluster).
  std::vector<double> first_any(phones.size(), std::numeric_limits<double>::infinity());
  for (const auto& m : msgs)
    if (m.probability >= model.threshold && m.t_received <= t_now && m.t_trigger >= t_now - opt.memory_s)
      first_any[m.sensor] = std::min(first_any[m.sensor], m.t_trigger);
  double cx = 0, cy = 0, ext = 0;
  for (std::size_t k = 0; k < n_trig; ++k) { cx += phones[trig_p[k].second].x; cy += phones[trig_p[k].second].y; }
  cx /= double(std::max<std::size_t>(1, n_trig));
  cy /= double(std::max<std::size_t>(1, n_trig));
  for (std::size_t k = 0; k < n_trig; ++k)
    ext = std::max(ext, std::hypot(phones[trig_p[k].second].x - cx, phones[trig_p[k].second].y - cy));
  const double reach = ext + opt.confirm_radius_km;
  std::vector<std::pair<double, int>> silent_p;  // (distance, phone)
  for (std::size_t p = 0; p < phones.size(); ++p) {
    if (first_any[p] <= t_known) continue;  // triggered by the snapshot time: not silent
    const double d = std::hypot(phones[p].x - cx, phones[p].y - cy);
    if (d <= reach) silent_p.push_back({d, int(p)});
  }
  const std::size_t n_sil = std::min(silent_p.size(), cap - n_trig);
  std::partial_sort(silent_p.begin(), silent_p.begin() + long(n_sil), silent_p.end());
  std::vector<le::LocStation> st;
  for (std::size_t k = 0; k < n_trig; ++k) st.push_back({phones[trig_p[k].second].x, phones[trig_p[k].second].y, true, trig_p[k].first});
  for (std::size_t k = 0; k < n_sil; ++k) st.push_back({phones[silent_p[k].second].x, phones[silent_p[k].second].y, false, 0.0});
  s.cx_loc = cx;
  s.cy_loc = cy;
  le::LocGrid grid;
  const double h = opt.loc_half_width_km;
  grid.x0 = cx - h;
  grid.x1 = cx + h;
  grid.y0 = cy - h;
  grid.y1 = cy + h;
  grid.dx = grid.dy = opt.loc_dx_km;
  grid.z0 = opt.loc_depths.front();
  grid.z1 = opt.loc_depths.back();
  grid.dz = opt.loc_depths.size() > 1 ? opt.loc_depths[1] - opt.loc_depths[0] : 1.0;
  le::LocOptions lo;
  lo.norm = le::Norm::L1;
  lo.penalty_weight = opt.loc_penalty;
  const le::LocResult loc = le::locate_grid(st, t_known, model.velocity, grid, lo);
  s.x = loc.x;
  s.y = loc.y;
  s.z = loc.z;
  s.t0 = loc.t0;
  // Pd only from triggers consistent with a P arrival from the estimated source (|t - t0 - tP| <=
  // pd_p_residual_s): S-wave triggers would bias the magnitude upward. All, if none qualifies.
  std::vector<double> pd, r, pd_all, r_all;
  for (std::size_t p = 0; p < phones.size(); ++p)
    if (pd_msg[p] >= 0) {
      const double epi = std::hypot(phones[p].x - s.x, phones[p].y - s.y);
      const double rr = std::max(1.0, std::hypot(epi, s.z));
      const double res = first[p] - s.t0 - model.velocity.travel_time(epi, s.z);
      pd_all.push_back(msgs[std::size_t(pd_msg[p])].pd_cm);
      r_all.push_back(rr);
      if (std::abs(res) <= opt.pd_p_residual_s) { pd.push_back(pd_all.back()); r.push_back(rr); }
    }
  if (pd.empty()) { pd = pd_all; r = r_all; }
  s.n_pd = int(pd.size());
  // Median of the single-phone magnitudes: robust to the few non-earthquake triggers in a cluster.
  std::vector<double> mags;
  for (std::size_t k = 0; k < pd.size(); ++k) mags.push_back(pd_model.magnitude(pd[k], r[k]));
  std::nth_element(mags.begin(), mags.begin() + mags.size() / 2, mags.end());
  s.mag = mags[mags.size() / 2];
  return s;
}

le::PdMagnitudeModel calibrate_pd(const NetworkModel& model, int n, std::mt19937_64& rng) {
  if (n < 3) throw InvalidInput("eew calibrate_pd: need >= 3 samples");
  std::normal_distribution<double> g;
  std::vector<le::PdSample> s;
  for (int k = 0; k < n; ++k) {
    const double m = uniform(rng, 4.0, 7.5), r = uniform(rng, 5.0, 200.0);
    s.push_back({m, r, wu_zhao_pd(m, r) * std::pow(10.0, model.pd_sigma * g(rng))});
  }
  return le::fit_pd_magnitude(s);
}

}  // namespace hyseis::hybrid::eew
