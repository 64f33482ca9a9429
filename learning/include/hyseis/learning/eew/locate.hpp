#pragma once
// EEW hypocentre location by grid search using arrival order, including stations that have not yet
// triggered (the "not-yet-arrived" constraint of ElarmS/EPIC; Cua & Heaton 2007 Virtual Seismologist,
// Satriano et al. 2008 RTLoc).
//
// For a trial hypocentre h, the predicted P travel time tt_i(h) comes from a 1-D layered model with a
// straight ray (constant velocity = one layer):  tt = L / z_s · Σ_k overlap_k / v_k, where L is the
// source–station distance, z_s the source depth and overlap_k the thickness of layer k within [0, z_s]
// (z_s = 0: tt = L / v_top). Stations lie at z = 0.
// Misfit at h, with residuals r_i = t_i - tt_i(h) over triggered stations:
//   L2: t0 = mean(r_i),   E = Σ (r_i - t0)^2  + w · Σ_{untriggered j, t0+tt_j < t_now} (t_now - t0 - tt_j)^2
//   L1: t0 = median(r_i), E = Σ |r_i - t0|    + w · Σ_{untriggered j, t0+tt_j < t_now} (t_now - t0 - tt_j)
// i.e. the origin time is fitted analytically to the triggered arrivals, and an untriggered station is
// penalised when the trial source predicts that it should already have triggered by t_now.
#include <vector>

namespace hyseis::learning::eew {

struct LocStation {
  double x = 0.0, y = 0.0;  ///< [km]
  bool triggered = false;
  double t_arrival = 0.0;   ///< P trigger time [s] (used only if triggered)
};

/// Horizontal layers: layer k spans [top[k], top[k+1]) (last one to infinity); top[0] must be 0.
struct LayeredModel {
  std::vector<double> top{0.0};
  std::vector<double> vp{6.0};  ///< [km/s]
  /// Straight-ray P travel time [s] for epicentral distance `dist` and source depth `depth` [km].
  double travel_time(double dist, double depth) const;
  void validate() const;
};

struct LocGrid {
  double x0 = 0, x1 = 0, dx = 1;
  double y0 = 0, y1 = 0, dy = 1;
  double z0 = 10, z1 = 10, dz = 1;
};

enum class Norm { L1, L2 };

struct LocOptions {
  Norm norm = Norm::L2;
  double penalty_weight = 1.0;  ///< w; 0 disables the not-yet-triggered constraint
};

struct LocResult {
  double x = 0, y = 0, z = 0, t0 = 0, misfit = 0;
  int nx = 0, ny = 0, nz = 0;
  std::vector<double> misfit_grid;  ///< index (iz * ny + iy) * nx + ix
  /// Number of grid nodes with misfit <= tol (size of the ambiguity region).
  int count_below(double tol) const;
};

/// Grid search. Needs at least one triggered station; t_now must not precede any trigger.
LocResult locate_grid(const std::vector<LocStation>& stations, double t_now, const LayeredModel& model,
                      const LocGrid& grid, const LocOptions& opt = {});

}  // namespace hyseis::learning::eew
