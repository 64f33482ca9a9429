// Scenario runner for `scenario.type: lst_tomography` (scenarios/lst_checkerboard.yaml).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <random>
#include <sstream>

#include "hyseis/core/config.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/hybrid/tomography/experiment.hpp"

namespace hyseis::hybrid::tomography {

namespace cfg = core::config;
namespace plot = core::plot;
using core::json::Json;

namespace {

struct ScenarioSpec {
  std::string name;
  std::string data_dir;
  std::string travel_times = "reference";
  std::vector<std::string> models;
  std::vector<double> noise_levels;
  std::uint64_t noise_seed = 7;
  std::string mask = "vb";
  ConventionalOptions conv;
  LstOptions lst;
  bool figures = true;
};

std::string resolve_data_dir(const cfg::Node& data) {
  namespace fsys = std::filesystem;
  std::string dir = data.has("dir") ? data.get<std::string>("dir")
                                    : core::fs::validation_data_root(data.file()) + "/lst_checkerboard";
  if (fsys::path(dir).is_relative()) {
    const fsys::path base = fsys::path(data.file()).parent_path();
    dir = (base / dir).lexically_normal().string();
  }
  if (!fsys::exists(fsys::path(dir) / "geometry" / "stations.csv")) {
    if (data.has("dir"))
      data["dir"].fail("validation data folder '" + dir + "' not found (expected geometry/stations.csv in it)");
    data.fail("validation data folder '" + dir + "' not found; set data.dir or HYSEIS_VALIDATION_DATA");
  }
  return dir;
}

ScenarioSpec parse(const cfg::Node& root) {
  root.require_map();
  root.allow_keys({"scenario", "data", "models", "noise", "mask", "conventional", "lst", "output"});
  ScenarioSpec s;
  const auto sc = root["scenario"];
  sc.allow_keys({"name", "type", "description"});
  s.name = sc.get<std::string>("name");
  sc["type"].choice({"lst_tomography"});
  if (root.has("data")) {
    const auto d = root["data"];
    d.allow_keys({"dir", "travel_times"});
    s.data_dir = resolve_data_dir(d);
    s.travel_times = d.get_choice("travel_times", {"reference", "exact"}, "reference");
  } else {
    s.data_dir = resolve_data_dir(root["scenario"]);
  }
  if (root.has("models")) {
    const auto m = root["models"];
    for (const auto& e : m.elements()) s.models.push_back(e.choice({"checkerboard", "smooth_discontinuous"}));
    if (s.models.empty()) m.fail("give at least one model");
  } else {
    s.models = {"checkerboard", "smooth_discontinuous"};
  }
  s.noise_levels = {0.0, 0.02};
  if (root.has("noise")) {
    const auto n = root["noise"];
    n.allow_keys({"levels", "seed"});
    if (n.has("levels")) {
      s.noise_levels.clear();
      for (const auto& e : n["levels"].elements()) s.noise_levels.push_back(e.as_number(cfg::Range(0, 0.5)));
      if (s.noise_levels.empty()) n["levels"].fail("give at least one noise level");
    }
    s.noise_seed = std::uint64_t(n.get_int("seed", 7, 0, 1 << 30));
  }
  if (root.has("mask")) s.mask = root["mask"].choice({"vb", "hull", "all"});
  if (root.has("conventional")) {
    const auto c = root["conventional"];
    c.allow_keys({"length_km", "selection", "eta", "eta_range", "eta_count"});
    s.conv.length = c.get("length_km", s.conv.length, cfg::Positive());
    s.conv.selection = c.get_choice("selection", {"fixed", "gcv", "lcurve"}, s.conv.selection);
    s.conv.eta = c.get("eta", s.conv.eta, cfg::Positive());
    if (c.has("eta_range")) {
      const auto r = c["eta_range"].as<std::vector<double>>();
      if (r.size() != 2 || !(r[0] > 0) || !(r[1] > r[0])) c["eta_range"].fail("must be [min, max] with 0 < min < max");
      s.conv.eta_min = r[0];
      s.conv.eta_max = r[1];
    }
    s.conv.eta_count = c.get_int("eta_count", s.conv.eta_count, 5, 1000);
  }
  if (root.has("lst")) {
    const auto l = root["lst"];
    l.allow_keys({"patch", "stride", "atoms", "sparsity", "outer_iterations", "dict_iterations_initial",
                  "dict_iterations", "global_damping", "global_selection", "global_prior", "global_length_km", "max_uncovered_fraction", "local_weight", "seed", "dictionary", "learner",
                  "exact_update"});
    s.lst.patch = l.get_int("patch", s.lst.patch, 2, 100);
    s.lst.stride = l.get_int("stride", s.lst.stride, 1, 100);
    if (s.lst.stride > s.lst.patch) l["stride"].fail("must be <= patch (" + std::to_string(s.lst.patch) + ") so patches overlap or tile");
    s.lst.atoms = l.get_int("atoms", s.lst.atoms, 1, 10000);
    s.lst.sparsity = l.get_int("sparsity", s.lst.sparsity, 1, 1000);
    if (s.lst.sparsity > std::min(s.lst.atoms, s.lst.patch * s.lst.patch))
      l["sparsity"].fail("must be <= min(atoms, patch^2)");
    s.lst.outer_iterations = l.get_int("outer_iterations", s.lst.outer_iterations, 1, 10000);
    s.lst.dict_iterations_initial = l.get_int("dict_iterations_initial", s.lst.dict_iterations_initial, 0, 10000);
    s.lst.dict_iterations = l.get_int("dict_iterations", s.lst.dict_iterations, 0, 10000);
    s.lst.global_damping = l.get("global_damping", s.lst.global_damping, cfg::NonNegative());
    s.lst.global_selection = l.get_choice("global_selection", {"fixed", "gcv", "gcv_each"}, s.lst.global_selection);
    s.lst.global_prior = l.get_choice("global_prior", {"identity", "covariance"}, s.lst.global_prior);
    s.lst.global_length = l.get("global_length_km", s.lst.global_length, cfg::Positive());
    s.lst.local_weight = l.get("local_weight", s.lst.local_weight, cfg::NonNegative());
    s.lst.max_uncovered_fraction = l.get("max_uncovered_fraction", s.lst.max_uncovered_fraction, cfg::Range(0, 1));
    s.lst.seed = std::uint64_t(l.get_int("seed", int(s.lst.seed), 0, 1 << 30));
    s.lst.dictionary = l.get_choice("dictionary", {"learned", "dct"}, s.lst.dictionary);
    s.lst.exact_update = l.get<bool>("exact_update", s.lst.exact_update);
    s.lst.learner = l.get_choice("learner", {"ksvd", "itkm"}, s.lst.learner);
  }
  if (root.has("output")) {
    const auto o = root["output"];
    o.allow_keys({"figures"});
    s.figures = o.get<bool>("figures", true);
  }
  return s;
}

std::string noise_tag(double f) {
  std::ostringstream os;
  os << "noise" << std::fixed << std::setprecision(0) << f * 100;
  return os.str();
}

plot::Image map_image(const Grid2D& g, const Eigen::VectorXd& s, const std::string& title, double lo, double hi,
                      const std::vector<physics::traveltime::Point2>& stations) {
  plot::Image im;
  im.title = title;
  im.xlabel = "x (km)";
  im.ylabel = "y (km)";
  im.colorbar_label = "slowness (s/km)";
  im.nx = g.nx;
  im.nz = g.ny;
  im.xmin = g.x0;
  im.xmax = g.xmax();
  im.zmin = g.y0;
  im.zmax = g.ymax();
  im.values.assign(s.data(), s.data() + s.size());
  im.colormap = "viridis";
  im.symmetric = false;
  im.width = 760;
  im.height = 680;
  for (const auto& p : stations) im.markers_triangle.push_back({p.x, p.y});
  (void)lo;  // plot::Image scales each map to its own range; the true range is in the title of the truth
  (void)hi;
  return im;
}

void dictionary_png(const Eigen::MatrixXd& D, int patch, const std::string& path, const std::string& title) {
  const int K = int(D.cols());
  const int cols = int(std::ceil(std::sqrt(double(K) * 1.5)));
  const int rows = (K + cols - 1) / cols;
  const int cell = patch + 1;
  plot::Image im;
  im.title = title;
  im.xlabel = "atom column";
  im.ylabel = "atom row";
  im.colorbar_label = "atom value (normalised)";
  im.nx = cols * cell + 1;
  im.nz = rows * cell + 1;
  im.xmin = 0;
  im.xmax = cols;
  im.zmin = 0;
  im.zmax = rows;
  im.values.assign(std::size_t(im.nx) * im.nz, 0.0);
  for (int k = 0; k < K; ++k) {
    const int ci = k % cols, ri = rows - 1 - k / cols;
    const double mx = D.col(k).cwiseAbs().maxCoeff();
    for (int j = 0; j < patch; ++j)
      for (int i = 0; i < patch; ++i)
        im.values[std::size_t(ri * cell + 1 + j) * im.nx + ci * cell + 1 + i] = mx > 0 ? D(j * patch + i, k) / mx : 0;
  }
  im.colormap = "seismic";
  im.symmetric = true;
  im.width = 1100;
  im.height = 800;
  plot::save_png(im, path);
}

}  // namespace

void run_lst_scenario(const cfg::Node& root, const std::string& out_dir) {
  const ScenarioSpec spec = parse(root);
  spec.conv.validate();
  const SharedExperiment e = load_shared_experiment(spec.data_dir);
  spec.lst.validate(e.grid.nx, e.grid.ny);
  const Eigen::VectorXd mask = spec.mask == "vb" ? e.mask_vb
                               : spec.mask == "hull" ? e.mask_hull
                                                     : Eigen::VectorXd::Ones(e.grid.cells());
  const Eigen::VectorXd hits = physics::traveltime::hit_count(e.A);

  Json summary;
  summary["scenario"] = spec.name;
  summary["type"] = "lst_tomography";
  summary["units"] = {{"slowness", "s/km"}, {"rmse", "ms/km"}, {"time", "s"}, {"length", "km"}};
  summary["geometry"] = {{"nx", e.grid.nx}, {"ny", e.grid.ny}, {"cell_km", e.grid.dx},
                         {"stations", e.stations.size()}, {"rays", e.rays.size()},
                         {"nonzeros", e.A.nonZeros()}, {"mask", spec.mask}, {"mask_cells", int(mask.sum())}};
  summary["reference_rmse_ms_per_km"] = {{"source", "authors' MATLAB code in Octave, mask vb, checkerboard, noise-free"},
                                         {"lst", e.reference_rmse.at("lst")},
                                         {"conventional", e.reference_rmse.at("conventional")},
                                         {"lst_dct", e.reference_rmse.at("lst_dct")},
                                         {"tv", e.reference_rmse.at("tv")},
                                         {"lst_runtime_s", 257.0}};
  summary["lst_parameters"] = {{"patch", spec.lst.patch}, {"stride", spec.lst.stride}, {"atoms", spec.lst.atoms},
                               {"sparsity", spec.lst.sparsity}, {"outer_iterations", spec.lst.outer_iterations},
                               {"dict_iterations_initial", spec.lst.dict_iterations_initial},
                               {"dict_iterations", spec.lst.dict_iterations},
                               {"global_damping", spec.lst.global_damping}, {"global_selection", spec.lst.global_selection},
                               {"global_prior", spec.lst.global_prior}, {"global_length_km", spec.lst.global_length},
                               {"max_uncovered_fraction", spec.lst.max_uncovered_fraction}, {"local_weight", spec.lst.local_weight},
                               {"dictionary", spec.lst.dictionary}, {"learner", spec.lst.learner}, {"seed", spec.lst.seed}};
  summary["conventional_parameters"] = {{"length_km", spec.conv.length}, {"selection", spec.conv.selection},
                                        {"eta_fixed", spec.conv.eta}};

  core::h5::Writer h5(out_dir + "/tomography.h5");
  h5.attribute("/", "scenario", spec.name);
  h5.attribute("/", "units", "slowness s/km, coordinates km, travel times s, rmse ms/km");
  h5.attribute("/", "layout", "maps are [ny][nx], cell (ix, iy) covers [x0+ix dx, x0+(ix+1) dx) x [y0+iy dy, ...)");
  h5.attribute("/", "x0_km", e.grid.x0);
  h5.attribute("/", "y0_km", e.grid.y0);
  h5.attribute("/", "dx_km", e.grid.dx);
  h5.attribute("/", "config_yaml", YAML::Dump(root.yaml()));
  const std::vector<std::size_t> shape{std::size_t(e.grid.ny), std::size_t(e.grid.nx)};
  std::vector<double> st;
  for (const auto& p : e.stations) {
    st.push_back(p.x);
    st.push_back(p.y);
  }
  h5.write("stations", {e.stations.size(), 2}, st.data());
  h5.write("hit_count", shape, hits.data());
  h5.write("mask", shape, mask.data());

  std::ostringstream table;
  table << "LST vs conventional travel-time tomography, RMSE in ms/km over mask '" << spec.mask << "' ("
        << int(mask.sum()) << " cells)\n";
  table << std::left << std::setw(22) << "model" << std::setw(8) << "noise" << std::right << std::setw(14)
        << "conventional" << std::setw(10) << "LST" << std::setw(12) << "eta" << std::setw(10) << "LST s" << "\n";
  Json cases = Json::array();
  bool lst_better_everywhere = true;
  bool dictionary_written = false;
  std::mt19937_64 rng(spec.noise_seed);
  for (const auto& model : spec.models) {
    const Eigen::VectorXd truth = model == "checkerboard" ? e.truth : smooth_discontinuous_model(e.grid);
    Eigen::VectorXd t_clean = e.A * truth;
    if (model == "checkerboard" && spec.travel_times == "reference") t_clean = e.times;
    h5.write("models/" + model + "/truth", shape, truth.data());
    const double lo = truth.minCoeff(), hi = truth.maxCoeff();
    if (spec.figures)
      plot::save_png(map_image(e.grid, truth, "true slowness: " + model, lo, hi, e.stations),
                     out_dir + "/true_" + model + ".png");
    for (double nf : spec.noise_levels) {
      const double sigma = nf * t_clean.mean();
      Eigen::VectorXd t = t_clean;
      std::normal_distribution<double> g(0.0, 1.0);
      if (sigma > 0)
        for (auto& v : t) v += sigma * g(rng);
      const CaseOutcome o = run_case(e.grid, e.A, truth, t, mask, spec.conv, spec.lst);
      lst_better_everywhere = lst_better_everywhere && o.rmse_lst < o.rmse_conventional;
      const std::string tag = noise_tag(nf);
      const std::string grp = "models/" + model + "/" + tag + "/";
      h5.write(grp + "travel_times", {std::size_t(t.size())}, t.data());
      h5.write(grp + "conventional", shape, o.conventional.slowness.data());
      h5.write(grp + "lst", shape, o.lst.sparse.data());
      h5.write(grp + "lst_global", shape, o.lst.global.data());
      h5.write(grp + "lcurve/eta", o.conventional.etas);
      h5.write(grp + "lcurve/residual_norm", o.conventional.residual_norm);
      h5.write(grp + "lcurve/model_norm", o.conventional.model_norm);
      h5.write(grp + "lcurve/gcv", o.conventional.gcv);
      h5.write(grp + "lst_data_rms", o.lst.data_rms);
      h5.attribute(grp + "conventional", "eta", o.conventional.eta);
      h5.attribute(grp + "travel_times", "noise_std_s", sigma);
      Json c;
      c["model"] = model;
      c["noise_fraction"] = nf;
      c["noise_std_s"] = sigma;
      c["rmse_conventional"] = o.rmse_conventional;
      c["rmse_lst"] = o.rmse_lst;
      c["rmse_lst_global"] = o.rmse_lst_global;
      c["eta"] = o.conventional.eta;
      c["eta_gcv"] = o.conventional.eta_gcv;
      c["eta_lcurve"] = o.conventional.eta_lcurve;
      c["eta_selection"] = o.conventional.selection;
      c["seconds_conventional"] = o.conventional.seconds;
      c["seconds_lst"] = o.lst.seconds;
      c["lst_training_patches"] = o.lst.training_patches;
      c["lst_global_lambda_relative"] = o.lst.global_lambda_relative;
      c["lst_final_data_rms_s"] = o.lst.data_rms.back();
      cases.push_back(c);
      table << std::left << std::defaultfloat << std::setw(22) << model << std::setw(8) << nf << std::right << std::fixed
            << std::setprecision(2) << std::setw(14) << o.rmse_conventional << std::setw(10) << o.rmse_lst
            << std::scientific << std::setprecision(2) << std::setw(12) << o.conventional.eta << std::fixed
            << std::setprecision(1) << std::setw(10) << o.lst.seconds << "\n";
      if (!dictionary_written) {
        h5.write("dictionary", {std::size_t(o.lst.dictionary.cols()), std::size_t(o.lst.dictionary.rows())},
                 o.lst.dictionary.data());  // [atom][patch pixel], pixel row-major in the patch
        h5.attribute("dictionary", "from", model + " " + tag);
      }
      if (spec.figures) {
        const std::string sfx = model + "_" + tag;
        std::ostringstream tc, tl;
        tc << "conventional (" << model << ", " << tag << "): RMSE " << std::fixed << std::setprecision(1)
           << o.rmse_conventional << " ms/km";
        tl << "LST (" << model << ", " << tag << "): RMSE " << std::fixed << std::setprecision(1) << o.rmse_lst
           << " ms/km";
        plot::save_png(map_image(e.grid, o.conventional.slowness, tc.str(), lo, hi, e.stations),
                       out_dir + "/conventional_" + sfx + ".png");
        plot::save_png(map_image(e.grid, o.lst.sparse, tl.str(), lo, hi, e.stations), out_dir + "/lst_" + sfx + ".png");
        // Profiles along y = 50.5 km (row 49) and x = 50.5 km (column 49).
        for (int dir = 0; dir < 2; ++dir) {
          plot::LinePlot lp;
          lp.title = std::string("profile at ") + (dir == 0 ? "y" : "x") + " = 50.5 km (" + model + ", " + tag + ")";
          lp.xlabel = dir == 0 ? "x (km)" : "y (km)";
          lp.ylabel = "slowness (s/km)";
          const Eigen::VectorXd* maps[3] = {&truth, &o.conventional.slowness, &o.lst.sparse};
          const char* labels[3] = {"true", "conventional", "LST"};
          const std::array<unsigned char, 3> colors[3] = {{0, 0, 0}, {30, 100, 220}, {220, 40, 40}};
          for (int m = 0; m < 3; ++m) {
            plot::Series sr;
            sr.label = labels[m];
            sr.color = colors[m];
            sr.dashed = m == 0;
            for (int i = 0; i < (dir == 0 ? e.grid.nx : e.grid.ny); ++i) {
              const int c = dir == 0 ? e.grid.index(i, 49) : e.grid.index(49, i);
              sr.x.push_back(dir == 0 ? e.grid.xc(i) : e.grid.yc(i));
              sr.y.push_back((*maps[m])[c]);
            }
            lp.series.push_back(sr);
          }
          plot::save_png(lp, out_dir + "/profile_" + (dir == 0 ? std::string("x_") : std::string("y_")) + sfx + ".png");
        }
        // L-curve.
        plot::LinePlot lc;
        lc.title = "L-curve (" + model + ", " + tag + "), selected eta marked";
        lc.xlabel = "residual norm ||t - A s|| (s)";
        lc.ylabel = "model norm ||ds||_Sigma";
        lc.log_x = lc.log_y = true;
        plot::Series sr{o.conventional.residual_norm, o.conventional.model_norm, "L-curve", {30, 100, 220}, false};
        lc.series.push_back(sr);
        std::size_t q = 0;
        while (q + 1 < o.conventional.etas.size() && o.conventional.etas[q] < o.conventional.eta) ++q;
        plot::Series sel{{o.conventional.residual_norm[q], o.conventional.residual_norm[q] * 1.0001},
                         {o.conventional.model_norm[q], o.conventional.model_norm[q] * 1.0001},
                         "eta = selected", {220, 40, 40}, false};
        lc.series.push_back(sel);
        plot::save_png(lc, out_dir + "/lcurve_" + sfx + ".png");
        if (!dictionary_written)
          dictionary_png(o.lst.dictionary, spec.lst.patch, out_dir + "/dictionary_atoms.png",
                         "learned dictionary (" + model + ", " + tag + "): " + std::to_string(o.lst.dictionary.cols()) +
                             " atoms of " + std::to_string(spec.lst.patch) + "x" + std::to_string(spec.lst.patch));
      }
      dictionary_written = true;
    }
  }
  h5.commit();
  summary["cases"] = cases;
  summary["lst_better_than_conventional_everywhere"] = lst_better_everywhere;
  core::json::write_atomic(out_dir + "/summary.json", summary);
  core::fs::write_text_atomic(out_dir + "/rmse_table.txt", table.str());
}

}  // namespace hyseis::hybrid::tomography
