// Simulated phone network and the server chain (issue 6): arrival times, Pd law, location and
// magnitude on noise-free triggers, and the scenario end to end on a small configuration.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "hyseis/core/config.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/hybrid/eew/network.hpp"
#include "hyseis/hybrid/eew/scenario.hpp"

using namespace hyseis::hybrid::eew;
namespace fs = std::filesystem;

namespace {
std::string ncedc_dir() {
  std::string root = std::string(HYSEIS_SOURCE_DIR) + "/../shared/validation";
  if (const char* env = std::getenv("HYSEIS_VALIDATION_DATA"); env && *env) root = env;
  return root + "/phasenet_ncedc_picks";
}
// A classifier that calls everything an earthquake (isolates the network chain from the ANN).
struct Always final : le::Classifier {
  double probability(const le::FeatureVec&) const override { return 1.0; }
};
}  // namespace

TEST(EewNetwork, WuZhaoPdHandValue) {
  // log10 Pd = -3.801 + 0.722*6 - 1.437*log10(10) = -0.906
  EXPECT_NEAR(wu_zhao_pd(6.0, 10.0), std::pow(10.0, -0.906), 1e-12);
  EXPECT_GT(median_pga(6.0, 10.0, 760), median_pga(6.0, 50.0, 760));
  EXPECT_GT(median_pga(7.0, 50.0, 760), median_pga(6.0, 50.0, 760));
}

// Without delays, clock errors and latency scatter every event trigger is exactly at the P arrival of
// the layered model or (S triggers) at vp_vs times it; the message arrives window + latency later.
TEST(EewNetwork, TriggerTimesFollowTheLayeredModel) {
  if (!fs::exists(ncedc_dir() + "/phasenet_ncedc_154.h5")) GTEST_SKIP() << "NCEDC data not found";
  const auto recs = le::load_ncedc_records(ncedc_dir() + "/phasenet_ncedc_154.h5");
  NetworkModel m;
  m.velocity.top = {0, 5, 20};
  m.velocity.vp = {5.0, 6.2, 7.0};
  m.trigger_delay_max = 0;
  m.clock_sigma = 0;
  m.latency_jitter = 0;
  m.busy_rate_per_h = m.quiet_rate_per_h = 0;
  std::vector<Phone> phones;
  for (int i = 0; i < 200; ++i) phones.push_back({-50.0 + i * 0.5, 3.0 * std::sin(i), false});
  const EventSpec ev{"e", 1.0, 2.0, 12.0, 6.0};
  std::mt19937_64 rng(4);
  const auto msgs = simulate_triggers(&ev, phones, m, recs, Always{}, 0, 60, rng);
  ASSERT_GT(msgs.size(), 50u);
  int np = 0;
  for (const auto& x : msgs) {
    const double epi = std::hypot(phones[x.sensor].x - ev.x, phones[x.sensor].y - ev.y);
    const double tp = m.velocity.travel_time(epi, ev.depth);
    EXPECT_DOUBLE_EQ(x.t_trigger, x.s_wave ? m.vp_vs * tp : tp);
    EXPECT_DOUBLE_EQ(x.t_received, x.t_trigger + m.window_s + m.latency_mean);
    EXPECT_TRUE(x.from_event);
    np += !x.s_wave;
  }
  EXPECT_GT(np, 0);
}

