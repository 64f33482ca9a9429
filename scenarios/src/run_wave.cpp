// `hyseis run` for wave2d scenarios: run the SEM solver and write the products atomically.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/core/progress.hpp"
#include "hyseis/core/version.hpp"
#include "hyseis/physics/wave/solver.hpp"
#include "wave_scenario.hpp"

namespace hyseis::scenarios {

namespace wave = physics::wave;
using core::json::Json;

namespace {

void bcast_string(std::string& s, MPI_Comm comm) {
  int n = static_cast<int>(s.size());
  MPI_Bcast(&n, 1, MPI_INT, 0, comm);
  s.resize(static_cast<std::size_t>(n));
  if (n > 0) MPI_Bcast(s.data(), n, MPI_CHAR, 0, comm);
}

struct Peak {
  double value = 0, time = 0;
  std::string component;
};

Peak peak_of(const wave::Seismograms& s, std::size_t r) {
  Peak p;
  for (std::size_t c = 0; c < s.data[r].size(); ++c)
    for (std::size_t n = 0; n < s.data[r][c].size(); ++n) {
      const double a = std::abs(s.data[r][c][n]);
      if (a > p.value) p = {a, s.time[n], s.components[c]};
    }
  return p;
}

void check_finite(const wave::Seismograms& s) {
  for (std::size_t r = 0; r < s.data.size(); ++r)
    for (std::size_t c = 0; c < s.data[r].size(); ++c)
      for (std::size_t n = 0; n < s.data[r][c].size(); ++n)
        if (!std::isfinite(s.data[r][c][n]))
          throw core::NumericalError("seismogram of receiver '" + s.receiver_names[r] + "' component " +
                                     s.components[c] + " is not finite at t = " + std::to_string(s.time[n]) +
                                     " s (unstable run?)");
}

void write_seismograms(const WaveScenario& sc, const wave::Seismograms& s, const std::string& path) {
  core::h5::Writer w(path);
  w.write("time", s.time);
  const std::size_t nr = s.receiver_names.size(), ns = s.time.size();
  std::vector<double> xs, zs;
  for (const auto& xz : s.receiver_xz) xs.push_back(xz[0]), zs.push_back(xz[1]);
  w.write_strings("receivers/name", s.receiver_names);
  w.write("receivers/x", xs);
  w.write("receivers/z", zs);
  w.attribute("receivers/x", "units", "m");
  w.attribute("receivers/z", "units", "m");
  w.attribute("time", "units", "s");
  for (std::size_t c = 0; c < s.components.size(); ++c) {
    std::vector<double> block(nr * ns);
    for (std::size_t r = 0; r < nr; ++r)
      for (std::size_t n = 0; n < ns; ++n) block[r * ns + n] = s.data[r][c][n];
    const std::string name = "seismograms/" + s.components[c];
    w.write(name, {nr, ns}, block.data());
    w.attribute(name, "units", s.unit);
    w.attribute(name, "quantity", s.quantity);
    w.attribute(name, "component", s.components[c]);
    w.attribute(name, "layout", "[receiver, sample]");
  }
  const double dt = ns > 1 ? s.time[1] - s.time[0] : 0;
  w.attribute("/", "dt", dt);
  w.attribute("/", "t_start", ns > 0 ? s.time[0] : 0.0);
  w.attribute("/", "n_samples", static_cast<double>(ns));
  w.attribute("/", "n_receivers", static_cast<double>(nr));
  w.attribute("/", "units", s.unit);
  w.attribute("/", "quantity", s.quantity);
  w.attribute("/", "scenario", sc.problem.name);
  w.attribute("/", "physics", sc.problem.physics == wave::Physics::elastic ? "elastic" : "acoustic");
  w.attribute("/", "coordinates", "x horizontal (m), z vertical positive up (m)");
  w.attribute("/", "hyseis_version", core::version());
  w.attribute("/", "config", sc.resolved_yaml);
  w.commit();
}

core::plot::Image image_of(const wave::GriddedField& g) {
  core::plot::Image im;
  im.nx = g.nx;
  im.nz = g.nz;
  // GriddedField samples pixel centres, plot::Image nodes spanning the extent: at ~500 pixels
  // the half-pixel difference is invisible, and the full extent keeps the axis ends labelled.
  im.xmin = g.xmin / 1000, im.xmax = g.xmax / 1000;
  im.zmin = g.zmin / 1000, im.zmax = g.zmax / 1000;
  im.values = g.values;
  im.xlabel = "x (km)";
  im.ylabel = "z (km)";
  return im;
}

/// Scales values for display: metres -> mm / um when small. Returns the unit label.
std::string display_unit(std::vector<double>& v, const std::string& unit) {
  double m = 0;
  for (double x : v)
    if (std::isfinite(x)) m = std::max(m, std::abs(x));
  double f = 1;
  std::string u = unit;
  if (unit == "m" && m > 0 && m < 1e-4) f = 1e6, u = "um";
  else if (unit == "m" && m > 0 && m < 0.1) f = 1e3, u = "mm";
  for (double& x : v) x *= f;
  return u;
}

void add_markers(core::plot::Image& im, const wave::WaveProblem& p) {
  for (const auto& s : p.sources) im.markers_star.push_back({s.x / 1000, s.z / 1000});
  for (const auto& r : p.receivers) im.markers_triangle.push_back({r.x / 1000, r.z / 1000});
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

}  // namespace

RunReport run_wave_scenario(const WaveScenario& sc, const std::string& out_dir, MPI_Comm comm, bool show_progress) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);

