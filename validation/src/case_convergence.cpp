// Cases convergence_h and convergence_p: spatial convergence of the SEM on exact standing
// modes of the acoustic and of the elastic wave equation.
//
// Elastic mode. With all four sides traction-free, the divergence-free field
//     u_x = cos(k x) sin(k z) cos(w t),   u_z = -sin(k x) cos(k z) cos(w t),
//     k = n pi / L,   w = sqrt(2) vs k
// (u = curl(psi e_y), psi = cos(kx) cos(kz) / k, a Lame mode) is exact: div u = 0, so
// sigma_xx = 2 mu d_x u_x = -2 mu k sin(kx) sin(kz) cos(wt) vanishes at x = 0, L; likewise
// sigma_zz at z = 0, L; and sigma_xz = mu (d_z u_x + d_x u_z) = mu k (cos cos - cos cos) = 0
// everywhere; rho u_tt = mu lap u holds with w^2 = 2 k^2 vs^2. We use n = 2, vp = 2000, vs = 1000.
//
// Exact solution. Acoustic "free" boundaries are pressure release (p = 0, Dirichlet), so in the
// box [0, L]^2 with constant rho, kappa = rho c^2,
//     p(x, z, t) = sin(m pi x / L) sin(n pi z / L) cos(w t),   w = c pi sqrt(m^2 + n^2) / L
// solves (1/kappa) p_tt - div((1/rho) grad p) = 0 with p = 0 on all four sides; initial
// p = sin sin, p_t = 0. We use (m, n) = (2, 1).
//
// Removing the time error exactly. The solver's explicit central-difference scheme applied to
// an eigenmode u'' = -w^2 u with u_0 = 1, v_0 = 0 gives u_k = cos(k theta) exactly, with
// cos(theta) = 1 - (w dt)^2 / 2 (the first step u_1 = u_0 + dt^2/2 a_0 is the same recurrence).
// So we measure the final field against the exact TIME-DISCRETE solution
//     p_dt(x, z, t) = sin sin cos(w~ t),   w~ = acos(1 - (w dt)^2 / 2) / dt,
// and what remains is the spatial error alone (mode-shape error O(h^{p+1}) plus the phase error
// from the discrete frequency w_h - w, which is converted by d theta / d w = dt (1 + O(w dt)^2)).
// The run lasts one period, the error is RunStats::l2_error_final / l2_norm_exact_final (GLL
// quadrature over the domain).
#include <cmath>
#include <sstream>
#include <string>

#include "case_util.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/physics/wave/solver.hpp"