// Noise-free P triggers on a regular phone grid: DBSCAN confirms, the grid search recovers the
// epicentre to within the grid spacing and the depth exactly, and with Pd exactly on the Wu & Zhao
// law the network magnitude is the calibrated relation's value (within its fitting error).
TEST(EewNetwork, ServerRecoversNoiseFreeEvent) {
  NetworkModel m;
  m.velocity.top = {0, 5, 20};
  m.velocity.vp = {5.0, 6.2, 7.0};
  std::vector<Phone> phones;
  for (int j = -20; j <= 20; ++j)
    for (int i = -20; i <= 20; ++i) phones.push_back({i * 2.5, j * 2.5, false});
  const EventSpec ev{"e", 6.0, -4.0, 12.0, 6.0};
  std::vector<TriggerMsg> msgs;
  for (std::size_t p = 0; p < phones.size(); ++p) {
    const double epi = std::hypot(phones[p].x - ev.x, phones[p].y - ev.y);
    if (epi > 35) continue;  // only the near phones triggered so far
    TriggerMsg t;
    t.sensor = int(p);
    t.t_trigger = m.velocity.travel_time(epi, ev.depth);
    t.t_received = t.t_trigger + 3.0;
    t.probability = 1.0;
    t.from_event = true;
    t.pd_cm = wu_zhao_pd(ev.mag, std::hypot(epi, ev.depth));
    msgs.push_back(t);
  }
  ServerOptions o;
  o.loc_dx_km = 1.0;
  o.loc_depths = {4, 8, 12, 16, 20};
  std::mt19937_64 rng(9);
  m.pd_sigma = 0.0;
  const auto pd = calibrate_pd(m, 200, rng);  // noise-free calibration: exact inverse of Wu & Zhao
  EXPECT_NEAR(pd.b, 1.0 / 0.722, 1e-9);
  EXPECT_NEAR(pd.c, 1.437 / 0.722, 1e-9);
  // Evaluate when the last trigger has just arrived: every phone farther than 35 km is then known to be
  // silent only up to the last trigger time, consistent with the true source.
  double t_last = 0;
  for (const auto& t : msgs) t_last = std::max(t_last, t.t_trigger);
  const ServerState s = server_update(msgs, phones, t_last + 3.0, m, o, pd);
  ASSERT_TRUE(s.confirmed);
  EXPECT_LE(std::hypot(s.x - ev.x, s.y - ev.y), 0.5 * std::sqrt(2.0) * o.loc_dx_km + 1e-9);
  EXPECT_DOUBLE_EQ(s.z, ev.depth);
  // Epicentre off by <= dx/sqrt(2) = 0.71 km: travel times off by <= 0.71 km / 5 km/s = 0.14 s.
  EXPECT_NEAR(s.t0, 0.0, 0.15);
  // Pd exact; the hypocentral distances from the grid estimate are off by <= 0.71 km, i.e. at
  // R >= 12 km by <= 0.026 in log10 R, times c/b ... c = 1.99: <= 0.05 in M per phone.
  EXPECT_NEAR(s.mag, ev.mag, 0.06);
  // The same triggers before any message has arrived: nothing.
  EXPECT_FALSE(server_update(msgs, phones, 2.0, m, o, pd).confirmed);
}

