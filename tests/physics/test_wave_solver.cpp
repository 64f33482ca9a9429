// Wave solver runs on MPI_COMM_SELF: arrivals, energy, absorption, polarity, CFL, NaN,
// interpolation, convergence against an exact standing wave.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <string>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/wave/solver.hpp"
#include "wave_common.hpp"

namespace hw = hyseis::physics::wave;
using hw::BoundaryType;
using hw::testing::acoustic_box;
using hw::testing::elastic_box;
using hw::testing::max_abs;
using hw::testing::xcorr_lag;

TEST(WaveElastic, PWaveArrivalMatchesDistanceOverVp) {
  auto pb = elastic_box(2000, 20, 4, BoundaryType::absorbing);
  pb.sources[0].type = hw::SourceType::moment_tensor;  // explosion: pure P
  pb.sources[0].mxx = pb.sources[0].mzz = 1e9;
  pb.sources[0].x = 600;
  pb.sources[0].z = -1050;  // a cell centre line: the mesh is locally symmetric about it
  pb.receivers = {{"r1", 1000, -1050}, {"r2", 1400, -1050}};
  pb.time.duration = 0.7;
  const auto res = hw::run(pb, MPI_COMM_SELF);
  const auto& d = res.seismograms.data;
  ASSERT_EQ(d.size(), 2u);
  ASSERT_EQ(res.seismograms.time.size(), static_cast<std::size_t>(res.stats.n_steps + 1));
  const double lag = xcorr_lag(d[0][0], d[1][0], res.stats.dt);
  const double expected = 400.0 / 2000.0;
  EXPECT_NEAR(lag, expected, 0.01 * expected) << "dt = " << res.stats.dt;
  // on the symmetry axis the vertical component vanishes
  EXPECT_LT(max_abs(d[0][1]), 1e-6 * max_abs(d[0][0]));
  EXPECT_GT(res.stats.point_updates_per_s, 0.0);
  EXPECT_EQ(res.stats.n_cells, 400);
  EXPECT_EQ(res.stats.n_gll_points, 81 * 81);
  EXPECT_EQ(res.stats.n_dofs, 2 * 81 * 81);
}

TEST(WaveAcoustic, ArrivalMatchesDistanceOverVp) {
  auto pb = acoustic_box(2000, 16, 4, BoundaryType::absorbing);
  pb.sources[0].x = 500;
  pb.sources[0].z = -1000;
  pb.receivers = {{"r1", 900, -1000}, {"r2", 1500, -1000}};
  pb.time.duration = 0.8;
  const auto res = hw::run(pb, MPI_COMM_SELF);
  ASSERT_EQ(res.seismograms.components.size(), 1u);
  EXPECT_EQ(res.seismograms.unit, "Pa");
  const double lag = xcorr_lag(res.seismograms.data[0][0], res.seismograms.data[1][0], res.stats.dt);
  const double expected = 600.0 / 1500.0;
  EXPECT_NEAR(lag, expected, 0.01 * expected);
}

TEST(WaveElastic, EnergyConservedWithFreeBoundariesAfterSourceStops) {
  auto pb = elastic_box(1000, 8, 4, BoundaryType::free);
  pb.medium.layers = {hw::Layer{0, 2000, 1155, 2000}, hw::Layer{-500, 3000, 1700, 2400}};
  pb.sources[0].x = 430;
  pb.sources[0].z = -380;
  pb.time.duration = 0.6;
  pb.time.energy_every = 1;
  const auto res = hw::run(pb, MPI_COMM_SELF);
  const auto& e = res.stats.energy;
  const auto& t = res.stats.energy_time;
  ASSERT_EQ(e.size(), static_cast<std::size_t>(res.stats.n_steps));
  double ref = -1, dev = 0;
  for (std::size_t i = 0; i < e.size(); ++i) {
    if (t[i] < 0.3) continue;  // Ricker f0 = 10 Hz centred at 0.1 s: < 1e-9 after 0.3 s
    if (ref < 0) ref = e[i];
    dev = std::max(dev, std::abs(e[i] - ref));
  }
  ASSERT_GT(ref, 0.0);
  EXPECT_LT(dev / ref, 1e-10);  // measured ~3e-15: the discrete energy is conserved exactly
}

