// The FWI scenario on a tiny Marmousi window: outputs, the comparison table, resume after an
// interruption to the identical result, and configuration / data errors that write nothing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "hyseis/core/config.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/hybrid/fwi/scenario.hpp"

namespace fsys = std::filesystem;
using hyseis::hybrid::fwi::run_fwi_scenario;

namespace {
const std::string kTiny = std::string(HYSEIS_SOURCE_DIR) + "/tests/fwi/data/fwi_tiny.yaml";

bool have_marmousi() {
  const char* env = std::getenv("HYSEIS_VALIDATION_DATA");
  const std::string root = env && *env ? env : std::string(HYSEIS_SOURCE_DIR) + "/../shared/validation";
  return fsys::exists(root + "/marmousi_fteikpy_10m/marmousi_vp_300x1000_10m.h5");
}

std::string out_root() {
  const auto d = fsys::temp_directory_path() / ("hyseis_fwi_scn_" + std::to_string(::getpid()));
  fsys::create_directories(d);
  return d.string();
}

void run(const std::string& out, bool resume, std::vector<std::string> overrides = {}) {
  const auto doc = hyseis::core::config::load_file(kTiny, overrides);
  run_fwi_scenario(doc.root(), out, MPI_COMM_WORLD, false, resume);
}
}  // namespace

TEST(FwiScenario, TinyRunWritesTableAndResumesExactly) {
  if (!have_marmousi()) GTEST_SKIP() << "Marmousi validation data not found";
  const std::string root = out_root();
  const std::string a = root + "/a", b = root + "/b";
  run(a, false);
  for (const char* f : {"fwi.h5", "observed.h5", "summary.json", "rmse_table.txt", "model_true.png", "model_start.png",
                        "model_tikhonov.png", "model_tv.png", "model_dictionary.png", "misfit_curves.png",
                        "rmse_curves.png"})
    EXPECT_TRUE(fsys::exists(a + "/" + f)) << f;
  EXPECT_FALSE(fsys::exists(a + ".checkpoint"));
  const auto sa = hyseis::core::json::read(a + "/summary.json");
  ASSERT_EQ(sa["methods"].size(), 3u);
  for (const auto& row : sa["methods"]) {
    EXPECT_LT(row["model_rmse"].get<double>(), sa["start_rmse"].get<double>()) << row["method"];
    EXPECT_GT(row["data_misfit"].get<double>(), 0);
  }
  // Interrupted in the middle of the second method, then resumed: the same models, bit for bit.
  setenv("HYSEIS_FWI_INTERRUPT_AFTER", "8", 1);
  EXPECT_THROW(run(b, false), hyseis::core::Error);
  unsetenv("HYSEIS_FWI_INTERRUPT_AFTER");
  EXPECT_FALSE(fsys::exists(b)) << "an interrupted run must not leave a result folder";
  EXPECT_TRUE(fsys::exists(b + ".checkpoint/tikhonov.h5"));
  try {  // a different configuration cannot continue these checkpoints
    run(b, true, {"methods.tv.lambda=0.5"});
    ADD_FAILURE() << "resume with a changed configuration must fail";
  } catch (const hyseis::core::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("different configuration"), std::string::npos) << e.what();
  }
  run(b, true);
  for (const char* m : {"tikhonov", "tv", "dictionary"}) {
    const auto x = hyseis::core::h5::read_dataset(a + "/fwi.h5", std::string("inverted/") + m).data;
    const auto y = hyseis::core::h5::read_dataset(b + "/fwi.h5", std::string("inverted/") + m).data;
    ASSERT_EQ(x.size(), y.size());
    for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(x[i], y[i]) << m << " node " << i;
    const auto hx = hyseis::core::h5::read_dataset(a + "/fwi.h5", std::string("history/") + m + "/total").data;
    const auto hy = hyseis::core::h5::read_dataset(b + "/fwi.h5", std::string("history/") + m + "/total").data;
    EXPECT_EQ(hx, hy) << m;
  }
  const auto sb = hyseis::core::json::read(b + "/summary.json");
  EXPECT_TRUE(sb["methods"][0]["resumed"].get<bool>());
  // The written observed data read back through data.observed_file give the same inversion.
  const std::string c = root + "/c";
  run(c, false, {"data.observed_file=" + a + "/observed.h5", "methods={none: {}}"});
  EXPECT_TRUE(fsys::exists(c + "/summary.json"));
  fsys::remove_all(root);
}