  // Rank 0 owns the output directory; the others learn whether that worked before any
  // collective work starts.
  std::unique_ptr<core::fs::AtomicDir> dir;
  std::string partial, error;
  if (rank == 0) {
    try {
      dir = std::make_unique<core::fs::AtomicDir>(out_dir);
      partial = dir->path().string();
    } catch (const core::Error& e) {
      error = e.what();
    }
  }
  int ok = error.empty() ? 1 : 0;
  MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
  if (!ok) throw core::IoError(rank == 0 ? error : "rank 0 could not create the output directory");
  bcast_string(partial, comm);

  wave::WaveProblem problem = sc.problem;
  if (sc.output.vtu) problem.snapshots.vtu_prefix = partial + "/snapshots/wavefield";
  spdlog::info("scenario '{}' ({}, {} physics): {} x {} cells, degree {}, {} source(s), {} receiver(s), {} s",
               problem.name, sc.file.empty() ? "<string>" : sc.file,
               problem.physics == wave::Physics::elastic ? "elastic" : "acoustic", problem.mesh.nx,
               problem.mesh.nz, problem.mesh.degree, problem.sources.size(), problem.receivers.size(),
               problem.time.duration);

  std::unique_ptr<core::Progress> bar;
  wave::ProgressFn fn = [&](int step, int n) {
    if (!bar) bar = std::make_unique<core::Progress>("time steps", n, rank == 0);
    bar->update(step);
  };
  wave::RunResult res = wave::run(problem, comm, show_progress ? fn : wave::ProgressFn{});
  if (bar) bar->finish();
  const double wall_run = std::chrono::duration<double>(clock::now() - t0).count();