TEST(WaveElastic, StaceyBoundariesAbsorbTheWavefield) {
  auto pb = elastic_box(2000, 16, 4, BoundaryType::absorbing);
  pb.sources[0].f0 = 4;  // well resolved: under-resolved waves are dispersive and linger
  pb.sources[0].time_shift = 0.3;
  pb.time.duration = 1.7;
  pb.time.energy_every = 5;
  const auto res = hw::run(pb, MPI_COMM_SELF);
  const auto& e = res.stats.energy;
  const double emax = *std::max_element(e.begin(), e.end());
  EXPECT_LT(e.back(), 0.05 * emax) << "final " << e.back() << " max " << emax;
  // the same box with free sides keeps its energy
  pb.boundaries = {BoundaryType::free, BoundaryType::free, BoundaryType::free, BoundaryType::free};
  const auto ref = hw::run(pb, MPI_COMM_SELF);
  EXPECT_GT(ref.stats.energy.back(), 0.9 * *std::max_element(ref.stats.energy.begin(), ref.stats.energy.end()));
}

TEST(WaveElastic, ExplosionPushesOutward) {
  auto pb = elastic_box(2000, 16, 4, BoundaryType::absorbing);
  auto& s = pb.sources[0];
  s.type = hw::SourceType::moment_tensor;
  s.mxx = s.mzz = 1e9;
  s.mxz = 0;
  s.time_function = hw::TimeFunction::gaussian;  // monotonic moment build-up
  s.x = 1013;
  s.z = -987;
  pb.receivers = {{"right", 1313, -987}, {"left", 713, -987}, {"up", 1013, -687}, {"down", 1013, -1287}};
  pb.time.duration = 0.4;
  const auto res = hw::run(pb, MPI_COMM_SELF);
  const auto& d = res.seismograms.data;
  // first significant excursion of the radial component
  auto first = [](const std::vector<double>& v) {
    const double m = max_abs(v);
    for (double x : v)
      if (std::abs(x) > 0.2 * m) return x;
    return 0.0;
  };
  EXPECT_GT(first(d[0][0]), 0.0);
  EXPECT_LT(first(d[1][0]), 0.0);
  EXPECT_GT(first(d[2][1]), 0.0);
  EXPECT_LT(first(d[3][1]), 0.0);
}

