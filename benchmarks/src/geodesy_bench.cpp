// Geodesy benchmarks (issue 8):
//  okada_kokkos_vs_scalar: stations x patches Okada (1992) evaluations per second, the Kokkos
//    kernel okada1992_sum against a straightforward scalar loop over the per-fault API (one
//    okada1992() call per patch over all stations, summed on the host). Same inputs; the results
//    are compared (max |du| relative) in the same run. With the Serial Kokkos backend of the
//    build machine both run on one core: the ratio measures the kernel's code path only.
//  cycle_fe_per_cycle: the viscoelastic FE cycle model (validation configuration, or the quick
//    variant), wall seconds per earthquake cycle (set-up and factorisations included / excluded).
//  surrogate_vs_fe: the time to produce the same outputs (16 stations x all step phases of one
//    cycle) for one parameter set by the FE model and by a trained surrogate; the surrogate's
//    relative L2 error against that FE run is reported next to it.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "hyseis/bench/bench.hpp"
#include "hyseis/hybrid/geodesy/surrogate.hpp"
#include "hyseis/physics/cycle/okada.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace hyseis::bench::detail {

namespace {
namespace cyc = physics::cycle;
double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
template <class F>
double best_of(int reps, F&& f) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now();
    f();
    best = std::min(best, now() - t0);
  }
  return best;
}
}  // namespace

std::vector<Row> okada_kokkos_vs_scalar(const Options& opt) {
  const int np_side = opt.quick ? 6 : 16;   // patches: np_side x np_side on a 40 km x 20 km dipping fault
  const int ns_side = opt.quick ? 20 : 60;  // stations: ns_side^2 on a 200 km square
  const auto medium = cyc::HalfSpace::from_poisson_ratio(0.25);
  std::vector<cyc::RectangularFault> faults;
  const double L = 40, W = 20, dip = 30;
  for (int i = 0; i < np_side; ++i)
    for (int j = 0; j < np_side; ++j) {
      cyc::RectangularFault f;
      f.strike_deg = 20;
      f.dip_deg = dip;
      f.length = L / np_side;
      f.width = W / np_side;
      const double s = (i + 0.5) * f.length - L / 2, d = (j + 0.5) * f.width;  // along strike, down dip
      const double st = f.strike_deg * M_PI / 180;
      const double h = d * std::cos(dip * M_PI / 180);  // horizontal offset perpendicular to strike
      f.east = s * std::sin(st) + h * std::cos(st);
      f.north = s * std::cos(st) - h * std::sin(st);
      f.depth = 2 + d * std::sin(dip * M_PI / 180);
      f.reference = cyc::FaultReference::centroid;
      f.slip.strike = 1.0 + 0.1 * i;
      f.slip.dip = 0.5 - 0.05 * j;
      faults.push_back(f);
    }
  cyc::Stations st;
  for (int i = 0; i < ns_side; ++i)
    for (int j = 0; j < ns_side; ++j) st.push_back(-100 + 200.0 * (i + 0.37) / ns_side, -100 + 200.0 * (j + 0.61) / ns_side, 0);
  const double evals = double(faults.size()) * double(st.size());
  std::vector<cyc::Deformation> kk, ss;
  const int reps = opt.quick ? 2 : 3;
  const double tk = best_of(reps, [&] { kk = cyc::okada1992_sum(medium, faults, st); });
  const double ts = best_of(reps, [&] {
    ss.assign(st.size(), cyc::Deformation{});
    for (const auto& f : faults) {
      const auto d = cyc::okada1992(medium, f, st);
      for (std::size_t i = 0; i < d.size(); ++i)
        for (int c = 0; c < 3; ++c) ss[i].u[c] += d[i].u[c];
    }
  });
  double diff = 0, mx = 0;
  for (std::size_t i = 0; i < st.size(); ++i)
    for (int c = 0; c < 3; ++c) {
      diff = std::max(diff, std::abs(kk[i].u[c] - ss[i].u[c]));
      mx = std::max(mx, std::abs(ss[i].u[c]));
    }
  const std::string base = "scalar loop over okada1992() per patch";
  return {{"okada_kokkos_vs_scalar", "evaluations_per_s", evals / tk, evals / ts, ts / tk, "station*patch/s", base},
          {"okada_kokkos_vs_scalar", "stations", double(st.size()), 0, 0, "", ""},
          {"okada_kokkos_vs_scalar", "patches", double(faults.size()), 0, 0, "", ""},
          {"okada_kokkos_vs_scalar", "max_rel_difference", diff / mx, 0, 0, "", ""}};
}

