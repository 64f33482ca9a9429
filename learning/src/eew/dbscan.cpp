#include "hyseis/learning/eew/dbscan.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <vector>
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

namespace {
// The one space-time distance formula (inlined into the neighbour searches; both searches use it, so
// their neighbour lists are identical bit for bit).
inline double st_distance(const SpaceTimeMetric& m, const Trigger& a, const Trigger& b) {
  const double dt = m.time_scale * (a.t - b.t);
  if (!m.geographic) {  // sqrt of the sum of squares: std::hypot's overflow guards cost ~3x here
    const double dx = a.x - b.x, dy = a.y - b.y;
    return std::sqrt(dx * dx + dy * dy + dt * dt);
  }
  const double ds = epicentral_distance(m, a.x, a.y, b.x, b.y);
  return std::sqrt(ds * ds + dt * dt);
}
}  // namespace

double space_time_distance(const SpaceTimeMetric& m, const Trigger& a, const Trigger& b) { return st_distance(m, a, b); }

namespace {

void validate_dbscan_input(const std::vector<Trigger>& trig, double eps, const SpaceTimeMetric& metric) {
  if (!(eps > 0.0) || !std::isfinite(eps)) throw InvalidInput("eew dbscan: eps must be positive, got " + std::to_string(eps));
  if (!(metric.time_scale >= 0.0) || !std::isfinite(metric.time_scale)) throw InvalidInput("eew dbscan: time_scale must be finite and >= 0");
  for (std::size_t i = 0; i < trig.size(); ++i)
    if (!std::isfinite(trig[i].t) || !std::isfinite(trig[i].x) || !std::isfinite(trig[i].y))
      throw InvalidInput("eew dbscan: non-finite trigger at index " + std::to_string(i));
}

std::vector<std::vector<int>> brute_neighbours(const std::vector<Trigger>& trig, double eps, const SpaceTimeMetric& metric) {
  const std::size_t n = trig.size();
  std::vector<std::vector<int>> nb(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (st_distance(metric, trig[i], trig[j]) <= eps) nb[i].push_back(int(j));
  return nb;
}

struct CellKey {
  std::int64_t k[4];
  bool operator==(const CellKey& o) const { return k[0] == o.k[0] && k[1] == o.k[1] && k[2] == o.k[2] && k[3] == o.k[3]; }
};
struct CellHash {
  std::size_t operator()(const CellKey& c) const {
    std::uint64_t h = 1469598103934665603ull;
    for (auto v : c.k) { h ^= std::uint64_t(v) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2); }
    return std::size_t(h);
  }
};

std::vector<std::vector<int>> grid_neighbours(const std::vector<Trigger>& trig, double eps, const SpaceTimeMetric& metric) {
  const std::size_t n = trig.size();
  // Embedding coordinates: every coordinate difference is <= the space-time distance.
  const int dims = metric.geographic ? 4 : 3;
  std::vector<std::array<double, 4>> p(n);
  constexpr double R = 6371.0, d2r = M_PI / 180.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double tau = metric.time_scale * trig[i].t;
    if (metric.geographic) {
      const double lon = trig[i].x * d2r, lat = trig[i].y * d2r;
      p[i] = {R * std::cos(lat) * std::cos(lon), R * std::cos(lat) * std::sin(lon), R * std::sin(lat), tau};
    } else {
      p[i] = {trig[i].x, trig[i].y, tau, 0.0};
    }
  }
  // Cells slightly larger than eps so that rounding in the division never separates neighbours
  // by more than one cell.
  const double h = eps * (1.0 + 1e-9);
  std::vector<CellKey> key(n);
  std::unordered_map<CellKey, std::vector<int>, CellHash> cells;
  cells.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    CellKey c{{0, 0, 0, 0}};
    for (int d = 0; d < dims; ++d) c.k[d] = std::int64_t(std::floor(p[i][d] / h));
    key[i] = c;
    cells[c].push_back(int(i));
  }
  int n_off = 1;
  for (int d = 0; d < dims; ++d) n_off *= 3;
  std::vector<std::vector<int>> nb(n);
  // Process cell by cell: all points of a cell share their candidate list.
  std::vector<int> cand;
  for (const auto& [c, members] : cells) {
    cand.clear();
    for (int o = 0; o < n_off; ++o) {
      CellKey q = c;
      int r = o;
      for (int d = 0; d < dims; ++d) { q.k[d] += (r % 3) - 1; r /= 3; }
      auto it = cells.find(q);
      if (it != cells.end()) cand.insert(cand.end(), it->second.begin(), it->second.end());
    }
    std::sort(cand.begin(), cand.end());
    for (int i : members)
      for (int j : cand)
        if (st_distance(metric, trig[i], trig[j]) <= eps) nb[i].push_back(j);
  }
  return nb;
}

}  // namespace

std::vector<std::vector<int>> neighbourhoods(const std::vector<Trigger>& trig, double eps,
                                             const SpaceTimeMetric& metric, NeighbourSearch search) {
  validate_dbscan_input(trig, eps, metric);
  return search == NeighbourSearch::grid ? grid_neighbours(trig, eps, metric) : brute_neighbours(trig, eps, metric);
}

DbscanResult dbscan(const std::vector<Trigger>& trig, double eps, int min_pts, const SpaceTimeMetric& metric,
                    NeighbourSearch search) {
  if (min_pts < 1) throw InvalidInput("eew dbscan: min_pts must be >= 1, got " + std::to_string(min_pts));
  const std::size_t n = trig.size();
  const std::vector<std::vector<int>> nb = neighbourhoods(trig, eps, metric, search);
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
