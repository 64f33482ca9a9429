// eew_network_latency: server latency of the smartphone EEW chain (issue 6) for 10^3..10^5 phones.
// A batch of triggers — the phones whose P arrival (layered model) precedes t = 8 s after an M6
// origin at the centre of a square network of uniform density 2.5 phones/km^2, plus 1 % of all
// phones triggering at random times and places (non-earthquake triggers) — is processed as one
// server update: DBSCAN (space-time), MyShake-style confirmation, grid-search location (triggered
// plus silent phones) and Pd magnitude (hybrid::eew::server_update).
// Compared in the same run: DBSCAN with the brute-force O(n^2) neighbour search (the baseline) vs
// the cell-list search (identical clusters: checked here, and in tests/eew), and the whole server
// update with either search. Times are the best of 3 runs (1 at 10^5) on one core. Ratios are
// speed-ups: baseline time / cell-list time. The trigger batch is dense (every phone within the P
// front has triggered, ~1000-2000 neighbours within eps per trigger): a worst case for DBSCAN.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <random>
#include <string>

#include "hyseis/bench/bench.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/eew/network.hpp"

namespace hyseis::bench::detail {

namespace {
const char* kCase = "eew_network_latency";
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
/// Process CPU time [s] (the code is single-threaded): robust to other load on the machine.
double cpu() { return double(std::clock()) / CLOCKS_PER_SEC; }
}  // namespace

std::vector<Row> eew_network_latency(const Options& opt) {
  namespace he = hyseis::hybrid::eew;
  namespace le = hyseis::learning::eew;
  std::vector<Row> rows;
  const std::vector<int> sizes = opt.quick ? std::vector<int>{1000, 10000} : std::vector<int>{1000, 10000, 100000};
  he::NetworkModel model;
  model.velocity.top = {0, 4, 16, 30};
  model.velocity.vp = {5.0, 6.0, 6.6, 7.8};
  he::ServerOptions so;
  so.loc_depths = {4, 8, 12, 16, 20};
  std::mt19937_64 rng(2024);
  std::mt19937_64 cal_rng(5);
  const le::PdMagnitudeModel pd = he::calibrate_pd(model, 2000, cal_rng);
  const double density = 2.5, t_now = 8.0 + model.window_s + model.latency_mean + model.latency_jitter;
  for (int n : sizes) {
    const double half = 0.5 * std::sqrt(n / density);
    std::uniform_real_distribution<double> u(-half, half);
    std::vector<he::Phone> phones(static_cast<std::size_t>(n));
    for (auto& p : phones) { p.x = u(rng); p.y = u(rng); }
    std::vector<he::TriggerMsg> msgs;
    const double ex = 0.0, ey = 0.0, ez = 10.0, mag = 6.0;
    for (int i = 0; i < n; ++i) {
      const double epi = std::hypot(phones[i].x - ex, phones[i].y - ey);
      const double tp = model.velocity.travel_time(epi, ez);
      if (tp > 8.0) continue;
      he::TriggerMsg m;
      m.sensor = i;
      m.t_trigger = tp;
      m.t_received = tp + model.window_s + model.latency_mean;
      m.probability = 1.0;
      m.pd_cm = he::wu_zhao_pd(mag, std::hypot(epi, ez));
      msgs.push_back(m);
    }
    std::uniform_real_distribution<double> ut(-50.0, 8.0);
    for (int k = 0; k < n / 100; ++k) {
      he::TriggerMsg m;
      m.sensor = int(rng() % std::uint64_t(n));
      m.t_trigger = ut(rng);
      m.t_received = m.t_trigger + model.window_s + model.latency_mean;
      m.probability = 1.0;
      m.pd_cm = 0.01;
      msgs.push_back(m);
    }
    // DBSCAN inputs as the server builds them.
    std::vector<le::Trigger> trig;
    for (const auto& m : msgs)
      if (m.t_received <= t_now) trig.push_back({m.t_trigger, phones[m.sensor].x, phones[m.sensor].y, 0.0, m.sensor});
    const le::SpaceTimeMetric metric{false, so.time_scale};
    const int reps = n >= 100000 ? 1 : 3;
    double t_brute = 1e300, t_grid = 1e300, t_server = 1e300;
    le::DbscanResult rb, rg;
    for (int r = 0; r < reps; ++r) {
      double t0 = now();
      rb = le::dbscan(trig, so.eps_km, so.min_pts, metric, le::NeighbourSearch::brute_force);
      t_brute = std::min(t_brute, now() - t0);
      t0 = now();
      rg = le::dbscan(trig, so.eps_km, so.min_pts, metric, le::NeighbourSearch::grid);
      t_grid = std::min(t_grid, now() - t0);
    }
    if (rb.label != rg.label || rb.core != rg.core)
      throw core::NumericalError(std::string(kCase) + ": cell-list DBSCAN differs from brute force at n = " + std::to_string(n));
    he::ServerState st;
    double c_server = 1e300, c_server_b = 1e300;
    for (int r = 0; r < reps; ++r) {
      const double t0 = now(), c0 = cpu();
      st = he::server_update(msgs, phones, t_now, model, so, pd);
      t_server = std::min(t_server, now() - t0);
      c_server = std::min(c_server, cpu() - c0);
    }
    // The same server update with the brute-force neighbour search (the complete baseline chain).
    he::ServerOptions sb = so;
    sb.search = le::NeighbourSearch::brute_force;
    double t_server_b = 1e300;
    for (int r = 0; r < reps; ++r) {
      const double t0 = now(), c0 = cpu();
      he::server_update(msgs, phones, t_now, model, sb, pd);
      t_server_b = std::min(t_server_b, now() - t0);
      c_server_b = std::min(c_server_b, cpu() - c0);
    }
    const std::string tag = "n=" + std::to_string(n);
    rows.push_back({kCase, "triggers_" + tag, double(trig.size()), 0, 0, "count", ""});
    rows.push_back({kCase, "dbscan_ms_" + tag, 1e3 * t_grid, 1e3 * t_brute, t_brute / t_grid, "ms", "brute-force DBSCAN"});
    rows.push_back({kCase, "server_update_ms_" + tag, 1e3 * t_server, 1e3 * t_server_b, t_server_b / t_server, "ms",
                    "server update with brute-force DBSCAN"});
    rows.push_back({kCase, "server_update_cpu_ms_" + tag, 1e3 * c_server, 1e3 * c_server_b, c_server_b / c_server, "ms",
                    "server update with brute-force DBSCAN (process CPU time)"});
    rows.push_back({kCase, "location_error_km_" + tag, st.confirmed ? std::hypot(st.x - ex, st.y - ey) : -1.0, 0, 0, "km", ""});
    rows.push_back({kCase, "magnitude_error_" + tag, st.confirmed ? st.mag - mag : -99.0, 0, 0, "mag", ""});
  }
  return rows;
}

}  // namespace hyseis::bench::detail