TEST(WaveTimeStep, TooLargeDtThrowsCflErrorAndStableDtRuns) {
  auto pb = elastic_box(1000, 6, 4, BoundaryType::free);
  pb.time.duration = 0.01;
  const auto probe = hw::run(pb, MPI_COMM_SELF);
  const double dts = probe.stats.dt_stable;
  ASSERT_GT(dts, 0.0);
  EXPECT_LE(probe.stats.dt, 0.5 * dts * (1 + 1e-12));  // dt = duration / ceil(duration / (cfl dts))
  pb.time.dt = 1.5 * dts;
  try {
    hw::run(pb, MPI_COMM_SELF);
    ADD_FAILURE() << "no CFL error";
  } catch (const hyseis::core::NumericalError& e) {
    EXPECT_NE(std::string(e.what()).find("time.dt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("CFL"), std::string::npos) << e.what();
  }
  // Just below the estimated limit the scheme is stable even for a rough (all-mode) start.
  pb.time.dt = 0.999 * dts;
  pb.time.duration = 3000 * pb.time.dt;
  pb.sources[0].amplitude = 0;
  pb.analytic.initial_u = [](double x, double z, double) {
    const double r = std::sin(12.9898 * x + 78.233 * z) * 43758.5453;
    return std::array<double, 2>{r - std::floor(r) - 0.5, std::cos(x * 7.1 + z * 3.3)};
  };
  pb.receivers = {{"a", 333, -444}};
  pb.time.energy_every = 100;
  const auto res = hw::run(pb, MPI_COMM_SELF);
  EXPECT_EQ(res.stats.n_steps, 3000);
  const double e0 = res.stats.energy.front();
  for (double e : res.stats.energy) EXPECT_NEAR(e, e0, 1e-8 * e0);
}

TEST(WaveTimeStep, NaNIsDetected) {
  auto pb = acoustic_box(1000, 4, 3, BoundaryType::absorbing);
  pb.time.duration = 0.2;
  pb.analytic.initial_u = [](double x, double z, double) {
    return std::array<double, 2>{(x > 400 && x < 600 && z > -600 && z < -400) ? std::nan("") : 0.0, 0.0};
  };
  try {
    hw::run(pb, MPI_COMM_SELF);
    ADD_FAILURE() << "no NaN error";
  } catch (const hyseis::core::NumericalError& e) {
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("step"), std::string::npos) << e.what();
  }
}

TEST(WaveReceivers, InterpolationIsExactForLinearFields) {
  for (const auto phys : {hw::Physics::elastic, hw::Physics::acoustic}) {
    auto pb = phys == hw::Physics::elastic ? elastic_box(1000, 5, 3, BoundaryType::absorbing)
                                           : acoustic_box(1000, 5, 3, BoundaryType::absorbing);
    pb.mesh.xmin = -300;  // non-square cells
    pb.mesh.nz = 3;
    pb.time.duration = 0.01;
    pb.sources[0].amplitude = 0;
    auto lin = [](double x, double z, double) {
      return std::array<double, 2>{1.0 + 2e-3 * x - 3e-3 * z, -0.5 + 1e-3 * x + 4e-3 * z};
    };
    pb.analytic.initial_u = lin;
    pb.receivers = {{"a", 17.3, -121.7}, {"b", 400, -400}, {"c", -300, 0}, {"d", 999.9, -999.9},
                    {"e", 600, -333.3333333}};
    const auto res = hw::run(pb, MPI_COMM_SELF);
    const int nc = phys == hw::Physics::elastic ? 2 : 1;
    for (std::size_t r = 0; r < pb.receivers.size(); ++r) {
      const auto ex = lin(pb.receivers[r].x, pb.receivers[r].z, 0);
      for (int c = 0; c < nc; ++c)
        EXPECT_NEAR(res.seismograms.data[r][c][0], ex[c], 1e-12) << "receiver " << r << " c " << c;
    }
  }
}

TEST(WaveAcoustic, StandingWaveConvergesToExactSolution) {
  // p = sin(pi x) sin(pi z) cos(w t) in the unit square, p = 0 on all sides (pressure release),
  // c = 1: w = pi sqrt(2). GLL spectral elements of degree 4: error ~ h^5 (here ~h^4-5).
  const double w = M_PI * std::sqrt(2.0);
  auto exact = [w](double x, double z, double t) {
    return std::array<double, 2>{std::sin(M_PI * x) * std::sin(M_PI * z) * std::cos(w * t), 0.0};
  };
  double err[2];
  for (int level = 0; level < 2; ++level) {
    hw::WaveProblem pb;
    pb.physics = hw::Physics::acoustic;
    pb.record = hw::RecordQuantity::pressure;
    pb.mesh = {0, 1, 0, 1, 2, 2, 4, level};
    pb.medium.layers = {hw::Layer{1, 1, 0, 1}};
    pb.boundaries = {BoundaryType::free, BoundaryType::free, BoundaryType::free, BoundaryType::free};
    hw::SourceOptions s;
    s.type = hw::SourceType::pressure;
    s.x = s.z = 0.5;
    s.amplitude = 0;
    pb.sources = {s};
    pb.time.duration = 0.5;
    pb.time.dt = 1e-4;
    pb.analytic.initial_u = exact;
    pb.analytic.exact_u = exact;
    pb.snapshots.image_nx = pb.snapshots.image_nz = 0;
    const auto res = hw::run(pb, MPI_COMM_SELF);
    ASSERT_GT(res.stats.l2_norm_exact_final, 0.0);
    err[level] = res.stats.l2_error_final / res.stats.l2_norm_exact_final;
  }
  EXPECT_LT(err[0], 1e-3);
  EXPECT_GT(err[0] / err[1], 12.0) << err[0] << " " << err[1];
}

TEST(WaveSnapshot, GriddedSnapshotAndVpModel) {
  auto pb = acoustic_box(1000, 4, 4, BoundaryType::absorbing);
  pb.medium.layers = {hw::Layer{0, 1500, 0, 1000}, hw::Layer{-600, 2500, 0, 1000}};
  pb.snapshots.image_nx = 20;
  pb.snapshots.image_nz = 10;
  pb.time.duration = 0.01;
  auto lin = [](double x, double z, double) { return std::array<double, 2>{x - 2 * z, 0.0}; };
  pb.analytic.initial_u = lin;
  pb.snapshots.image_time = 0;
  const auto res = hw::run(pb, MPI_COMM_SELF);
  ASSERT_EQ(res.snapshot.values.size(), 200u);
  EXPECT_EQ(res.snapshot.name, "p");
  for (int iz = 0; iz < 10; ++iz)
    for (int ix = 0; ix < 20; ++ix) {
      const double x = 25 + 50 * ix, z = -1000 + 50 + 100 * iz;
      EXPECT_NEAR(res.snapshot.values[iz * 20 + ix], lin(x, z, 0)[0], 1e-9);
      EXPECT_EQ(res.vp_model.values[iz * 20 + ix], z > -600 ? 1500.0 : 2500.0);
    }
}

TEST(WaveReceivers, VelocityAndAccelerationAreDerivativesOfDisplacement) {
  auto pb = elastic_box(1000, 6, 4, BoundaryType::absorbing);
  pb.receivers = {{"a", 700, -300}};
  pb.time.duration = 0.3;
  pb.time.dt = 2e-4;
  const auto u = hw::run(pb, MPI_COMM_SELF);
  pb.record = hw::RecordQuantity::velocity;
  const auto v = hw::run(pb, MPI_COMM_SELF);
  pb.record = hw::RecordQuantity::acceleration;
  const auto a = hw::run(pb, MPI_COMM_SELF);
  EXPECT_EQ(v.seismograms.unit, "m/s");
  EXPECT_EQ(a.seismograms.unit, "m/s^2");
  const double dt = u.stats.dt;
  for (int c = 0; c < 2; ++c) {
    const auto& d = u.seismograms.data[0][c];
    const double vs = max_abs(v.seismograms.data[0][c]), as = max_abs(a.seismograms.data[0][c]);
    ASSERT_GT(vs, 0.0);
    for (std::size_t n = 1; n + 1 < d.size(); ++n) {
      EXPECT_NEAR((d[n + 1] - d[n - 1]) / (2 * dt), v.seismograms.data[0][c][n], 2e-3 * vs) << n;
      EXPECT_NEAR((d[n + 1] - 2 * d[n] + d[n - 1]) / (dt * dt), a.seismograms.data[0][c][n], 2e-3 * as) << n;
    }
  }
}

TEST(WaveAcoustic, PressureReleaseSurfaceReflectsWithInvertedPolarity) {
  auto pb = acoustic_box(2000, 20, 4, BoundaryType::absorbing);
  pb.sources[0].x = 1000;
  pb.sources[0].z = -350;
  pb.receivers = {{"r", 1000, -150}};
  pb.time.duration = 0.6;
  pb.time.dt = 1e-3;
  const auto absorbing = hw::run(pb, MPI_COMM_SELF);
  pb.boundaries.top = BoundaryType::free;
  const auto free = hw::run(pb, MPI_COMM_SELF);
  const auto& direct = absorbing.seismograms.data[0][0];
  std::vector<double> reflected(direct.size());
  for (std::size_t n = 0; n < direct.size(); ++n)
    reflected[n] = -(free.seismograms.data[0][0][n] - direct[n]);  // minus: expect a sign flip
  // path difference: (350 + 150) - 200 = 300 m at 1500 m/s
  const double lag = xcorr_lag(direct, reflected, 1e-3);
  EXPECT_NEAR(lag, 0.2, 0.02 * 0.2);
}

TEST(WaveElastic, RayleighWaveAlongTheFreeSurface) {
  // Poisson solid (vp = sqrt(3) vs): Rayleigh speed c_R = vs sqrt(2 - 2/sqrt(3)) = 0.9194 vs.
  hw::WaveProblem pb = elastic_box(4000, 40, 4, BoundaryType::absorbing);
  pb.mesh.zmin = -2000;
  pb.mesh.nz = 20;
  const double vs = 1000, vp = std::sqrt(3.0) * vs;
  pb.medium.layers = {hw::Layer{0, vp, vs, 2000}};
  pb.boundaries.top = BoundaryType::free;
  pb.sources[0].x = 600;
  pb.sources[0].z = 0;
  pb.sources[0].f0 = 5;
  pb.sources[0].time_shift = 0.25;
  pb.receivers = {{"near", 1400, 0}, {"far", 2200, 0}};
  pb.time.duration = 2.6;
  const auto res = hw::run(pb, MPI_COMM_SELF);
  const double cr = vs * std::sqrt(2.0 - 2.0 / std::sqrt(3.0));
  const double lag = xcorr_lag(res.seismograms.data[0][1], res.seismograms.data[1][1], res.stats.dt);
  EXPECT_NEAR(lag, 800.0 / cr, 0.01 * 800.0 / cr);
}
