// Wave solver under MPI (ctest runs these with mpirun -np 2): the distributed run on
// MPI_COMM_WORLD must reproduce the single-rank run on MPI_COMM_SELF to round-off, and every
// rank must return the same RunResult.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <vector>

#include "hyseis/physics/wave/solver.hpp"
#include "wave_common.hpp"

namespace hw = hyseis::physics::wave;
using hw::BoundaryType;

namespace {

hw::WaveProblem heterogeneous(hw::Physics physics) {
  hw::WaveProblem pb;
  pb.physics = physics;
  pb.mesh = {0, 1600, -1200, 0, 8, 6, 3, 1};  // 16 x 12 cells of 100 m, degree 3
  const bool el = physics == hw::Physics::elastic;
  pb.medium.layers = {hw::Layer{0, 1800, el ? 1000.0 : 0.0, 1900},
                      hw::Layer{-400, 2600, el ? 1500.0 : 0.0, 2200},   // on a cell face
                      hw::Layer{-730, 3200, el ? 1850.0 : 0.0, 2500}};  // inside cells
  pb.boundaries = {BoundaryType::free, BoundaryType::absorbing, BoundaryType::absorbing,
                   BoundaryType::absorbing};
  hw::SourceOptions s1, s2;
  if (el) {
    s1.type = hw::SourceType::moment_tensor;
    s1.mxx = 1e9;
    s1.mzz = -0.5e9;
    s1.mxz = 0.7e9;
    s2.type = hw::SourceType::force;
    s2.fx = 3e5;
    s2.fz = -1e6;
  } else {
    s1.type = s2.type = hw::SourceType::pressure;
  }
  s1.x = 800;  // on a cell corner: shared by four cells, possibly of both ranks
  s1.z = -600;
  s1.f0 = 8;
  s1.time_shift = 0.13;
  s2.x = 437.3;
  s2.z = -333.3;
  s2.f0 = 6;
  s2.time_shift = 0.2;
  s2.time_function = hw::TimeFunction::gaussian_derivative;
  pb.sources = {s1, s2};
  for (int i = 0; i <= 16; ++i)  // along the surface, on cell edges and corners
    pb.receivers.push_back({"s" + std::to_string(i), 100.0 * i, el ? 0.0 : -50.0});
  for (int i = 0; i <= 12; ++i)  // a vertical line through the middle (likely a rank boundary)
    pb.receivers.push_back({"v" + std::to_string(i), 800, -100.0 * i});
  pb.receivers.push_back({"in", 1234.5, -876.5});
  pb.record = el ? hw::RecordQuantity::velocity : hw::RecordQuantity::pressure;
  pb.time.duration = 0.45;
  pb.snapshots.image_nx = 64;
  pb.snapshots.image_nz = 48;
  pb.snapshots.image_time = 0.3;
  return pb;
}

std::vector<double> flatten(const hw::RunResult& r) {
  std::vector<double> out;
  for (const auto& rec : r.seismograms.data)
    for (const auto& c : rec) out.insert(out.end(), c.begin(), c.end());
  return out;
}

void compare_world_and_self(hw::Physics physics) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const auto pb = heterogeneous(physics);
  const auto world = hw::run(pb, MPI_COMM_WORLD);
  EXPECT_EQ(world.stats.mpi_ranks, size);
  const auto wd = flatten(world);
  ASSERT_EQ(wd.size(), pb.receivers.size() * (physics == hw::Physics::elastic ? 2 : 1) *
                           (world.stats.n_steps + 1));

  // every rank returns the same result as rank 0
  std::vector<double> root = wd;
  MPI_Bcast(root.data(), static_cast<int>(root.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  EXPECT_EQ(root, wd) << "rank " << rank << " returned different seismograms";
  std::vector<double> img = world.snapshot.values;
  MPI_Bcast(img.data(), static_cast<int>(img.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
  EXPECT_EQ(img, world.snapshot.values) << "rank " << rank << " returned a different snapshot";

  if (rank == 0) {
    const auto self = hw::run(pb, MPI_COMM_SELF);
    EXPECT_EQ(self.stats.n_steps, world.stats.n_steps);
    EXPECT_DOUBLE_EQ(self.stats.dt, world.stats.dt);
    const auto sd = flatten(self);
    ASSERT_EQ(sd.size(), wd.size());
    const double scale = hw::testing::max_abs(sd);
    ASSERT_GT(scale, 0.0);
    double diff = 0;
    for (std::size_t i = 0; i < sd.size(); ++i) diff = std::max(diff, std::abs(sd[i] - wd[i]));
    EXPECT_LT(diff / scale, 1e-12) << "max abs diff " << diff << ", max abs " << scale;
    const double iscale = hw::testing::max_abs(self.snapshot.values);
    ASSERT_GT(iscale, 0.0);
    double idiff = 0;
    for (std::size_t i = 0; i < self.snapshot.values.size(); ++i)
      idiff = std::max(idiff, std::abs(self.snapshot.values[i] - world.snapshot.values[i]));
    EXPECT_LT(idiff / iscale, 1e-12);
  }
}

}  // namespace

TEST(WaveMpi, ElasticWorldEqualsSelf) { compare_world_and_self(hw::Physics::elastic); }

TEST(WaveMpi, AcousticWorldEqualsSelf) { compare_world_and_self(hw::Physics::acoustic); }
