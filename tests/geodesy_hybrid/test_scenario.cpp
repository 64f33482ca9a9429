// The postseismic scenario end to end on a tiny configuration, its cache, and bad input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "hyseis/core/config.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/hybrid/geodesy/scenario.hpp"

namespace fs = std::filesystem;
namespace cfg = hyseis::core::config;
using hyseis::hybrid::geodesy::run_postseismic_scenario;

namespace {
const std::string kTiny = std::string(HYSEIS_SOURCE_DIR) + "/tests/geodesy_hybrid/postseismic_tiny.yaml";
}

TEST(GeodesyScenario, TinyRunWritesOutputsAndReusesCache) {
  const fs::path out = fs::path(HYSEIS_BINARY_DIR) / "geodesy_scenario_tiny";
  fs::remove_all(out);
  fs::create_directories(out);
  const auto doc = cfg::load_file(kTiny);
  run_postseismic_scenario(doc.root(), out.string());
  for (const char* f : {"summary.json", "postseismic.h5", "geodesy.h5", "surrogate.pt", "surrogate.pt.json",
                        "surrogate_training.h5", "velocity_profiles.png", "gps_timeseries.png", "insar_los.png",
                        "discovery_dispersion.png", "inversion_recovered.png", "surrogate_training.png"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  const auto s = hyseis::core::json::read((out / "summary.json").string());
  EXPECT_TRUE(s["discovery"]["all_modes_pure_relaxation"].get<bool>());
  EXPECT_NEAR(s["discovery"]["tau_known_h_yr"].get<double>() / 50, 1, 0.03);
  EXPECT_GT(s["surrogate"]["speedup"].get<double>(), 100);
  EXPECT_LT(s["surrogate"]["relative_l2_held_out"].get<double>(), 0.1);
  EXPECT_FALSE(s["surrogate"]["model_cached"].get<bool>());
  // a rerun through the CLI writes into `<dir>.partial` (core::fs::AtomicDir): it finds the
  // cached training set and model of the previous run in `<dir>` and copies them in
  const fs::path partial = out.string() + ".partial";
  fs::remove_all(partial);
  fs::create_directories(partial);
  run_postseismic_scenario(doc.root(), partial.string());
  EXPECT_TRUE(fs::exists(partial / "surrogate.pt.json"));
  const auto s2 = hyseis::core::json::read((partial / "summary.json").string());
  fs::remove_all(partial);
  EXPECT_TRUE(s2["surrogate"]["model_cached"].get<bool>());
  EXPECT_TRUE(s2["surrogate"]["samples_cached"].get<bool>());
  EXPECT_DOUBLE_EQ(s2["surrogate"]["relative_l2_held_out"].get<double>(), s["surrogate"]["relative_l2_held_out"].get<double>());
  fs::remove_all(out);
}

TEST(GeodesyScenario, BadInputNamesKeyAndConstraint) {
  const fs::path out = fs::path(HYSEIS_BINARY_DIR) / "geodesy_scenario_bad";
  fs::create_directories(out);
  auto expect_error = [&](const std::string& override_, const std::string& needle) {
    try {
      const auto doc = cfg::load_file(kTiny, {override_});
      run_postseismic_scenario(doc.root(), out.string());
      ADD_FAILURE() << "no error for " << override_;
    } catch (const hyseis::core::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error("model.relaxation_time_yr=-50", "must be > 0");
  expect_error("gps.stations_km=[-10, 0, 5]", "fault trace");
  expect_error("surrogate.tau_over_t_range=[-1, 2]", "negative viscosities");
  expect_error("model.relaxation_time_yr=5000", "outside the surrogate range");
  fs::remove_all(out);
}

// The full scenario (scenarios/postseismic.yaml, ~2-3 min): run with
//   HYSEIS_POSTSEISMIC_OUT=<folder> test_geodesy_hybrid --gtest_filter=*FullScenario*
TEST(GeodesyScenario, FullScenario) {
  const char* out = std::getenv("HYSEIS_POSTSEISMIC_OUT");
  if (!out) GTEST_SKIP() << "set HYSEIS_POSTSEISMIC_OUT to run scenarios/postseismic.yaml";
  fs::create_directories(out);
  const auto doc = cfg::load_file(std::string(HYSEIS_SOURCE_DIR) + "/scenarios/postseismic.yaml");
  run_postseismic_scenario(doc.root(), out);
}
