#pragma once
// Network-level event detection for EEW: DBSCAN (Ester, Kriegel, Sander & Xu 1996) over space and
// time on trigger messages, and MyShake-style event confirmation (Kong et al. 2016, Science Advances
// 2:e1501055: an event is declared when enough sensors trigger and they are a sufficient fraction of
// the active sensors in the region).
//
// Space–time distance between triggers i, j:  d = sqrt(ds^2 + (v_t · |t_i - t_j|)^2), where ds is the
// epicentral distance [km] (Euclidean on x/y in km, or haversine on lon/lat in degrees with R = 6371 km)
// and v_t [km/s] converts time to distance (≈ apparent P velocity). Neighbourhood N(i) = { j : d <= eps }
// (includes i). i is a core point if |N(i)| >= min_pts; border points are non-core points within eps of
// a core point and take the label of the first cluster that reaches them (input order); the rest is noise.
#include <vector>

namespace hyseis::learning::eew {

struct Trigger {
  double t = 0.0;          ///< trigger time [s]
  double x = 0.0;          ///< x [km] or longitude [deg] (geographic)
  double y = 0.0;          ///< y [km] or latitude [deg] (geographic)
  double amplitude = 0.0;  ///< trigger amplitude (e.g. peak acceleration)
  int sensor = -1;         ///< sensor id (index into the sensor list for confirmation)
};

struct SpaceTimeMetric {
  bool geographic = false;  ///< true: x=lon, y=lat [deg], haversine distance
  double time_scale = 6.0;  ///< v_t [km/s]; 0 ignores time
};

/// Epicentral distance [km] between (x1,y1) and (x2,y2) under the metric.
double epicentral_distance(const SpaceTimeMetric& m, double x1, double y1, double x2, double y2);
double space_time_distance(const SpaceTimeMetric& m, const Trigger& a, const Trigger& b);

constexpr int kNoise = -1;

struct DbscanResult {
  std::vector<int> label;   ///< cluster id (0, 1, ...) or kNoise
  std::vector<bool> core;   ///< core-point flags
  int n_clusters = 0;
};

/// How neighbourhoods N(i) are found. Both give identical neighbour lists (ascending index), hence
/// identical clusterings:
///  - brute_force: all n^2 pairs, O(n^2) time;
///  - grid: cell list with cells of edge eps over (x, y, v_t·t) (Euclidean) or over the Earth-centred
///    Cartesian coordinates of the points on a sphere of radius 6371 km plus v_t·t (geographic;
///    the chord never exceeds the haversine arc, so every neighbour lies in one of the 3^D adjacent
///    cells); candidates are then tested with the same space_time_distance() <= eps as brute force.
///    dbscan() with grid uses cells of edge eps/sqrt(D) (reach 2 cells): core test with an early exit
///    at min_pts; clusters = connected components of cores within eps (union-find; a cell's cores
///    joined through its first core, neighbouring cells already in the same set skipped), numbered
///    by smallest core index; border points get the smallest cluster id among cores within eps —
///    exactly the labels of the sequential expansion below. No neighbour lists are stored; dense
///    trigger clouds cost ~O(n·5^D) set look-ups instead of O(n·k) distance tests.
enum class NeighbourSearch { brute_force, grid };

/// DBSCAN. eps > 0 and min_pts >= 1 (min_pts = 1: every point is core, no noise).
DbscanResult dbscan(const std::vector<Trigger>& trig, double eps, int min_pts, const SpaceTimeMetric& metric,
                    NeighbourSearch search = NeighbourSearch::grid);

/// Neighbour lists N(i) (ascending indices, i included) under the chosen search; exposed for tests
/// and benchmarks. Same validation as dbscan().
std::vector<std::vector<int>> neighbourhoods(const std::vector<Trigger>& trig, double eps,
                                             const SpaceTimeMetric& metric, NeighbourSearch search);

struct SensorPosition {
  double x = 0.0, y = 0.0;  ///< km or lon/lat as in the metric
};

struct Confirmation {
  bool confirmed = false;
  int n_triggered = 0;      ///< distinct triggered sensors of the cluster within radius of the centroid
  int n_sensors = 0;        ///< active sensors within radius of the centroid
  double fraction = 0.0;
  double cx = 0.0, cy = 0.0;  ///< centroid of the cluster's trigger positions
};

/// MyShake-style confirmation of cluster `cluster`: confirmed when n_triggered >= min_count and
/// n_triggered / n_sensors >= min_fraction, counting within `radius_km` of the cluster centroid.
Confirmation confirm_event(const std::vector<Trigger>& trig, const DbscanResult& clusters, int cluster,
                           const std::vector<SensorPosition>& sensors, double radius_km, int min_count,
                           double min_fraction, const SpaceTimeMetric& metric);

}  // namespace hyseis::learning::eew