namespace hyseis::validation {

using namespace physics::wave;

namespace {

constexpr double kL = 1000.0, kC = 2000.0, kRho = 1000.0, kVs = 1000.0;
constexpr int kM = 2, kN = 1, kEl = 2;

struct Level {
  int nx, degree;
  double h, dt;
  double error;       // RunStats: GLL-quadrature L2 norm of the nodal error (relative)
  double error_grid;  // the SEM field evaluated on a fine uniform grid (relative L2, midpoint rule)
  int steps;
};

/// Acoustic mode (elastic = false) or the elastic traction-free mode (elastic = true, see the
/// header comment), one period, on an nx x nx mesh of degree `degree`.
Level run_mode(int nx, int degree, MPI_Comm comm, bool elastic = false) {
  const double kx = kM * M_PI / kL, kz = kN * M_PI / kL;   // acoustic
  const double ke = kEl * M_PI / kL;                        // elastic, kx = kz
  const double w = elastic ? std::sqrt(2.0) * kVs * ke : kC * std::sqrt(kx * kx + kz * kz);
  const double period = 2 * M_PI / w;
  const double h = kL / nx;
  // Conservative explicit step: 0.3 x the smallest GLL spacing / vp (the smallest spacing of the
  // degree-p GLL points is > h (1 - cos(pi/p)) / 2).
  const double dt_est = 0.3 * h * (1 - std::cos(M_PI / degree)) / 2 / kC;
  const int steps = static_cast<int>(std::ceil(period / dt_est));
  const double dt = period / steps;
  const double wt = std::acos(1 - 0.5 * (w * dt) * (w * dt)) / dt;

  // spatial shapes
  auto shape = [=](double x, double z) -> std::array<double, 2> {
    if (elastic) return {std::cos(ke * x) * std::sin(ke * z), -std::sin(ke * x) * std::cos(ke * z)};
    return {std::sin(kx * x) * std::sin(kz * z), 0.0};
  };

  WaveProblem p;
  p.name = "convergence";
  p.physics = elastic ? Physics::elastic : Physics::acoustic;
  p.mesh.xmin = 0;
  p.mesh.xmax = kL;
  p.mesh.zmin = 0;
  p.mesh.zmax = kL;
  p.mesh.nx = p.mesh.nz = nx;
  p.mesh.degree = degree;
  p.medium.layers = {Layer{1e30, kC, elastic ? kVs : 0.0, kRho}};
  p.boundaries.top = p.boundaries.bottom = p.boundaries.left = p.boundaries.right = BoundaryType::free;
  SourceOptions s;  // a source is required by the API: zero amplitude
  s.type = elastic ? SourceType::force : SourceType::pressure;
  s.x = 0.5 * kL;
  s.z = 0.5 * kL;
  s.amplitude = 0.0;
  p.sources = {s};
  p.receivers = {Receiver{"r", 0.3 * kL, 0.4 * kL}};
  p.time.t_start = 0.0;
  p.time.dt = dt;
  p.time.duration = steps * dt;
  p.snapshots.image_time = -1;  // last step
  p.snapshots.image_nx = 384;
  p.snapshots.image_nz = 384;
  p.analytic.initial_u = [=](double x, double z, double) { return shape(x, z); };
  p.analytic.initial_v = [](double, double, double) { return std::array<double, 2>{0.0, 0.0}; };
  p.analytic.exact_u = [=](double x, double z, double t) {
    auto v = shape(x, z);
    v[0] *= std::cos(wt * t);
    v[1] *= std::cos(wt * t);
    return v;
  };
  const RunResult r = run(p, comm);
  // Fine-grid error. The snapshot holds p (acoustic) or |u| (elastic): compared with p_exact or
  // |u_exact| at the pixel centres.
  const GriddedField& g = r.snapshot;
  double num = 0, den = 0;
  for (int iz = 0; iz < g.nz; ++iz)
    for (int ix = 0; ix < g.nx; ++ix) {
      const double x = g.xmin + (ix + 0.5) * (g.xmax - g.xmin) / g.nx;
      const double z = g.zmin + (iz + 0.5) * (g.zmax - g.zmin) / g.nz;
      const auto v = shape(x, z);
      const double c = std::cos(wt * g.time);
      const double ex = elastic ? std::hypot(v[0], v[1]) * std::abs(c) : v[0] * c;
      const double d = g.values[static_cast<std::size_t>(iz) * g.nx + ix] - ex;
      num += d * d;
      den += ex * ex;
    }
  Level lv{nx, degree, h, dt, r.stats.l2_error_final / r.stats.l2_norm_exact_final,
           den > 0 ? std::sqrt(num / den) : -1.0, steps};
  return lv;
}

/// Least-squares slope of y against x.
double fit_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

std::string levels_note(const std::vector<Level>& lv) {
  std::ostringstream os;
  os.precision(3);
  for (const auto& l : lv)
    os << "[nx=" << l.nx << " p=" << l.degree << " err_gll=" << l.error << " err_grid=" << l.error_grid << "] ";
  return os.str();
}

}  // namespace

CaseResult convergence_h(const Options& o) {
  const std::string c = "convergence_h";
  detail::Stopwatch sw;
  CaseResult out;
  core::plot::LinePlot plot;
  plot.title = "h-convergence on exact standing modes, relative L2 error after one period";
  plot.xlabel = "element size h (m)";
  plot.ylabel = "relative L2 error";
  plot.log_x = plot.log_y = true;
  struct Study {
    bool elastic;
    int degree;
    std::vector<int> meshes;
    std::array<unsigned char, 3> color;
  };
  const std::vector<Study> studies = {{false, 2, {4, 8, 16, 32}, {220, 40, 40}},
                                      {false, 4, {4, 8, 16, 32}, {40, 90, 220}},
                                      {true, 2, {4, 8, 16, 32}, {230, 140, 20}},
                                      {true, 4, {4, 8, 16, 32}, {30, 150, 60}}};
  for (const auto& st : studies) {
    const int deg = st.degree;
    const std::string phys = st.elastic ? "elastic" : "acoustic";
    std::vector<Level> lv;
    std::vector<double> lh, le, lg;
    core::plot::Series ser, serg;
    ser.label = phys + " degree " + std::to_string(deg) + " (GLL quadrature of nodal error)";
    serg.label = phys + " degree " + std::to_string(deg) + " (fine-grid L2 error" +
                 (st.elastic ? " of |u|)" : ")");
    ser.color = serg.color = st.color;
    serg.dashed = true;
    for (int nx : st.meshes) {
      lv.push_back(run_mode(nx, deg, o.comm, st.elastic));
      lh.push_back(std::log(lv.back().h));
      le.push_back(std::log(lv.back().error));
      lg.push_back(std::log(lv.back().error_grid));
      ser.x.push_back(lv.back().h);
      ser.y.push_back(lv.back().error);
      serg.x.push_back(lv.back().h);
      serg.y.push_back(lv.back().error_grid);
    }
    plot.series.push_back(ser);
    plot.series.push_back(serg);
    const std::string expected = phys + " mode; expected p+1 = " + std::to_string(deg + 1) + "; ";
    const std::string suffix = (st.elastic ? "_elastic" : "") + std::string("_degree") + std::to_string(deg);
    out.metrics.push_back(detail::make_metric(
        c, "l2_rate" + suffix, fit_slope(lh, le), (deg + 1) - 0.3, ">=",
        "fitted slope of log(RunStats l2_error_final / l2_norm_exact_final) vs log(h) (GLL quadrature "
        "of the nodal error: misses the interpolation error between nodes, may superconverge); " +
            expected + levels_note(lv)));
    out.metrics.push_back(detail::make_metric(
        c, "l2_rate_grid" + suffix, fit_slope(lh, lg), (deg + 1) - 0.3, ">=",
        "fitted slope of log(L2 error of the SEM field sampled on a 384 x 384 grid" +
            std::string(st.elastic ? ", |u|" : "") + ") vs log(h); " + expected));
  }
  out.metrics.push_back(detail::wall_metric(c, sw.seconds(), 150.0));
  if (detail::writes_files(o)) core::plot::save_png(plot, o.out_dir + "/convergence_h.png");
  return out;
}

CaseResult convergence_p(const Options& o) {
  const std::string c = "convergence_p";
  detail::Stopwatch sw;
  CaseResult out;
  const int nx = 4;
  core::plot::LinePlot plot;
  plot.title = "p-convergence on a 4 x 4 mesh, exact standing modes";
  plot.xlabel = "polynomial degree p";
  plot.ylabel = "relative L2 error";
  plot.log_y = true;
  for (const bool elastic : {false, true}) {
    const std::string phys = elastic ? "elastic" : "acoustic";
    const std::string suffix = elastic ? "_elastic" : "";
    std::vector<Level> lv;
    std::vector<double> lp, le, lg;
    core::plot::Series ser, serg;
    ser.label = phys + ", GLL quadrature of nodal error";
    serg.label = phys + ", fine-grid L2 error";
    ser.color = serg.color = elastic ? std::array<unsigned char, 3>{30, 150, 60}
                                     : std::array<unsigned char, 3>{220, 40, 40};
    serg.dashed = true;
    double min_factor = 1e300;
    for (int deg = 1; deg <= 6; ++deg) {
      lv.push_back(run_mode(nx, deg, o.comm, elastic));
      lp.push_back(deg);
      le.push_back(std::log(lv.back().error));
      lg.push_back(std::log(lv.back().error_grid));
      ser.x.push_back(deg);
      ser.y.push_back(lv.back().error);
      serg.x.push_back(deg);
      serg.y.push_back(lv.back().error_grid);
      if (lv.size() > 1) min_factor = std::min(min_factor, lv[lv.size() - 2].error / lv.back().error);
    }
    plot.series.push_back(ser);
    plot.series.push_back(serg);
    // Exponential convergence: log(error) linear in p with a clearly negative slope.
    out.metrics.push_back(detail::make_metric(c, "mean_reduction_factor_per_degree" + suffix,
                                              std::exp(-fit_slope(lp, le)), 5.0, ">=",
                                              phys + " mode: exp(-slope) of the log-linear fit of log(err) vs p; " +
                                                  levels_note(lv)));
    out.metrics.push_back(detail::make_metric(c, "min_reduction_factor_per_degree" + suffix, min_factor, 2.0, ">=",
                                              phys + " mode: smallest err(p-1)/err(p) over p = 2..6"));
    out.metrics.push_back(detail::make_metric(c, "mean_reduction_factor_per_degree_grid" + suffix,
                                              std::exp(-fit_slope(lp, lg)), 5.0, ">=",
                                              phys + " mode: same fit for the fine-grid L2 error"));
  }
  out.metrics.push_back(detail::wall_metric(c, sw.seconds(), 150.0));
  if (detail::writes_files(o)) core::plot::save_png(plot, o.out_dir + "/convergence_p.png");
  return out;
}

}  // namespace hyseis::validation
