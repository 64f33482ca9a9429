#pragma once
// Small acoustic / elastic problems and gradient checks for the adjoint tests.
#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "hyseis/physics/wave/misfit.hpp"
#include "hyseis/physics/wave/modeling.hpp"

namespace hyseis::physics::wave::testing {

/// 800 m x 400 m box, free top, absorbing elsewhere, 8 x 4 cells of degree 4, 0.5 s.
inline WaveProblem small_problem(bool elastic) {
  WaveProblem p;
  p.physics = elastic ? Physics::elastic : Physics::acoustic;
  p.mesh.xmin = 0;
  p.mesh.xmax = 800;
  p.mesh.zmin = -400;
  p.mesh.zmax = 0;
  p.mesh.nx = 8;
  p.mesh.nz = 4;
  p.mesh.degree = 4;
  p.boundaries.top = BoundaryType::free;
  p.time.duration = elastic ? 0.45 : 0.5;
  p.time.cfl = 0.5;
  p.medium.layers = {Layer{0, 2000, 1100, 2000}};
  for (int i = 0; i < 4; ++i) p.receivers.push_back(Receiver{"r" + std::to_string(i), 150.0 + 170 * i, -60});
  p.receivers.push_back(Receiver{"deep", 600, -330});
  return p;
}

inline SourceOptions small_shot(bool elastic) {
  SourceOptions s;
  s.type = elastic ? SourceType::force : SourceType::pressure;
  s.x = 230;
  s.z = -150;
  s.fx = 0.3;
  s.fz = -1;
  s.f0 = 12;
  s.time_shift = 0.1;
  s.amplitude = 1e6;
  return s;
}

/// Grid covering the box with nodes every 200 m (5 x 3).
inline ModelGrid small_grid(int nx = 5, int nz = 3) {
  ModelGrid g;
  g.nx = nx;
  g.nz = nz;
  g.x0 = 0;
  g.z0 = -400;
  g.dx = 800.0 / (nx - 1);
  g.dz = 400.0 / (nz - 1);
  return g;
}

/// Smooth model on the grid: vp (and vs, rho) with a gentle lateral/vertical variation + `bump`.
inline std::vector<double> smooth_model(const ModelGrid& g, bool elastic, double bump = 0) {
  const int n = g.nx * g.nz;
  std::vector<double> m((elastic ? 3 : 1) * n);
  for (int k = 0; k < g.nz; ++k)
    for (int i = 0; i < g.nx; ++i) {
      const double x = g.x0 + i * g.dx, z = g.z0 + k * g.dz;
      const double b = bump * std::exp(-((x - 450) * (x - 450) + (z + 220) * (z + 220)) / (2 * 150.0 * 150.0));
      const double vp = 1900 + 0.2 * x / 8 - 0.3 * z + b;
      m[k * g.nx + i] = vp;
      if (elastic) {
        m[n + k * g.nx + i] = vp / 1.8 + 0.3 * b;
        m[2 * n + k * g.nx + i] = 2000 + 0.1 * vp + 0.2 * b;
      }
    }
  return m;
}

inline std::vector<double> random_vector(std::size_t n, unsigned seed, double scale = 1) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0, 1);
  std::vector<double> v(n);
  for (auto& x : v) x = scale * nd(rng);
  return v;
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

inline double dot(const Traces& a, const Traces& b) {
  double s = 0;
  for (std::size_t r = 0; r < a.size(); ++r)
    for (std::size_t c = 0; c < a[r].size(); ++c)
      for (std::size_t n = 0; n < a[r][c].size(); ++n) s += a[r][c][n] * b[r][c][n];
  return s;
}

inline Traces random_traces(const Traces& shape, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0, 1);
  Traces t = shape;
  for (auto& r : t)
    for (auto& c : r)
      for (auto& x : c) x = nd(rng);
  return t;
}

inline std::vector<double> axpy(const std::vector<double>& m, double h, const std::vector<double>& d) {
  std::vector<double> r(m);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] += h * d[i];
  return r;
}

/// Taylor test: remainders |J(m + h d) - J(m) - h g.d| for h = h0, h0/2, ...; returns the
/// observed slopes log2(R(h)/R(h/2)).
inline std::vector<double> taylor_slopes(const std::function<double(const std::vector<double>&)>& J,
                                         const std::vector<double>& m, const std::vector<double>& g,
                                         const std::vector<double>& d, double h0, int levels,
                                         std::vector<double>* rem = nullptr) {
  const double j0 = J(m), gd = dot(g, d);
  std::vector<double> R;
  double h = h0;
  for (int l = 0; l < levels; ++l, h /= 2) R.push_back(std::abs(J(axpy(m, h, d)) - j0 - h * gd));
  std::vector<double> slopes;
  for (std::size_t l = 1; l < R.size(); ++l) slopes.push_back(std::log2(R[l - 1] / R[l]));
  if (rem) *rem = R;
  return slopes;
}

struct FdComparison {
  double cosine = 0, rel_error = 0;
};
inline FdComparison compare(const std::vector<double>& a, const std::vector<double>& fd) {
  double ab = 0, aa = 0, bb = 0, ee = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * fd[i];
    aa += a[i] * a[i];
    bb += fd[i] * fd[i];
    ee += (a[i] - fd[i]) * (a[i] - fd[i]);
  }
  return {ab / std::sqrt(aa * bb), std::sqrt(ee / bb)};
}

}  // namespace hyseis::physics::wave::testing
