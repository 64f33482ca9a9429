#include <gtest/gtest.h>

#include <algorithm>
#include <mpi.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "cli.hpp"
#include "hyseis/core/config.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "../core/tmpdir.hpp"
#include "wave_scenario.hpp"

using namespace hyseis;
using hyseis::testing::TempDir;
namespace stdfs = std::filesystem;
namespace wave = hyseis::physics::wave;

namespace {

std::string data(const std::string& name) { return std::string(HYSEIS_SOURCE_DIR) + "/tests/scenarios/data/" + name; }

struct Bad {
  const char* file;
  int line;
  const char* path;
  const char* message;  // substring of the constraint
};

// Runs the CLI like `hyseis run FILE --out OUT`.
int cli(std::vector<std::string> args) {
  args.insert(args.begin(), "hyseis");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return scenarios::run_cli(static_cast<int>(argv.size()), argv.data(), MPI_COMM_WORLD);
}

}  // namespace

TEST(Scenario, QuickstartParses) {
  const auto sc = scenarios::load_wave_scenario(std::string(HYSEIS_SOURCE_DIR) + "/scenarios/quickstart.yaml");
  const auto& p = sc.problem;
  EXPECT_EQ(p.name, "quickstart");
  EXPECT_EQ(p.physics, wave::Physics::elastic);
  EXPECT_EQ(p.mesh.degree, 4);
  EXPECT_DOUBLE_EQ(p.mesh.xmax - p.mesh.xmin, 40000);
  EXPECT_DOUBLE_EQ(p.mesh.zmax - p.mesh.zmin, 20000);
  ASSERT_GE(p.medium.layers.size(), 3u);
  for (const auto& l : p.medium.layers) {
    EXPECT_GT(l.vp, l.vs);
    EXPECT_GT(l.rho, 1000);
  }
  ASSERT_EQ(p.sources.size(), 1u);
  EXPECT_EQ(p.sources[0].type, wave::SourceType::moment_tensor);
  EXPECT_LT(p.sources[0].z, -2000);
  EXPECT_GE(p.receivers.size(), 25u);
  for (const auto& r : p.receivers) EXPECT_DOUBLE_EQ(r.z, 0);
  EXPECT_EQ(p.boundaries.top, wave::BoundaryType::free);
  EXPECT_EQ(p.boundaries.bottom, wave::BoundaryType::absorbing);
  EXPECT_NO_THROW(p.validate());
  // The resolved configuration is itself a valid scenario that parses to the same problem.
  const auto again = scenarios::parse_wave_scenario(core::config::load_string(sc.resolved_yaml, "resolved"));
  EXPECT_EQ(again.problem.receivers.size(), p.receivers.size());
  EXPECT_DOUBLE_EQ(again.problem.sources[0].mxz, p.sources[0].mxz);
  EXPECT_EQ(again.resolved_yaml, sc.resolved_yaml);
}

TEST(Scenario, EveryShippedScenarioParses) {
  int n = 0;
  for (const auto& e : stdfs::directory_iterator(std::string(HYSEIS_SOURCE_DIR) + "/scenarios")) {
    if (e.path().extension() != ".yaml") continue;
    const auto root = core::config::load_file(e.path().string()).root();
    const auto type = root["scenario"].get<std::string>("type", "wave2d");
    const auto known = scenarios::scenario_types();
    EXPECT_NE(std::find(known.begin(), known.end(), type), known.end()) << e.path() << ": type " << type;
    EXPECT_EQ(root["scenario"].get<std::string>("name"), e.path().stem().string())
        << e.path() << ": scenario.name should match the file name (default output runs/<name>)";
    if (type != "wave2d") continue;  // other types are parsed by their own modules' tests
    ++n;
    EXPECT_NO_THROW({
      const auto sc = scenarios::load_wave_scenario(e.path().string());
      EXPECT_EQ(sc.problem.name, e.path().stem().string()) << "scenario.name should match the file name";
    }) << e.path();
  }
  EXPECT_GE(n, 2);
}

