// Independent checks of the Savage & Prescott (1978) series and the screw-dislocation solutions
// (physics/cycle/viscoelastic_reference.cpp): limits that the series must reproduce exactly.
#include <gtest/gtest.h>

#include <cmath>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace {

using namespace hyseis::physics::cycle;
constexpr double kPi = 3.14159265358979323846;

SavagePrescottParams params(double tau, double D = 20) {
  SavagePrescottParams p;
  p.layer_thickness = 20;
  p.locking_depth = D;
  p.recurrence = 200;
  p.relaxation_time = tau;
  p.slip = 4;
  return p;
}

TEST(SavagePrescott, LongRelaxationTimeGivesElasticArctan) {
  // tau >> T: the half-space does not relax within a cycle; the velocity is the elastic
  // interseismic arctan with locking depth H at every time of the cycle (error O(T/tau)).
  for (double ratio : {100.0, 1000.0}) {
    const auto p = params(200 * ratio);
    const double v = p.slip / p.recurrence;
    double worst = 0;
    for (double t : {10.0, 100.0, 190.0})
      for (double x : {2.0, 10.0, 20.0, 50.0, 200.0})
        worst = std::max(worst, std::abs(savage_prescott_velocity(p, x, t) - elastic_interseismic_velocity(v, 20, x)));
    EXPECT_LT(worst, 2.0 / ratio * v) << "tau/T = " << ratio;
  }
}

TEST(SavagePrescott, TimeAverageEqualsSteadyStateVelocity) {
  // (1/T) int_0^T v dt = (v/pi) atan(x/D) for any tau and D <= H (mean interseismic rate = plate
  // rate minus the coseismic step / T). Composite Simpson over (0, T].
  for (double D : {20.0, 12.0})
    for (double tau : {50.0, 20.0}) {
      const auto p = params(tau, D);
      const double v = p.slip / p.recurrence, T = p.recurrence;
      const int n = 400;
      for (double x : {3.0, 20.0, 80.0}) {
        double s = 0;
        for (int i = 0; i <= n; ++i) {
          const double t = std::max(T * i / n, 1e-9 * T);
          const double w = (i == 0 || i == n) ? 1 : (i % 2 ? 4 : 2);
          s += w * savage_prescott_velocity(p, x, t);
        }
        const double mean = s / (3.0 * n);
        EXPECT_NEAR(mean, elastic_interseismic_velocity(v, D, x), 1e-6 * v) << "D " << D << " tau " << tau << " x " << x;
      }
    }
}

TEST(SavagePrescott, ShortRelaxationTimeLocksNothing) {
  // tau << T, D = H: the half-space relaxes quickly and the plate (free base) moves as a block
  // with the fault, so the interseismic velocity tends to 0. The approach is algebraic: image n
  // relaxes at t ~ 2 n tau, so late in the cycle v ~ tau / t (halving tau halves v).
  const double v = 4.0 / 200;
  for (double x : {2.0, 20.0}) {
    const double v1 = savage_prescott_velocity(params(1.0), x, 100.0);
    const double v2 = savage_prescott_velocity(params(2.0), x, 100.0);
    EXPECT_LT(std::abs(v1), 1e-2 * v) << x;
    EXPECT_NEAR(v1 / v2, 0.5, 0.05) << x;
  }
}

TEST(SavagePrescott, FarFieldIsHalfPlateRateAndFieldIsOdd) {
  const auto p = params(50);
  const double v = p.slip / p.recurrence;
  EXPECT_NEAR(savage_prescott_velocity(p, 2e6, 30.0), v / 2, 1e-3 * v);
  EXPECT_EQ(savage_prescott_velocity(p, 0.0, 30.0), 0.0);
  for (double x : {1.0, 17.0, 300.0})
    EXPECT_DOUBLE_EQ(savage_prescott_velocity(p, -x, 70.0), -savage_prescott_velocity(p, x, 70.0));
}

TEST(SavagePrescott, AutomaticTruncationIsConverged) {
  // The image orders beyond the automatic N0 contribute < 1e-16 relative (Poisson summation).
  for (double tau : {50.0, 10.0, 400.0}) {
    auto p = params(tau, 15);
    const int n0 = savage_prescott_image_terms(p);
    auto q = p;
    q.image_terms = 4 * n0 + 50;
    for (double x : {1.0, 20.0, 150.0})
      for (double t : {1.0, 60.0, 200.0}) {
        const double a = savage_prescott_velocity(p, x, t), b = savage_prescott_velocity(q, x, t);
        EXPECT_NEAR(a, b, 1e-12 * p.slip / p.recurrence) << "tau " << tau << " x " << x << " t " << t;
      }
  }
}

TEST(SavagePrescott, EarlyPostseismicExceedsLateInterseismic) {
  const auto p = params(50);
  for (double x : {5.0, 20.0, 60.0})
    EXPECT_GT(savage_prescott_velocity(p, x, 10.0), savage_prescott_velocity(p, x, 190.0)) << x;
}

TEST(ScrewDislocation, SurfaceFormAndFaultLimits) {
  const double s = 4, D = 15;
  for (double x : {0.5, 15.0, 100.0})
    EXPECT_NEAR(screw_dislocation_displacement(s, D, x, 0), s / kPi * std::atan(D / x), 1e-14);
  EXPECT_NEAR(screw_dislocation_displacement(s, D, 1e-9, 5), s / 2, 1e-9);
  EXPECT_NEAR(screw_dislocation_displacement(s, D, 1e-9, 25), 0, 1e-9);
  EXPECT_NEAR(screw_dislocation_displacement(s, D, 1e-9, D), s / 4, 1e-9);
  // Laplacian by finite differences (harmonic away from the fault)
  const double h = 1e-2, x = 7, z = 9;
  const double lap = (screw_dislocation_displacement(s, D, x + h, z) + screw_dislocation_displacement(s, D, x - h, z) +
                      screw_dislocation_displacement(s, D, x, z + h) + screw_dislocation_displacement(s, D, x, z - h) -
                      4 * screw_dislocation_displacement(s, D, x, z)) / (h * h);
  EXPECT_NEAR(lap, 0, 1e-6);
  // traction free surface: dw/dz = 0 at z = 0
  EXPECT_NEAR((screw_dislocation_displacement(s, D, x, 2 * h) - screw_dislocation_displacement(s, D, x, 0)) / (2 * h),
              0, 1e-3);
}

TEST(SavagePrescott, InvalidInputThrows) {
  using hyseis::core::InvalidInput;
  auto p = params(50);
  p.relaxation_time = -5;  // negative viscosity
  EXPECT_THROW(savage_prescott_velocity(p, 10, 10), InvalidInput);
  p = params(50, 25);  // fault below the elastic layer
  EXPECT_THROW(savage_prescott_velocity(p, 10, 10), InvalidInput);
  p = params(50, -1);  // fault above the surface
  EXPECT_THROW(savage_prescott_velocity(p, 10, 10), InvalidInput);
  p = params(50);
  EXPECT_THROW(savage_prescott_velocity(p, 10, 0.0), InvalidInput);   // t outside (0, T]
  EXPECT_THROW(savage_prescott_velocity(p, 10, 250.0), InvalidInput);
  EXPECT_THROW(screw_dislocation_displacement(4, 15, 0.0, 5), InvalidInput);  // point on the fault
  EXPECT_THROW(screw_dislocation_displacement(4, -15, 3.0, 5), InvalidInput);
  try {
    p.recurrence = 0;
    savage_prescott_velocity(p, 10, 10);
    FAIL();
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("recurrence"), std::string::npos) << e.what();
  }
}

}  // namespace
