// Synthetic picking data: the eikonal labels against analytic layered travel times and against
// first breaks of the SEM wavefield, and a tiny SeisBench dataset written and read back.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/picking/synthetics.hpp"
#include "hyseis/learning/data/seisbench.hpp"
#include "hyseis/physics/wave/solver.hpp"

namespace hp = hyseis::hybrid::picking;
namespace wave = hyseis::physics::wave;

namespace {
std::vector<wave::Layer> two_layers(double H, double v1, double v2) {
  wave::Layer a, b;
  a.z_top = 0;
  a.vp = v1;
  a.vs = v1 / 1.75;
  a.rho = 2600;
  b.z_top = -H;
  b.vp = v2;
  b.vs = v2 / 1.75;
  b.rho = 2800;
  return {a, b};
}
}  // namespace

// Source at the surface of a layer over a half-space: first arrival = min(direct x/v1, head wave
// x/v2 + 2 H cos(ic)/v1), sin ic = v1/v2 (e.g. Shearer, Introduction to Seismology, ch. 4).
TEST(PickingSynthetics, EikonalLabelsMatchLayeredAnalyticTimes) {
  const double H = 3000, v1 = 4000, v2 = 6000;
  const auto layers = two_layers(H, v1, v2);
  std::vector<std::array<double, 2>> rec;
  for (double x = 2000; x <= 38000; x += 4000) rec.push_back({1000 + x, 0.0});
  for (bool s_wave : {false, true}) {
    const double a = s_wave ? v1 / 1.75 : v1, b = s_wave ? v2 / 1.75 : v2;
    const auto t = hp::layered_first_arrivals(layers, s_wave, 0, 40000, -12000, 50, 1000, 0, rec);
    const double ic = std::asin(a / b);
    for (std::size_t i = 0; i < rec.size(); ++i) {
      const double x = rec[i][0] - 1000;
      const double exact = std::min(x / a, x / b + 2 * H * std::cos(ic) / a);
      EXPECT_NEAR(t[i], exact, 0.01) << (s_wave ? "S" : "P") << " at offset " << x;
    }
  }
  // Vertical path from a buried source through both layers: t = sum h_i / v_i.
  const auto tv = hp::layered_first_arrivals(layers, false, 0, 20000, -12000, 50, 10000, -8000, {{10000, 0}});
  EXPECT_NEAR(tv[0], H / v1 + 5000 / v2, 0.01);
}

TEST(PickingSynthetics, PulseOnsetOffset) {
  // Onsets move later as the threshold rises, and scale as 1/f0.
  const double a = hp::pulse_onset_offset(2.0, 0.01), b = hp::pulse_onset_offset(2.0, 0.1);
  EXPECT_LT(a, b);
  EXPECT_LT(a, -0.2);
  EXPECT_NEAR(hp::pulse_onset_offset(1.0, 0.01), 2 * a, 2e-3);
  EXPECT_THROW(hp::pulse_onset_offset(2.0, 1.5), hyseis::core::InvalidInput);
}

// Independent check of the labels: first breaks of SEM seismograms from a source straight
// below the receiver, i.e. the first sample where |v| reaches a fraction q of the trace maximum,
// against label + (onset(q) - onset(0.01)). An explosion radiates only P (recorded on z): q =
// 0.01. A pure Mxz double couple is P-nodal on the vertical, so the horizontal component holds
// the S arrival, preceded by the near-field term (amplitude ~ 1/(k r) of S, a few per cent
// here) that starts at the P time: q = 0.1 picks S above it.
TEST(PickingSynthetics, LabelsAgreeWithSemFirstBreaks) {
  const auto layers = two_layers(2000, 4000, 6000);
  const double f0 = 2.0, tc = 1.2 / f0, onset = tc + hp::pulse_onset_offset(f0, 0.01);
  for (int which = 0; which < 2; ++which) {
    wave::WaveProblem pb;
    pb.physics = wave::Physics::elastic;
    pb.mesh.xmin = 0;
    pb.mesh.xmax = 12000;
    pb.mesh.zmin = -8000;
    pb.mesh.zmax = 0;
    pb.mesh.nx = 48;
    pb.mesh.nz = 32;
    pb.mesh.degree = 4;
    pb.medium.layers = layers;
    wave::SourceOptions src;
    src.type = wave::SourceType::moment_tensor;
    src.x = 6000;
    src.z = -5000;
    if (which == 0) src.mxx = src.mzz = 1e12;
    else src.mxz = 1e12;
    src.f0 = f0;
    src.time_shift = tc;
    pb.sources = {src};
    pb.receivers = {{"R", 6000, 0}};
    pb.record = wave::RecordQuantity::velocity;
    pb.time.duration = which == 0 ? 2.6 : 4.0;
    pb.snapshots.image_nx = pb.snapshots.image_nz = 0;
    const auto r = wave::run(pb, MPI_COMM_SELF);
    const auto& v = r.seismograms.data[0][which == 0 ? 1 : 0];
    double mx = 0;
    for (double a : v) mx = std::max(mx, std::abs(a));
    const double q = which == 0 ? 0.01 : 0.1;
    std::size_t k = 0;
    while (k < v.size() && std::abs(v[k]) < q * mx) ++k;
    ASSERT_LT(k, v.size());
    const double first_break = r.seismograms.time[k];
    const auto t = hp::layered_first_arrivals(layers, which == 1, 0, 12000, -8000, 50, 6000, -5000, {{6000, 0}});
    const double label = onset + t[0];
    const double expected_break = label + hp::pulse_onset_offset(f0, q) - hp::pulse_onset_offset(f0, 0.01);
    const double analytic = onset + 2000 / (which ? 4000 / 1.75 : 4000) + 3000 / (which ? 6000 / 1.75 : 6000);
    std::printf("%s: label %.4f s, analytic %.4f s, SEM first break (q = %.2f) %.4f s, expected %.4f s\n",
                which ? "S" : "P", label, analytic, q, first_break, expected_break);
    EXPECT_NEAR(label, analytic, 0.01);
    EXPECT_NEAR(first_break, expected_break, 0.03);
  }
}

