// Unit tests of the validation infrastructure: trace reader, interpolation, misfit measures and
// the Lamb reference's independent checks.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "hyseis/core/error.hpp"
#include "hyseis/validation/lamb.hpp"
#include "hyseis/validation/traces.hpp"

namespace hv = hyseis::validation;

namespace {

hv::Trace ricker_trace(double shift, double dt = 1e-3, int n = 1000) {
  hv::Trace t;
  const double a = M_PI * M_PI * 100.0;  // f0 = 10 Hz
  for (int i = 0; i < n; ++i) {
    const double ti = i * dt, tau = ti - 0.3 - shift;
    t.time.push_back(ti);
    t.value.push_back((1 - 2 * a * tau * tau) * std::exp(-a * tau * tau));
  }
  return t;
}

std::string write_tmp(const std::string& name, const std::string& text) {
  const auto p = std::filesystem::temp_directory_path() / ("hyseis_val_" + name);
  std::ofstream(p) << text;
  return p.string();
}

}  // namespace

TEST(ValidationTraces, ReadsTwoColumnsWithCommentsAndFortranExponents) {
  const auto p = write_tmp("ok.dat", "# comment\n\n 0.0  1.0D+00\n 0.5 -2.5E-01\n! other\n 1.0 3\n");
  const auto t = hv::read_ascii_trace(p);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_DOUBLE_EQ(t.value[0], 1.0);
  EXPECT_DOUBLE_EQ(t.value[1], -0.25);
  EXPECT_DOUBLE_EQ(t.time[2], 1.0);
}

TEST(ValidationTraces, ReaderErrorsNameTheFile) {
  const auto bad = write_tmp("bad.dat", "0.0 1.0\n0.1 abc\n");
  try {
    hv::read_ascii_trace(bad);
    FAIL() << "expected IoError";
  } catch (const hyseis::core::IoError& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("line 2"), std::string::npos);
  }
  const auto one = write_tmp("one.dat", "0.0 1.0\n");
  EXPECT_THROW(hv::read_ascii_trace(one), hyseis::core::IoError);
  const auto nonmono = write_tmp("nonmono.dat", "0.0 1.0\n0.2 1\n0.1 2\n");
  EXPECT_THROW(hv::read_ascii_trace(nonmono), hyseis::core::IoError);
  EXPECT_THROW(hv::read_ascii_trace("/nonexistent/dir/trace.dat"), hyseis::core::IoError);
}

TEST(ValidationTraces, MisfitOfIdenticalTracesIsZero) {
  const auto t = ricker_trace(0.0);
  EXPECT_EQ(hv::relative_l2(t.value, t, 0.0, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(hv::peak_ratio(t.value, t, 0.0, 1.0), 1.0);
  EXPECT_NEAR(hv::xcorr_lag(t.value, t, 0.0, 1.0, 10), 0.0, 1e-12);
  EXPECT_TRUE(hv::all_finite(t.value));
  auto scaled = t.value;
  for (auto& v : scaled) v *= 1.01;
  EXPECT_NEAR(hv::relative_l2(scaled, t, 0.0, 1.0), 0.01, 1e-12);
  std::vector<double> nan = {1.0, std::nan("")};
  EXPECT_FALSE(hv::all_finite(nan));
}

TEST(ValidationTraces, KnownShiftGivesKnownLag) {
  const auto ref = ricker_trace(0.0);
  const auto late = ricker_trace(0.003);   // 3 samples later
  EXPECT_NEAR(hv::xcorr_lag(late.value, ref, 0.0, 1.0, 10), 3.0, 0.05);
  const auto early = ricker_trace(-0.0025);  // -2.5 samples: sub-sample refinement
  EXPECT_NEAR(hv::xcorr_lag(early.value, ref, 0.0, 1.0, 10), -2.5, 0.1);
}

TEST(ValidationTraces, CubicInterpolationIsAccurate) {
  const auto fine = ricker_trace(0.0, 1e-3, 1000);
  const auto coarse = ricker_trace(0.0, 2e-3, 500);
  const auto on_fine = hv::interpolate_cubic(coarse, fine.time);
  // 2 ms sampling of a 10 Hz Ricker: cubic error well below 1e-3 relative
  EXPECT_LT(hv::relative_l2(on_fine, fine, 0.0, 0.99), 1e-3);
  // outside the source range -> 0
  const auto out = hv::interpolate_cubic(coarse, {-1.0, 5.0});
  EXPECT_EQ(out[0], 0.0);
  EXPECT_EQ(out[1], 0.0);
}

TEST(ValidationTraces, TransformShiftsAndScales) {
  const auto t = ricker_trace(0.0);
  const auto g = hv::transform(t, -0.024, -1e3);
  EXPECT_DOUBLE_EQ(g.time[10], t.time[10] - 0.024);
  EXPECT_DOUBLE_EQ(g.value[300], -1e3 * t.value[300]);
}

// ---- Lamb reference: checks independent of the SEM ----------------------------------------

TEST(LambReference, RayleighSpeedAndEllipticityOfPoissonSolid) {
  const hv::lamb::HalfSpace m{2000.0, 2000.0 / std::sqrt(3.0), 2000.0};
  // Poisson solid: c_R / vs = sqrt(2 - 2/sqrt(3)) = 0.919402 (Rayleigh 1885; Achenbach ch. 5)
  EXPECT_NEAR(hv::lamb::rayleigh_velocity(m) / m.vs, std::sqrt(2 - 2 / std::sqrt(3.0)), 1e-9);
  // vertical/horizontal surface amplitude ratio of the Rayleigh wave: 1.4679 for nu = 1/4
  double ax = 0, az = 0;
  hv::lamb::rayleigh_amplitudes(m, ax, az);
  EXPECT_NEAR(az / ax, 1.4679, 2e-4);
}

TEST(LambReference, WavenumberIntegrationConverged) {
  const hv::lamb::HalfSpace m{2000.0, 2000.0 / std::sqrt(3.0), 2000.0};
  const hv::lamb::RickerSource s{1.0, 1.0, 10.0, 0.12};
  std::vector<double> t;
  for (int i = 0; i <= 650; i += 2) t.push_back(i * 1e-3);
  const auto a = hv::lamb::surface_displacement_dwn(m, s, 300.0, t);
  hv::lamb::DwnOptions o;
  o.spacing = 2 * 4 * 2000 * 4 * 0.65;   // twice the default source spacing
  o.eps = 1.0;                            // different imaginary frequency
  o.period = 4.0;                         // different period
  const auto b = hv::lamb::surface_displacement_dwn(m, s, 300.0, t, o);
  hv::Trace ra{t, a.ux}, rz{t, a.uz};
  EXPECT_LT(hv::relative_l2(b.ux, ra, 0, 1), 1e-5);
  EXPECT_LT(hv::relative_l2(b.uz, rz, 0, 1), 1e-5);
  // causality: nothing before the P arrival (t_c - 1.2/f0 + x/vp = 0.15 s)
  double early = 0, peak = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] < 0.1) early = std::max(early, std::abs(a.uz[i]));
    peak = std::max(peak, std::abs(a.uz[i]));
  }
  EXPECT_LT(early, 1e-6 * peak);
}

