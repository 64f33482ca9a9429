// Benchmark "gradient_vs_forward": wall time of one misfit gradient (forward + adjoint) of the
// SEM wave modeling relative to one forward run on the same model and mesh (goal <= 2.5x), and
// the wavefield memory held for the backward pass with store_all vs binomial checkpointing.
// Acoustic and elastic; the baseline of every row is the forward run (or store_all).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "hyseis/bench/bench.hpp"
#include "hyseis/physics/wave/modeling.hpp"

namespace hyseis::bench::detail {

namespace {
namespace pw = physics::wave;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// 2 km x 1 km box (quick: 1 km x 0.5 km), free top, Stacey elsewhere, degree 4, 20 m cells.
pw::WaveProblem bench_problem(bool elastic, bool quick) {
  pw::WaveProblem p;
  p.physics = elastic ? pw::Physics::elastic : pw::Physics::acoustic;
  const double lx = quick ? 1000 : 2000, lz = quick ? 500 : 1000;
  p.mesh.xmin = 0;
  p.mesh.xmax = lx;
  p.mesh.zmin = -lz;
  p.mesh.zmax = 0;
  p.mesh.nx = static_cast<int>(lx / 50);
  p.mesh.nz = static_cast<int>(lz / 50);
  p.mesh.degree = 4;
  p.time.duration = quick ? 0.4 : 1.0;
  p.medium.layers = {pw::Layer{0, 2500, 1400, 2200}};
  for (int i = 0; i < 20; ++i) p.receivers.push_back(pw::Receiver{"r" + std::to_string(i), (i + 0.5) * lx / 20, -20});
  return p;
}

std::vector<double> bench_model(const pw::ModelGrid& g, bool elastic, double bump) {
  const int n = g.nx * g.nz;
  std::vector<double> m((elastic ? 3 : 1) * n);
  for (int k = 0; k < g.nz; ++k)
    for (int i = 0; i < g.nx; ++i) {
      const double x = g.x0 + i * g.dx, z = g.z0 + k * g.dz;
      const double cx = g.x0 + 0.5 * (g.nx - 1) * g.dx, cz = g.z0 + 0.5 * (g.nz - 1) * g.dz;
      const double b = bump * std::exp(-((x - cx) * (x - cx) + (z - cz) * (z - cz)) / (2 * 100.0 * 100.0));
      const double vp = 2300 - 0.4 * z + b;
      m[k * g.nx + i] = vp;
      if (elastic) {
        m[n + k * g.nx + i] = vp / 1.8;
        m[2 * n + k * g.nx + i] = 2100 + 0.05 * vp;
      }
    }
  return m;
}
}  // namespace

std::vector<Row> gradient_vs_forward(const Options& opt) {
  const std::string kCase = "gradient_vs_forward";
  std::vector<Row> rows;
  for (bool elastic : {false, true}) {
    const std::string tag = elastic ? "_elastic" : "_acoustic";
    const pw::WaveProblem p = bench_problem(elastic, opt.quick);
    pw::ModelGrid g;
    g.nx = static_cast<int>((p.mesh.xmax - p.mesh.xmin) / 25) + 1;
    g.nz = static_cast<int>((p.mesh.zmax - p.mesh.zmin) / 25) + 1;
    g.x0 = p.mesh.xmin;
    g.z0 = p.mesh.zmin;
    g.dx = g.dz = 25;
    pw::SourceOptions shot;
    shot.type = elastic ? pw::SourceType::force : pw::SourceType::pressure;
    shot.x = 0.3 * p.mesh.xmax;
    shot.z = -40;
    shot.f0 = 15;
    shot.time_shift = 0.08;
    pw::Modeling all(p, g, MPI_COMM_WORLD, {pw::CheckpointMode::store_all, 0});
    pw::Modeling bin(p, g, MPI_COMM_WORLD, {pw::CheckpointMode::binomial, 0});
    // store_all keeping only what the reverse sweep reads (a, u if elastic, v on damped entries)
    pw::Modeling cmp(p, g, MPI_COMM_WORLD, {pw::CheckpointMode::store_all, 0, true});
    const auto m_true = bench_model(g, elastic, 150), m0 = bench_model(g, elastic, 0);
    const pw::Seismograms obs = all.forward(m_true, shot);
    // Warm-up outside the timings: installs m0 (material, CFL check) and allocates the
    // wavefield storage, as every gradient after the first of an inversion finds them.
    all.gradient(m0, shot, obs, pw::MisfitType::l2);
    bin.gradient(m0, shot, obs, pw::MisfitType::l2);
    cmp.gradient(m0, shot, obs, pw::MisfitType::l2);
    // Each timing is the minimum over `reps` runs (the machine may be shared), interleaved.
    const int reps = opt.quick ? 3 : 5;
    double t_fwd = 1e300, t_all = 1e300, t_bin = 1e300, t_cmp = 1e300;
    pw::GradientResult ga, gb, gc;
    for (int r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      all.forward(m0, shot);
      t_fwd = std::min(t_fwd, seconds_since(t0));
      t0 = std::chrono::steady_clock::now();
      ga = all.gradient(m0, shot, obs, pw::MisfitType::l2);
      t_all = std::min(t_all, seconds_since(t0));
      t0 = std::chrono::steady_clock::now();
      gb = bin.gradient(m0, shot, obs, pw::MisfitType::l2);
      t_bin = std::min(t_bin, seconds_since(t0));
      t0 = std::chrono::steady_clock::now();
      gc = cmp.gradient(m0, shot, obs, pw::MisfitType::l2);
      t_cmp = std::min(t_cmp, seconds_since(t0));
    }
    const std::string base = "one forward run, same model (" + std::to_string(all.n_steps()) + " steps)";
    rows.push_back({kCase, "gradient_seconds_store_all" + tag, t_all, t_fwd, t_all / t_fwd, "s", base});
    rows.push_back({kCase, "gradient_seconds_store_all_compact" + tag, t_cmp, t_fwd, t_cmp / t_fwd, "s", base});
    rows.push_back({kCase, "gradient_seconds_binomial" + tag, t_bin, t_fwd, t_bin / t_fwd, "s", base});
    rows.push_back({kCase, "wavefield_memory_mib_binomial" + tag, gb.wavefield_memory_mib, ga.wavefield_memory_mib,
                    gb.wavefield_memory_mib / ga.wavefield_memory_mib, "MiB", "store_all"});
    rows.push_back({kCase, "wavefield_memory_mib_store_all_compact" + tag, gc.wavefield_memory_mib,
                    ga.wavefield_memory_mib, gc.wavefield_memory_mib / ga.wavefield_memory_mib, "MiB", "store_all"});
    rows.push_back({kCase, "forward_steps_binomial" + tag, static_cast<double>(gb.forward_steps),
                    static_cast<double>(ga.forward_steps),
                    static_cast<double>(gb.forward_steps) / static_cast<double>(ga.forward_steps), "steps",
                    "store_all (one forward sweep)"});
  }
  return rows;
}

}  // namespace hyseis::bench::detail
