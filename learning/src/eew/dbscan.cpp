#include "hyseis/learning/eew/dbscan.hpp"

#include <cmath>
#include <set>
#include <string>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::eew {
using hyseis::core::InvalidInput;

double epicentral_distance(const SpaceTimeMetric& m, double x1, double y1, double x2, double y2) {
  if (!m.geographic) return std::hypot(x2 - x1, y2 - y1);
  constexpr double R = 6371.0, d2r = M_PI / 180.0;
  const double p1 = y1 * d2r, p2 = y2 * d2r, dp = p2 - p1, dl = (x2 - x1) * d2r;
  const double h = std::sin(dp / 2) * std::sin(dp / 2) + std::cos(p1) * std::cos(p2) * std::sin(dl / 2) * std::sin(dl / 2);
  return 2.0 * R * std::asin(std::min(1.0, std::sqrt(h)));
}

double space_time_distance(const SpaceTimeMetric& m, const Trigger& a, const Trigger& b) {
  const double ds = epicentral_distance(m, a.x, a.y, b.x, b.y);
  const double dt = m.time_scale * std::abs(a.t - b.t);
  return std::hypot(ds, dt);
}

DbscanResult dbscan(const std::vector<Trigger>& trig, double eps, int min_pts, const SpaceTimeMetric& metric) {
  if (!(eps > 0.0) || !std::isfinite(eps)) throw InvalidInput("eew dbscan: eps must be positive, got " + std::to_string(eps));
  if (min_pts < 1) throw InvalidInput("eew dbscan: min_pts must be >= 1, got " + std::to_string(min_pts));
  if (!(metric.time_scale >= 0.0)) throw InvalidInput("eew dbscan: time_scale must be >= 0");
  for (std::size_t i = 0; i < trig.size(); ++i)
    if (!std::isfinite(trig[i].t) || !std::isfinite(trig[i].x) || !std::isfinite(trig[i].y))
      throw InvalidInput("eew dbscan: non-finite trigger at index " + std::to_string(i));
  const std::size_t n = trig.size();
  std::vector<std::vector<int>> nb(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (space_time_distance(metric, trig[i], trig[j]) <= eps) nb[i].push_back(int(j));
  DbscanResult r;
  r.label.assign(n, kNoise);
  r.core.assign(n, false);
  for (std::size_t i = 0; i < n; ++i) r.core[i] = int(nb[i].size()) >= min_pts;
  std::vector<bool> visited(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    if (visited[i] || !r.core[i]) continue;
    const int c = r.n_clusters++;
    std::vector<int> stack{int(i)};
    visited[i] = true;
    r.label[i] = c;
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      if (!r.core[p]) continue;
      for (int q : nb[p]) {
        if (r.label[q] == kNoise) r.label[q] = c;
        if (!visited[q]) {
          visited[q] = true;
          if (r.core[q]) stack.push_back(q);
        }
      }
    }
  }
  return r;
}

Confirmation confirm_event(const std::vector<Trigger>& trig, const DbscanResult& clusters, int cluster,
                           const std::vector<SensorPosition>& sensors, double radius_km, int min_count,
                           double min_fraction, const SpaceTimeMetric& metric) {
  if (clusters.label.size() != trig.size()) throw InvalidInput("eew confirm_event: labels do not match triggers");
  if (cluster < 0 || cluster >= clusters.n_clusters) throw InvalidInput("eew confirm_event: no cluster " + std::to_string(cluster));
  if (!(radius_km > 0.0)) throw InvalidInput("eew confirm_event: radius must be positive");
  if (min_count < 1 || !(min_fraction >= 0.0 && min_fraction <= 1.0))
    throw InvalidInput("eew confirm_event: need min_count >= 1 and min_fraction in [0,1]");
  Confirmation c;
  int m = 0;
  for (std::size_t i = 0; i < trig.size(); ++i)
    if (clusters.label[i] == cluster) { c.cx += trig[i].x; c.cy += trig[i].y; ++m; }
  c.cx /= m;
  c.cy /= m;
  std::set<int> trig_sensors;
  for (std::size_t i = 0; i < trig.size(); ++i) {
    if (clusters.label[i] != cluster) continue;
    const int s = trig[i].sensor;
    if (s < 0 || s >= int(sensors.size())) throw InvalidInput("eew confirm_event: trigger " + std::to_string(i) + " has unknown sensor id");
    if (epicentral_distance(metric, c.cx, c.cy, sensors[s].x, sensors[s].y) <= radius_km) trig_sensors.insert(s);
  }
  for (const auto& s : sensors)
    if (epicentral_distance(metric, c.cx, c.cy, s.x, s.y) <= radius_km) ++c.n_sensors;
  c.n_triggered = int(trig_sensors.size());
  c.fraction = c.n_sensors > 0 ? double(c.n_triggered) / c.n_sensors : 0.0;
  c.confirmed = c.n_triggered >= min_count && c.fraction >= min_fraction;
  return c;
}

}  // namespace hyseis::learning::eew
