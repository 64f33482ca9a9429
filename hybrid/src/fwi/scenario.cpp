// Scenario runner for `scenario.type: fwi` (scenarios/fwi_marmousi.yaml).
#include "hyseis/hybrid/fwi/scenario.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/hybrid/fwi/inversion.hpp"
#include "hyseis/hybrid/fwi/modeling_shots.hpp"
#include "hyseis/hybrid/fwi/priors.hpp"

namespace hyseis::hybrid::fwi {

namespace cfg = core::config;
namespace plot = core::plot;
namespace pw = physics::wave;
namespace fsys = std::filesystem;
using core::json::Json;

namespace {

const std::vector<std::string> kMethods{"none", "tikhonov", "tv", "dictionary"};

struct Spec {
  std::string name, yaml;
  std::string model_file;
  double x_min = 0, x_max = 9950, depth = 2950, cell = 50, smoothing = 400;
  double element = 200;
  int degree = 4;
  std::string top = "absorbing";
  int n_shots = 8, n_receivers = 100;
  double shot_first = 500, shot_last = 9450, shot_depth = 40;
  double rec_first = 0, rec_last = 9950, rec_depth = 40;
  double f0 = 4, time_shift = -1, duration = 4, cfl = 0.5;
  double noise = 0.02;
  std::uint64_t seed = 3;
  std::string observed_file;
  std::vector<StageFilter> stages{{2.0, 4}, {0.0, 4}};
  std::vector<int> iterations{6, 8};
  double vmin = 1400, vmax = 4800;
  std::string preconditioning = "depth";
  double depth_power = 1;
  double mute_depth = 0;
  double initial_step = 50;
  int memory = 5;
  std::vector<std::string> methods;
  double tik_lambda = 1e-2;
  double tv_lambda = 1e-3, tv_eps = 0.01;
  DictionaryPriorOptions dict;
  bool figures = true;
};

// Validation data root: $HYSEIS_VALIDATION_DATA, else the first `shared/validation` found in the
// scenario file's folder or one of its parents (<source>/../shared/validation for the repository).
std::string default_model_file(const cfg::Node& where) {
  const std::string rel = "marmousi_fteikpy_10m/marmousi_vp_300x1000_10m.h5";
  const std::string f = core::fs::validation_data_root(where.file()) + "/" + rel;
  if (fsys::exists(f)) return f;
  where.fail("Marmousi model '" + f + "' not found (validation data: $HYSEIS_VALIDATION_DATA, else the first "
             "shared/validation above the scenario file); set HYSEIS_VALIDATION_DATA or model.file");
}

Spec parse(const cfg::Node& root) {
  root.require_map();
  root.allow_keys({"scenario", "model", "mesh", "acquisition", "data", "inversion", "methods", "output"});
  Spec s;
  const auto sc = root["scenario"];
  sc.allow_keys({"name", "type", "description"});
  s.name = sc.get<std::string>("name");
  sc["type"].choice({"fwi"});
  s.yaml = YAML::Dump(root.yaml());
  if (root.has("model")) {
    const auto m = root["model"];
    m.allow_keys({"file", "x_min", "x_max", "depth", "cell", "smoothing"});
    if (m.has("file")) {
      fsys::path f = m.get<std::string>("file");
      if (f.is_relative()) f = fsys::path(m.file()).parent_path() / f;
      s.model_file = f.lexically_normal().string();
      if (!fsys::exists(s.model_file)) m["file"].fail("model file '" + s.model_file + "' not found");
    } else {
      s.model_file = default_model_file(m);
    }
    s.x_min = m.get("x_min", s.x_min, cfg::NonNegative());
    s.x_max = m.get("x_max", s.x_max, cfg::Positive());
    s.depth = m.get("depth", s.depth, cfg::Positive());
    s.cell = m.get("cell", s.cell, cfg::Range(10, 1000));
    s.smoothing = m.get("smoothing", s.smoothing, cfg::NonNegative());
    if (s.x_max <= s.x_min + 4 * s.cell) m["x_max"].fail("must exceed x_min by at least 4 cells");
    if (s.depth < 4 * s.cell) m["depth"].fail("must be at least 4 cells");
  } else {
    s.model_file = default_model_file(root["scenario"]);
  }
  if (root.has("mesh")) {
    const auto m = root["mesh"];
    m.allow_keys({"element", "degree", "top"});
    s.element = m.get("element", s.element, cfg::Positive());
    s.degree = m.get_int("degree", s.degree, 1, 8);
    s.top = m.get_choice("top", {"absorbing", "free"}, s.top);
  }
  const double width = s.x_max - s.x_min;
  if (root.has("acquisition")) {
    const auto a = root["acquisition"];
    a.allow_keys({"shots", "receivers", "f0", "time_shift", "duration", "cfl"});
    auto line = [&](const char* key, int& n, double& first, double& last, double& depth) {
      if (!a.has(key)) return;
      const auto l = a[key];
      l.allow_keys({"count", "first", "last", "depth"});
      n = l.get_int("count", n, 1, 100000);
      first = l.get("first", first, cfg::Range(-1e12, 1e12));
      last = l.get("last", last, cfg::Range(-1e12, 1e12));
      depth = l.get("depth", depth, cfg::Range(-1e12, 1e12));
      const double eps = 1e-9 * width;
      for (const char* k : {"first", "last"}) {
        const double x = std::string(k) == "first" ? first : last;
        if (x < s.x_min - eps || x > s.x_max + eps) {
          std::ostringstream os;
          os << "x = " << x << " m lies outside the model [" << s.x_min << ", " << s.x_max << "] m";
          (l.has(k) ? l[k] : l).fail(os.str());
        }
      }
      if (depth < 0 || depth > s.depth) {
        std::ostringstream os;
        os << "depth " << depth << " m lies outside the model [0, " << s.depth << "] m";
        (l.has("depth") ? l["depth"] : l).fail(os.str());
      }
    };
    s.shot_first = std::clamp(s.shot_first, s.x_min, s.x_max);
    s.shot_last = std::clamp(s.shot_last, s.x_min, s.x_max);
    s.rec_first = s.x_min;
    s.rec_last = s.x_max;
    line("shots", s.n_shots, s.shot_first, s.shot_last, s.shot_depth);
    line("receivers", s.n_receivers, s.rec_first, s.rec_last, s.rec_depth);
    s.f0 = a.get("f0", s.f0, cfg::Positive());
    s.time_shift = a.get("time_shift", -1.0, cfg::Range(-1, 1e6));
    s.duration = a.get("duration", s.duration, cfg::Positive());
    s.cfl = a.get("cfl", s.cfl, cfg::OpenRange(0, 1));
  }
  if (s.time_shift < 0) s.time_shift = 1.2 / s.f0;
  if (root.has("data")) {
    const auto d = root["data"];
    d.allow_keys({"noise", "seed", "observed_file"});
    s.noise = d.get("noise", s.noise, cfg::Range(0, 10));
    s.seed = std::uint64_t(d.get_int("seed", int(s.seed), 0, 1 << 30));
    if (d.has("observed_file")) {
      fsys::path f = d.get<std::string>("observed_file");
      if (f.is_relative()) f = fsys::path(d.file()).parent_path() / f;
      s.observed_file = f.lexically_normal().string();
      if (!fsys::exists(s.observed_file)) d["observed_file"].fail("observed data file '" + s.observed_file + "' not found");
    }
  }
  if (root.has("inversion")) {
    const auto v = root["inversion"];
    v.allow_keys({"stages", "bounds", "preconditioning", "depth_power", "mute_depth", "initial_step", "memory"});
    if (v.has("stages")) {
      s.stages.clear();
      s.iterations.clear();
      for (const auto& e : v["stages"].elements()) {
        e.allow_keys({"fmax", "iterations", "order"});
        s.stages.push_back({e.get("fmax", 0.0, cfg::NonNegative()), e.get_int("order", 4, 1, 10)});
        s.iterations.push_back(e.get_int("iterations", 5, 0, 100000));
      }
      if (s.stages.empty()) v["stages"].fail("give at least one stage");
    }
    if (v.has("bounds")) {
      const auto b = v["bounds"].as<std::vector<double>>();
      if (b.size() != 2 || !(b[0] > 0) || !(b[1] > b[0])) v["bounds"].fail("must be [vmin, vmax] with 0 < vmin < vmax (m/s)");
      s.vmin = b[0];
      s.vmax = b[1];
    }
    s.preconditioning = v.get_choice("preconditioning", {"none", "depth"}, s.preconditioning);
    s.depth_power = v.get("depth_power", s.depth_power, cfg::Range(0, 4));
    s.mute_depth = v.get("mute_depth", s.mute_depth, cfg::NonNegative());
    s.initial_step = v.get("initial_step", s.initial_step, cfg::Positive());
    s.memory = v.get_int("memory", s.memory, 1, 100);
  }
  const auto ms = root["methods"];
  ms.require_map();
  ms.allow_keys(kMethods);
  for (const auto& k : kMethods)
    if (ms.has(k)) s.methods.push_back(k);
  if (s.methods.empty()) ms.fail("give at least one of: none, tikhonov, tv, dictionary");
  if (ms.has("none")) ms["none"].allow_keys({});
  if (ms.has("tikhonov")) {
    const auto t = ms["tikhonov"];
    t.allow_keys({"lambda"});
    s.tik_lambda = t.get("lambda", s.tik_lambda, cfg::NonNegative());
  }
  if (ms.has("tv")) {
    const auto t = ms["tv"];
    t.allow_keys({"lambda", "eps"});
    s.tv_lambda = t.get("lambda", s.tv_lambda, cfg::NonNegative());
    s.tv_eps = t.get("eps", s.tv_eps, cfg::Positive());
  }
  if (ms.has("dictionary")) {
    const auto t = ms["dictionary"];
    t.allow_keys({"lambda", "patch", "stride", "atoms", "sparsity", "ksvd_iterations_initial", "ksvd_iterations",
                  "update_every", "seed"});
    auto& o = s.dict;
    o.lambda = t.get("lambda", 1.0, cfg::NonNegative());
    o.patch = t.get_int("patch", o.patch, 2, 100);
    o.stride = t.get_int("stride", o.stride, 1, 100);
    if (o.stride > o.patch) t["stride"].fail("must be <= patch (" + std::to_string(o.patch) + ")");
    o.atoms = t.get_int("atoms", o.atoms, 1, 10000);
    o.sparsity = t.get_int("sparsity", o.sparsity, 1, 1000);
    if (o.sparsity > std::min(o.atoms, o.patch * o.patch)) t["sparsity"].fail("must be <= min(atoms, patch^2)");
    o.ksvd_iterations_initial = t.get_int("ksvd_iterations_initial", o.ksvd_iterations_initial, 1, 1000);
    o.ksvd_iterations = t.get_int("ksvd_iterations", o.ksvd_iterations, 0, 1000);
    o.update_every = t.get_int("update_every", o.update_every, 1, 1000);
    o.seed = std::uint64_t(t.get_int("seed", int(o.seed), 0, 1 << 30));
  }
  if (root.has("output")) {
    const auto o = root["output"];
    o.allow_keys({"figures"});
    s.figures = o.get<bool>("figures", true);
  }
  return s;
}

struct Model {
  pw::ModelGrid grid;
  Eigen::VectorXd truth, start;
  Eigen::VectorXd depth;  // depth below the surface of every node (m)
};

// Block-average resampling of the 10 m Marmousi array onto nodes every `cell` m; row k = 0 of the
// node grid is the deepest (z up, z0 = -depth), as Modeling and plot::Image expect.
Model load_model(const Spec& s) {
  const auto a = core::h5::read_dataset(s.model_file, "vp");
  HYSEIS_REQUIRE(a.shape.size() == 2 && a.shape[0] >= 2 && a.shape[1] >= 2, core::IoError,
                 "fwi: dataset 'vp' of '" << s.model_file << "' must be a 2-D array [nz][nx]");
  const int NZ = int(a.shape[0]), NX = int(a.shape[1]);
  const double dx0 = core::h5::read_attribute(s.model_file, "/", "dx_m");
  const double dz0 = core::h5::read_attribute(s.model_file, "/", "dz_m");
  HYSEIS_REQUIRE(s.x_max <= (NX - 1) * dx0 + 1e-9 && s.depth <= (NZ - 1) * dz0 + 1e-9, core::InvalidInput,
                 "fwi: model window x <= " << s.x_max << " m, depth <= " << s.depth << " m exceeds the model in '"
                                           << s.model_file << "' (" << (NX - 1) * dx0 << " x " << (NZ - 1) * dz0 << " m)");
  for (double v : a.data)
    HYSEIS_REQUIRE(std::isfinite(v) && v > 0, core::IoError, "fwi: '" << s.model_file << "' holds a vp of " << v);
  Model m;
  auto& g = m.grid;
  g.nx = int(std::floor((s.x_max - s.x_min) / s.cell + 1e-9)) + 1;
  g.nz = int(std::floor(s.depth / s.cell + 1e-9)) + 1;
  g.dx = g.dz = s.cell;
  g.x0 = s.x_min;
  g.z0 = -(g.nz - 1) * s.cell;
  m.truth.resize(g.nx * g.nz);
  m.depth.resize(g.nx * g.nz);
  for (int kd = 0; kd < g.nz; ++kd)
    for (int i = 0; i < g.nx; ++i) {
      const double x = s.x_min + i * s.cell, d = kd * s.cell;
      double sum = 0;
      int cnt = 0;
      const int jz0 = std::max(0, int(std::floor((d - 0.5 * s.cell) / dz0)) - 1);
      const int jz1 = std::min(NZ - 1, int(std::ceil((d + 0.5 * s.cell) / dz0)) + 1);
      const int jx0 = std::max(0, int(std::floor((x - 0.5 * s.cell) / dx0)) - 1);
      const int jx1 = std::min(NX - 1, int(std::ceil((x + 0.5 * s.cell) / dx0)) + 1);
      for (int jz = jz0; jz <= jz1; ++jz) {
        if (std::abs(jz * dz0 - d) >= 0.5 * s.cell && !(s.cell <= dz0 && jz == int(std::lround(d / dz0)))) continue;
        for (int jx = jx0; jx <= jx1; ++jx) {
          if (std::abs(jx * dx0 - x) >= 0.5 * s.cell && !(s.cell <= dx0 && jx == int(std::lround(x / dx0)))) continue;
          sum += a.data[std::size_t(jz) * NX + jx];
          ++cnt;
        }
      }
      const int c = (g.nz - 1 - kd) * g.nx + i;
      m.truth[c] = sum / cnt;
      m.depth[c] = d;
    }
  // Start: Gaussian smoothing (separable, normalised weights near the edges).
  m.start = m.truth;
  if (s.smoothing > 0) {
    const double sig = s.smoothing / s.cell;
    const int half = int(std::ceil(3 * sig));
    std::vector<double> w(std::size_t(2 * half + 1));
    for (int k = -half; k <= half; ++k) w[std::size_t(k + half)] = std::exp(-0.5 * k * k / (sig * sig));
    auto pass = [&](const Eigen::VectorXd& in, bool along_x) {
      Eigen::VectorXd out(in.size());
      for (int k = 0; k < g.nz; ++k)
        for (int i = 0; i < g.nx; ++i) {
          double sum = 0, ws = 0;
          for (int o = -half; o <= half; ++o) {
            const int ii = along_x ? i + o : i, kk = along_x ? k : k + o;
            if (ii < 0 || ii >= g.nx || kk < 0 || kk >= g.nz) continue;
            sum += w[std::size_t(o + half)] * in[kk * g.nx + ii];
            ws += w[std::size_t(o + half)];
          }
          out[k * g.nx + i] = sum / ws;
        }
      return out;
    };
    m.start = pass(pass(m.truth, true), false);
  }
  return m;
}

pw::WaveProblem base_problem(const Spec& s, const Model& m) {
  pw::WaveProblem p;
  p.name = s.name;
  p.physics = pw::Physics::acoustic;
  p.mesh.xmin = m.grid.x0;
  p.mesh.xmax = m.grid.x0 + (m.grid.nx - 1) * m.grid.dx;
  p.mesh.zmin = m.grid.z0;
  p.mesh.zmax = 0;
  p.mesh.nx = std::max(1, int(std::lround((p.mesh.xmax - p.mesh.xmin) / s.element)));
  p.mesh.nz = std::max(1, int(std::lround((p.mesh.zmax - p.mesh.zmin) / s.element)));
  p.mesh.degree = s.degree;
  p.boundaries.top = s.top == "free" ? pw::BoundaryType::free : pw::BoundaryType::absorbing;
  p.time.duration = s.duration;
  p.time.cfl = s.cfl;
  // dt from the CFL limit of the fastest admissible model (vp = upper bound): every iterate is stable.
  p.medium.layers = {pw::Layer{0, s.vmax, 0, 1000}};
  p.record = pw::RecordQuantity::pressure;
  for (int r = 0; r < s.n_receivers; ++r) {
    const double x = s.n_receivers == 1 ? s.rec_first : s.rec_first + (s.rec_last - s.rec_first) * r / (s.n_receivers - 1);
    p.receivers.push_back({"r" + std::to_string(r), x, -s.rec_depth});
  }
  return p;
}

std::vector<pw::SourceOptions> make_shots(const Spec& s) {
  std::vector<pw::SourceOptions> v;
  for (int k = 0; k < s.n_shots; ++k) {
    pw::SourceOptions so;
    so.type = pw::SourceType::pressure;
    so.x = s.n_shots == 1 ? s.shot_first : s.shot_first + (s.shot_last - s.shot_first) * k / (s.n_shots - 1);
    so.z = -s.shot_depth;
    so.f0 = s.f0;
    so.time_shift = s.time_shift;
    so.amplitude = 1e6;
    v.push_back(so);
  }
  return v;
}

// Synthetic observations: shots over ranks, broadcast from their owners, seeded noise added
// identically on every rank (std = noise x RMS of all clean samples).
std::vector<pw::Seismograms> synthesise(const Spec& s, const pw::WaveProblem& base, const Model& m,
                                        const std::vector<pw::SourceOptions>& shots, MPI_Comm comm) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  pw::Modeling mod(base, m.grid, MPI_COMM_SELF);
  const std::vector<double> truth(m.truth.data(), m.truth.data() + m.truth.size());
  const std::size_t nr = base.receivers.size(), nt = std::size_t(mod.n_steps()) + 1;
  std::vector<pw::Seismograms> out(shots.size());
  for (std::size_t k = 0; k < shots.size(); ++k) {
    const int owner = int(k % std::size_t(size));
    std::vector<double> flat(nr * nt);
    if (owner == rank) {
      out[k] = mod.forward(truth, shots[k]);
      for (std::size_t r = 0; r < nr; ++r) std::copy(out[k].data[r][0].begin(), out[k].data[r][0].end(), flat.begin() + r * nt);
    }
    if (size > 1) {
      MPI_Bcast(flat.data(), int(flat.size()), MPI_DOUBLE, owner, comm);
      if (owner != rank) {
        out[k].time.resize(nt);
        for (std::size_t n = 0; n < nt; ++n) out[k].time[n] = base.time.t_start + double(n) * mod.dt();
        out[k].components = {"p"};
        out[k].data.assign(nr, std::vector<std::vector<double>>(1, std::vector<double>(nt)));
        for (std::size_t r = 0; r < nr; ++r)
          std::copy(flat.begin() + r * nt, flat.begin() + (r + 1) * nt, out[k].data[r][0].begin());
      }
    }
  }
  double ss = 0;
  std::size_t count = 0;
  for (const auto& d : out)
    for (const auto& rec : d.data)
      for (double v : rec[0]) ss += v * v, ++count;
  const double sigma = s.noise * std::sqrt(ss / double(count));
  if (sigma > 0) {
    std::mt19937_64 rng(s.seed);
    std::normal_distribution<double> nd(0.0, sigma);
    for (auto& d : out)
      for (auto& rec : d.data)
        for (double& v : rec[0]) v += nd(rng);
  }
  return out;
}

std::vector<pw::Seismograms> read_observed(const std::string& file, std::size_t n_shots, std::size_t n_rec) {
  std::vector<pw::Seismograms> out(n_shots);
  const auto t = core::h5::read_dataset(file, "time").data;
  for (std::size_t k = 0; k < n_shots; ++k) {
    const std::string ds = "shot_" + std::to_string(k);
    HYSEIS_REQUIRE(core::h5::has_object(file, ds), core::InvalidInput,
                   "fwi: observed data file '" << file << "' has no dataset '" << ds << "' (the acquisition has " << n_shots
                                               << " shots)");
    const auto a = core::h5::read_dataset(file, ds);
    HYSEIS_REQUIRE(a.shape.size() == 2, core::InvalidInput,
                   "fwi: observed data file '" << file << "': dataset '" << ds << "' must be [receiver][sample]");
    out[k].time = t;
    out[k].components = {"p"};
    out[k].data.assign(a.shape[0], std::vector<std::vector<double>>(1));
    for (std::size_t r = 0; r < a.shape[0]; ++r)
      out[k].data[r][0].assign(a.data.begin() + long(r * a.shape[1]), a.data.begin() + long((r + 1) * a.shape[1]));
    (void)n_rec;
  }
  return out;
}

std::unique_ptr<Prior> make_prior(const Spec& s, const std::string& method, const pw::ModelGrid& g) {
  const PriorGrid pg{g.nx, g.nz};
  if (method == "tikhonov") return std::make_unique<TikhonovPrior>(pg, s.tik_lambda);
  if (method == "tv") return std::make_unique<TotalVariationPrior>(pg, s.tv_lambda, s.tv_eps);
  if (method == "dictionary") return std::make_unique<DictionaryPrior>(pg, s.dict);
  return std::make_unique<NoPrior>();
}

plot::Image model_image(const Model& m, const Eigen::VectorXd& v, const std::string& title,
                        const std::vector<pw::SourceOptions>& shots, const pw::WaveProblem& base) {
  plot::Image im;
  im.title = title;
  im.colorbar_label = "vp (m/s)";
  im.nx = m.grid.nx;
  im.nz = m.grid.nz;
  im.xmin = m.grid.x0 - 0.5 * m.grid.dx;
  im.xmax = m.grid.x0 + (m.grid.nx - 0.5) * m.grid.dx;
  im.zmin = m.grid.z0 - 0.5 * m.grid.dz;
  im.zmax = 0.5 * m.grid.dz;
  im.values.assign(v.data(), v.data() + v.size());
  im.colormap = "viridis";
  im.symmetric = false;
  im.width = 1100;
  im.height = 480;
  for (const auto& s : shots) im.markers_star.push_back({s.x, s.z});
  for (std::size_t r = 0; r < base.receivers.size(); r += std::max<std::size_t>(1, base.receivers.size() / 25))
    im.markers_triangle.push_back({base.receivers[r].x, base.receivers[r].z});
  return im;
}

std::string fmt(double v, int prec = 4) {
  std::ostringstream os;
  os << std::setprecision(prec) << v;
  return os.str();
}

}  // namespace

