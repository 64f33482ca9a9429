#pragma once
// Shared helpers of the wave-solver tests.
#include <algorithm>
#include <cmath>
#include <vector>

#include "hyseis/physics/wave/solver.hpp"

namespace hyseis::physics::wave::testing {

/// Homogeneous elastic box [0,L]x[-L,0], n x n cells of degree p, all sides `bc`.
inline WaveProblem elastic_box(double L, int n, int p, BoundaryType bc) {
  WaveProblem pb;
  pb.physics = Physics::elastic;
  pb.mesh = {0, L, -L, 0, n, n, p, 0};
  pb.medium.layers = {Layer{0, 2000, 1155, 2000}};
  pb.boundaries = {bc, bc, bc, bc};
  SourceOptions s;
  s.type = SourceType::force;
  s.x = 0.5 * L;
  s.z = -0.5 * L;
  s.fx = 0;
  s.fz = -1e6;
  s.f0 = 10;
  s.time_shift = 0.1;
  pb.sources = {s};
  pb.time.duration = 0.5;
  pb.snapshots.image_nx = 0;
  pb.snapshots.image_nz = 0;
  return pb;
}

inline WaveProblem acoustic_box(double L, int n, int p, BoundaryType bc) {
  WaveProblem pb = elastic_box(L, n, p, bc);
  pb.physics = Physics::acoustic;
  pb.medium.layers = {Layer{0, 1500, 0, 1000}};
  pb.sources[0].type = SourceType::pressure;
  pb.record = RecordQuantity::pressure;
  return pb;
}

/// Lag (s) of b relative to a maximising the cross-correlation, parabolic refinement.
inline double xcorr_lag(const std::vector<double>& a, const std::vector<double>& b, double dt) {
  const int n = static_cast<int>(a.size());
  auto cc = [&](int lag) {
    double s = 0;
    for (int i = 0; i < n; ++i) {
      const int j = i + lag;
      if (j >= 0 && j < n) s += a[i] * b[j];
    }
    return s;
  };
  int best = 0;
  double bv = cc(0);
  for (int l = -n + 1; l < n; ++l) {
    const double c = cc(l);
    if (c > bv) {
      bv = c;
      best = l;
    }
  }
  const double cm = cc(best - 1), cp = cc(best + 1);
  const double denom = cm - 2 * bv + cp;
  const double frac = denom != 0 ? 0.5 * (cm - cp) / denom : 0.0;
  return (best + frac) * dt;
}

inline double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace hyseis::physics::wave::testing
