// Gradient verification of the adjoint wave modeling (gradient_checks.hpp).
#include "hyseis/physics/wave/gradient_checks.hpp"

#include <cmath>
#include <random>

#include "hyseis/physics/wave/misfit.hpp"

namespace hyseis::physics::wave::checks {

WaveProblem small_problem(bool elastic) {
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

SourceOptions small_shot(bool elastic) {
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

ModelGrid small_grid(int nx, int nz) {
  ModelGrid g;
  g.nx = nx;
  g.nz = nz;
  g.x0 = 0;
  g.z0 = -400;
  g.dx = 800.0 / (nx - 1);
  g.dz = 400.0 / (nz - 1);
  return g;
}

std::vector<double> smooth_model(const ModelGrid& g, bool elastic, double bump) {
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

namespace {
std::vector<double> random_vector(std::size_t n, unsigned seed, double scale) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0, 1);
  std::vector<double> v(n);
  for (auto& x : v) x = scale * nd(rng);
  return v;
}
Traces random_traces(const Traces& shape, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0, 1);
  Traces t = shape;
  for (auto& r : t)
    for (auto& c : r)
      for (auto& x : c) x = nd(rng);
  return t;
}
double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}
double dot(const Traces& a, const Traces& b) {
  double s = 0;
  for (std::size_t r = 0; r < a.size(); ++r)
    for (std::size_t c = 0; c < a[r].size(); ++c)
      for (std::size_t n = 0; n < a[r][c].size(); ++n) s += a[r][c][n] * b[r][c][n];
  return s;
}
std::vector<double> axpy(const std::vector<double>& m, double h, const std::vector<double>& d) {
  std::vector<double> r(m);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] += h * d[i];
  return r;
}
}  // namespace

GradientCheckReport check_gradient(bool elastic, MisfitType type, int directions, MPI_Comm comm) {
  GradientCheckReport rep;
  const WaveProblem p = small_problem(elastic);
  const ModelGrid g = small_grid();
  Modeling mod(p, g, comm, {CheckpointMode::binomial, 0});
  const SourceOptions shot = small_shot(elastic);
  // dot-product test at the starting model
  const auto m0 = smooth_model(g, elastic, 0);
  const auto dm = random_vector(m0.size(), 11, 10.0);
  const Traces jdm = mod.jvp(m0, shot, dm);
  const Traces dd = random_traces(jdm, 12);
  const double lhs = dot(jdm, dd), rhs = dot(dm, mod.vjp(m0, shot, dd));
  rep.dot_product_rel = std::abs(lhs - rhs) / std::abs(lhs);
  // misfit against data of a model with a bump
  const Seismograms obs = mod.forward(smooth_model(g, elastic, 120), shot);
  const GradientResult gr = mod.gradient(m0, shot, obs, type);
  rep.misfit = gr.misfit;
  rep.n_steps = mod.n_steps();
  auto J = [&](const std::vector<double>& m) { return misfit_value(mod.forward(m, shot), obs, type); };
  const double j0 = J(m0);
  const auto d = random_vector(m0.size(), 21, 5.0);
  const double gd = dot(gr.gradient, d);
  std::vector<double> R;
  double h = 4.0;
  for (int l = 0; l < 4; ++l, h /= 2) R.push_back(std::abs(J(axpy(m0, h, d)) - j0 - h * gd));
  for (std::size_t l = 1; l < R.size(); ++l) rep.taylor_slopes.push_back(std::log2(R[l - 1] / R[l]));
  double ab = 0, aa = 0, bb = 0, ee = 0;
  for (int k = 0; k < directions; ++k) {
    const auto dk = random_vector(m0.size(), 100 + k, 1.0);
    const double hh = 0.5;
    const double a = dot(gr.gradient, dk);
    const double f = (J(axpy(m0, hh, dk)) - J(axpy(m0, -hh, dk))) / (2 * hh);
    ab += a * f;
    aa += a * a;
    bb += f * f;
    ee += (a - f) * (a - f);
  }
  rep.fd_cosine = ab / std::sqrt(aa * bb);
  rep.fd_rel_error = std::sqrt(ee / bb);
  return rep;
}

CheckpointReport check_checkpointing(bool elastic, int snapshots, MPI_Comm comm) {
  CheckpointReport rep;
  const WaveProblem p = small_problem(elastic);
  const ModelGrid g = small_grid();
  Modeling all(p, g, comm, {CheckpointMode::store_all, 0});
  Modeling bin(p, g, comm, {CheckpointMode::binomial, snapshots});
  const SourceOptions shot = small_shot(elastic);
  const Seismograms obs = all.forward(smooth_model(g, elastic, 100), shot);
  const auto m0 = smooth_model(g, elastic);
  const GradientResult a = all.gradient(m0, shot, obs, MisfitType::l2);
  const GradientResult b = bin.gradient(m0, shot, obs, MisfitType::l2);
  double e = 0, n = 0;
  for (std::size_t i = 0; i < a.gradient.size(); ++i) {
    e = std::max(e, std::abs(a.gradient[i] - b.gradient[i]));
    n = std::max(n, std::abs(a.gradient[i]));
  }
  rep.max_rel_difference = e / n;
  rep.memory_store_all_mib = a.wavefield_memory_mib;
  rep.memory_binomial_mib = b.wavefield_memory_mib;
  rep.steps_store_all = a.forward_steps;
  rep.steps_binomial = b.forward_steps;
  rep.n_steps = all.n_steps();
  rep.snapshots = snapshots;
  return rep;
}

}  // namespace hyseis::physics::wave::checks
