// The FWI data term on the SEM: filtered-stage gradient (forward, filter, H^T cotangent, vjp)
// against central finite differences; unfiltered stage consistent with Modeling::gradient;
// observed data that do not match the acquisition are rejected with a clear message.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/fwi/modeling_shots.hpp"

using namespace hyseis::hybrid::fwi;
namespace pw = hyseis::physics::wave;

namespace {
pw::WaveProblem tiny() {
  pw::WaveProblem p;
  p.physics = pw::Physics::acoustic;
  p.mesh = {0, 800, -400, 0, 8, 4, 3, 0};
  p.boundaries.top = pw::BoundaryType::absorbing;
  p.time.duration = 0.6;
  p.time.cfl = 0.5;
  p.medium.layers = {pw::Layer{0, 3000, 0, 1000}};  // fixes dt for vp <= 3000
  p.record = pw::RecordQuantity::pressure;
  for (int i = 0; i < 5; ++i) p.receivers.push_back({"r" + std::to_string(i), 100.0 + 150 * i, -40});
  return p;
}
pw::SourceOptions shot(double x) {
  pw::SourceOptions s;
  s.type = pw::SourceType::pressure;
  s.x = x;
  s.z = -40;
  s.f0 = 10;
  s.time_shift = 0.12;
  s.amplitude = 1e6;
  return s;
}
pw::ModelGrid grid() { return {9, 5, 0, -400, 100, 100}; }
std::vector<double> model(double bump) {
  std::vector<double> m(45);
  for (int k = 0; k < 5; ++k)
    for (int i = 0; i < 9; ++i) m[k * 9 + i] = 2400 - 100 * k + (i == 4 && k == 2 ? bump : 0.0) + 10 * i;
  return m;
}
}  // namespace

TEST(FwiModelingShots, FilteredGradientMatchesFiniteDifferences) {
  const auto base = tiny();
  std::vector<pw::SourceOptions> shots{shot(200), shot(600)};
  std::vector<pw::Seismograms> obs;
  {
    pw::Modeling truth(base, grid(), MPI_COMM_SELF);
    for (const auto& s : shots) obs.push_back(truth.forward(model(300), s));
  }
  ModelingShots ms(base, grid(), shots, obs, {{12.0, 4}, {0.0, 4}});
  const std::vector<double> m0v = model(0);
  const Eigen::VectorXd m0 = Eigen::Map<const Eigen::VectorXd>(m0v.data(), 45);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> nd;
  Eigen::VectorXd dir(45);
  for (auto& v : dir) v = nd(rng);
  for (int stage = 0; stage < 2; ++stage) {
    ms.set_stage(stage);
    Eigen::VectorXd g;
    const double J = ms.misfit_gradient(m0, 1, g);
    EXPECT_GT(J, 0);
    const double h = 0.5;  // m/s
    Eigen::VectorXd tmp;
    const double fd =
        (ms.misfit_gradient(m0 + h * dir, 1, tmp) - ms.misfit_gradient(m0 - h * dir, 1, tmp)) / (2 * h);
    EXPECT_NEAR(fd, g.dot(dir), 1e-5 * std::abs(fd)) << "stage " << stage;
  }
  // The low-passed stage sees less misfit energy than the full band (normalised differently, so
  // compare the normalisers: filtered observed energy < full-band energy).
  ms.set_stage(0);
  const double e0 = ms.normaliser();
  ms.set_stage(1);
  EXPECT_LT(e0, ms.normaliser());
}

TEST(FwiModelingShots, MismatchedObservedDataAreRejected) {
  const auto base = tiny();
  std::vector<pw::SourceOptions> shots{shot(200)};
  pw::Modeling truth(base, grid(), MPI_COMM_SELF);
  const pw::Seismograms good = truth.forward(model(0), shots[0]);
  auto expect_msg = [&](pw::Seismograms d, const std::string& needle) {
    try {
      ModelingShots ms(base, grid(), shots, {d}, {{0.0, 4}}, "obs.h5");
      ADD_FAILURE() << "no error for " << needle;
    } catch (const hyseis::core::InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("obs.h5"), std::string::npos) << e.what();
    }
  };
  auto d = good;
  d.data.pop_back();
  expect_msg(d, "4 receivers, the acquisition has 5");
  d = good;
  d.time.pop_back();
  expect_msg(d, "time samples");
  d = good;
  for (auto& t : d.time) t *= 1.01;
  expect_msg(d, "the modelling samples at");
  d = good;
  d.data[2][0][7] = std::nan("");
  expect_msg(d, "NaN/Inf at receiver 2, sample 7");
  EXPECT_THROW(ModelingShots(base, grid(), {shot(200), shot(300)}, {good}, {{0.0, 4}}), hyseis::core::InvalidInput);
  EXPECT_THROW(ModelingShots(base, grid(), shots, {good}, {{1e6, 4}}), hyseis::core::InvalidInput);
  // A shot outside the model fails in the modelling with the position named.
  ModelingShots ms(base, grid(), {shot(5000)}, {good}, {{0.0, 4}});
  ms.set_stage(0);
  Eigen::VectorXd g;
  const auto mv = model(0);
  try {
    ms.misfit_gradient(Eigen::Map<const Eigen::VectorXd>(mv.data(), 45), 0, g);
    ADD_FAILURE() << "no error for a shot outside the model";
  } catch (const hyseis::core::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("outside the model"), std::string::npos) << e.what();
  }
}
