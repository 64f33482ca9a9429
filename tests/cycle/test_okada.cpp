// Okada (1985, 1992) half-space dislocations: published check list, regression values,
// free-surface identities, equilibrium, finite-difference gradients, point/rectangle consistency,
// displacement jump = slip, singular points, the many-patch Kokkos kernel and input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/cycle/okada.hpp"
#include "hyseis/physics/cycle/okada_checks.hpp"

using namespace hyseis::physics::cycle;
using hyseis::core::InvalidInput;

namespace {

std::string okada_data(const std::string& file) {
  std::string root;
  if (const char* env = std::getenv("HYSEIS_VALIDATION_DATA"); env && *env) root = env;
  else root = std::string(HYSEIS_SOURCE_DIR) + "/../shared/validation";
  return root + "/okada_reference/" + file;
}

constexpr double kAlpha = 2.0 / 3.0;   // lambda = mu

double max_abs(const Deformation& d) {
  double m = 0;
  for (double v : d.u) m = std::max(m, std::abs(v));
  return m;
}
double max_abs_grad(const Deformation& d) {
  double m = 0;
  for (double v : d.grad) m = std::max(m, std::abs(v));
  return m;
}

}  // namespace

TEST(Okada, Table2Okada1985CheckList) {
  const std::string path = okada_data("okada1985_table2_finite_fault.csv");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "validation data not found: " << path;
  const auto checks = okada1985_table2_checks(path);
  ASSERT_EQ(checks.size(), 9u * 9u * 3u);
  for (const auto& c : checks)
    EXPECT_TRUE(c.passed()) << c.id << ": computed " << c.computed << ", reference " << c.reference << ", |err| "
                            << c.error() << " > tol " << c.tolerance;
}

TEST(Okada, HdefRegressionSurface) {
  const std::string path = okada_data("okada_hdef_regression_values.csv");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "validation data not found: " << path;
  const auto checks = okada_hdef_checks(path, false);
  // 3 point tests x 12 quantities x 2 methods + 3 rect tests x 3 quantities x 2 methods
  ASSERT_EQ(checks.size(), 3u * 12u * 2u + 3u * 3u * 2u);
  for (const auto& c : checks)
    EXPECT_TRUE(c.passed()) << c.id << ": computed " << c.computed << ", reference " << c.reference
                            << ", rel err " << c.error() / std::abs(c.reference);
}

TEST(Okada, HdefRegressionInternalDepth13) {
  // Mapping of PROVENANCE.md (Z = -13; centred rectangle AL = +-3.25, AW = +-1.6, DEPTH = 7):
  // unverified there; these values confirm it to ~1e-13 (docs/theory/okada.md).
  const std::string path = okada_data("okada_hdef_regression_values.csv");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "validation data not found: " << path;
  const auto all = okada_hdef_checks(path, true);
  int n_internal = 0;
  for (const auto& c : all) {
    if (c.id.find("depth") == std::string::npos) continue;
    ++n_internal;
    EXPECT_TRUE(c.passed()) << c.id << ": computed " << c.computed << ", reference " << c.reference
                            << ", rel err " << c.error() / std::abs(c.reference);
  }
  EXPECT_EQ(n_internal, 12 + 3 + 3);
}

TEST(Okada, FreeSurfaceIdentities) {
  for (const auto& [lambda, mu] : {std::pair{1.0, 1.0}, std::pair{2.5, 1.0}, std::pair{0.4, 1.3}}) {
    const IdentityResiduals r = free_surface_identity_residuals(lambda, mu);
    EXPECT_GT(r.n_evaluations, 700);
    EXPECT_LT(r.shear_xz, 1e-12) << "lambda " << lambda;
    EXPECT_LT(r.shear_yz, 1e-12) << "lambda " << lambda;
    EXPECT_LT(r.normal_zz, 1e-12) << "lambda " << lambda;
  }
  // the lambda = mu form of the brief: e_zz = -(e_xx + e_yy) / 3
  const Deformation d = dc3d(kAlpha, 1.7, -2.2, 0.0, 3.0, 55.0, -1.0, 2.0, -1.0, 1.0, Slip{0.4, 1.0, -0.3});
  EXPECT_NEAR(d.g(2, 2), -(d.g(0, 0) + d.g(1, 1)) / 3.0, 1e-14);
}