TEST(Scenario, OverridesApply) {
  const auto sc = scenarios::load_wave_scenario(
      data("tiny.yaml"), {"time.duration=2", "receivers.line.count=10", "medium.layers[1].vp=3100", "physics=elastic"});
  EXPECT_DOUBLE_EQ(sc.problem.time.duration, 2);
  EXPECT_EQ(sc.problem.receivers.size(), 10u);
  EXPECT_DOUBLE_EQ(sc.problem.medium.layers[1].vp, 3100);
  try {
    scenarios::load_wave_scenario(data("tiny.yaml"), {"time.duration=-1"});
    FAIL() << "expected ConfigError";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.path(), "time.duration");
    EXPECT_EQ(e.file(), "--set time.duration=-1");
    EXPECT_EQ(e.constraint(), "must be > 0, got -1");
  }
}

TEST(Scenario, DefaultsForAcoustic) {
  const auto sc = scenarios::load_wave_scenario(data("tiny.yaml"),
                                                {"physics=acoustic", "sources[0]={x: 1000, z: -400, f0: 5}"});
  EXPECT_EQ(sc.problem.sources[0].type, wave::SourceType::pressure);
  EXPECT_EQ(sc.problem.record, wave::RecordQuantity::displacement);  // as given in tiny.yaml
  EXPECT_NEAR(sc.problem.sources[0].time_shift, 1.2 / 5, 1e-12);
  const auto sc2 = scenarios::load_wave_scenario(data("tiny.yaml"), {"physics=acoustic", "record=pressure",
                                                                     "sources[0]={type: pressure, x: 1, z: -1, f0: 5}"});
  EXPECT_EQ(sc2.problem.record, wave::RecordQuantity::pressure);
  EXPECT_THROW(scenarios::load_wave_scenario(data("tiny.yaml"), {"physics=acoustic"}), core::ConfigError);
  EXPECT_THROW(scenarios::load_wave_scenario(data("tiny.yaml"), {"record=pressure"}), core::ConfigError);
}

class BadScenario : public ::testing::TestWithParam<Bad> {};

TEST_P(BadScenario, ConfigErrorWithPathLineAndNoOutput) {
  const Bad b = GetParam();
  const std::string file = data(b.file);
  try {
    scenarios::load_wave_scenario(file);
    FAIL() << b.file << ": expected ConfigError";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.file(), file);
    EXPECT_EQ(e.line(), b.line) << e.what();
    EXPECT_EQ(e.path(), b.path) << e.what();
    EXPECT_NE(e.constraint().find(b.message), std::string::npos) << e.what();
  }
  // Through the CLI: the same error, and no output folder (final or partial) appears.
  TempDir dir("bad");
  const auto out = dir.path() / "out";
  EXPECT_THROW(cli({"run", file, "--out", out.string(), "--no-progress"}), core::ConfigError);
  EXPECT_FALSE(stdfs::exists(out));
  EXPECT_FALSE(stdfs::exists(dir.path() / "out.partial"));
}

INSTANTIATE_TEST_SUITE_P(
    Inputs, BadScenario,
    ::testing::Values(Bad{"bad_malformed.yaml", 4, "", "malformed YAML"},
                      Bad{"bad_unknown_key.yaml", 8, "medium.layers[1].vpp", "unknown key 'vpp'; allowed: z_top, vp, vs, rho"},
                      Bad{"bad_wrong_type.yaml", 4, "mesh.nx", "expected an integer, got 'eight'"},
                      Bad{"bad_negative_vp.yaml", 8, "medium.layers[1].vp", "must be > 0, got -3000"},
                      Bad{"bad_vs_ge_vp.yaml", 7, "medium.layers[0].vs", "must be < vp*sqrt(3)/2"},
                      Bad{"bad_density.yaml", 7, "medium.layers[0].rho", "must be > 0, got 0"},
                      Bad{"bad_receiver_outside.yaml", 13, "receivers.line.to", "lies outside the mesh [0, 2000] x [-1000, 0]"},
                      Bad{"bad_missing_model.yaml", 6, "medium.model", "not found"}),
    [](const auto& info) {
      std::string n = info.param.file;
      n = n.substr(4, n.size() - 9);
      for (auto& c : n)
        if (c == '_') c = 'X';
      return n;
    });

