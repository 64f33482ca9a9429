// Case lamb_free_surface: 2D Lamb's problem. Vertical line force on the free surface of a
// homogeneous half-space, surface receivers, compared with the discrete-wavenumber reference of
// validation/src/lamb.cpp (docs/theory/lamb.md).
#include <cmath>
#include <string>

#include "case_util.hpp"
#include "hyseis/physics/wave/solver.hpp"
#include "hyseis/validation/lamb.hpp"

namespace hyseis::validation {

using namespace physics::wave;

// Medium: Poisson solid vp = 2000, vs = 1154.7 (= vp/sqrt(3)), rho = 2000 (c_R = 1061.6 m/s).
// Source: upward force 1e10 N/m * Ricker(f0 = 10 Hz, centred at t_c = 0.12 s) at (0, 0) on the
// free surface (the top side, z = 0). Receivers on the surface at x = 200 and 400 m.
// Window [0, 0.65] s: the Rayleigh pulse at 400 m is centred at 0.12 + 400/1061.6 = 0.497 s
// and ends (|t - t_c| > 1.2/f0) by 0.62 s.
// Domain: no reflection (P, the fastest wave; pulse starts at t = 0) before 0.65 s, i.e.
// reflected paths >= vp * 0.65 = 1300 m: bottom at z = -660 (2 sqrt(660^2 + 100^2) = 1335 m),
// left side at x = -560 (560 + 760 = 1320 m), right side at x = 860 (860 + 460 = 1320 m);
// Stacey on these three sides. Element 20 m, degree 4 (Rayleigh wavelength at 2.5 f0: 42 m).
CaseResult lamb_free_surface(const Options& o) {
  const std::string c = "lamb_free_surface";
  detail::Stopwatch sw;
  const lamb::HalfSpace hs{2000.0, 2000.0 / std::sqrt(3.0), 2000.0};
  const lamb::RickerSource rs{1.0, 1e10, 10.0, 0.12};

  WaveProblem p;
  p.name = c;
  p.physics = Physics::elastic;
  p.medium.layers = {Layer{1e30, hs.vp, hs.vs, hs.rho}};
  p.boundaries.top = BoundaryType::free;
  p.boundaries.bottom = p.boundaries.left = p.boundaries.right = BoundaryType::absorbing;
  p.mesh.xmin = -560;
  p.mesh.xmax = 860;
  p.mesh.zmin = -660;
  p.mesh.zmax = 0;
  const double h = 20.0;
  p.mesh.nx = static_cast<int>(std::lround((p.mesh.xmax - p.mesh.xmin) / h));
  p.mesh.nz = static_cast<int>(std::lround((p.mesh.zmax - p.mesh.zmin) / h));
  p.mesh.degree = 4;
  p.snapshots.image_nx = 0;
  p.snapshots.image_nz = 0;
  SourceOptions s;
  s.type = SourceType::force;
  s.x = 0;
  s.z = 0;
  s.fx = 0;
  s.fz = rs.fz;
  s.time_function = TimeFunction::ricker;
  s.f0 = rs.f0;
  s.time_shift = rs.t_c;
  s.amplitude = rs.amplitude;
  p.sources = {s};
  const std::vector<double> offsets = {200.0, 400.0};
  for (double x : offsets) p.receivers.push_back(Receiver{"S" + std::to_string(static_cast<int>(x)), x, 0.0});
  p.record = RecordQuantity::displacement;
  p.time.t_start = 0.0;
  p.time.duration = 0.655;
  p.time.cfl = 0.25;
  const RunResult r = run(p, o.comm);

  CaseResult out;
  std::vector<TracePair> pairs;
  const double t0 = 0.0, t1 = 0.65, dt_ref = 1e-3;
  Trace ref;
  for (int n = 0; n * dt_ref <= t1 + 1e-12; ++n) ref.time.push_back(n * dt_ref);
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    const auto tr = lamb::surface_displacement_dwn(hs, rs, offsets[i], ref.time);
    const std::string tag = "x" + std::to_string(static_cast<int>(offsets[i]));
    const std::string note = "2D Lamb, discrete-wavenumber reference, window [0, 0.65] s";
    Trace rx = ref, rz = ref;
    rx.value = tr.ux;
    rz.value = tr.uz;
    detail::compare(c, "ux_" + tag, detail::ours_trace(r.seismograms, i, 0), rx, t0, t1, 0.03, 0.03, dt_ref,
                    note, "m", out.metrics, pairs);
    detail::compare(c, "uz_" + tag, detail::ours_trace(r.seismograms, i, 1), rz, t0, t1, 0.03, 0.03, dt_ref,
                    note, "m", out.metrics, pairs);
  }
  out.metrics.push_back(detail::finite_metric(c, r.seismograms));
  out.metrics.push_back(detail::wall_metric(c, sw.seconds(), 150.0, detail::run_note(r.stats)));
  if (detail::writes_files(o)) write_comparison(o.out_dir, c, "Lamb's problem (surface line force)", pairs);
  return out;
}

}  // namespace hyseis::validation