TEST(Okada, StressIsTractionFreeAtSurfaceInGlobalFrame) {
  const HalfSpace m{3.0e10, 2.5e10};
  RectangularFault f;
  f.depth = 4000;
  f.strike_deg = 215;
  f.dip_deg = 35;
  f.length = 6000;
  f.width = 3000;
  f.slip = Slip{-0.5, 1.2, 0.1};
  Stations st;
  st.push_back(1500, -2500, 0.0);
  st.push_back(-300, 800, 0.0);
  st.push_back(1500, -2500, -1000.0);
  const auto d = okada1992(m, f, st);
  for (int k = 0; k < 2; ++k) {
    const auto s = stress(m, d[k]);
    const double scale = std::max({std::abs(s[0]), std::abs(s[1]), std::abs(s[3])});
    EXPECT_GT(scale, 0.0);
    EXPECT_LT(std::abs(s[2]), 1e-12 * scale);
    EXPECT_LT(std::abs(s[4]), 1e-12 * scale);
    EXPECT_LT(std::abs(s[5]), 1e-12 * scale);
  }
  const auto s = stress(m, d[2]);   // at depth: not traction-free
  EXPECT_GT(std::abs(s[2]) + std::abs(s[4]) + std::abs(s[5]), 1e-3 * std::abs(s[0]));
}

TEST(Okada, Okada1985MatchesDc3dAtSurface) {
  for (double dip : {90.0, 70.0, 20.0, -45.0, -90.0})
    for (double x : {-3.0, 0.5, 4.0})
      for (double y : {-2.5, 1.0, 3.0}) {
        const Slip s{0.7, -0.4, 0.25};
        const Deformation a = okada85_rect(kAlpha, x, y, 4.0, dip, 3.0, 2.0, s);
        const Deformation b = dc3d(kAlpha, x, y, 0.0, 4.0, dip, 0.0, 3.0, 0.0, 2.0, s);
        const double su = max_abs(b), sg = max_abs_grad(b);
        for (int i = 0; i < 3; ++i) EXPECT_NEAR(a.u[i], b.u[i], 1e-11 * su) << dip << " " << x << " " << y;
        for (int k = 0; k < 9; ++k) EXPECT_NEAR(a.grad[k], b.grad[k], 1e-11 * sg) << dip << " " << x << " " << y << " " << k;
        const Deformation p = okada85_point(kAlpha, x, y, 4.0, dip, s);
        const Deformation q = dc3d0(kAlpha, x, y, 0.0, 4.0, dip, s);
        for (int i = 0; i < 3; ++i) EXPECT_NEAR(p.u[i], q.u[i], 1e-12 * max_abs(q));
        for (int k = 0; k < 9; ++k) EXPECT_NEAR(p.grad[k], q.grad[k], 1e-12 * max_abs_grad(q));
      }
}

TEST(Okada, GradientsMatchFiniteDifferencesAtDepth) {
  const double h = 1e-5;
  for (double dip : {90.0, 63.0, 12.0, -30.0})
    for (const Slip& s : {Slip{1, 0, 0}, Slip{0, 1, 0}, Slip{0, 0, 1}}) {
      const double px[3] = {-2.3, 1.1, -6.0};
      auto rect = [&](double x, double y, double z) { return dc3d(kAlpha, x, y, z, 6.0, dip, -2.0, 2.5, -1.5, 1.5, s); };
      auto point = [&](double x, double y, double z) { return dc3d0(kAlpha, x, y, z, 6.0, dip, s); };
      for (const auto& f : {std::function<Deformation(double, double, double)>(rect),
                            std::function<Deformation(double, double, double)>(point)}) {
        const Deformation d0 = f(px[0], px[1], px[2]);
        const double sg = max_abs_grad(d0);
        for (int j = 0; j < 3; ++j) {
          double p[3] = {px[0], px[1], px[2]}, m[3] = {px[0], px[1], px[2]};
          p[j] += h;
          m[j] -= h;
          const Deformation dp = f(p[0], p[1], p[2]), dm = f(m[0], m[1], m[2]);
          for (int i = 0; i < 3; ++i)
            EXPECT_NEAR((dp.u[i] - dm.u[i]) / (2 * h), d0.g(i, j), 1e-7 * sg) << "dip " << dip << " i " << i << " j " << j;
        }
      }
    }
}

