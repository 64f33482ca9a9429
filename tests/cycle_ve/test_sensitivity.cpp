// Sensitivity of the FE cycle model to truncation, mesh, time step and scheme (the table in
// docs/theory/viscoelastic-cycle.md). Slow (minutes): runs only with HYSEIS_VE_SENSITIVITY=1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>

#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace {

using namespace hyseis::physics::cycle;

ViscoelasticCycleOptions base() {
  ViscoelasticCycleOptions o;  // the validation case's configuration
  o.cycles = 10;
  o.profile_x = {1, 2, 5, 10, 15, 20, 30, 40, 60, 80, 100, 150, 200};
  o.profile_phases = {0.05, 0.25, 0.5, 0.95};
  return o;
}

void report(const std::string& label, const ViscoelasticCycleOptions& o) {
  const auto r = run_viscoelastic_cycle(o);
  SavagePrescottParams p;
  p.locking_depth = o.locking_depth;
  std::printf("%-34s dofs %6u  t %6.1f s |", label.c_str(), r.n_dofs, r.setup_seconds + r.solve_seconds);
  for (std::size_t ip = 0; ip < r.phases.size(); ++ip) {
    const auto ref = savage_prescott_velocity(p, r.profile_x, r.phases[ip] * p.recurrence);
    double vm = 0, em = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      vm = std::max(vm, std::abs(ref[i]));
      em = std::max(em, std::abs(r.velocity[ip][i] - ref[i]));
    }
    std::printf(" %.2e", em / vm);
  }
  std::printf(" | periodicity %.1e\n", r.periodicity_error);
  std::fflush(stdout);
}

TEST(ViscoelasticSensitivity, Table) {
  const char* env = std::getenv("HYSEIS_VE_SENSITIVITY");
  if (!env || std::string(env) != "1") GTEST_SKIP() << "set HYSEIS_VE_SENSITIVITY=1 (takes minutes)";
  const std::string which = std::getenv("HYSEIS_VE_GROUP") ? std::getenv("HYSEIS_VE_GROUP") : "all";
  std::printf("variant                            max_x|err|/max_x|v_SP| at t/T = 0.05 0.25 0.5 0.95\n");
  auto run = [&](const std::string& group, const std::string& label, std::function<void(ViscoelasticCycleOptions&)> f) {
    if (which != "all" && which != group) return;
    auto o = base();
    f(o);
    report(label, o);
  };
  run("base", "baseline (validation case)", [](auto&) {});
  for (double L : {400.0, 1000.0, 4000.0})
    for (std::string bc : {"dirichlet", "neumann"})
      run("domain", "L = Z = " + std::to_string(int(L)) + " km, " + bc, [&](auto& o) {
        o.domain_width = o.domain_depth = L;
        o.far_boundary = bc;
      });
  run("domain", "L = Z = 20000 km, neumann", [](auto& o) { o.far_boundary = "neumann"; });
  for (int l : {0, 2, 6})
    run("mesh", "tip_levels = " + std::to_string(l), [&](auto& o) { o.tip_levels = l; });
  run("mesh", "tip_levels = 0, h0 = 1.25 km", [](auto& o) { o.tip_levels = 0; o.cell_size = 1.25; });
  for (double h : {5.0, 1.25})
    run("mesh", "h0 = " + std::to_string(h) + " km", [&](auto& o) { o.cell_size = h; });
  run("mesh", "Q1, h0 = 1.25 km", [](auto& o) { o.cell_size = 1.25; o.fe_degree = 1; });
  run("mesh", "Q3", [](auto& o) { o.fe_degree = 3; });
  for (int n : {40, 200, 400}) run("time", "CN, " + std::to_string(n) + " steps/cycle", [&](auto& o) { o.steps_per_cycle = n; });
  for (int n : {100, 400}) run("time", "BE, " + std::to_string(n) + " steps/cycle", [&](auto& o) { o.steps_per_cycle = n; o.theta = 1; });
  for (int c : {3, 5, 20}) run("cycles", std::to_string(c) + " cycles", [&](auto& o) { o.cycles = c; });
  run("cycles", "10 cycles, cold start", [](auto& o) { o.relaxed_start = false; });
  run("cycles", "20 cycles, cold start", [](auto& o) { o.relaxed_start = false; o.cycles = 20; });
  run("depth", "D = 10 km < H", [](auto& o) { o.locking_depth = 10; });
}

}  // namespace
