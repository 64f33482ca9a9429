// Viscoelastic earthquake-cycle validation (physics/cycle/viscoelastic*):
//  - viscoelastic_cycle_savage_prescott: FE model (elastic layer H = 20 km over a Maxwell
//    half-space, D = H, T = 200 yr, tau = 50 yr, s = 4 m, 10 cycles) against the Savage &
//    Prescott (1978) analytic surface velocity at t/T = 0.05, 0.25, 0.5, 0.95;
//  - coseismic_screw_dislocation: the FE coseismic step against the elastic half-space screw
//    dislocation w = s/(2 pi) [atan((D - z)/x) + atan((D + z)/x)] at the surface and at depth.
#include "hyseis/validation/cycle_cases.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "case_util.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace hyseis::validation {

namespace {

namespace cy = physics::cycle;

using detail::make_metric;

cy::ViscoelasticCycleOptions base_options() {
  cy::ViscoelasticCycleOptions o;  // H = D = 20 km, T = 200 yr, tau = 50 yr, s = 4 m
  o.cycles = 10;
  o.steps_per_cycle = 100;
  o.cell_size = 2.5;
  o.growth = 1.15;
  o.tip_levels = 4;  // geometric grading toward the dislocation tip (error 10x below a uniform mesh)
  o.domain_width = o.domain_depth = 20000;  // 1000 H: truncation < 1e-4 (docs)
  o.profile_x = {1, 2, 5, 10, 15, 20, 30, 40, 60, 80, 100, 150, 200};
  o.profile_phases = {0.05, 0.25, 0.5, 0.95};
  return o;
}

cy::SavagePrescottParams reference_params(const cy::ViscoelasticCycleOptions& o) {
  cy::SavagePrescottParams p;
  p.layer_thickness = o.layer_thickness;
  p.locking_depth = o.locking_depth;
  p.recurrence = o.recurrence;
  p.relaxation_time = o.relaxation_time;
  p.slip = o.slip;
  return p;
}

std::string phase_tag(double p) {
  std::ostringstream os;
  os << p;
  return os.str();
}

CaseResult savage_prescott(const Options& opt) {
  const std::string name = "viscoelastic_cycle_savage_prescott";
  const auto t0 = std::chrono::steady_clock::now();
  auto o = base_options();
  if (opt.quick) {  // ~5x cheaper, errors ~1e-3 (docs/theory/viscoelastic-cycle.md, sensitivity table)
    o.cell_size = 5;
    o.steps_per_cycle = 40;
    o.cycles = 6;
  }
  const auto r = cy::run_viscoelastic_cycle(o);
  const auto p = reference_params(o);
  CaseResult res;
  std::vector<double> flat_fe, flat_ref;
  for (std::size_t ip = 0; ip < r.phases.size(); ++ip) {
    const double t = r.phases[ip] * o.recurrence;
    const auto ref = cy::savage_prescott_velocity(p, r.profile_x, t);
    double vmax = 0, emax = 0, prel = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      const double e = std::abs(r.velocity[ip][i] - ref[i]);
      bool finite = std::isfinite(r.velocity[ip][i]);
      vmax = std::max(vmax, std::abs(ref[i]));
      emax = finite ? std::max(emax, e) : 1e300;
      if (r.profile_x[i] >= 0.25 * o.layer_thickness) prel = std::max(prel, finite ? e / std::abs(ref[i]) : 1e300);
    }
    flat_fe.insert(flat_fe.end(), r.velocity[ip].begin(), r.velocity[ip].end());
    flat_ref.insert(flat_ref.end(), ref.begin(), ref.end());
    std::ostringstream note;
    note << "t/T = " << r.phases[ip] << ": max_x |v_FE - v_SP| / max_x |v_SP| over x = " << r.profile_x.front()
         << ".." << r.profile_x.back() << " km (" << r.profile_x.size() << " stations); v_SP: Savage & Prescott (1978) "
         << "series, " << cy::savage_prescott_image_terms(p) << " image orders";
    res.metrics.push_back(make_metric(name, "max_rel_err_t" + phase_tag(r.phases[ip]), emax / vmax, 0.02,
                                              "<=", note.str()));
    res.metrics.push_back(make_metric(name, "pointwise_rel_err_x_ge_H/4_t" + phase_tag(r.phases[ip]), prel,
                                              0, "info", "max_x>=H/4 |v_FE - v_SP| / |v_SP(x)|"));
  }
  std::ostringstream pn;
  pn << "max |v(cycle " << o.cycles << ") - v(cycle " << o.cycles - 1 << ")| / max |v| at the same phases";
  res.metrics.push_back(make_metric(name, "periodicity", r.periodicity_error, opt.quick ? 5e-3 : 1e-3, "<=", pn.str()));
  std::ostringstream cost;
  cost << r.n_cells << " cells, " << r.n_dofs << " dofs (Q" << o.fe_degree << "), " << r.n_steps
       << " Crank-Nicolson steps, setup " << r.setup_seconds << " s, time stepping " << r.solve_seconds << " s";
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  res.metrics.push_back(make_metric(name, "wall_s", wall, 0, "info", cost.str()));
  res.metrics.push_back(
      make_metric(name, "seconds_per_cycle", r.solve_seconds * o.steps_per_cycle / std::max(r.n_steps, 1), 0,
                          "info", "FE cycle solver time per earthquake cycle (one core)"));
  if (detail::writes_files(opt)) {
    std::filesystem::create_directories(opt.out_dir);
    core::plot::LinePlot plot;
    plot.title = "FE vs Savage-Prescott 1978: H = D = 20 km, T = 200 yr, tau = 50 yr";
    plot.xlabel = "distance from fault (km)";
    plot.ylabel = "velocity (mm/yr)";
    const std::array<std::array<unsigned char, 3>, 4> colors{{{200, 30, 30}, {230, 140, 0}, {30, 130, 30}, {30, 60, 200}}};
    const std::size_t nx = r.profile_x.size();
    for (std::size_t ip = 0; ip < r.phases.size(); ++ip) {
      core::plot::Series ref, fe;
      std::vector<double> xd;
      for (int i = 0; i <= 200; ++i) xd.push_back(0.5 + i * (r.profile_x.back() - 0.5) / 200);
      ref.x = xd;
      for (double x : xd) ref.y.push_back(1e3 * cy::savage_prescott_velocity(p, x, r.phases[ip] * o.recurrence));
      ref.label = "SP78 t/T = " + phase_tag(r.phases[ip]);
      ref.color = colors[ip % 4];
      ref.dashed = true;
      fe.x = r.profile_x;
      for (std::size_t i = 0; i < nx; ++i) fe.y.push_back(1e3 * flat_fe[ip * nx + i]);
      fe.label = "FE t/T = " + phase_tag(r.phases[ip]);
      fe.color = colors[ip % 4];
      plot.series.push_back(ref);
      plot.series.push_back(fe);
    }
    core::plot::save_png(plot, opt.out_dir + "/" + name + ".png");
    core::h5::Writer w(opt.out_dir + "/" + name + ".h5");
    w.write("x_km", r.profile_x);
    w.write("phases", r.phases);
    w.write("velocity_fe", {r.phases.size(), r.profile_x.size()}, flat_fe.data());
    w.write("velocity_savage_prescott", {r.phases.size(), r.profile_x.size()}, flat_ref.data());
    w.attribute("/", "units", "x: km, velocity: m/yr");
    w.attribute("/", "parameters", "H = D = 20 km, T = 200 yr, tau = 50 yr, s = 4 m");
    w.commit();
  }
  return res;
}