TEST(Scenario, MoreLocatedErrors) {
  auto expect = [](std::vector<std::string> set, const std::string& path, const std::string& msg) {
    try {
      scenarios::load_wave_scenario(data("tiny.yaml"), set);
      ADD_FAILURE() << "expected ConfigError for " << set.front();
    } catch (const core::ConfigError& e) {
      EXPECT_EQ(e.path(), path) << e.what();
      EXPECT_NE(e.constraint().find(msg), std::string::npos) << e.what();
    }
  };
  expect({"mesh.degree=9"}, "mesh.degree", "must be in [1, 8], got 9");
  expect({"mesh.xmax=-5"}, "mesh.xmax", "must be > 0, got -5");
  expect({"boundaries.top=open"}, "boundaries.top", "must be one of: free, absorbing; got 'open'");
  expect({"sources[0].z=-5000"}, "sources[0].z", "lies outside the mesh");
  expect({"sources[0].mxz=1"}, "sources[0].mxz", "does not apply to a force source");
  expect({"sources[0].time_function=sinc"}, "sources[0].time_function", "must be one of: ricker");
  expect({"scenario.name=a/b"}, "scenario.name", "names the output folder");
  expect({"time.cfl=1.5"}, "time.cfl", "must be in (0, 1]");
  expect({"output.vtu=true"}, "output.vtu", "snapshot_every > 0");
  expect({"medium.layers[1].z_top=10"}, "medium.layers[1].z_top", "must be below the previous layer");
  expect({"receivers=[{name: A, x: 1, z: 0}, {name: A, x: 2, z: 0}]"}, "receivers[1].name", "duplicate receiver name");
  expect({"surprise=1"}, "surprise", "unknown key 'surprise'");
}

