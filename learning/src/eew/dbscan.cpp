#include "hyseis/learning/eew/dbscan.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <utility>
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

/// Cell list over the embedding coordinates (x, y, v_t t) or (ECEF x, y, z, v_t t): every coordinate
/// difference is <= the space-time distance, so all neighbours of a point lie in the 3^D cells around
/// its own. Points are stored sorted by cell; each non-empty cell keeps the index ranges of its
/// non-empty adjacent cells.
struct CellIndex {
  /// fine = false: cell edge eps, neighbours within 1 cell (3^D cells). fine = true: edge eps/sqrt(D)
  /// (points of one cell are then within eps of each other up to rounding), neighbours within 2
  /// cells (5^D cells). Both edges are enlarged by 1e-9 so that rounding in the division never puts
  /// two neighbours farther apart in cells than the reach.
  CellIndex(const std::vector<Trigger>& trig, double eps, const SpaceTimeMetric& metric, bool fine = false)
      : trig_(trig), eps_(eps), metric_(metric) {
    const std::size_t n = trig.size();
    const int dims = metric.geographic ? 4 : 3;
    constexpr double R = 6371.0, d2r = M_PI / 180.0;
    const int reach = fine ? 2 : 1;
    const double h = (fine ? eps / std::sqrt(double(dims)) : eps) * (1.0 + 1e-9);
    std::vector<CellKey> key(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::array<double, 4> p;
      const double tau = metric.time_scale * trig[i].t;
      if (metric.geographic) {
        const double lon = trig[i].x * d2r, lat = trig[i].y * d2r;
        p = {R * std::cos(lat) * std::cos(lon), R * std::cos(lat) * std::sin(lon), R * std::sin(lat), tau};
      } else {
        p = {trig[i].x, trig[i].y, tau, 0.0};
      }
      CellKey c{{0, 0, 0, 0}};
      for (int d = 0; d < dims; ++d) c.k[d] = std::int64_t(std::floor(p[d] / h));
      key[i] = c;
    }
    order_.resize(n);
    for (std::size_t i = 0; i < n; ++i) order_[i] = int(i);
    auto less = [&](int a, int b) {
      for (int d = 0; d < 4; ++d)
        if (key[a].k[d] != key[b].k[d]) return key[a].k[d] < key[b].k[d];
      return a < b;
    };
    std::sort(order_.begin(), order_.end(), less);
    std::unordered_map<CellKey, int, CellHash> cell_of;  // key -> cell id
    cell_of.reserve(n);
    std::vector<CellKey> cell_key;
    cell_of_point_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      const int i = order_[k];
      if (k == 0 || !(key[i] == key[order_[k - 1]])) {
        cell_of[key[i]] = int(range_.size());
        range_.push_back({int(k), int(k)});
        cell_key.push_back(key[i]);
      }
      range_.back().second = int(k) + 1;
      cell_of_point_[i] = int(range_.size()) - 1;
    }
    const int side = 2 * reach + 1;
    int n_off = 1;
    for (int d = 0; d < dims; ++d) n_off *= side;
    adj_.resize(range_.size());
    for (std::size_t c = 0; c < range_.size(); ++c) {
      adj_[c].push_back(int(c));  // own cell first (early exits find neighbours sooner)
      for (int o = 0; o < n_off; ++o) {
        CellKey q = cell_key[c];
        int r = o;
        bool self = true;
        for (int d = 0; d < dims; ++d) {
          const int off = (r % side) - reach;
          q.k[d] += off;
          self = self && off == 0;
          r /= side;
        }
        if (self) continue;
        auto it = cell_of.find(q);
        if (it != cell_of.end()) adj_[c].push_back(it->second);
      }
    }
  }
  /// Calls f(j) for every j with distance(i, j) <= eps (any order); stops when f returns false.
  template <class F>
  void for_each_neighbour(int i, F&& f) const {
    for (int c : adj_[std::size_t(cell_of_point_[std::size_t(i)])])
      for (int k = range_[std::size_t(c)].first; k < range_[std::size_t(c)].second; ++k) {
        const int j = order_[std::size_t(k)];
        if (st_distance(metric_, trig_[std::size_t(i)], trig_[std::size_t(j)]) <= eps_)
          if (!f(j)) return;
      }
  }

  bool within(int i, int j) const { return st_distance(metric_, trig_[std::size_t(i)], trig_[std::size_t(j)]) <= eps_; }

  const std::vector<Trigger>& trig_;
  double eps_;
  SpaceTimeMetric metric_;
  std::vector<int> order_, cell_of_point_;        ///< points sorted by cell; cell id of each point
  std::vector<std::pair<int, int>> range_;        ///< [begin, end) in order_ per cell
  std::vector<std::vector<int>> adj_;             ///< adjacent non-empty cells (own cell first)
};

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(std::size_t n) : parent(n) { for (std::size_t i = 0; i < n; ++i) parent[i] = int(i); }
  int find(int a) {
    while (parent[std::size_t(a)] != a) {
      parent[std::size_t(a)] = parent[std::size_t(parent[std::size_t(a)])];
      a = parent[std::size_t(a)];
    }
    return a;
  }
  void unite(int a, int b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[std::size_t(std::max(a, b))] = std::min(a, b);
  }
};

