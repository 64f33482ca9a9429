// Wave solver: gridded HDF5 models, VTU snapshots, progress reporting, elastic convergence.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/physics/wave/solver.hpp"
#include "wave_common.hpp"

namespace hw = hyseis::physics::wave;
namespace fs = std::filesystem;
using hw::BoundaryType;

namespace {
fs::path out_dir(const std::string& name) {
  const fs::path d = fs::path(HYSEIS_BINARY_DIR) / "test-output" / "physics" / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

/// vp(x, z) = a + b x + c z on a 7 x 5 grid (x0 = -100, dx = 200; z0 = -1100, dz = 300).
void write_model(const std::string& file, double a, double b, double c, double vs_over_vp,
                 double vp_override = 0) {
  const int nx = 7, nz = 5;
  std::vector<double> vp(nx * nz), vs(nx * nz), rho(nx * nz, 2100.0);
  for (int iz = 0; iz < nz; ++iz)
    for (int ix = 0; ix < nx; ++ix) {
      const double x = -100 + 200 * ix, z = -1100 + 300 * iz;
      vp[iz * nx + ix] = a + b * x + c * z;
      vs[iz * nx + ix] = vs_over_vp * vp[iz * nx + ix];
    }
  if (vp_override != 0) vp[2 * nx + 3] = vp_override;
  hyseis::core::h5::Writer w(file);
  w.write("vp", {static_cast<std::size_t>(nz), static_cast<std::size_t>(nx)}, vp.data());
  w.write("vs", {static_cast<std::size_t>(nz), static_cast<std::size_t>(nx)}, vs.data());
  w.write("rho", {static_cast<std::size_t>(nz), static_cast<std::size_t>(nx)}, rho.data());
  w.attribute("/", "x0", -100.0);
  w.attribute("/", "z0", -1100.0);
  w.attribute("/", "dx", 200.0);
  w.attribute("/", "dz", 300.0);
  w.commit();
}
}  // namespace

TEST(WaveGridded, ConstantGridEqualsLayeredModelAndGradientIsBilinear) {
  const auto dir = out_dir("gridded");
  const std::string flat = (dir / "flat.h5").string(), grad = (dir / "grad.h5").string();
  write_model(flat, 2000, 0, 0, 0.55);
  write_model(grad, 2500, 0.3, 0.8, 0.55);

  auto pb = hw::testing::elastic_box(1000, 6, 3, BoundaryType::absorbing);
  pb.medium.layers = {hw::Layer{0, 2000, 1100, 2100}};
  pb.receivers = {{"a", 700, -300}, {"b", 150, -850}};
  pb.time.duration = 0.3;
  pb.snapshots.image_nx = 10;
  pb.snapshots.image_nz = 10;
  const auto layered = hw::run(pb, MPI_COMM_SELF);
  pb.medium.gridded = hw::GriddedModel{flat};
  const auto gridded = hw::run(pb, MPI_COMM_SELF);
  ASSERT_EQ(layered.stats.n_steps, gridded.stats.n_steps);
  const double scale = hw::testing::max_abs(layered.seismograms.data[0][1]);
  ASSERT_GT(scale, 0.0);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c)
      for (std::size_t n = 0; n < layered.seismograms.time.size(); ++n)
        ASSERT_NEAR(layered.seismograms.data[r][c][n], gridded.seismograms.data[r][c][n], 1e-12 * scale);

  pb.medium.gridded = hw::GriddedModel{grad};
  pb.time.duration = 0.01;
  const auto g = hw::run(pb, MPI_COMM_SELF);
  ASSERT_EQ(g.vp_model.values.size(), 100u);
  for (int iz = 0; iz < 10; ++iz)
    for (int ix = 0; ix < 10; ++ix) {
      const double x = 50 + 100 * ix, z = -1000 + 50 + 100 * iz;
      EXPECT_NEAR(g.vp_model.values[iz * 10 + ix], 2500 + 0.3 * x + 0.8 * z, 1e-9);
    }