TEST(Okada, GradientsExactOnSingularLines) {
  // Points where the paper's singular-point rules act (theta at q = 0, the I4 arctangent at xi = 0,
  // R + eta = 0): on the fault plane's extension beyond an edge, on the extension of an edge line,
  // and on the extension of a surface-breaking trace. The gradients must still equal central
  // differences (the field is smooth there).
  const double h = 1e-6;
  for (double dip : {90.0, 70.0, 30.0, -50.0})
    for (double eta : {3.0, -2.5, 0.7})
      for (double xoff : {0.0, 1.0})
        for (const Slip& s : {Slip{1, 0, 0}, Slip{0, 1, 0}, Slip{0, 0, 1}}) {
          if (xoff == 0.0 && eta == 0.7) continue;   // on the fault edge itself: singular
          const double sd = std::sin(dip * M_PI / 180), cd = dip == 90.0 ? 0.0 : std::cos(dip * M_PI / 180);
          const double x0[3] = {3.25 + xoff, eta * cd, -7.0 + eta * sd};
          auto f = [&](const double* p) { return dc3d(kAlpha, p[0], p[1], p[2], 7.0, dip, -3.25, 3.25, -1.6, 1.6, s); };
          const Deformation d0 = f(x0);
          ASSERT_FALSE(d0.singular);
          for (int j = 0; j < 3; ++j) {
            double p[3] = {x0[0], x0[1], x0[2]}, m[3] = {x0[0], x0[1], x0[2]};
            p[j] += h;
            m[j] -= h;
            const Deformation a = f(p), b = f(m);
            for (int i = 0; i < 3; ++i)
              EXPECT_NEAR((a.u[i] - b.u[i]) / (2 * h), d0.g(i, j), 1e-7 * max_abs_grad(d0))
                  << "dip " << dip << " eta " << eta << " xoff " << xoff << " i " << i << " j " << j;
          }
        }
  for (double x : {-1.0, 4.0})
    for (const Slip& s : {Slip{1, 0, 0}, Slip{0, 1, 0}, Slip{0, 0, 1}}) {
      auto f = [&](double xx, double yy) { return okada85_rect(kAlpha, xx, yy, 2.0, 90.0, 3.0, 2.0, s); };
      const Deformation d0 = f(x, 0.0);
      ASSERT_FALSE(d0.singular);
      const Deformation ax = f(x + h, 0.0), bx = f(x - h, 0.0), ay = f(x, h), by = f(x, -h);
      for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR((ax.u[i] - bx.u[i]) / (2 * h), d0.g(i, 0), 1e-7 * max_abs_grad(d0)) << x << " " << i;
        EXPECT_NEAR((ay.u[i] - by.u[i]) / (2 * h), d0.g(i, 1), 1e-7 * max_abs_grad(d0)) << x << " " << i;
      }
    }
}