void run_fwi_scenario(const cfg::Node& root, const std::string& out_dir, MPI_Comm comm, bool progress, bool resume) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const Spec s = parse(root);
  for (const auto& mth : s.methods)
    if (mth == "dictionary") s.dict.validate({int(std::floor((s.x_max - s.x_min) / s.cell + 1e-9)) + 1,
                                              int(std::floor(s.depth / s.cell + 1e-9)) + 1});
  const Model m = load_model(s);
  const auto shots = make_shots(s);
  pw::WaveProblem base = base_problem(s, m);
  base.sources = shots;  // only for validate(): Modeling takes the shots one at a time
  base.validate();

  // Rank 0 owns the output folder; checkpoints live beside it until the run is complete.
  std::unique_ptr<core::fs::AtomicDir> out;
  const fsys::path ckdir = fsys::path(out_dir).string() + ".checkpoint";
  const std::string ck_config = (ckdir / "config.yaml").string();
  if (resume && fsys::exists(ck_config) && core::fs::read_text(ck_config) != s.yaml)
    throw core::InvalidInput("fwi: cannot resume: the checkpoints in '" + ckdir.string() +
                             "' were made with a different configuration (see its config.yaml); run without --resume");
  MPI_Barrier(comm);
  if (rank == 0) {
    out = std::make_unique<core::fs::AtomicDir>(out_dir);
    if (!resume && fsys::exists(ckdir)) fsys::remove_all(ckdir);
    fsys::create_directories(ckdir);
    if (!fsys::exists(ck_config)) core::fs::write_text_atomic(ck_config, s.yaml);
  }
  MPI_Barrier(comm);

  std::vector<pw::Seismograms> observed =
      s.observed_file.empty() ? synthesise(s, base, m, shots, comm) : read_observed(s.observed_file, shots.size(), base.receivers.size());
  const std::string what = s.observed_file.empty() ? std::string("synthetic observed data") : s.observed_file;
  ModelingShots data(base, m.grid, shots, observed, s.stages, what);

  Eigen::VectorXd precond;
  if (s.preconditioning == "depth") {
    // Gradient step scaled by p^2 = ((depth + cell) / (depth_max + cell))^power, times a sin^2 taper
    // from 1e-4 at the surface to 1 at mute_depth (damps the source/receiver footprint).
    const double dmax = m.depth.maxCoeff() + s.cell;
    precond.resize(m.depth.size());
    for (Eigen::Index i = 0; i < precond.size(); ++i) {
      const double d = m.depth[i];
      double p2 = std::pow((d + s.cell) / dmax, s.depth_power);
      if (s.mute_depth > 0) p2 *= std::max(1e-4, std::pow(std::sin(0.5 * M_PI * std::min(1.0, d / s.mute_depth)), 2));
      precond[i] = std::sqrt(p2);
    }
  }
  const Eigen::VectorXd start = m.start.cwiseMax(s.vmin).cwiseMin(s.vmax);
  auto rmse = [&](const Eigen::VectorXd& v) { return std::sqrt((v - m.truth).squaredNorm() / double(v.size())); };

  struct Outcome {
    InversionResult r;
    double data_misfit_final = 0, seconds = 0;
  };
  std::map<std::string, Outcome> results;
  // Testing aid: HYSEIS_FWI_INTERRUPT_AFTER=n aborts the run after n iteration records, as a kill
  // would (the checkpoints stay, the output folder is not written), to exercise resume.
  long interrupt_after = -1, records = 0;
  if (const char* e = std::getenv("HYSEIS_FWI_INTERRUPT_AFTER"); e && *e) interrupt_after = std::atol(e);
  for (const auto& method : s.methods) {
    auto prior = make_prior(s, method, m.grid);
    InversionOptions opt;
    opt.stage_iterations = s.iterations;
    opt.lower = s.vmin;
    opt.upper = s.vmax;
    opt.preconditioner = precond;
    opt.initial_step = s.initial_step;
    opt.lbfgs.memory = s.memory;
    opt.lbfgs.pgtol = 0;
    opt.checkpoint_file = (ckdir / (method + ".h5")).string();
    opt.resume = resume;
    const double t0 = MPI_Wtime();
    Outcome o;
    o.r = invert(data, *prior, start, opt, comm, m.truth, [&](const IterationRecord& r, const Eigen::VectorXd&) {
      if (progress && rank == 0)
        std::cerr << "[hyseis] fwi " << method << ": stage " << r.stage << " iteration " << r.iteration
                  << "  misfit " << fmt(r.data_misfit) << "  prior " << fmt(r.prior) << "  RMSE " << fmt(r.model_rmse)
                  << " m/s  (" << r.evaluations << " evaluations)\n";
      if (interrupt_after >= 0 && ++records >= interrupt_after)
        throw core::Error("fwi: interrupted after " + std::to_string(records) + " iterations (HYSEIS_FWI_INTERRUPT_AFTER)");
    });
    o.seconds = MPI_Wtime() - t0;
    o.data_misfit_final = o.r.history.back().data_misfit;
    results[method] = std::move(o);
  }

  if (rank != 0) {
    MPI_Barrier(comm);
    return;
  }
  // ---- outputs (rank 0) ----
  const auto& dir = *out;
  const std::vector<std::size_t> shape{std::size_t(m.grid.nz), std::size_t(m.grid.nx)};
  {
    core::h5::Writer h5(dir.file("fwi.h5"));
    h5.attribute("/", "scenario", s.name);
    h5.attribute("/", "config_yaml", s.yaml);
    h5.attribute("/", "units", "vp m/s, coordinates m (z up, surface z = 0), misfit normalised (see docs/theory/fwi.md)");
    h5.attribute("/", "layout", "models are [nz][nx] node values, row 0 at z = z0 (deepest), column 0 at x = x0");
    h5.attribute("/", "x0", m.grid.x0);
    h5.attribute("/", "z0", m.grid.z0);
    h5.attribute("/", "dx", m.grid.dx);
    h5.attribute("/", "dz", m.grid.dz);
    h5.attribute("/", "model_file", s.model_file);
    h5.write("truth", shape, m.truth.data());
    h5.write("start", shape, start.data());
    if (precond.size()) h5.write("preconditioner", shape, precond.data());
    for (const auto& [method, o] : results) {
      h5.write("inverted/" + method, shape, o.r.model.data());
      std::vector<double> st, it, dm, pr, tot, rm, ev;
      for (const auto& r : o.r.history) {
        st.push_back(r.stage);
        it.push_back(r.iteration);
        dm.push_back(r.data_misfit);
        pr.push_back(r.prior);
        tot.push_back(r.total);
        rm.push_back(r.model_rmse);
        ev.push_back(r.evaluations);
      }
      const std::string g = "history/" + method + "/";
      h5.write(g + "stage", st);
      h5.write(g + "iteration", it);
      h5.write(g + "data_misfit", dm);
      h5.write(g + "prior", pr);
      h5.write(g + "total", tot);
      h5.write(g + "model_rmse", rm);
      h5.write(g + "evaluations", ev);
    }
    h5.commit();
  }
  {
    core::h5::Writer h5(dir.file("observed.h5"));
    h5.attribute("/", "content", "observed pressure gathers used by the inversion (with noise), [receiver][sample]");
    h5.write("time", observed[0].time);
    for (std::size_t k = 0; k < observed.size(); ++k) {
      std::vector<double> flat;
      for (const auto& rec : observed[k].data) flat.insert(flat.end(), rec[0].begin(), rec[0].end());
      h5.write("shot_" + std::to_string(k), {observed[k].data.size(), observed[k].time.size()}, flat.data());
      h5.attribute("shot_" + std::to_string(k), "x", shots[k].x);
      h5.attribute("shot_" + std::to_string(k), "z", shots[k].z);
    }
    h5.commit();
  }

  Json summary;
  summary["scenario"] = s.name;
  summary["type"] = "fwi";
  summary["units"] = {{"vp", "m/s"}, {"rmse", "m/s"}, {"data_misfit", "normalised: 1/2 ||h*(d_syn-d_obs)||^2 / sum 1/2 ||h*d_obs||^2 over shots, last stage"}, {"time", "s"}};
  summary["model"] = {{"file", s.model_file}, {"nx", m.grid.nx}, {"nz", m.grid.nz}, {"cell_m", s.cell},
                      {"x_min", s.x_min}, {"x_max", s.x_max}, {"depth", s.depth}, {"start_smoothing_m", s.smoothing}};
  summary["acquisition"] = {{"shots", s.n_shots}, {"receivers", s.n_receivers}, {"f0_hz", s.f0},
                            {"duration_s", s.duration}, {"dt_s", data.modeling().dt()},
                            {"time_steps", data.modeling().n_steps()}, {"mesh_cells", base.mesh.nx * base.mesh.nz},
                            {"degree", s.degree}, {"noise_fraction", s.noise}, {"mpi_ranks", size}};
  Json stages = Json::array();
  for (std::size_t k = 0; k < s.stages.size(); ++k)
    stages.push_back({{"fmax_hz", s.stages[k].fmax_hz}, {"iterations", s.iterations[k]}});
  summary["stages"] = stages;
  summary["start_rmse"] = rmse(start);
  Json table = Json::array();
  std::ostringstream txt;
  txt << "FWI on Marmousi (" << m.grid.nx << " x " << m.grid.nz << " nodes of " << s.cell << " m), start RMSE "
      << std::fixed << std::setprecision(1) << rmse(start) << " m/s\n";
  txt << std::left << std::setw(12) << "method" << std::right << std::setw(14) << "RMSE (m/s)" << std::setw(16)
      << "data misfit" << std::setw(12) << "evals" << std::setw(10) << "time s" << "\n";
  std::string best;
  double best_rmse = 1e300;
  for (const auto& method : s.methods) {
    const auto& o = results.at(method);
    const double e = rmse(o.r.model);
    if (e < best_rmse) best_rmse = e, best = method;
    Json row{{"method", method},
             {"model_rmse", e},
             {"data_misfit", o.data_misfit_final},
             {"prior", o.r.history.back().prior},
             {"evaluations", o.r.history.back().evaluations},
             {"seconds", o.seconds},
             {"stage_status", o.r.stage_status},
             {"resumed", o.r.resumed}};
    if (method == "tikhonov") row["lambda"] = s.tik_lambda;
    if (method == "tv") row["lambda"] = s.tv_lambda, row["eps"] = s.tv_eps;
    if (method == "dictionary")
      row["lambda"] = s.dict.lambda, row["patch"] = s.dict.patch, row["atoms"] = s.dict.atoms,
      row["sparsity"] = s.dict.sparsity, row["update_every"] = s.dict.update_every;
    table.push_back(row);
    txt << std::left << std::setw(12) << method << std::right << std::setw(14) << std::setprecision(2) << e
        << std::setw(16) << std::scientific << std::setprecision(3) << o.data_misfit_final << std::fixed
        << std::setw(12) << o.r.history.back().evaluations << std::setw(10) << std::setprecision(1) << o.seconds
        << "\n";
  }
  summary["methods"] = table;
  summary["lowest_rmse_method"] = best;
  if (results.count("dictionary")) summary["dictionary_lowest_rmse"] = best == "dictionary";
  core::json::write_atomic(dir.file("summary.json"), summary);
  core::fs::write_text_atomic(dir.file("rmse_table.txt"), txt.str());

  if (s.figures) {
    plot::save_png(model_image(m, m.truth, "true vp (Marmousi, " + fmt(s.cell) + " m nodes)", shots, base),
                   dir.file("model_true.png"));
    plot::save_png(model_image(m, start, "starting vp (Gaussian smoothing " + fmt(s.smoothing) + " m): RMSE " +
                                             fmt(rmse(start), 4) + " m/s",
                               shots, base),
                   dir.file("model_start.png"));
    const std::array<unsigned char, 3> colors[4] = {{0, 0, 0}, {30, 100, 220}, {30, 160, 60}, {220, 40, 40}};
    plot::LinePlot mis, err;
    mis.title = "data misfit per iteration (normalised, per stage)";
    mis.xlabel = "iteration (all stages)";
    mis.ylabel = "data misfit";
    mis.log_y = true;
    err.title = "model RMSE per iteration";
    err.xlabel = "iteration (all stages)";
    err.ylabel = "RMSE (m/s)";
    for (std::size_t q = 0; q < s.methods.size(); ++q) {
      const auto& method = s.methods[q];
      const auto& o = results.at(method);
      plot::save_png(model_image(m, o.r.model, "inverted vp, " + method + ": RMSE " + fmt(rmse(o.r.model), 4) + " m/s",
                                 shots, base),
                     dir.file("model_" + method + ".png"));
      plot::Series a, b;
      a.label = b.label = method;
      const auto idx = std::find(kMethods.begin(), kMethods.end(), method) - kMethods.begin();
      a.color = b.color = colors[idx];
      for (std::size_t k = 0; k < o.r.history.size(); ++k) {
        a.x.push_back(double(k));
        b.x.push_back(double(k));
        a.y.push_back(std::max(o.r.history[k].data_misfit, 1e-300));
        b.y.push_back(o.r.history[k].model_rmse);
      }
      mis.series.push_back(a);
      err.series.push_back(b);
    }
    plot::save_png(mis, dir.file("misfit_curves.png"));
    plot::save_png(err, dir.file("rmse_curves.png"));
    plot::Section sec;
    const std::size_t mid = observed.size() / 2;
    sec.title = "observed pressure, shot " + std::to_string(mid) + " at x = " + fmt(shots[mid].x) + " m (with noise)";
    sec.ylabel = "receiver x (m)";
    sec.time = observed[mid].time;
    for (std::size_t r = 0; r < observed[mid].data.size(); ++r) {
      sec.offsets.push_back(base.receivers[r].x);
      sec.traces.push_back(observed[mid].data[r][0]);
    }
    plot::save_png(sec, dir.file("gather_shot" + std::to_string(mid) + ".png"));
  }
  out->commit();
  fsys::remove_all(ckdir);
  MPI_Barrier(comm);
}

}  // namespace hyseis::hybrid::fwi