  write_model(grad, 2500, 0.3, 0.8, 0.55, -5.0);
  try {
    hw::run(pb, MPI_COMM_SELF);
    ADD_FAILURE() << "negative vp in the grid accepted";
  } catch (const hyseis::core::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("vp[2][3]"), std::string::npos) << e.what();
  }
}

TEST(WaveOutput, VtuSnapshotsAndProgress) {
  const auto dir = out_dir("vtu");
  auto pb = hw::testing::acoustic_box(1000, 4, 3, BoundaryType::absorbing);
  pb.time.duration = 0.1;
  pb.snapshots.every = 10;
  pb.snapshots.vtu_prefix = (dir / "snaps" / "wavefield").string();
  std::vector<std::pair<int, int>> calls;
  const auto res = hw::run(pb, MPI_COMM_SELF, [&](int s, int n) { calls.emplace_back(s, n); });
  const int n = res.stats.n_steps;
  int n_pvtu = 0;
  for (const auto& e : fs::directory_iterator(dir / "snaps"))
    if (e.path().extension() == ".pvtu") ++n_pvtu;
  EXPECT_EQ(n_pvtu, n / 10 + 1);
  EXPECT_TRUE(fs::exists(dir / "snaps" / "wavefield_00000.pvtu"));
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back(), std::make_pair(n, n));
  for (std::size_t i = 1; i < calls.size(); ++i) EXPECT_GT(calls[i].first, calls[i - 1].first);
  EXPECT_LE(calls.size(), 101u);
}

TEST(WaveElastic, StandingPWaveConvergesToExactSolution) {
  // lambda = 0 (vs = vp / sqrt 2): u = (0, cos(k (z - zmin)) cos(w t)), k = pi / L, w = vp k is
  // an exact solution with all four sides traction free.
  const double L = 1.0, vp = 1.0, k = M_PI / L, w = vp * k;
  auto exact = [=](double, double z, double t) {
    return std::array<double, 2>{0.0, std::cos(k * z) * std::cos(w * t)};
  };
  double err[2];
  for (int level = 0; level < 2; ++level) {
    hw::WaveProblem pb;
    pb.mesh = {0, L, 0, L, 2, 2, 4, level};
    pb.medium.layers = {hw::Layer{L, vp, vp / std::sqrt(2.0), 1.0}};
    pb.boundaries = {BoundaryType::free, BoundaryType::free, BoundaryType::free, BoundaryType::free};
    hw::SourceOptions s;
    s.x = s.z = 0.5;
    s.amplitude = 0;
    pb.sources = {s};
    pb.time.duration = 0.7;
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

TEST(WaveAcoustic, EveryDegreeFrom1To8ConvergesOnTheStandingWave) {
  const double w = M_PI * std::sqrt(2.0);
  auto exact = [w](double x, double z, double t) {
    return std::array<double, 2>{std::sin(M_PI * x) * std::sin(M_PI * z) * std::cos(w * t), 0.0};
  };
  std::vector<double> err;
  for (int p = 1; p <= 8; ++p) {
    hw::WaveProblem pb;
    pb.physics = hw::Physics::acoustic;
    pb.mesh = {0, 1, 0, 1, 3, 3, p, 0};
    pb.medium.layers = {hw::Layer{1, 1, 0, 1}};
    pb.boundaries = {BoundaryType::free, BoundaryType::free, BoundaryType::free, BoundaryType::free};
    hw::SourceOptions s;
    s.type = hw::SourceType::pressure;
    s.x = s.z = 0.5;
    s.amplitude = 0;
    pb.sources = {s};
    pb.time.duration = 0.3;
    pb.time.dt = 2e-4;
    pb.analytic.initial_u = exact;
    pb.analytic.exact_u = exact;
    pb.snapshots.image_nx = pb.snapshots.image_nz = 0;
    const auto res = hw::run(pb, MPI_COMM_SELF);
    err.push_back(res.stats.l2_error_final / res.stats.l2_norm_exact_final);
  }
  for (int p = 2; p <= 5; ++p) EXPECT_LT(err[p - 1], 0.3 * err[p - 2]) << "degree " << p;
  EXPECT_LT(err[7], 1e-6);  // the O(dt^2) time error floor is ~1e-8 here
}