TEST(PickingSynthetics, TinyDatasetRoundTripAndReuse) {
  hp::SyntheticOptions o;
  o.events = 2;
  o.receivers_per_event = 2;
  o.width = 8000;
  o.depth = 5000;
  o.element_size = 500;
  o.source_depth_min = 1500;
  o.source_depth_max = 4000;
  o.sim_duration = 5;
  o.trace_seconds = 8;
  o.p_position_min = 1;
  o.p_position_max = 3;
  o.noise = "coloured";
  o.f0_min = 1.0;
  o.f0_max = 1.5;
  o.progress = false;
  o.test_fraction = 0.5;
  o.dev_fraction = 0;
  const auto dir = (std::filesystem::temp_directory_path() / "hyseis_picking_synth").string();
  std::filesystem::remove_all(dir);
  const auto rep = hp::generate_picking_synthetics(o, dir, MPI_COMM_WORLD);
  EXPECT_EQ(rep.traces, 4u);
  hyseis::learning::data::SeisBenchDataset ds(dir);
  ASSERT_EQ(ds.size(), 4u);
  EXPECT_EQ(ds.data_format().component_order, "ZNE");
  for (std::size_t i = 0; i < 4; ++i) {
    const auto w = ds.waveform(i);
    EXPECT_EQ(w.channels, 3u);
    EXPECT_EQ(w.samples, 801u);
    const double p = ds.number(i, "trace_p_arrival_sample"), s = ds.number(i, "trace_s_arrival_sample");
    EXPECT_GE(p, 100 - 1e-9);
    EXPECT_LE(p, 300 + 1e-9);
    EXPECT_GT(s, p);
    const auto sp = ds.get(i, "split");
    EXPECT_TRUE(sp == "train" || sp == "test") << sp;
    for (double a : w.data) ASSERT_TRUE(std::isfinite(a));
  }
  // Same options: reused, not regenerated.
  const auto rep2 = hp::generate_picking_synthetics(o, dir, MPI_COMM_WORLD);
  EXPECT_EQ(rep2.traces, 4u);
  EXPECT_LT(rep2.seconds, 1.0);
  // Bad options name the field.
  o.noise = "ncedc";
  try {
    o.validate();
    FAIL();
  } catch (const hyseis::core::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("synthetics.ncedc_file"), std::string::npos) << e.what();
  }
}

// Laterally varying models (dipping, undulating interfaces, smooth blobs and small-scale
// scattering): the labels come from the eikonal solver on the same grid the SEM solver samples.
// Independent check on noise-free traces with the causal source pulse: nothing arrives before
// the P label (the first sample at 0.1 % of the trace peak is not earlier than the label minus a
// 30 ms tolerance), and the first break is close to the P label for most traces (a double
// couple can be P-nodal, so some traces break at S instead).
TEST(PickingSynthetics, LateralModelLabelsAgreeWithSemFirstBreaks) {
  hp::SyntheticOptions o;
  o.events = 3;
  o.receivers_per_event = 4;
  o.width = 10000;
  o.depth = 6000;
  o.element_size = 250;
  o.source_depth_min = 2000;
  o.source_depth_max = 5000;
  o.sim_duration = 6;
  o.trace_seconds = 10;
  o.p_position_min = 2;
  o.p_position_max = 4;
  o.noise = "none";
  o.f0_min = 2.0;
  o.f0_max = 2.5;
  o.dip_max_deg = 20;
  o.perturbation = 0.1;
  o.scattering = 0.04;
  o.source_time_function = "causal";  // onset known exactly: label = 0.05 s + eikonal time
  o.progress = false;
  const auto dir = (std::filesystem::temp_directory_path() / "hyseis_picking_synth_lateral").string();
  std::filesystem::remove_all(dir);
  const auto rep = hp::generate_picking_synthetics(o, dir, MPI_COMM_WORLD);
  ASSERT_EQ(rep.traces, 12u);
  hyseis::learning::data::SeisBenchDataset ds(dir);
  const double early = 0;
  int near_p = 0;
  for (std::size_t i = 0; i < ds.size(); ++i) {
    const auto w = ds.waveform(i);
    std::vector<double> a(w.samples, 0.0);
    for (std::size_t c = 0; c < 3; ++c) {
      const auto ch = w.channel(c);
      for (std::size_t k = 0; k < w.samples; ++k) a[k] = std::max(a[k], std::abs(ch[k]));
    }
    const double mx = *std::max_element(a.begin(), a.end());
    std::size_t k = 0;
    while (k < a.size() && a[k] < 1e-3 * mx) ++k;
    ASSERT_LT(k, a.size());
    const double p = ds.number(i, "trace_p_arrival_sample") / 100.0, s = ds.number(i, "trace_s_arrival_sample") / 100.0;
    const double brk = k / 100.0;
    std::printf("trace %zu: P label %.3f s, S label %.3f s, first break %.3f s\n", i, p, s, brk);
    EXPECT_GE(brk, p + early - 0.03) << "energy before the P label in trace " << i;
    EXPECT_LE(brk, s + 0.05) << "nothing by the S label in trace " << i;
    near_p += std::abs(brk - p) <= 0.1;
  }
  EXPECT_GE(near_p, 8) << "first breaks within 0.1 s of the P label";
}
