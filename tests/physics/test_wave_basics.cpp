// Wave solver: source time functions, option validation, GLL numbering conventions.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/wave/detail.hpp"
#include "hyseis/physics/wave/solver.hpp"
#include "hyseis/solvers/sem_kernels.hpp"
#include "wave_common.hpp"

namespace hw = hyseis::physics::wave;
using hw::testing::acoustic_box;
using hw::testing::elastic_box;

TEST(WaveSourceTimeFunction, RickerGaussianAndDerivative) {
  hw::SourceOptions s;
  s.f0 = 5;
  s.time_shift = 0.3;
  s.amplitude = 2.5;
  s.time_function = hw::TimeFunction::ricker;
  EXPECT_DOUBLE_EQ(hw::source_time_function(s, 0.3), 2.5);
  // zero crossings of the Ricker wavelet at tau = +-1/(pi f0 sqrt(2))
  const double tz = 1.0 / (M_PI * s.f0 * std::sqrt(2.0));
  EXPECT_NEAR(hw::source_time_function(s, 0.3 + tz), 0.0, 1e-12);
  EXPECT_NEAR(hw::source_time_function(s, 0.3 - tz), 0.0, 1e-12);
  EXPECT_LT(hw::source_time_function(s, 0.3 + 2 * tz), 0.0);
  s.time_function = hw::TimeFunction::gaussian;
  EXPECT_DOUBLE_EQ(hw::source_time_function(s, 0.3), 2.5);
  const double a = M_PI * M_PI * 25;
  EXPECT_NEAR(hw::source_time_function(s, 0.4), 2.5 * std::exp(-a * 0.01), 1e-14);
  // gaussian_derivative is the time derivative of gaussian
  hw::SourceOptions d = s;
  d.time_function = hw::TimeFunction::gaussian_derivative;
  for (double t : {0.1, 0.25, 0.3, 0.37}) {
    const double h = 1e-6;
    const double fd = (hw::source_time_function(s, t + h) - hw::source_time_function(s, t - h)) / (2 * h);
    EXPECT_NEAR(hw::source_time_function(d, t), fd, 1e-5 * 2.5 * std::sqrt(a));
  }
}

// Causal pulse: zero before the onset t_c, peak `amplitude` at x = 2 pi f0 (t - t_c) = 4, and its
// Fourier transform is amplitude * 4! T / (4^4 e^-4) / (1 + i w T)^5 with T = 1 / (2 pi f0)
// (checked by trapezoidal quadrature).
TEST(WaveSourceTimeFunction, Causal) {
  hw::SourceOptions s;
  s.f0 = 3.0;
  s.time_shift = 0.2;
  s.amplitude = 1.7;
  s.time_function = hw::TimeFunction::causal;
  const double T = 1.0 / (2 * M_PI * s.f0);
  EXPECT_EQ(hw::source_time_function(s, 0.0), 0.0);
  EXPECT_EQ(hw::source_time_function(s, 0.2), 0.0);
  EXPECT_NEAR(hw::source_time_function(s, 0.2 + 4 * T), 1.7, 1e-14);
  EXPECT_LT(hw::source_time_function(s, 0.2 + 3.9 * T), 1.7);
  EXPECT_LT(hw::source_time_function(s, 0.2 + 4.1 * T), 1.7);
  const double dt = 1e-5, tmax = 0.2 + 80 * T;
  for (double f : {0.5, 3.0, 10.0}) {
    const double w = 2 * M_PI * f;
    double re = 0, im = 0;
    for (double t = 0; t <= tmax; t += dt) {
      const double g = hw::source_time_function(s, t);
      re += g * std::cos(w * (t - 0.2)) * dt;
      im -= g * std::sin(w * (t - 0.2)) * dt;
    }
    const double expected = 1.7 * 24 * T / (256 * std::exp(-4.0)) / std::pow(1 + w * w * T * T, 2.5);
    EXPECT_NEAR(std::hypot(re, im), expected, 1e-4 * expected) << "f = " << f;
  }
}

namespace {
void expect_invalid(const hw::WaveProblem& pb, const std::string& needle) {
  try {
    pb.validate();
    ADD_FAILURE() << "validate() accepted a problem that should fail with '" << needle << "'";
  } catch (const hyseis::core::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos)
        << "message '" << e.what() << "' does not mention '" << needle << "'";
  }
}
}  // namespace