std::vector<Row> cycle_fe_per_cycle(const Options& opt) {
  cyc::ViscoelasticCycleOptions o;  // the validation configuration (docs/theory/viscoelastic-cycle.md §6)
  if (opt.quick) {
    o.cell_size = 5;
    o.steps_per_cycle = 40;
    o.cycles = 4;
  }
  for (double x : {1.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0}) o.profile_x.push_back(x);
  o.profile_phases = {0.05, 0.25, 0.5, 0.95};
  o.record_cycles = 0;
  const double t0 = now();
  const auto r = cyc::run_viscoelastic_cycle(o);
  const double total = now() - t0;
  return {{"cycle_fe_per_cycle", "seconds_per_cycle", total / o.cycles, 0, 0, "s", ""},
          {"cycle_fe_per_cycle", "solve_seconds_per_cycle", r.solve_seconds / o.cycles, 0, 0, "s", ""},
          {"cycle_fe_per_cycle", "setup_seconds", r.setup_seconds, 0, 0, "s", ""},
          {"cycle_fe_per_cycle", "ms_per_step", 1e3 * r.solve_seconds / std::max(1, r.n_steps), 0, 0, "ms", ""},
          {"cycle_fe_per_cycle", "dofs", double(r.n_dofs), 0, 0, "", ""}};
}

std::vector<Row> surrogate_vs_fe(const Options& opt) {
  hybrid::geodesy::SurrogateOptions so;
  so.hidden = opt.quick ? std::vector<std::int64_t>{32, 32, 32} : std::vector<std::int64_t>{64, 64, 64, 64};
  so.epochs = opt.quick ? 40 : 150;
  so.batch_size = 256;
  so.learning_rate = 3e-3;
  so.lr_decay = 0.98;
  so.patience = 0;
  so.threads = 1;
  const auto tr = hybrid::geodesy::savage_prescott_grid(so, opt.quick ? 10 : 16, opt.quick ? 16 : 30, opt.quick ? 16 : 30, false);
  const auto ho = hybrid::geodesy::savage_prescott_grid(so, opt.quick ? 10 : 16, opt.quick ? 16 : 30, opt.quick ? 16 : 30, true);
  hybrid::geodesy::ViscoelasticSurrogate s(so);
  const auto rep = s.train(tr, ho);
  cyc::ViscoelasticCycleOptions o;
  o.relaxation_time = 70;  // tau/T = 0.35, not a training grid value
  o.cell_size = opt.quick ? 5 : 2.5;
  o.steps_per_cycle = opt.quick ? 40 : 100;
  o.cycles = opt.quick ? 4 : 6;
  o.record_cycles = 0;
  const std::vector<double> xs{-80, -40, -20, -10, -5, 2, 5, 10, 15, 20, 30, 45, 60, 90, 130, 180};
  for (double x : xs) o.profile_x.push_back(std::abs(x));
  std::sort(o.profile_x.begin(), o.profile_x.end());
  for (int n = 1; n <= o.steps_per_cycle; ++n) o.profile_phases.push_back(double(n) / o.steps_per_cycle);
  const double t0 = now();
  const auto r = cyc::run_viscoelastic_cycle(o);
  const double t_fe = now() - t0;
  std::vector<double> xh, ph, tt, ref;
  for (std::size_t n = 0; n < r.phases.size(); ++n)
    for (double x : xs) {
      const auto it = std::find(o.profile_x.begin(), o.profile_x.end(), std::abs(x));
      xh.push_back(x / o.layer_thickness);
      ph.push_back(r.phases[n]);
      tt.push_back(o.relaxation_time / o.recurrence);
      ref.push_back((x < 0 ? -1 : 1) * r.velocity[n][std::size_t(it - o.profile_x.begin())] / (o.slip / o.recurrence));
    }
  std::vector<double> p;
  int reps = 0;
  const double ts0 = now();
  while (now() - ts0 < 0.3 || reps < 5) {
    p = s.predict(xh, ph, tt);
    ++reps;
  }
  const double t_s = (now() - ts0) / reps;
  double num = 0, den = 0;
  for (std::size_t i = 0; i < p.size(); ++i) num += (p[i] - ref[i]) * (p[i] - ref[i]), den += ref[i] * ref[i];
  return {{"surrogate_vs_fe", "parameter_sets_per_s", 1 / t_s, 1 / t_fe, t_fe / t_s, "1/s", "FE cycle model (same outputs)"},
          {"surrogate_vs_fe", "outputs_per_parameter_set", double(p.size()), 0, 0, "", ""},
          {"surrogate_vs_fe", "relative_l2_vs_fe", std::sqrt(num / den), 0, 0, "", ""},
          {"surrogate_vs_fe", "relative_l2_held_out_series", s.relative_l2(ho), 0, 0, "", ""},
          {"surrogate_vs_fe", "train_seconds", rep.train_seconds, 0, 0, "s", ""}};
}

}  // namespace hyseis::bench::detail