// The scenario end to end on a small network: outputs exist, the event is alerted, located and sized,
// and a 1 h noise replay raises no alert.
TEST(EewNetwork, ScenarioSmall) {
  if (!fs::exists(ncedc_dir() + "/phasenet_ncedc_154.h5")) GTEST_SKIP() << "NCEDC data not found";
  torch::set_num_threads(1);
  const std::string yaml = R"(
scenario: {name: eew_small, type: eew_network}
data: {dir: ")" + ncedc_dir() + R"("}
classifier: {hidden: [16, 16], epochs: 40, patience: 10, eq_windows_per_record: 10, windows_per_activity: 300,
             val_windows_per_activity: 100, test_windows_per_activity: 100}
network: {phones: 400, region_km: 60, busy_fraction: 0.1, cities: [{x: 0, y: 0, sigma_km: 10, fraction: 0.5}]}
events: [{name: M6, x: 5, y: -3, depth_km: 10, mag: 6.0}]
targets: [{name: far, x: 50, y: 50}]
time: {duration: 30, step: 1.0, pre_event: 10}
noise_replay: {hours: 1}
)";
  const auto doc = hyseis::core::config::load_string(yaml, "eew_small.yaml");
  const fs::path out = fs::temp_directory_path() / "hyseis_eew_scenario_test";
  fs::remove_all(out);
  fs::create_directories(out);
  run_eew_network_scenario(doc.root(), out.string());
  for (const char* f : {"summary.json", "eew.h5", "timeline_location.png", "timeline_magnitude.png", "map.png", "roc.png",
                        "training.png", "classifier.pt"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  std::ifstream in(out / "summary.json");
  const auto j = nlohmann::json::parse(in);
  const auto& e = j["events"][0];
  std::printf("alert %.1f s, loc err at alert %.2f km, final %.2f km, mag err at alert %.2f, final %.2f; replay alerts %d (w/o classifier %d)\n",
              e["alert_time_s"].get<double>(), e["location_error_at_alert_km"].get<double>(),
              e["location_error_final_km"].get<double>(), e["magnitude_error_at_alert"].get<double>(),
              e["magnitude_error_final"].get<double>(), j["noise_replay"]["false_alerts"].get<int>(),
              j["noise_replay"]["false_alerts_without_classifier"].get<int>());
  ASSERT_TRUE(e["alert_time_s"].is_number());
  EXPECT_LT(e["alert_time_s"].get<double>(), 10.0);
  EXPECT_LT(e["location_error_final_km"].get<double>(), 10.0);
  EXPECT_LT(std::abs(e["magnitude_error_final"].get<double>()), 0.5);
  EXPECT_EQ(j["noise_replay"]["false_alerts"].get<int>(), 0);
  EXPECT_GT(j["classifier"]["ann"]["roc_auc"].get<double>(), 0.9);
  fs::remove_all(out);
}

// Seismic stations: classic STA/LTA on a stochastic record triggers at the layered-model P arrival
// (within the STA window) for an M6 at 20-120 km; stations bypass the classifier; a station-only
// network with no event and no noise triggers sends nothing.
TEST(EewNetwork, StationsTriggerOnPWithStaLta) {
  if (!fs::exists(ncedc_dir() + "/phasenet_ncedc_154.h5")) GTEST_SKIP() << "NCEDC data not found";
  const auto recs = le::load_ncedc_records(ncedc_dir() + "/phasenet_ncedc_154.h5");
  NetworkModel m;
  m.velocity.top = {0, 5, 20};
  m.velocity.vp = {5.0, 6.2, 7.0};
  m.busy_rate_per_h = m.quiet_rate_per_h = 0;
  m.station_false_rate_per_h = 0;
  std::vector<Phone> sensors;
  for (int i = 0; i < 6; ++i) {
    Phone s;
    s.x = 20.0 + 20.0 * i;
    s.station = true;
    sensors.push_back(s);
  }
  const EventSpec ev{"e", 0.0, 0.0, 10.0, 6.0};
  std::mt19937_64 rng(8);
  struct Never final : le::Classifier {
    double probability(const le::FeatureVec&) const override { return 0.0; }
  };
  const auto msgs = simulate_triggers(&ev, sensors, m, recs, Never{}, 0, 60, rng);
  ASSERT_EQ(msgs.size(), sensors.size());  // every station triggers once
  for (const auto& x : msgs) {
    EXPECT_TRUE(x.station);
    EXPECT_EQ(x.probability, 1.0);
    EXPECT_FALSE(x.s_wave);
    const double tp = m.velocity.travel_time(std::abs(sensors[x.sensor].x), ev.depth);
    EXPECT_GE(x.t_trigger, tp - 0.05) << "station at " << sensors[x.sensor].x << " km";
    EXPECT_LE(x.t_trigger, tp + m.sta_s) << "station at " << sensors[x.sensor].x << " km";
    EXPECT_NEAR(x.t_received - x.t_trigger, m.station_latency, 1e-12);
  }
  const auto none = simulate_triggers(nullptr, sensors, m, recs, Never{}, 0, 3600, rng);
  EXPECT_TRUE(none.empty());
}