CaseResult coseismic(const Options&) {
  const std::string name = "coseismic_screw_dislocation";
  auto o = base_options();
  o.locking_depth = 15;  // D < H exercises the general form; the medium is elastic at the step
  std::vector<double> xs, zs;
  for (double x : {1.0, 2.0, 5.0, 10.0, 20.0, 40.0, 80.0, 150.0}) {
    xs.push_back(x);
    zs.push_back(0.0);
  }
  for (double z : {5.0, 10.0, 20.0, 40.0})
    for (double x : {2.0, 10.0, 30.0}) {
      xs.push_back(x);
      zs.push_back(z);
    }
  const auto w = cy::viscoelastic_coseismic_step(o, xs, zs);
  double surf = 0, depth = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double ref = cy::screw_dislocation_displacement(o.slip, o.locking_depth, xs[i], zs[i]);
    const double e = std::isfinite(w[i]) ? std::abs(w[i] - ref) / (0.5 * o.slip) : 1e300;
    (zs[i] == 0 ? surf : depth) = std::max(zs[i] == 0 ? surf : depth, e);
  }
  CaseResult res;
  res.metrics.push_back(make_metric(
      name, "max_err_over_half_slip_surface", surf, 1e-3, "<=",
      "s = 4 m on 0 < z < D = 15 km; reference w = (s/pi) atan(D/x); x = 1..150 km; error / (s/2)"));
  res.metrics.push_back(make_metric(
      name, "max_err_over_half_slip_depth", depth, 1e-3, "<=",
      "reference w = s/(2 pi) [atan((D - z)/x) + atan((D + z)/x)], z = 5..40 km, x = 2..30 km; error / (s/2)"));
  return res;
}

}  // namespace

std::vector<Case> cycle_cases() {
  return {
      {"viscoelastic_cycle_savage_prescott",
       "antiplane FE earthquake cycle: elastic layer H = 20 km over Maxwell half-space (tau = 50 yr), D = H, "
       "T = 200 yr, 10 cycles; surface velocity at t/T = 0.05, 0.25, 0.5, 0.95",
       "Savage & Prescott (1978) analytic series (physics/cycle savage_prescott_velocity)", savage_prescott},
      {"coseismic_screw_dislocation",
       "FE coseismic step of the cycle model (slip 4 m, 0 < z < 15 km) at the surface and at depth",
       "elastic half-space screw dislocation (image solution)", coseismic},
  };
}

}  // namespace hyseis::validation