TEST(Scenario, GriddedModelRelativeToYaml) {
  TempDir dir("model");
  {
    core::h5::Writer w(dir.file("model.h5"));
    const std::size_t nz = 3, nx = 4;
    w.write("vp", {nz, nx}, std::vector<double>(nz * nx, 2500.0).data());
    w.write("vs", {nz, nx}, std::vector<double>(nz * nx, 1400.0).data());
    w.write("rho", {nz, nx}, std::vector<double>(nz * nx, 2100.0).data());
    for (auto [k, v] : {std::pair{"x0", 0.0}, {"z0", -1000.0}, {"dx", 500.0}, {"dz", 500.0}}) w.attribute("/", k, v);
    w.commit();
  }
  std::ifstream in(data("bad_missing_model.yaml"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  text.replace(text.find("no_such_model.h5"), 16, "model.h5");
  std::ofstream(dir.file("gridded.yaml")) << text;
  const auto sc = scenarios::load_wave_scenario(dir.file("gridded.yaml"));
  ASSERT_TRUE(sc.problem.medium.gridded.has_value());
  EXPECT_TRUE(stdfs::equivalent(sc.problem.medium.gridded->file, dir.file("model.h5")));
  // A model file that is not HDF5 is reported at the key too.
  std::ofstream(dir.file("text.h5")) << "not hdf5";
  try {
    scenarios::load_wave_scenario(dir.file("gridded.yaml"), {"medium.model=text.h5"});
    FAIL();
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(e.path(), "medium.model");
    EXPECT_NE(e.constraint().find("not an HDF5 file"), std::string::npos) << e.what();
  }
}

TEST(ScenarioRun, TinyElasticEndToEnd) {
  TempDir dir("run");
  const auto out = dir.path() / "tiny";
  ASSERT_EQ(cli({"run", data("tiny.yaml"), "--out", out.string(), "--no-progress"}), 0);
  EXPECT_FALSE(stdfs::exists(dir.path() / "tiny.partial"));
  for (const char* f : {"seismograms.h5", "summary.json", "config.yaml", "section.png", "snapshot.png", "model.png"})
    EXPECT_TRUE(stdfs::is_regular_file(out / f)) << f;
  const std::string h5 = (out / "seismograms.h5").string();
  const auto z = core::h5::read_dataset(h5, "seismograms/z");
  const auto t = core::h5::read_dataset(h5, "time");
  ASSERT_EQ(z.shape.size(), 2u);
  EXPECT_EQ(z.shape[0], 5u);
  EXPECT_EQ(z.shape[1], t.data.size());
  EXPECT_EQ(core::h5::read_strings(h5, "receivers/name").front(), "R001");
  EXPECT_EQ(core::h5::read_string_attribute(h5, "seismograms/z", "units"), "m");
  EXPECT_EQ(core::h5::read_string_attribute(h5, "/", "quantity"), "displacement");
  EXPECT_NE(core::h5::read_string_attribute(h5, "/", "config").find("name: tiny"), std::string::npos);
  EXPECT_GT(core::h5::read_attribute(h5, "/", "dt"), 0);
  double peak = 0;
  for (double v : z.data) {
    ASSERT_TRUE(std::isfinite(v));
    peak = std::max(peak, std::abs(v));
  }
  EXPECT_GT(peak, 0);
  const auto j = core::json::read((out / "summary.json").string());
  EXPECT_EQ(j["scenario"], "tiny");
  EXPECT_GT(j["n_steps"].get<int>(), 10);
  EXPECT_GT(j["dt_stable"].get<double>(), j["dt"].get<double>());
  EXPECT_GT(j["n_dofs"].get<long long>(), 100);
  EXPECT_EQ(j["receivers"].size(), 5u);
  EXPECT_NEAR(j["global_peak"]["value"].get<double>(), peak, 1e-12 * peak + 1e-300) << "z is the larger component here";
  EXPECT_EQ(j["config"]["mesh"]["nx"], 8);
  EXPECT_EQ(j["outputs"].size(), 6u);
  // Rerun over an existing result replaces it (atomically).
  ASSERT_EQ(cli({"run", data("tiny.yaml"), "--out", out.string(), "--no-progress", "--set", "time.duration=0.3"}), 0);
  EXPECT_EQ(core::json::read((out / "summary.json").string())["config"]["time"]["duration"], 0.3);
}

TEST(ScenarioRun, SolverFailureLeavesNoOutput) {
  TempDir dir("run");
  const auto out = dir.path() / "unstable";
  // dt far above the stability limit: the solver refuses; nothing may be left behind.
  EXPECT_THROW(cli({"run", data("tiny.yaml"), "--out", out.string(), "--no-progress", "--set", "time.dt=0.05"}),
               core::Error);
  EXPECT_FALSE(stdfs::exists(out));
  EXPECT_FALSE(stdfs::exists(dir.path() / "unstable.partial"));
}

TEST(ScenarioRun, AcousticWithVtuSnapshots) {
  TempDir dir("run");
  const auto out = dir.path() / "ac";
  ASSERT_EQ(cli({"run", data("tiny.yaml"), "--out", out.string(), "--no-progress", "--set", "physics=acoustic",
                 "--set", "sources[0]={type: pressure, x: 1000, z: -400, f0: 5}", "--set", "record=pressure",
                 "--set", "output={vtu: true, snapshot_every: 50}", "--set", "receivers.line.from=[200, -100]",
                 "--set", "receivers.line.to=[1800, -100]"}),
            0);
  const std::string h5 = (out / "seismograms.h5").string();
  EXPECT_TRUE(core::h5::has_object(h5, "seismograms/p"));
  EXPECT_EQ(core::h5::read_string_attribute(h5, "seismograms/p", "units"), "Pa");
  ASSERT_TRUE(stdfs::is_directory(out / "snapshots"));
  int vtu = 0;
  for (const auto& e : stdfs::directory_iterator(out / "snapshots")) vtu += e.path().extension() == ".vtu";
  EXPECT_GE(vtu, 2);
}

TEST(Cli, InfoValidateBench) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(cli({"info"}), 0);
  const std::string info = ::testing::internal::GetCapturedStdout();
  for (const char* k : {"deal.II", "9.4", "PETSc", "Kokkos", "Serial", "HDF5", "MPI ranks", "LibTorch", "yaml-cpp"})
    EXPECT_NE(info.find(k), std::string::npos) << k << " missing in\n" << info;
  EXPECT_THROW(cli({"validate", "--case", "no-such-case"}), core::InvalidInput);
  EXPECT_THROW(cli({"bench", "--case", "no-such-case"}), core::InvalidInput);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(cli({"validate", "--list"}), 0);
  ::testing::internal::GetCapturedStdout();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(cli({"frobnicate"}), 2);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("hyseis: error:"), std::string::npos);
}