TEST(FwiScenario, BadInputWritesNothing) {
  if (!have_marmousi()) GTEST_SKIP() << "Marmousi validation data not found";
  const std::string root = out_root(), out = root + "/bad";
  auto expect_error = [&](std::vector<std::string> ov, const std::string& needle) {
    try {
      run(out, false, ov);
      ADD_FAILURE() << "no error for " << needle;
    } catch (const hyseis::core::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fsys::exists(out)) << needle;
  };
  expect_error({"acquisition.shots.first=3000"}, "lies outside the model [4000, 6000]");
  expect_error({"acquisition.receivers.depth=900"}, "lies outside the model [0, 800]");
  expect_error({"methods.tv.lambdaa=1"}, "unknown key 'lambdaa'");
  expect_error({"model.x_max=12000"}, "exceeds the model");
  expect_error({"data.observed_file=nothere.h5"}, "not found");
  // Observed data with the wrong number of receivers / a NaN: the file and the problem named.
  const std::string obs = root + "/obs.h5";
  {
    hyseis::core::h5::Writer w(obs);
    std::vector<double> t(10), d(5 * 10, 0.0);
    for (int n = 0; n < 10; ++n) t[std::size_t(n)] = n * 1e-3;
    w.write("time", t);
    for (int k = 0; k < 3; ++k) w.write("shot_" + std::to_string(k), {5, 10}, d.data());
    w.commit();
  }
  expect_error({"data.observed_file=" + obs}, "obs.h5 (shot 0): 5 receivers, the acquisition has 21");
  fsys::remove_all(root);
}

TEST(FwiScenarioMpi, TwoRanksGiveTheSerialResult) {
  if (!have_marmousi()) GTEST_SKIP() << "Marmousi validation data not found";
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::string root = out_root();
  int len = int(root.size());
  MPI_Bcast(&len, 1, MPI_INT, 0, MPI_COMM_WORLD);
  root.resize(std::size_t(len));
  MPI_Bcast(root.data(), len, MPI_CHAR, 0, MPI_COMM_WORLD);
  const auto doc = hyseis::core::config::load_file(kTiny);
  run_fwi_scenario(doc.root(), root + "/par", MPI_COMM_WORLD, false, false);
  if (rank == 0) {
    run_fwi_scenario(doc.root(), root + "/ser", MPI_COMM_SELF, false, false);
    for (const char* m : {"tikhonov", "tv", "dictionary"}) {
      const auto x = hyseis::core::h5::read_dataset(root + "/par/fwi.h5", std::string("inverted/") + m).data;
      const auto y = hyseis::core::h5::read_dataset(root + "/ser/fwi.h5", std::string("inverted/") + m).data;
      ASSERT_EQ(x.size(), y.size());
      for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(x[i], y[i]) << m << " node " << i;
    }
    fsys::remove_all(root);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

// The full scenario (minutes): ctest label `slow`; output in <build>/fwi_marmousi_run.
TEST(FwiScenarioSlow, Marmousi) {
  if (!have_marmousi()) GTEST_SKIP() << "Marmousi validation data not found";
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  // HYSEIS_FWI_YAML / HYSEIS_FWI_OUT select another scenario file / output folder (tuning runs).
  const char* yaml = std::getenv("HYSEIS_FWI_YAML");
  const char* outenv = std::getenv("HYSEIS_FWI_OUT");
  const auto doc = hyseis::core::config::load_file(yaml && *yaml ? std::string(yaml)
                                                                 : std::string(HYSEIS_SOURCE_DIR) + "/scenarios/fwi_marmousi.yaml");
  const std::string out = outenv && *outenv ? std::string(outenv) : std::string(HYSEIS_BINARY_DIR) + "/fwi_marmousi_run";
  run_fwi_scenario(doc.root(), out, MPI_COMM_WORLD, true, std::getenv("HYSEIS_FWI_RESUME") != nullptr);
  if (rank == 0) {
    const auto s = hyseis::core::json::read(out + "/summary.json");
    for (const auto& row : s["methods"])
      EXPECT_LT(row["model_rmse"].get<double>(), s["start_rmse"].get<double>()) << row["method"];
  }
}