TEST(Okada, NavierEquilibriumAtDepth) {
  // mu lap u + (lambda + mu) grad div u = 0, second derivatives by central differences of the
  // exact gradients; lambda = 2, mu = 1.
  const HalfSpace m{2.0, 1.0};
  const double h = 1e-4;
  for (double dip : {90.0, 50.0, -20.0})
    for (const Slip& s : {Slip{1, 0, 0}, Slip{0, 1, 0}, Slip{0, 0, 1}})
      for (int kind = 0; kind < 2; ++kind) {
        auto f = [&](double x, double y, double z) {
          return kind == 0 ? dc3d(m.alpha(), x, y, z, 7.0, dip, -3.0, 3.0, -1.6, 1.6, s)
                           : dc3d0(m.alpha(), x, y, z, 7.0, dip, s);
        };
        const double x0[3] = {-2.0, 1.2, -4.0};
        double H[3][3][3], scale = 0;
        for (int j = 0; j < 3; ++j) {
          double p[3] = {x0[0], x0[1], x0[2]}, q[3] = {x0[0], x0[1], x0[2]};
          p[j] += h;
          q[j] -= h;
          const Deformation a = f(p[0], p[1], p[2]), b = f(q[0], q[1], q[2]);
          for (int i = 0; i < 3; ++i)
            for (int k = 0; k < 3; ++k) {
              H[i][k][j] = (a.g(i, k) - b.g(i, k)) / (2 * h);
              scale = std::max(scale, std::abs(H[i][k][j]));
            }
        }
        for (int i = 0; i < 3; ++i) {
          double lap = 0, graddiv = 0;
          for (int k = 0; k < 3; ++k) {
            lap += H[i][k][k];
            graddiv += H[k][k][i];
          }
          EXPECT_LT(std::abs(m.mu * lap + (m.lambda + m.mu) * graddiv), 1e-6 * scale)
              << "dip " << dip << " kind " << kind << " component " << i;
        }
      }
}

TEST(Okada, DisplacementJumpEqualsSlip) {
  // hanging wall minus foot wall across the fault centre = slip vector in (x, y, z)
  for (double dip : {90.0, 70.0, 25.0}) {
    const double sd = std::sin(dip * M_PI / 180), cd = dip == 90.0 ? 0.0 : std::cos(dip * M_PI / 180);
    const double e = 1e-8;
    const Slip s{0.3, -1.2, 0.5};
    auto at = [&](double side) {
      return dc3d(kAlpha, 0.4, -side * e * sd, -7.0 + side * e * cd, 7.0, dip, -3.0, 3.0, -1.6, 1.6, s);
    };
    const Deformation hw = at(1.0), fw = at(-1.0);
    const double expect[3] = {s.strike, s.dip * cd - s.tensile * sd, s.dip * sd + s.tensile * cd};
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(hw.u[i] - fw.u[i], expect[i], 1e-6) << "dip " << dip << " i " << i;
  }
}

TEST(Okada, TinyRectangleMatchesPointSource) {
  const double a = 1e-3;   // side of the square patch; potency = slip * a^2
  for (double dip : {90.0, 40.0})
    for (const Slip& s : {Slip{1, 0, 0}, Slip{0, 1, 0}, Slip{0, 0, 1}}) {
      const Slip pot{s.strike * a * a, s.dip * a * a, s.tensile * a * a};
      for (double z : {0.0, -2.0}) {
        const Deformation r = dc3d(kAlpha, 2.0, -3.0, z, 5.0, dip, -a / 2, a / 2, -a / 2, a / 2, s);
        const Deformation p = dc3d0(kAlpha, 2.0, -3.0, z, 5.0, dip, pot);
        for (int i = 0; i < 3; ++i) EXPECT_NEAR(r.u[i], p.u[i], 1e-6 * max_abs(p)) << dip << " " << z;
        for (int k = 0; k < 9; ++k) EXPECT_NEAR(r.grad[k], p.grad[k], 1e-6 * max_abs_grad(p)) << dip << " " << z;
      }
    }
}

TEST(Okada, VerticalFaultLimit) {
  // the cos(dip) = 0 formulas are the limit of the general ones
  const Slip s{0.6, 0.8, 0.3};
  for (double dip : {90.0, -90.0}) {
    const double near = dip > 0 ? 90.0 - 1e-5 : -90.0 + 1e-5;
    const Deformation a = okada85_rect(kAlpha, 1.3, 2.2, 4.0, dip, 3.0, 2.0, s);
    const Deformation b = okada85_rect(kAlpha, 1.3, 2.2, 4.0, near, 3.0, 2.0, s);
    const Deformation c = dc3d(kAlpha, 1.3, 2.2, -1.0, 4.0, dip, 0.0, 3.0, 0.0, 2.0, s);
    const Deformation d = dc3d(kAlpha, 1.3, 2.2, -1.0, 4.0, near, 0.0, 3.0, 0.0, 2.0, s);
    for (int i = 0; i < 3; ++i) {
      EXPECT_NEAR(a.u[i], b.u[i], 1e-5 * max_abs(a));
      EXPECT_NEAR(c.u[i], d.u[i], 1e-5 * max_abs(c));
    }
    for (int k = 0; k < 9; ++k) {
      EXPECT_NEAR(a.grad[k], b.grad[k], 1e-5 * max_abs_grad(a));
      EXPECT_NEAR(c.grad[k], d.grad[k], 1e-5 * max_abs_grad(c));
    }
  }
}

