#pragma once
// Small acoustic / elastic problems and gradient checks for the adjoint tests.
#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "hyseis/physics/wave/gradient_checks.hpp"
#include "hyseis/physics/wave/misfit.hpp"
#include "hyseis/physics/wave/modeling.hpp"

namespace hyseis::physics::wave::testing {

// The small problems are those of the validation cases (gradient_checks.hpp).
using checks::small_grid;
using checks::small_problem;
using checks::small_shot;
using checks::smooth_model;

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