  RunReport report;
  report.out_dir = out_dir;
  report.stats = res.stats;
  if (rank == 0) {
    const auto& s = res.seismograms;
    check_finite(s);
    std::vector<std::string> files;
    write_seismograms(sc, s, dir->file("seismograms.h5"));
    files.push_back("seismograms.h5");
    core::fs::write_text_atomic(dir->file("config.yaml"), sc.resolved_yaml);
    files.push_back("config.yaml");

    // Record section: vertical (or pressure) component against signed offset x - x_source.
    if (!s.receiver_names.empty() && !s.time.empty()) {
      std::size_t comp = 0;
      for (std::size_t c = 0; c < s.components.size(); ++c)
        if (s.components[c] == "z") comp = c;
      double xmin = 1e300, xmax = -1e300;
      for (const auto& xz : s.receiver_xz) xmin = std::min(xmin, xz[0]), xmax = std::max(xmax, xz[0]);
      const bool along_x = xmax > xmin;
      core::plot::Section sec;
      const double x_src = problem.sources.front().x;
      sec.ylabel = along_x ? "offset x - x_source (km)" : "receiver z (km)";
      sec.title = problem.name + ": " + s.quantity + " " + s.components[comp] + " (each trace normalised)";
      sec.time = s.time;
      for (std::size_t r = 0; r < s.receiver_names.size(); ++r) {
        sec.offsets.push_back((along_x ? s.receiver_xz[r][0] - x_src : s.receiver_xz[r][1]) / 1000);
        sec.traces.push_back(s.data[r][comp]);
      }
      core::plot::save_png(sec, dir->file("section.png"));
      files.push_back("section.png");
    }
    if (res.snapshot.nx > 0 && res.snapshot.nz > 0) {
      auto im = image_of(res.snapshot);
      const bool elastic = problem.physics == wave::Physics::elastic;
      im.title = problem.name + ": " + (elastic ? "|u|" : "p") + " at t = " + fmt("%.2f", res.snapshot.time) + " s";
      im.colormap = elastic ? "viridis" : "seismic";
      im.symmetric = !elastic;
      im.clip_percentile = 99.5;
      im.colorbar_label = elastic ? "|u| (" + display_unit(im.values, "m") + ")" : "p (Pa)";
      add_markers(im, problem);
      core::plot::save_png(im, dir->file("snapshot.png"));
      files.push_back("snapshot.png");
    }
    if (res.vp_model.nx > 0 && res.vp_model.nz > 0) {
      auto im = image_of(res.vp_model);
      for (auto& v : im.values) v /= 1000;
      im.title = problem.name + ": P-wave velocity";
      im.colormap = "viridis";
      im.symmetric = false;
      im.colorbar_label = "vp (km/s)";
      add_markers(im, problem);
      core::plot::save_png(im, dir->file("model.png"));
      files.push_back("model.png");
    }
    if (sc.output.vtu && std::filesystem::is_directory(dir->path() / "snapshots")) files.push_back("snapshots/");

    // summary.json
    const auto& st = res.stats;
    Json receivers = Json::array();
    Peak global;
    std::string global_name;
    for (std::size_t r = 0; r < s.receiver_names.size(); ++r) {
      const Peak p = peak_of(s, r);
      receivers.push_back({{"name", s.receiver_names[r]},
                           {"x", s.receiver_xz[r][0]},
                           {"z", s.receiver_xz[r][1]},
                           {"peak", p.value},
                           {"peak_time", p.time},
                           {"peak_component", p.component}});
      if (p.value >= global.value) global = p, global_name = s.receiver_names[r];
    }
    files.push_back("summary.json");
    const double wall_total = std::chrono::duration<double>(clock::now() - t0).count();
    Json j = {
        {"scenario", problem.name},
        {"type", sc.type},
        {"physics", problem.physics == wave::Physics::elastic ? "elastic" : "acoustic"},
        {"hyseis_version", core::version()},
        {"dt", st.dt},
        {"dt_stable", st.dt_stable},
        {"n_steps", st.n_steps},
        {"n_samples", s.time.size()},
        {"n_cells", st.n_cells},
        {"n_gll_points", st.n_gll_points},
        {"n_dofs", st.n_dofs},
        {"wall_time_loop_s", st.wall_time_loop},
        {"wall_time_run_s", wall_run},
        {"wall_time_total_s", wall_total},
        {"point_updates_per_s", st.point_updates_per_s},
        {"mpi_ranks", st.mpi_ranks},
        {"peak_rss_mib_rank0", core::peak_rss_mib()},
        {"record", {{"quantity", s.quantity}, {"unit", s.unit}, {"components", s.components}}},
        {"receivers", receivers},
        {"global_peak",
         {{"value", global.value}, {"receiver", global_name}, {"component", global.component}, {"time", global.time}}},
        {"outputs", files},
        {"config", core::json::from_yaml(YAML::Load(sc.resolved_yaml))},
    };
    core::json::write_atomic(dir->file("summary.json"), j);
    dir->commit();
    report.files = files;
    report.wall_time_total = wall_total;
    report.global_peak = global.value;
    spdlog::info("{} steps, dt = {:.3e} s (stable limit {:.3e} s), {} dofs, loop {:.1f} s ({:.3g} point updates/s)",
                 st.n_steps, st.dt, st.dt_stable, st.n_dofs, st.wall_time_loop, st.point_updates_per_s);
    spdlog::info("wrote {}/: {}", out_dir, [&] {
      std::string l;
      for (const auto& f : files) l += (l.empty() ? "" : ", ") + f;
      return l;
    }());
  }
  MPI_Barrier(comm);
  return report;
}

}  // namespace hyseis::scenarios