TEST(WaveValidate, AcceptsDefaultsOfTheTestBoxes) {
  EXPECT_NO_THROW(elastic_box(1000, 4, 4, hw::BoundaryType::absorbing).validate());
  EXPECT_NO_THROW(acoustic_box(1000, 4, 4, hw::BoundaryType::free).validate());
}

TEST(WaveValidate, NamesFieldAndConstraint) {
  using hw::BoundaryType;
  auto base = [] { return elastic_box(1000, 4, 4, BoundaryType::absorbing); };
  { auto p = base(); p.medium.layers[0].vp = -1; expect_invalid(p, "medium.layers[0].vp"); }
  { auto p = base(); p.medium.layers[0].rho = 0; expect_invalid(p, "medium.layers[0].rho"); }
  { auto p = base(); p.medium.layers[0].vs = 0; expect_invalid(p, "medium.layers[0].vs"); }
  { auto p = base(); p.medium.layers[0].vs = -5; expect_invalid(p, "must be > 0"); }
  { auto p = base(); p.medium.layers[0].vs = 1800; expect_invalid(p, "Poisson ratio"); }
  {
    auto p = base();
    p.medium.layers = {hw::Layer{0, 2000, 1000, 2000}, hw::Layer{10, 3000, 1500, 2500}};
    expect_invalid(p, "top to bottom");
  }
  { auto p = base(); p.mesh.degree = 9; expect_invalid(p, "mesh.degree"); }
  { auto p = base(); p.mesh.degree = 0; expect_invalid(p, "mesh.degree"); }
  { auto p = base(); p.mesh.nx = 0; expect_invalid(p, "mesh.nx"); }
  { auto p = base(); p.mesh.xmax = p.mesh.xmin; expect_invalid(p, "xmin < xmax"); }
  { auto p = base(); p.sources.clear(); expect_invalid(p, "sources"); }
  { auto p = base(); p.sources[0].x = 1500; expect_invalid(p, "sources[0]"); }
  { auto p = base(); p.sources[0].type = hw::SourceType::pressure; expect_invalid(p, "sources[0].type"); }
  {
    auto p = base();
    p.receivers = {{"in", 10, -10}, {"out", 10, 20}};
    expect_invalid(p, "receivers[1] 'out'");
  }
  { auto p = base(); p.time.duration = 0; expect_invalid(p, "time.duration"); }
  { auto p = base(); p.time.dt = -1; expect_invalid(p, "time.dt"); }
  { auto p = base(); p.record = hw::RecordQuantity::pressure; expect_invalid(p, "record"); }
  {
    auto p = base();
    p.medium.gridded = hw::GriddedModel{"/nonexistent/model.h5"};
    expect_invalid(p, "medium.gridded.file");
  }
  {
    auto p = acoustic_box(1000, 4, 4, BoundaryType::free);
    p.sources[0].type = hw::SourceType::force;
    expect_invalid(p, "acoustic physics requires a pressure source");
  }
  { auto p = acoustic_box(1000, 4, 4, BoundaryType::free); p.medium.layers[0].vs = 0; EXPECT_NO_THROW(p.validate()); }
}

TEST(WaveGll, DealIINumberingMatchesKernelLexicographicOrder) {
  for (int p = 1; p <= 8; ++p) {
    const auto num = hw::detail::gll_numbering(p);
    const auto gll = hyseis::solvers::gll_rule(p);
    ASSERT_EQ(num.quadrature_points.size(), static_cast<std::size_t>((p + 1) * (p + 1)));
    for (int j = 0; j <= p; ++j)
      for (int i = 0; i <= p; ++i) {
        const int q = j * (p + 1) + i;
        const double x = 0.5 * (1 + gll.points[i]), z = 0.5 * (1 + gll.points[j]);
        EXPECT_NEAR(num.quadrature_points[q][0], x, 1e-13) << "p=" << p << " q=" << q;
        EXPECT_NEAR(num.quadrature_points[q][1], z, 1e-13) << "p=" << p << " q=" << q;
        EXPECT_NEAR(num.support_points[q][0], x, 1e-13) << "p=" << p << " q=" << q;
        EXPECT_NEAR(num.support_points[q][1], z, 1e-13) << "p=" << p << " q=" << q;
      }
  }
}
