// Fast-sweeping eikonal solver: constant-gradient analytic solution (first vs second order)
// and the adjoint-state gradient against finite differences (physics/traveltime/eikonal_checks).
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/traveltime/eikonal.hpp"
#include "hyseis/physics/traveltime/eikonal_checks.hpp"

namespace tt = hyseis::physics::traveltime;

TEST(Eikonal, ConstantGradientFirstAndSecondOrder) {
  double e1[3], e2[3];
  const int ns[3] = {41, 81, 161};
  for (int k = 0; k < 3; ++k) {
    e1[k] = tt::constant_gradient_max_error(ns[k], 1, true);
    e2[k] = tt::constant_gradient_max_error(ns[k], 2, true);
  }
  const double p1 = std::log2(e1[1] / e1[2]), p2 = std::log2(e2[1] / e2[2]);
  std::cout << "constant-gradient max error: first order " << e1[0] << " " << e1[1] << " " << e1[2] << " (order "
            << p1 << "); second order " << e2[0] << " " << e2[1] << " " << e2[2] << " (order " << p2 << ")\n";
  EXPECT_GT(p1, 0.7);
  EXPECT_GT(p2, 1.6);
  EXPECT_LT(e2[2], 0.2 * e1[2]);
  // The default point-source start also converges (first order, up to the log factor).
  EXPECT_LT(tt::constant_gradient_max_error(161, 1, false), tt::constant_gradient_max_error(41, 1, false));
}

TEST(Eikonal, HomogeneousMediumAlongAxesIsExact) {
  tt::NodeGrid g;
  g.nx = 31;
  g.ny = 21;
  g.h = 0.5;
  tt::Eikonal2D eik(g);
  Eigen::VectorXd s = Eigen::VectorXd::Constant(g.nodes(), 0.25);
  const Eigen::VectorXd t = eik.forward(s, {5.0, 5.0}, {{14.0, 5.0}, {5.0, 9.0}});
  EXPECT_NEAR(t[0], 0.25 * 9, 1e-12);
  EXPECT_NEAR(t[1], 0.25 * 4, 1e-12);
}

TEST(Eikonal, AdjointStateGradientMatchesFiniteDifferences) {
  const auto c = tt::eikonal_gradient_check();
  std::cout << "eikonal adjoint-state gradient vs finite differences: cosine " << c.cosine << ", rel diff "
            << c.relative_diff << "\n";
  EXPECT_GE(c.cosine, 0.999);
}

TEST(Eikonal, BadInput) {
  tt::NodeGrid g;
  g.nx = g.ny = 5;
  tt::Eikonal2D eik(g);
  Eigen::VectorXd s = Eigen::VectorXd::Constant(25, 1.0);
  EXPECT_THROW(eik.solve(s, {7.0, 1.0}), hyseis::core::InvalidInput);
  s[3] = -1;
  EXPECT_THROW(eik.solve(s, {1.0, 1.0}), hyseis::core::InvalidInput);
  tt::EikonalOptions o;
  o.order = 3;
  EXPECT_THROW(tt::Eikonal2D(g, o), hyseis::core::InvalidInput);
  EXPECT_THROW(eik.forward(Eigen::VectorXd::Constant(25, 1.0), {1.0, 1.0}, {{9.0, 1.0}}), hyseis::core::InvalidInput);
}
