// Finite-difference checks of the autograd bridges (bridge_checks.hpp).
#include "hyseis/hybrid/autograd/bridge_checks.hpp"

#include <torch/torch.h>

#include <cmath>
#include <random>

#include "hyseis/hybrid/autograd/wave_function.hpp"
#include "hyseis/physics/wave/gradient_checks.hpp"

namespace hyseis::hybrid::autograd {

namespace {
namespace pw = physics::wave;
namespace pt = physics::traveltime;

torch::Tensor to_tensor(const std::vector<double>& v) {
  return torch::tensor(v, torch::TensorOptions().dtype(torch::kFloat64));
}
std::vector<double> random_vector(std::size_t n, unsigned seed, double scale) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0, 1);
  std::vector<double> v(n);
  for (auto& x : v) x = scale * nd(rng);
  return v;
}
std::vector<double> axpy(const std::vector<double>& m, double h, const std::vector<double>& d) {
  std::vector<double> r(m);
  for (std::size_t i = 0; i < r.size(); ++i) r[i] += h * d[i];
  return r;
}

template <class Loss>
BridgeCheck fd_check(const Loss& loss_of, const std::vector<double>& m0, int directions, double scale, double h,
                     unsigned seed) {
  BridgeCheck out;
  torch::Tensor m = to_tensor(m0).requires_grad_(true);
  const torch::Tensor loss = loss_of(m);
  out.loss = loss.template item<double>();
  loss.backward();
  const torch::Tensor g = m.grad().contiguous();
  double ab = 0, aa = 0, bb = 0, ee = 0;
  for (int k = 0; k < directions; ++k) {
    const auto d = random_vector(m0.size(), seed + k, scale);
    double a = 0;
    for (std::size_t i = 0; i < d.size(); ++i) a += g.data_ptr<double>()[i] * d[i];
    torch::NoGradGuard ng;
    const torch::Tensor lp = loss_of(to_tensor(axpy(m0, h, d)));
    const torch::Tensor lm = loss_of(to_tensor(axpy(m0, -h, d)));
    const double f = (lp.template item<double>() - lm.template item<double>()) / (2 * h);
    ab += a * f;
    aa += a * a;
    bb += f * f;
    ee += (a - f) * (a - f);
  }
  out.cosine = ab / std::sqrt(aa * bb);
  out.rel_error = std::sqrt(ee / bb);
  out.directions = directions;
  return out;
}
}  // namespace

BridgeCheck check_wave_bridge(bool elastic, int directions, MPI_Comm comm) {
  const pw::WaveProblem p = pw::checks::small_problem(elastic);
  const pw::ModelGrid g = pw::checks::small_grid();
  pw::Modeling mod(p, g, comm);
  const pw::SourceOptions shot = pw::checks::small_shot(elastic);
  const pw::Seismograms obs_s = mod.forward(pw::checks::smooth_model(g, elastic, 120), shot);
  std::vector<double> flat;
  for (const auto& r : obs_s.data)
    for (const auto& c : r) flat.insert(flat.end(), c.begin(), c.end());
  const auto nt = static_cast<std::int64_t>(obs_s.time.size());
  const torch::Tensor obs = to_tensor(flat).reshape({static_cast<std::int64_t>(obs_s.data.size()), -1, nt});
  const double scale = obs.abs().max().item<double>();
  auto loss_of = [&](const torch::Tensor& m) {
    const torch::Tensor s = wave_seismograms(mod, shot, m);
    return torch::mse_loss(s / scale, obs / scale) + 0.1 * torch::tanh(s / scale).pow(2).mean();
  };
  return fd_check(loss_of, pw::checks::smooth_model(g, elastic, 0), directions, 1.0, 0.5, 300);
}

BridgeCheck check_eikonal_bridge(int directions) {
  pt::NodeGrid grid;
  grid.nx = 31;
  grid.ny = 21;
  grid.h = 10;
  const pt::Eikonal2D eik(grid);
  std::vector<double> s0(grid.nodes());
  for (int j = 0; j < grid.ny; ++j)
    for (int i = 0; i < grid.nx; ++i) s0[j * grid.nx + i] = 1.0 / (2000 + 10 * i + 25 * j + 50 * std::sin(0.3 * i));
  const pt::Point2 src{52, 37};
  const std::vector<pt::Point2> recs = {{250, 180}, {290, 20}, {150, 195}, {10, 150}, {280, 110}};
  const torch::Tensor t_obs = eikonal_traveltimes(eik, src, recs, to_tensor(s0) * 1.03).detach();
  auto loss_of = [&](const torch::Tensor& s) {
    const torch::Tensor t = eikonal_traveltimes(eik, src, recs, s);
    return (t - t_obs).pow(2).sum() * 1e4 + torch::exp(t * 10).sum();
  };
  return fd_check(loss_of, s0, directions, 1e-6, 1.0, 500);
}

}  // namespace hyseis::hybrid::autograd