TEST(Okada, SingularPointsOnFaultEdges) {
  // surface-breaking vertical fault (top edge at z = 0): stations on its trace's end points, and a
  // station on the buried edge at depth
  const Slip s{1, 1, 1};
  const Deformation a = dc3d(kAlpha, 0.0, 0.0, 0.0, 2.0, 90.0, 0.0, 3.0, 0.0, 2.0, s);   // corner at surface
  const Deformation b = dc3d(kAlpha, 1.5, 0.0, -2.0, 2.0, 90.0, 0.0, 3.0, 0.0, 2.0, s);  // bottom edge
  const Deformation c = okada85_rect(kAlpha, 3.0, 0.0, 2.0, 90.0, 3.0, 2.0, s);          // trace end point
  const Deformation d = dc3d0(kAlpha, 0.0, 0.0, -3.0, 3.0, 30.0, s);                     // at the point source
  for (const Deformation* x : {&a, &b, &c, &d}) {
    EXPECT_TRUE(x->singular);
    EXPECT_EQ(max_abs(*x), 0.0);
    EXPECT_EQ(max_abs_grad(*x), 0.0);
  }
  // just off the edge: regular and finite
  const Deformation e = dc3d(kAlpha, 1.5, 1e-3, -2.0, 2.0, 90.0, 0.0, 3.0, 0.0, 2.0, s);
  EXPECT_FALSE(e.singular);
  for (double v : e.grad) EXPECT_TRUE(std::isfinite(v));
  // on the fault plane's extension (q = 0, off the fault): regular, continuous across the plane
  const Deformation f0 = dc3d(kAlpha, 5.0, 0.0, -1.0, 2.0, 90.0, 0.0, 3.0, 0.0, 2.0, s);
  const Deformation f1 = dc3d(kAlpha, 5.0, 1e-9, -1.0, 2.0, 90.0, 0.0, 3.0, 0.0, 2.0, s);
  EXPECT_FALSE(f0.singular);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(f0.u[i], f1.u[i], 1e-7);
}