/// DBSCAN on a fine cell list without enumerating every core's neighbourhood. With the definitions
/// of dbscan() (clusters seeded by unvisited core points in index order; a border point takes the
/// label of the first cluster reaching it), the result is: clusters = connected components of the
/// graph of cores within eps, numbered by their smallest core index; a non-core point gets the
/// smallest cluster id among the cores within eps of it, else noise. Every decision uses the same
/// distance predicate as brute force; the cells only prune: the cores of a cell are first joined
/// through the cell's first core, and a neighbouring cell whose cores are already all in one set
/// equal to the current core's is skipped without distance tests.
void dbscan_cells(const std::vector<Trigger>& trig, double eps, int min_pts, const SpaceTimeMetric& metric,
                  DbscanResult& r) {
  const std::size_t n = trig.size();
  const CellIndex ix(trig, eps, metric, /*fine=*/true);
  for (std::size_t i = 0; i < n; ++i) {
    int count = 0;
    ix.for_each_neighbour(int(i), [&](int) { return ++count < min_pts; });
    r.core[i] = count >= min_pts;
  }
  const std::size_t nc = ix.range_.size();
  std::vector<std::vector<int>> cores(nc);
  for (std::size_t c = 0; c < nc; ++c)
    for (int k = ix.range_[c].first; k < ix.range_[c].second; ++k)
      if (r.core[std::size_t(ix.order_[std::size_t(k)])]) cores[c].push_back(ix.order_[std::size_t(k)]);
  UnionFind uf(n);
  std::vector<char> merged(nc, 1);  // all cores of the cell are in the set of its first core
  for (std::size_t c = 0; c < nc; ++c)
    for (std::size_t k = 1; k < cores[c].size(); ++k) {
      if (ix.within(cores[c][k], cores[c][0])) uf.unite(cores[c][k], cores[c][0]);
      else merged[c] = 0;
    }
  for (std::size_t c = 0; c < nc; ++c)
    for (int p : cores[c])
      for (int b : ix.adj_[c]) {
        const auto& cb = cores[std::size_t(b)];
        if (cb.empty()) continue;
        if (merged[std::size_t(b)] && uf.find(p) == uf.find(cb[0])) continue;
        for (int q : cb)
          if (uf.find(q) != uf.find(p) && ix.within(p, q)) {
            uf.unite(p, q);
            if (merged[std::size_t(b)]) break;  // the whole cell is now in p's set
          }
      }
  // Cluster ids in the order of each component's smallest core index (= dbscan()'s seed order).
  std::vector<int> id_of_root(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    if (!r.core[i]) continue;
    const int root = uf.find(int(i));
    if (id_of_root[std::size_t(root)] < 0) id_of_root[std::size_t(root)] = r.n_clusters++;
    r.label[i] = id_of_root[std::size_t(root)];
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (r.core[i]) continue;
    int best = kNoise;
    for (int b : ix.adj_[std::size_t(ix.cell_of_point_[i])])
      for (int q : cores[std::size_t(b)]) {
        const int id = r.label[std::size_t(q)];
        if ((best == kNoise || id < best) && ix.within(int(i), q)) best = id;
      }
    r.label[i] = best;
  }
}

std::vector<std::vector<int>> grid_neighbours(const std::vector<Trigger>& trig, double eps, const SpaceTimeMetric& metric) {
  const CellIndex index(trig, eps, metric);
  std::vector<std::vector<int>> nb(trig.size());
  for (std::size_t i = 0; i < trig.size(); ++i) {
    index.for_each_neighbour(int(i), [&](int j) { nb[i].push_back(j); return true; });
    std::sort(nb[i].begin(), nb[i].end());
  }
  return nb;
}

/// DBSCAN expansion shared by both searches: clusters are seeded by unvisited core points in index
/// order; a border point takes the label of the first cluster that reaches it. The labels do not
/// depend on the order in which a point's neighbours are enumerated.
template <class ForEachNeighbour>
void expand_clusters(std::size_t n, DbscanResult& r, ForEachNeighbour&& for_each) {
  std::vector<bool> visited(n, false);
  std::vector<int> stack;
  for (std::size_t i = 0; i < n; ++i) {
    if (visited[i] || !r.core[i]) continue;
    const int c = r.n_clusters++;
    stack.assign(1, int(i));
    visited[i] = true;
    r.label[i] = c;
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      if (!r.core[std::size_t(p)]) continue;
      for_each(p, [&](int q) {
        if (r.label[std::size_t(q)] == kNoise) r.label[std::size_t(q)] = c;
        if (!visited[std::size_t(q)]) {
          visited[std::size_t(q)] = true;
          if (r.core[std::size_t(q)]) stack.push_back(q);
        }
        return true;
      });
    }
  }
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
  validate_dbscan_input(trig, eps, metric);
  const std::size_t n = trig.size();
  DbscanResult r;
  r.label.assign(n, kNoise);
  r.core.assign(n, false);
  if (search == NeighbourSearch::brute_force) {
    // Baseline: materialised O(n^2) neighbour lists.
    const std::vector<std::vector<int>> nb = brute_neighbours(trig, eps, metric);
    for (std::size_t i = 0; i < n; ++i) r.core[i] = int(nb[i].size()) >= min_pts;
    expand_clusters(n, r, [&](int p, auto&& f) {
      for (int q : nb[std::size_t(p)]) f(q);
    });
    return r;
  }
  // Cell list: core points found with an early exit at min_pts, clusters as connected components
  // of cores with cell-level pruning (dbscan_cells), no neighbour lists stored.
  dbscan_cells(trig, eps, min_pts, metric, r);
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