TEST(LambReference, FarFieldEqualsRayleighPoleResidue) {
  // At 5 km the surface record near t = x/c_R is the Rayleigh pulse alone (body waves along
  // the surface decay with distance): the wavenumber integral must reproduce the residue,
  // computed by an independent real-frequency formula (u_x ~ s, u_z ~ Hilbert transform of s).
  const hv::lamb::HalfSpace m{2000.0, 2000.0 / std::sqrt(3.0), 2000.0};
  const hv::lamb::RickerSource s{1.0, 1.0, 10.0, 0.12};
  const double x = 5000.0, cr = hv::lamb::rayleigh_velocity(m);
  std::vector<double> t;
  for (double tt = x / cr + 0.12 - 0.25; tt <= x / cr + 0.12 + 0.25; tt += 2e-3) t.push_back(tt);
  hv::lamb::DwnOptions o;
  o.period = 12;
  o.spacing = 30000;
  o.kmax = 10 * 2 * M_PI * 50 / m.vs;
  o.eps = 0.5;
  const auto dwn = hv::lamb::surface_displacement_dwn(m, s, x, t, o);
  const auto res = hv::lamb::rayleigh_pole_contribution(m, s, x, t);
  hv::Trace rx{t, res.ux}, rz{t, res.uz};
  EXPECT_LT(hv::relative_l2(dwn.ux, rx, 0, 1e9), 1e-3);
  EXPECT_LT(hv::relative_l2(dwn.uz, rz, 0, 1e9), 1e-3);
}

TEST(LambReference, QuasiStaticLimitIsFlamant) {
  // Very low frequency source, receiver close: the surface displacement follows the load
  // instantaneously with Flamant's static solution u_x = (1 - 2 nu) F sign(x) / (4 mu)
  // (nu = 1/4: F / (8 mu)), checked at the peak of a slow Ricker.
  const hv::lamb::HalfSpace m{2000.0, 2000.0 / std::sqrt(3.0), 2000.0};
  const hv::lamb::RickerSource s{1.0, 1.0, 0.05, 30.0};   // f0 = 0.05 Hz, wavelength >> x
  const double mu = m.rho * m.vs * m.vs;
  hv::lamb::DwnOptions o;
  o.kmax = 2.0;
  const auto r = hv::lamb::surface_displacement_dwn(m, s, 1.0, {30.0}, o);
  EXPECT_NEAR(r.ux[0] / (1.0 / (8 * mu)), 1.0, 2e-3);
}

TEST(ValidationTraces, WritesComparisonFiles) {
  const auto dir = std::filesystem::temp_directory_path() / "hyseis_val_out";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto ref = ricker_trace(0.0);
  hv::TracePair p;
  p.name = "uz";
  p.ref = ref;
  p.ours = ricker_trace(0.001).value;
  p.ref_label = "test reference";
  p.unit = "m";
  hv::write_comparison(dir.string(), "demo", "demo case", {p});
  EXPECT_TRUE(std::filesystem::exists(dir / "demo.h5"));
  EXPECT_TRUE(std::filesystem::exists(dir / "demo_uz.png"));
  EXPECT_FALSE(std::filesystem::exists(dir / "demo.h5.tmp"));
  hv::write_comparison("", "demo", "nothing written", {p});  // empty out_dir: no-op
}