TEST(Okada, GlobalFrameRotationAndKernelSum) {
  const HalfSpace m = HalfSpace::from_poisson_ratio(0.3, 3e10);
  std::vector<RectangularFault> faults;
  for (int k = 0; k < 5; ++k) {
    RectangularFault f;
    f.east = 100.0 * k;
    f.north = -50.0 * k;
    f.depth = 3000.0 + 200.0 * k;
    f.strike_deg = 20.0 + 35.0 * k;
    f.dip_deg = 80.0 - 17.0 * k;
    f.length = 2000.0;
    f.width = 1500.0;
    f.slip = Slip{0.5 - 0.2 * k, 1.0, 0.1 * k};
    faults.push_back(f);
  }
  Stations st;
  for (int i = 0; i < 12; ++i) st.push_back(-4000.0 + 700.0 * i, 3000.0 - 450.0 * i, i % 3 == 0 ? 0.0 : -300.0 * i);
  const auto sum = okada1992_sum(m, faults, st);
  ASSERT_EQ(sum.size(), st.size());
  for (std::size_t s = 0; s < st.size(); ++s) {
    Deformation ref;
    for (const auto& f : faults) {
      Stations one;
      one.push_back(st.east[s], st.north[s], st.up[s]);
      const Deformation d = okada1992(m, f, one).at(0);
      for (int i = 0; i < 3; ++i) ref.u[i] += d.u[i];
      for (int k = 0; k < 9; ++k) ref.grad[k] += d.grad[k];
    }
    for (int i = 0; i < 3; ++i) EXPECT_NEAR(sum[s].u[i], ref.u[i], 1e-13 * max_abs(ref));
    for (int k = 0; k < 9; ++k) EXPECT_NEAR(sum[s].grad[k], ref.grad[k], 1e-13 * max_abs_grad(ref));
    EXPECT_FALSE(sum[s].singular);
  }
  // rotating fault and stations together rotates the result
  RectangularFault f = faults[2];
  f.east = f.north = 0.0;
  RectangularFault g = f;
  g.strike_deg += 90.0;   // rotate by 90 deg clockwise about the vertical: (e, n) -> (n, -e)
  Stations a, b;
  a.push_back(1234.0, -567.0, -890.0);
  b.push_back(-567.0, -1234.0, -890.0);
  const Deformation da = okada1992(m, f, a).at(0), db = okada1992(m, g, b).at(0);
  EXPECT_NEAR(db.u[0], da.u[1], 1e-12 * max_abs(da));
  EXPECT_NEAR(db.u[1], -da.u[0], 1e-12 * max_abs(da));
  EXPECT_NEAR(db.u[2], da.u[2], 1e-12 * max_abs(da));
  // d u_e'/d e' = d u_n / d n, etc. with e' = n, n' = -e
  EXPECT_NEAR(db.g(0, 0), da.g(1, 1), 1e-12 * max_abs_grad(da));
  EXPECT_NEAR(db.g(0, 1), -da.g(1, 0), 1e-12 * max_abs_grad(da));
  EXPECT_NEAR(db.g(2, 2), da.g(2, 2), 1e-12 * max_abs_grad(da));
  // the three references describe the same rectangle
  RectangularFault c = f, k = f, t = f;
  const double d2r = M_PI / 180, ss = std::sin(f.strike_deg * d2r), cs = std::cos(f.strike_deg * d2r);
  const double sd = std::sin(f.dip_deg * d2r), cd = std::cos(f.dip_deg * d2r);
  k.reference = FaultReference::okada85_corner;   // shift by (-L/2 along strike, -W/2 up-dip)
  k.east = -0.5 * f.length * ss - (-0.5 * f.width * cd) * cs;
  k.north = -0.5 * f.length * cs + (-0.5 * f.width * cd) * ss;
  k.depth = f.depth + 0.5 * f.width * sd;
  t.reference = FaultReference::top_center;      // shift by +W/2 up-dip
  t.east = -(0.5 * f.width * cd) * cs;
  t.north = (0.5 * f.width * cd) * ss;
  t.depth = f.depth - 0.5 * f.width * sd;
  const Deformation dc = okada1992(m, c, a).at(0), dk = okada1992(m, k, a).at(0), dt = okada1992(m, t, a).at(0);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(dk.u[i], dc.u[i], 1e-10 * max_abs(dc));
    EXPECT_NEAR(dt.u[i], dc.u[i], 1e-10 * max_abs(dc));
  }
  // surface: the 1985 global API agrees with the 1992 one
  Stations surf;
  surf.push_back(800.0, 2500.0, 0.0);
  const Deformation s85 = okada1985_surface(m, f, surf).at(0), s92 = okada1992(m, f, surf).at(0);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(s85.u[i], s92.u[i], 1e-12 * max_abs(s92));
  for (int kk = 0; kk < 9; ++kk) EXPECT_NEAR(s85.grad[kk], s92.grad[kk], 1e-11 * max_abs_grad(s92));
  PointSource ps;
  ps.depth = 2500.0;
  ps.strike_deg = 130.0;
  ps.dip_deg = 35.0;
  ps.potency = Slip{1e6, -2e6, 5e5};
  const Deformation p85 = okada1985_surface(m, ps, surf).at(0), p92 = okada1992(m, ps, surf).at(0);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(p85.u[i], p92.u[i], 1e-12 * max_abs(p92));
  for (int kk = 0; kk < 9; ++kk) EXPECT_NEAR(p85.grad[kk], p92.grad[kk], 1e-11 * max_abs_grad(p92));
}

