// The FE cycle model (physics/cycle/viscoelastic_fem.cpp): coseismic step vs the elastic screw
// dislocation, the Savage & Prescott comparison (the validation cases themselves), solver
// agreement, synthetic geodesy to HDF5, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"
#include "hyseis/validation/cycle_cases.hpp"

namespace {

using namespace hyseis::physics::cycle;
using hyseis::core::InvalidInput;

/// A small, fast configuration (coarse mesh, few steps) for the functional tests.
ViscoelasticCycleOptions small() {
  ViscoelasticCycleOptions o;
  o.cell_size = 5;
  o.growth = 1.3;
  o.domain_width = o.domain_depth = 4000;
  o.cycles = 3;
  o.steps_per_cycle = 40;
  o.profile_x = {2, 5, 10, 20, 40, 80, 160};
  o.profile_phases = {0.05, 0.5};
  return o;
}

TEST(ViscoelasticFem, CoseismicStepMatchesScrewDislocation) {
  ViscoelasticCycleOptions o;
  o.locking_depth = 12.5;
  std::vector<double> x = {1, 3, 8, 15, 30, 60, 120, 5, 5, 25}, z = {0, 0, 0, 0, 0, 0, 0, 10, 30, 12.5};
  const auto w = viscoelastic_coseismic_step(o, x, z);
  for (std::size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(w[i], screw_dislocation_displacement(o.slip, o.locking_depth, x[i], z[i]), 2e-3 * o.slip)
        << "x " << x[i] << " z " << z[i];
}

TEST(ViscoelasticFem, CoseismicStepOfTheCycleIsElastic) {
  // The step recorded inside the cycle run (viscous strain frozen) equals the elastic solution.
  auto o = small();
  const auto r = run_viscoelastic_cycle(o);
  ASSERT_EQ(r.coseismic.size(), o.profile_x.size());
  for (std::size_t i = 0; i < o.profile_x.size(); ++i)
    EXPECT_NEAR(r.coseismic[i], screw_dislocation_displacement(o.slip, o.locking_depth, o.profile_x[i], 0),
                5e-3 * o.slip) << o.profile_x[i];
}

TEST(ViscoelasticFem, ValidationCasesPass) {
  // The registry cases (viscoelastic_cycle_savage_prescott: 10 cycles, tolerance 2 %).
  hyseis::validation::Options opt;
  opt.out_dir = (std::filesystem::temp_directory_path() / "hyseis_test_cycle_ve_validation").string();
  for (const auto& c : hyseis::validation::cycle_cases()) {
    const auto res = c.run(opt);
    ASSERT_FALSE(res.skipped) << c.name;
    for (const auto& m : res.metrics) {
      EXPECT_TRUE(m.passed) << c.name << " " << m.metric << " = " << m.value << " (tol " << m.tolerance << ")";
      std::printf("  %-36s %-34s %.4g (%s %g)\n", c.name.c_str(), m.metric.c_str(), m.value, m.comparison.c_str(),
                  m.tolerance);
    }
  }
  // the figure and the profiles of the Savage-Prescott case
  EXPECT_TRUE(std::filesystem::exists(opt.out_dir + "/viscoelastic_cycle_savage_prescott.png"));
  const auto fe = hyseis::core::h5::read_dataset(opt.out_dir + "/viscoelastic_cycle_savage_prescott.h5", "velocity_fe");
  EXPECT_EQ(fe.shape.size(), 2u);
  std::filesystem::remove_all(opt.out_dir);
}

TEST(ViscoelasticFem, QuickValidationVariantPasses) {
  hyseis::validation::Options opt;
  opt.quick = true;
  const auto res = hyseis::validation::cycle_cases().at(0).run(opt);
  for (const auto& m : res.metrics) {
    EXPECT_TRUE(m.passed) << m.metric << " = " << m.value;
    if (m.comparison != "info") EXPECT_LT(m.value, m.tolerance / 2) << m.metric;
  }
}

TEST(ViscoelasticFem, CgAndDirectSolversAgree) {
  auto o = small();
  o.cycles = 2;
  o.steps_per_cycle = 20;
  const auto a = run_viscoelastic_cycle(o);
  o.linear_solver = "cg";
  const auto b = run_viscoelastic_cycle(o);
  for (std::size_t ip = 0; ip < a.phases.size(); ++ip)
    for (std::size_t i = 0; i < a.profile_x.size(); ++i)
      EXPECT_NEAR(a.velocity[ip][i], b.velocity[ip][i], 1e-7 * o.slip / o.recurrence);
}

TEST(ViscoelasticFem, RecordIsContinuousAndGeodesyIsWritten) {
  auto o = small();
  o.record_cycles = 2;
  const auto r = run_viscoelastic_cycle(o);
  const int N = o.steps_per_cycle;
  ASSERT_EQ(r.record_time.size(), std::size_t(2 * N + 2));  // one duplicate epoch at the inner earthquake
  EXPECT_DOUBLE_EQ(r.record_time.back(), 2 * o.recurrence);
  // across the inner earthquake the displacement jumps by the coseismic step
  const std::size_t pre = N, post = N + 1;
  EXPECT_DOUBLE_EQ(r.record_time[pre], r.record_time[post]);
  for (std::size_t i = 0; i < o.profile_x.size(); ++i)
    EXPECT_NEAR(r.record_displacement[post][i] - r.record_displacement[pre][i], r.coseismic[i], 1e-9);
  // total displacement over one full cycle = plate rate * T / 2 (x > 0 side), to truncation
  const double far = r.record_displacement[post].back() - r.record_displacement[0].back();
  EXPECT_NEAR(far, 0.5 * o.slip, 0.05 * o.slip);

  GeodesyOptions g;
  g.station_x = {-40, 5, 20, 60};
  for (int i = 0; i < 365; ++i) g.epochs.push_back(10.0 + i / 36.5);  // 10 yr, 10 samples/yr
  g.noise.sample_interval = 0.1;
  g.noise.white_sigma = 1e-3;
  g.noise.flicker_amplitude = 2e-3;
  g.insar_x = {-100, -20, 0, 3, 20, 100};
  g.insar_t0 = 50;
  g.insar_t1 = 60;
  g.insar_sigma = 2e-3;
  const auto d = synthesize_geodesy(r.record_time, r.profile_x, r.record_displacement, g);
  ASSERT_EQ(d.gps.size(), 4u);
  EXPECT_GT(d.gps_clean[2].back() - d.gps_clean[2].front(), 0.0);  // moves with the plate (x > 0)
  EXPECT_LT(d.gps_clean[0].back() - d.gps_clean[0].front(), 0.0);  // odd field
  EXPECT_DOUBLE_EQ(d.insar_los_clean[2], 0.0);
  EXPECT_NEAR(d.insar_los_clean[0], -d.insar_los_clean[5], 1e-12);
  double rms = 0;
  for (std::size_t i = 0; i < g.epochs.size(); ++i) rms += std::pow(d.gps[1][i] - d.gps_clean[1][i], 2);
  rms = std::sqrt(rms / g.epochs.size());
  EXPECT_GT(rms, 5e-4);
  EXPECT_LT(rms, 1e-2);

  // the cycle result itself
  const std::string cpath = (std::filesystem::temp_directory_path() / "hyseis_test_cycle_ve_result.h5").string();
  write_cycle_hdf5(cpath, o, r);
  const auto rec = hyseis::core::h5::read_dataset(cpath, "record/displacement");
  EXPECT_EQ(rec.shape[0], r.record_time.size());
  EXPECT_DOUBLE_EQ(rec.data[5 * o.profile_x.size() + 2], r.record_displacement[5][2]);
  EXPECT_DOUBLE_EQ(hyseis::core::h5::read_attribute(cpath, "/", "relaxation_time"), o.relaxation_time);
  std::filesystem::remove(cpath);

  const std::string path = (std::filesystem::temp_directory_path() / "hyseis_test_cycle_ve_geodesy.h5").string();
  write_geodesy_hdf5(path, d, g);
  const auto a = hyseis::core::h5::read_dataset(path, "gps/displacement");
  ASSERT_EQ(a.shape.size(), 2u);
  EXPECT_EQ(a.shape[0], 4u);
  EXPECT_EQ(a.shape[1], g.epochs.size());
  EXPECT_DOUBLE_EQ(a.data[1 * g.epochs.size() + 3], d.gps[1][3]);
  const auto los = hyseis::core::h5::read_dataset(path, "insar/los_vector");
  EXPECT_DOUBLE_EQ(los.data[2], g.los[2]);
  EXPECT_DOUBLE_EQ(hyseis::core::h5::read_attribute(path, "gps", "white_sigma_m"), 1e-3);
  std::filesystem::remove(path);

  // same seed -> same noise; epochs outside the record are an error (no extrapolation)
  const auto d2 = synthesize_geodesy(r.record_time, r.profile_x, r.record_displacement, g);
  EXPECT_EQ(d2.gps[3], d.gps[3]);
  auto bad = g;
  bad.epochs.push_back(1e4);
  EXPECT_THROW(synthesize_geodesy(r.record_time, r.profile_x, r.record_displacement, bad), InvalidInput);
  bad = g;
  bad.station_x = {0.0};
  EXPECT_THROW(synthesize_geodesy(r.record_time, r.profile_x, r.record_displacement, bad), InvalidInput);
  bad = g;
  bad.los[0] = 1;
  EXPECT_THROW(synthesize_geodesy(r.record_time, r.profile_x, r.record_displacement, bad), InvalidInput);
}

TEST(ViscoelasticFem, InvalidOptionsThrow) {
  auto bad = [](auto mutate) {
    auto o = small();
    mutate(o);
    return o;
  };
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.relaxation_time = -50; })), InvalidInput);
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.locking_depth = 30; })), InvalidInput);
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.locking_depth = -1; })), InvalidInput);
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.profile_x = {0.0}; })), InvalidInput);
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.steps_per_cycle = 30; })), InvalidInput);
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.profile_phases = {0.33}; })), InvalidInput);
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.theta = 0.2; })), InvalidInput);
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.cycles = 1; })), InvalidInput);
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.far_boundary = "absorbing"; })), InvalidInput);
  EXPECT_THROW(run_viscoelastic_cycle(bad([](auto& o) { o.domain_width = 50; })), InvalidInput);
  EXPECT_THROW(viscoelastic_coseismic_step(small(), {0.0}, {5.0}), InvalidInput);
  try {
    run_viscoelastic_cycle(bad([](auto& o) { o.relaxation_time = 0; }));
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("relaxation_time"), std::string::npos) << e.what();
  }
}

}  // namespace
