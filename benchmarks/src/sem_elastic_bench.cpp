// sem_elastic_2d: a full explicit elastic SEM time step (newmark_predict, r = K u,
// newmark_correct) with the hyseis Kokkos kernels, against deal.II MatrixFree on the same problem.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "hyseis/bench/bench.hpp"
#include "hyseis/solvers/sem_kernels.hpp"
#include "sem_elastic_common.hpp"
#include "structured_mesh.hpp"

namespace hyseis::bench::detail {

namespace solvers = hyseis::solvers;

RunResult run_hyseis_elastic(const ElasticProblem& p, int check_steps, double target_seconds, bool fused) {
  std::vector<double> x, z;
  const solvers::SemMeshHost2D mesh = structured_mesh(p.cells_1d, p.degree, x, z);
  const std::size_t nq = static_cast<std::size_t>(p.degree + 1) * (p.degree + 1);
  const std::size_t npts = static_cast<std::size_t>(mesh.n_cells) * nq;
  const solvers::ElasticOperator2D op(mesh, std::vector<double>(npts, p.lambda),
                                      std::vector<double>(npts, p.mu));
  const std::size_t n = 2 * static_cast<std::size_t>(mesh.n_nodes);
  solvers::Vector u("u", n), v("v", n), a("a", n), r("r", n), f("f", n), inv_mass("inv_mass", n);
  {
    // lumped GLL mass: rho * sum of jxw over the cells sharing a node
    std::vector<double> mass(mesh.n_nodes, 0.0);
    for (std::size_t i = 0; i < npts; ++i) mass[mesh.cell_nodes[i]] += p.rho * mesh.jxw[i];
    auto hm = Kokkos::create_mirror_view(inv_mass);
    auto hu = Kokkos::create_mirror_view(u);
    for (int k = 0; k < mesh.n_nodes; ++k) {
      hm(2 * k) = hm(2 * k + 1) = 1.0 / mass[k];
      initial_displacement(x[k], z[k], hu(2 * k), hu(2 * k + 1));
    }
    Kokkos::deep_copy(inv_mass, hm);
    Kokkos::deep_copy(u, hu);
  }
  auto norm2 = [](solvers::ConstVector w) {
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), w);
    double s = 0;
    for (std::size_t i = 0; i < h.extent(0); ++i) s += h(i) * h(i);
    return std::sqrt(s);
  };
  RunResult res;
  res.n_points = mesh.n_nodes;
  res.op_bytes = op.memory_bytes();
  res.bytes = res.op_bytes + 6 * n * sizeof(double);
  op.apply(u, r);
  res.ku_norm = norm2(r);
  const double dt = p.dt();
  const solvers::Vector none;
  auto step = [&]() {
    solvers::newmark_predict(dt, u, v, a);
    op.apply(u, r);
    solvers::newmark_correct(dt, inv_mass, f, r, none, v, a);
  };
  solvers::newmark_correct(0.0, inv_mass, f, r, none, v, a);  // a0 = M^-1 (f - K u0)
  for (int s = 0; s < check_steps; ++s) step();
  res.u_norm_after = norm2(u);

  auto step_fused = [&]() {
    op.apply(u, r);
    solvers::newmark_correct_predict(dt, inv_mass, f, r, none, u, v, a);
  };
  if (fused) solvers::newmark_predict(dt, u, v, a);  // enter the fused sequence
  auto any_step = [&]() { fused ? step_fused() : step(); };
  long steps = 0;
  res.seconds_per_step = time_per_step([&]() { any_step(); Kokkos::fence(); }, target_seconds, steps);
  res.timed_steps = steps;
  if (std::isnan(solvers::max_abs_or_nan(u))) throw std::runtime_error("sem_elastic_2d: solution not finite");
  return res;
}

namespace {
/// VmHWM (peak resident set) of this process in bytes, 0 if unavailable.
double peak_rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream s(line.substr(6));
      double kb = 0;
      s >> kb;
      return kb * 1024.0;
    }
  return 0.0;
}
}  // namespace

std::vector<Row> sem_elastic_2d(const Options& opt) {
  // degree 4: (4n+1)^2 unique GLL points; quick: ~1e3 / 1e4, full: ~1e4 / 1e5 / 1e6.
  const std::vector<int> sizes = opt.quick ? std::vector<int>{8, 25} : std::vector<int>{25, 79, 250};
  const double target = opt.quick ? 0.15 : 0.6;  // thread-CPU seconds per timed measurement
  const int check_steps = 20;
  const std::string base = "deal.II MatrixFree";
  std::vector<Row> rows;
  for (int n1 : sizes) {
    ElasticProblem p;
    p.cells_1d = n1;
    const RunResult ours = run_hyseis_elastic(p, check_steps, target, false);
    const RunResult dl = run_dealii_elastic(p, check_steps, target, false);
    const RunResult ours_f = run_hyseis_elastic(p, check_steps, target, true);
    const RunResult dl_f = run_dealii_elastic(p, check_steps, target, true);
    if (ours.n_points != dl.n_points)
      throw std::runtime_error("sem_elastic_2d: point counts differ (" + std::to_string(ours.n_points) +
                               " vs " + std::to_string(dl.n_points) + ")");
    // Equal work: ||K u0|| and ||u|| after the check steps agree up to rounding.
    const double dku = std::abs(ours.ku_norm - dl.ku_norm) / dl.ku_norm;
    const double du = std::abs(ours.u_norm_after - dl.u_norm_after) / dl.u_norm_after;
    if (!(dku < 1e-9) || !(du < 1e-9))
      throw std::runtime_error("sem_elastic_2d: hyseis and deal.II disagree (rel. diff ||Ku|| " +
                               std::to_string(dku) + ", ||u|| " + std::to_string(du) + ")");
    const std::string tag = "_N" + std::to_string(ours.n_points);
    const double v = ours.n_points / ours.seconds_per_step, b = dl.n_points / dl.seconds_per_step;
    rows.push_back({"sem_elastic_2d", "point_updates_per_s" + tag, v, b, v / b, "1/s", base});
    const double vf = ours_f.n_points / ours_f.seconds_per_step, bf = dl_f.n_points / dl_f.seconds_per_step;
    rows.push_back({"sem_elastic_2d", "point_updates_per_s_fused" + tag, vf, bf, vf / bf, "1/s", base});
    const double mv = static_cast<double>(ours.bytes), mb = static_cast<double>(dl.bytes);
    rows.push_back({"sem_elastic_2d", "bytes_operator_and_vectors" + tag, mv, mb, mv / mb, "B", base});
    const double ov = static_cast<double>(ours.op_bytes), ob = static_cast<double>(dl.op_bytes);
    rows.push_back({"sem_elastic_2d", "bytes_operator_only" + tag, ov, ob, ov / ob, "B", base});
    rows.push_back({"sem_elastic_2d", "agreement_rel_diff_Ku" + tag, dku, 0.0, 0.0, "1", base});
  }
  rows.push_back({"sem_elastic_2d", "peak_rss_process_VmHWM", peak_rss_bytes(), 0.0, 0.0, "B", ""});
  return rows;
}

}  // namespace hyseis::bench::detail