TEST(Okada, KernelFlagsSingularStations) {
  RectangularFault f;
  f.depth = 2.0;
  f.dip_deg = 90.0;
  f.length = 3.0;
  f.width = 2.0;
  f.strike_deg = 90.0;
  f.reference = FaultReference::okada85_corner;
  f.slip = Slip{1, 0, 0};
  RectangularFault g = f;
  g.east = 10.0;
  Stations st;
  st.push_back(0.0, 0.0, 0.0);    // corner of f at the surface
  st.push_back(5.0, 4.0, -1.0);   // regular
  const auto out = okada1992_sum(HalfSpace{}, {f, g}, st);
  EXPECT_TRUE(out[0].singular);
  EXPECT_FALSE(out[1].singular);
  // the singular station still receives g's contribution
  const Deformation only_g = okada1992(HalfSpace{}, g, [&] {
                               Stations s;
                               s.push_back(0.0, 0.0, 0.0);
                               return s;
                             }()).at(0);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(out[0].u[i], only_g.u[i], 1e-15);
}

TEST(Okada, InvalidInputThrows) {
  RectangularFault f;
  f.depth = 5.0;
  f.dip_deg = 45.0;
  f.length = 2.0;
  f.width = 2.0;
  Stations ok_st;
  ok_st.push_back(1.0, 1.0, -1.0);
  const HalfSpace m;
  EXPECT_NO_THROW(okada1992(m, f, ok_st));
  EXPECT_THROW(okada1992(HalfSpace{1.0, -1.0}, f, ok_st), InvalidInput);            // mu <= 0
  EXPECT_THROW(okada1992(HalfSpace{-1.0, 1.0}, f, ok_st), InvalidInput);            // bulk modulus < 0
  EXPECT_THROW(HalfSpace::from_poisson_ratio(0.5), InvalidInput);
  Stations above;
  above.push_back(0.0, 0.0, 0.5);
  EXPECT_THROW(okada1992(m, f, above), InvalidInput);                               // station above surface
  Stations ragged = ok_st;
  ragged.up.push_back(-1.0);
  EXPECT_THROW(okada1992(m, f, ragged), InvalidInput);                              // arrays differ
  EXPECT_THROW(okada1985_surface(m, f, ok_st), InvalidInput);                       // 1985: up must be 0
  RectangularFault bad = f;
  bad.length = 0.0;
  EXPECT_THROW(okada1992(m, bad, ok_st), InvalidInput);
  bad = f;
  bad.width = -1.0;
  EXPECT_THROW(okada1992(m, bad, ok_st), InvalidInput);
  bad = f;
  bad.depth = 0.5;   // centroid at 0.5 with W/2 sin(45) = 0.71 up-dip: above the surface
  EXPECT_THROW(okada1992(m, bad, ok_st), InvalidInput);
  bad = f;
  bad.dip_deg = 120.0;
  EXPECT_THROW(okada1992(m, bad, ok_st), InvalidInput);
  bad = f;
  bad.slip.dip = std::nan("");
  EXPECT_THROW(okada1992(m, bad, ok_st), InvalidInput);
  EXPECT_THROW(okada1992_sum(m, {f, bad}, ok_st), InvalidInput);
  PointSource p;
  p.depth = 0.0;
  EXPECT_THROW(okada1992(m, p, ok_st), InvalidInput);                               // point at the surface
  EXPECT_THROW(dc3d(1.2, 0, 0, 0, 5, 30, 0, 1, 0, 1, Slip{1, 0, 0}), InvalidInput);  // alpha outside (0, 1)
  EXPECT_THROW(dc3d(kAlpha, 0, 0, 0, 5, 30, 1, 1, 0, 1, Slip{1, 0, 0}), InvalidInput);  // zero length
  EXPECT_THROW(dc3d0(kAlpha, 0, 0, 1, 5, 30, Slip{1, 0, 0}), InvalidInput);          // z > 0
  EXPECT_THROW(okada85_rect(kAlpha, 0, 0, 1, 60, 3, 2, Slip{1, 0, 0}), InvalidInput); // fault above surface
}
