// Adjoint wave modeling: misfits and adjoint sources, checkpoint schedules, dot-product,
// Taylor and finite-difference checks of the discrete adjoint (acoustic and elastic).
#include <gtest/gtest.h>

#include <set>

#include "adjoint_common.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/physics/wave/checkpoint.hpp"
#include "hyseis/physics/wave/solver.hpp"

namespace hw = hyseis::physics::wave;
using namespace hw::testing;

// ---- misfits ----------------------------------------------------------------------------------

namespace {
hw::Traces wavelet_traces(double shift, double dt, int ns) {
  hw::Traces t(2, std::vector<std::vector<double>>(1, std::vector<double>(ns)));
  for (int r = 0; r < 2; ++r)
    for (int n = 0; n < ns; ++n) {
      const double tt = n * dt - 0.3 - shift - 0.05 * r;
      t[r][0][n] = (1 - 2 * 300 * tt * tt) * std::exp(-300 * tt * tt);
    }
  return t;
}
}  // namespace

TEST(AdjointMisfit, AdjointSourcesMatchFiniteDifferences) {
  const double dt = 0.004;
  const int ns = 200;
  const hw::Traces d = wavelet_traces(0.0113, dt, ns);
  hw::Traces s = wavelet_traces(0.0, dt, ns);
  const hw::Traces noise = random_traces(s, 7);
  for (auto& r : s)
    for (std::size_t c = 0; c < r.size(); ++c)
      for (int n = 0; n < ns; ++n) r[c][n] += 0.01 * noise[&r - &s[0]][c][n];
  for (auto type : {hw::MisfitType::l2, hw::MisfitType::cc_traveltime}) {
    hw::Traces adj;
    const double j0 = hw::misfit(s, d, dt, type, &adj);
    EXPECT_GT(j0, 0);
    double max_err = 0, max_g = 0;
    for (int r = 0; r < 2; ++r)
      for (int n = 40; n < 160; n += 3) {
        const double h = 1e-6;
        hw::Traces sp = s, sm = s;
        sp[r][0][n] += h;
        sm[r][0][n] -= h;
        const double fd = (hw::misfit(sp, d, dt, type) - hw::misfit(sm, d, dt, type)) / (2 * h);
        max_err = std::max(max_err, std::abs(fd - adj[r][0][n]));
        max_g = std::max(max_g, std::abs(adj[r][0][n]));
      }
    EXPECT_GT(max_g, 0);
    EXPECT_LT(max_err, 1e-6 * max_g) << "misfit type " << static_cast<int>(type);
  }
  // the travel-time shift itself: d is s delayed by 11.3 ms (+ 0.05 ms per receiver offset 0)
  std::vector<std::vector<double>> shifts;
  hw::cc_traveltime_misfit(wavelet_traces(0, dt, ns), d, dt, nullptr, &shifts);
  EXPECT_NEAR(shifts[0][0], 0.0113, 0.1 * dt);
  EXPECT_NEAR(shifts[1][0], 0.0113, 0.1 * dt);
}

TEST(AdjointMisfit, ShapeAndNaNAreNamed) {
  const hw::Traces s = wavelet_traces(0, 0.004, 50);
  hw::Traces d = s;
  d[1][0].pop_back();
  try {
    hw::misfit(s, d, 0.004, hw::MisfitType::l2);
    FAIL();
  } catch (const hyseis::core::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("samples"), std::string::npos) << e.what();
  }
  d = s;
  d[0][0][7] = std::nan("");
  try {
    hw::misfit(s, d, 0.004, hw::MisfitType::cc_traveltime);
    FAIL();
  } catch (const hyseis::core::InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("NaN"), std::string::npos) << e.what();
  }
}

// ---- checkpoint schedule ----------------------------------------------------------------------

namespace {
/// Minimal recomputation cost over all split points (dynamic programming), the reference of
/// the binomial schedule: cost(l, s) = min_k [k + cost(l-k, s-1) + cost(k-1, s)].
long long optimal_cost(int l, int s, std::vector<std::vector<long long>>& memo) {
  if (l <= 0) return 0;
  if (s == 0) return static_cast<long long>(l) * (l + 1) / 2;
  long long& m = memo[l][s];
  if (m >= 0) return m;
  long long best = -1;
  for (int k = 1; k <= l; ++k) {
    const long long c = k + optimal_cost(l - k, s - 1, memo) + optimal_cost(k - 1, s, memo);
    if (best < 0 || c < best) best = c;
  }
  return m = best;
}
}  // namespace

TEST(AdjointCheckpoint, BinomialReversalVisitsEveryStateOnceInReverse) {
  std::vector<std::vector<long long>> memo(201, std::vector<long long>(9, -1));
  for (int n : {0, 1, 2, 7, 50, 200})
    for (int s : {0, 1, 2, 3, 8}) {
      int cur = 0;
      std::vector<int> slot(s + 1, -1);
      std::vector<int> order;
      hw::ReversalCallbacks cb;
      cb.advance = [&] { ++cur; };
      cb.store = [&](int k) {
        ASSERT_LE(k, s);
        slot[k] = cur;
      };
      cb.restore = [&](int k) { cur = slot[k]; };
      cb.consume = [&](int k) {
        ASSERT_EQ(k, cur);
        order.push_back(k);
      };
      const auto st = hw::binomial_reversal(n, s, cb);
      ASSERT_EQ(static_cast<int>(order.size()), n + 1);
      for (int i = 0; i <= n; ++i) EXPECT_EQ(order[i], n - i);
      EXPECT_LE(st.max_slots, s + 1);
      if (s == 0) EXPECT_EQ(st.forward_steps, static_cast<long long>(n) * (n + 1) / 2);
      const long long opt = optimal_cost(n, s, memo);
      // the revolve split is optimal up to the step whose end state the adjoint consumes
      EXPECT_LE(st.forward_steps, opt + n) << "n = " << n << " s = " << s;
      if (n == 200 && s == 8) {
        std::cout << "[binomial] n = 200, s = 8: " << st.forward_steps << " advances, DP optimum " << opt << "\n";
      }
    }
}

// ---- the solver: forward equals run(), dot-product, Taylor, FD ---------------------------------

TEST(AdjointModeling, ForwardEqualsWaveRunOnAConstantModel) {
  for (bool elastic : {false, true}) {
    hw::WaveProblem p = small_problem(elastic);
    const hw::ModelGrid g = small_grid();
    hw::Modeling mod(p, g, MPI_COMM_WORLD, {}, 2000.0);
    std::vector<double> m((elastic ? 3 : 1) * g.nx * g.nz);
    for (int i = 0; i < g.nx * g.nz; ++i) {
      m[i] = 2000;
      if (elastic) {
        m[g.nx * g.nz + i] = 1100;
        m[2 * g.nx * g.nz + i] = 2000;
      }
    }
    const auto shot = small_shot(elastic);
    const hw::Seismograms a = mod.forward(m, shot);
    p.sources = {shot};
    p.snapshots.image_nx = 0;
    const hw::RunResult ref = hw::run(p, MPI_COMM_WORLD);
    ASSERT_EQ(a.time.size(), ref.seismograms.time.size());
    double mx = 0, err = 0;
    for (std::size_t r = 0; r < a.data.size(); ++r)
      for (std::size_t c = 0; c < a.data[r].size(); ++c)
        for (std::size_t n = 0; n < a.data[r][c].size(); ++n) {
          mx = std::max(mx, std::abs(ref.seismograms.data[r][c][n]));
          err = std::max(err, std::abs(a.data[r][c][n] - ref.seismograms.data[r][c][n]));
        }
    EXPECT_GT(mx, 0);
    EXPECT_LE(err, 1e-12 * mx) << (elastic ? "elastic" : "acoustic");
  }
}

namespace {
void dot_product_test(bool elastic) {
  const hw::WaveProblem p = small_problem(elastic);
  const hw::ModelGrid g = small_grid();
  hw::Modeling mod(p, g, MPI_COMM_WORLD, {hw::CheckpointMode::binomial, 0});
  const auto m = smooth_model(g, elastic, 80);
  const auto shot = small_shot(elastic);
  const auto dm = random_vector(m.size(), 11, 10.0);
  const hw::Traces jdm = mod.jvp(m, shot, dm);
  const hw::Traces dd = random_traces(jdm, 12);
  const auto jtdd = mod.vjp(m, shot, dd);
  const double lhs = dot(jdm, dd), rhs = dot(dm, jtdd);
  const double rel = std::abs(lhs - rhs) / std::abs(lhs);
  std::cout << "[dot-product " << (elastic ? "elastic" : "acoustic") << "] <J dm, dd> = " << lhs
            << "  <dm, J^T dd> = " << rhs << "  rel = " << rel << "\n";
  EXPECT_LE(rel, 1e-10);
  // the Born data is the derivative of forward: central FD along dm
  const double h = 1e-3;
  const auto dp = mod.forward(axpy(m, h, dm), shot).data, dmn = mod.forward(axpy(m, -h, dm), shot).data;
  double e = 0, nrm = 0;
  for (std::size_t r = 0; r < dp.size(); ++r)
    for (std::size_t c = 0; c < dp[r].size(); ++c)
      for (std::size_t n = 0; n < dp[r][c].size(); ++n) {
        const double fd = (dp[r][c][n] - dmn[r][c][n]) / (2 * h);
        e += (fd - jdm[r][c][n]) * (fd - jdm[r][c][n]);
        nrm += jdm[r][c][n] * jdm[r][c][n];
      }
  EXPECT_LE(std::sqrt(e / nrm), 1e-5);
}
}  // namespace

TEST(AdjointModeling, DotProductAcoustic) { dot_product_test(false); }
TEST(AdjointModeling, DotProductElastic) { dot_product_test(true); }

namespace {
void gradient_checks(bool elastic, hw::MisfitType type, int n_dirs) {
  const hw::WaveProblem p = small_problem(elastic);
  const hw::ModelGrid g = small_grid();
  hw::Modeling mod(p, g, MPI_COMM_WORLD, {hw::CheckpointMode::binomial, 0});
  const auto shot = small_shot(elastic);
  const auto m_true = smooth_model(g, elastic, 120);
  const hw::Seismograms obs = mod.forward(m_true, shot);
  const auto m0 = smooth_model(g, elastic, 0);
  const hw::GradientResult gr = mod.gradient(m0, shot, obs, type);
  auto J = [&](const std::vector<double>& m) { return hw::misfit_value(mod.forward(m, shot), obs, type); };
  EXPECT_NEAR(gr.misfit, J(m0), 1e-12 * gr.misfit);
  const char* name = type == hw::MisfitType::l2 ? "l2" : "cc";
  // Taylor
  const auto d = random_vector(m0.size(), 21, 5.0);
  std::vector<double> rem;
  const auto slopes = taylor_slopes(J, m0, gr.gradient, d, 4.0, 4, &rem);
  std::cout << "[taylor " << (elastic ? "elastic " : "acoustic ") << name << "] slopes";
  for (double s : slopes) std::cout << " " << s;
  std::cout << "\n";
  for (double s : slopes) EXPECT_NEAR(s, 2.0, 0.1);
  // FD in random directions
  std::vector<double> ad, fd;
  for (int k = 0; k < n_dirs; ++k) {
    const auto dk = random_vector(m0.size(), 100 + k, 1.0);
    const double h = 0.5;
    ad.push_back(dot(gr.gradient, dk));
    fd.push_back((J(axpy(m0, h, dk)) - J(axpy(m0, -h, dk))) / (2 * h));
  }
  const FdComparison c = compare(ad, fd);
  std::cout << "[fd " << (elastic ? "elastic " : "acoustic ") << name << "] cosine = " << c.cosine
            << " rel error = " << c.rel_error << "\n";
  EXPECT_GE(c.cosine, 0.999);
  EXPECT_LE(c.rel_error, 0.01);
}
}  // namespace

TEST(AdjointModeling, GradientAcousticL2) { gradient_checks(false, hw::MisfitType::l2, 8); }
TEST(AdjointModeling, GradientAcousticTraveltime) { gradient_checks(false, hw::MisfitType::cc_traveltime, 6); }
TEST(AdjointModeling, GradientElasticL2) { gradient_checks(true, hw::MisfitType::l2, 6); }
TEST(AdjointModeling, GradientElasticTraveltime) { gradient_checks(true, hw::MisfitType::cc_traveltime, 4); }

TEST(AdjointModeling, BinomialEqualsStoreAllWithLessMemory) {
  for (bool elastic : {false, true}) {
    const hw::WaveProblem p = small_problem(elastic);
    const hw::ModelGrid g = small_grid();
    hw::Modeling all(p, g, MPI_COMM_WORLD, {hw::CheckpointMode::store_all, 0});
    hw::Modeling bin(p, g, MPI_COMM_WORLD, {hw::CheckpointMode::binomial, 5});
    const auto shot = small_shot(elastic);
    const auto obs = all.forward(smooth_model(g, elastic, 100), shot);
    const auto m0 = smooth_model(g, elastic);
    const auto a = all.gradient(m0, shot, obs, hw::MisfitType::l2);
    const auto b = bin.gradient(m0, shot, obs, hw::MisfitType::l2);
    double e = 0, n = 0;
    for (std::size_t i = 0; i < a.gradient.size(); ++i) {
      e = std::max(e, std::abs(a.gradient[i] - b.gradient[i]));
      n = std::max(n, std::abs(a.gradient[i]));
    }
    EXPECT_LE(e, 1e-13 * n);  // identical arithmetic: recomputed states are bitwise equal
    EXPECT_EQ(a.misfit, b.misfit);
    const int N = all.n_steps();
    EXPECT_NEAR(a.wavefield_memory_mib / b.wavefield_memory_mib, (N + 1) / 6.0, 1e-9);
    // compact store_all: the same gradient bitwise, a (acoustic) or a and u (elastic) in full
    // plus v on the Stacey-damped entries only.
    hw::Modeling cmp(p, g, MPI_COMM_WORLD, {hw::CheckpointMode::store_all, 0, true});
    const auto c = cmp.gradient(m0, shot, obs, hw::MisfitType::l2);
    EXPECT_EQ(c.gradient, a.gradient);
    EXPECT_EQ(c.misfit, a.misfit);
    const double ratio = c.wavefield_memory_mib / a.wavefield_memory_mib;
    EXPECT_GT(ratio, elastic ? 2.0 / 3.0 : 1.0 / 3.0);
    EXPECT_LT(ratio, elastic ? 3.0 / 3.0 : 2.0 / 3.0);
    std::cout << "[checkpoint " << (elastic ? "elastic" : "acoustic") << "] compact store_all "
              << c.wavefield_memory_mib << " MiB\n";
    EXPECT_EQ(a.forward_steps, N);
    EXPECT_GT(b.forward_steps, 2 * N);
    std::cout << "[checkpoint " << (elastic ? "elastic" : "acoustic") << "] N = " << N << " store_all "
              << a.wavefield_memory_mib << " MiB, " << a.forward_steps << " steps; binomial(5) "
              << b.wavefield_memory_mib << " MiB, " << b.forward_steps << " steps\n";
  }
}

TEST(AdjointModeling, BadInputIsNamed) {
  const hw::WaveProblem p = small_problem(false);
  const hw::ModelGrid g = small_grid();
  hw::Modeling mod(p, g, MPI_COMM_WORLD);
  const auto m = smooth_model(g, false);
  auto shot = small_shot(false);
  auto expect_msg = [](auto&& f, const std::string& what) {
    try {
      f();
      ADD_FAILURE() << "no exception, expected: " << what;
    } catch (const hyseis::core::InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  shot.x = 900;
  expect_msg([&] { mod.forward(m, shot); }, "outside the model domain");
  shot = small_shot(false);
  expect_msg([&] { mod.forward(std::vector<double>(3, 2000.0), shot); }, "expected 15");
  auto bad = m;
  bad[4] = std::nan("");
  expect_msg([&] { mod.forward(bad, shot); }, "vp[4]");
  hw::Seismograms obs = mod.forward(m, shot);
  hw::Seismograms o2 = obs;
  o2.data[2][0].resize(10);
  expect_msg([&] { mod.gradient(m, shot, o2, hw::MisfitType::l2); }, "samples");
  o2 = obs;
  o2.time[5] += 1e-3;
  expect_msg([&] { mod.gradient(m, shot, o2, hw::MisfitType::l2); }, "time sampling");
  o2 = obs;
  o2.data[1][0][3] = std::nan("");
  expect_msg([&] { mod.gradient(m, shot, o2, hw::MisfitType::l2); }, "NaN");
  o2 = obs;
  o2.data.pop_back();
  expect_msg([&] { mod.vjp(m, shot, o2.data); }, "receivers");
  hw::WaveProblem q = p;
  q.receivers.push_back(hw::Receiver{"out", 2000, -10});
  expect_msg([&] { hw::Modeling bad_mod(q, g, MPI_COMM_WORLD); }, "receivers");
}

TEST(AdjointModeling, PointGradientProjectsOntoTheGridGradient) {
  for (bool elastic : {false, true}) {
    const hw::WaveProblem p = small_problem(elastic);
    const hw::ModelGrid g = small_grid();
    hw::Modeling mod(p, g, MPI_COMM_WORLD);
    const auto shot = small_shot(elastic);
    const auto obs = mod.forward(smooth_model(g, elastic, 100), shot);
    const auto gr = mod.gradient(smooth_model(g, elastic), shot, obs, hw::MisfitType::l2);
    const auto pts = mod.point_gradient();
    ASSERT_FALSE(pts.empty());
    // P^T: bilinear weights of each sample point (clamped), summed over ranks
    const int n = g.nx * g.nz;
    std::vector<double> proj((elastic ? 3 : 1) * n, 0.0);
    for (const auto& pt : pts) {
      const double sx = std::clamp((pt.x - g.x0) / g.dx, 0.0, g.nx - 1.0), sz = std::clamp((pt.z - g.z0) / g.dz, 0.0, g.nz - 1.0);
      const int ix = std::min(static_cast<int>(sx), g.nx - 2), iz = std::min(static_cast<int>(sz), g.nz - 2);
      const double tx = sx - ix, tz = sz - iz;
      const double w[4] = {(1 - tx) * (1 - tz), tx * (1 - tz), (1 - tx) * tz, tx * tz};
      const int id[4] = {iz * g.nx + ix, iz * g.nx + ix + 1, (iz + 1) * g.nx + ix, (iz + 1) * g.nx + ix + 1};
      const double d[3] = {pt.d_vp, pt.d_vs, pt.d_rho};
      for (int f = 0; f < (elastic ? 3 : 1); ++f)
        for (int j = 0; j < 4; ++j) proj[f * n + id[j]] += w[j] * d[f];
    }
    std::vector<double> sum(proj.size());
    MPI_Allreduce(proj.data(), sum.data(), static_cast<int>(sum.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    double e = 0, mx = 0;
    for (std::size_t i = 0; i < sum.size(); ++i) {
      e = std::max(e, std::abs(sum[i] - gr.gradient[i]));
      mx = std::max(mx, std::abs(gr.gradient[i]));
    }
    EXPECT_LE(e, 1e-12 * mx);
  }
}

// vjp_with_forward: one forward run feeds a cotangent built from the synthetics; the same
// gradient (bitwise) and synthetics as forward() followed by vjp(), in every storage mode.
TEST(AdjointModeling, VjpWithForwardEqualsForwardThenVjp) {
  for (bool elastic : {false, true}) {
    const hw::WaveProblem p = small_problem(elastic);
    const hw::ModelGrid g = small_grid();
    const auto m = smooth_model(g, elastic, 60);
    const auto shot = small_shot(elastic);
    auto cot = [](const hw::Seismograms& syn) {
      hw::Traces t = syn.data;
      for (auto& r : t)
        for (auto& c : r)
          for (std::size_t n = 0; n < c.size(); ++n) c[n] = std::tanh(c[n] * 1e3) * (1.0 + 0.01 * n);
      return t;
    };
    for (const hw::AdjointOptions o : {hw::AdjointOptions{hw::CheckpointMode::binomial, 0},
                                       hw::AdjointOptions{hw::CheckpointMode::binomial, 5},
                                       hw::AdjointOptions{hw::CheckpointMode::store_all, 0},
                                       hw::AdjointOptions{hw::CheckpointMode::store_all, 0, true}}) {
      hw::Modeling a(p, g, MPI_COMM_WORLD, o), b(p, g, MPI_COMM_WORLD, o);
      const hw::Seismograms s0 = a.forward(m, shot);
      const auto g0 = a.vjp(m, shot, cot(s0));
      hw::Seismograms s1;
      const auto g1 = b.vjp_with_forward(m, shot, cot, &s1);
      EXPECT_EQ(s1.data, s0.data);
      EXPECT_EQ(s1.time, s0.time);
      EXPECT_EQ(g1, g0) << (elastic ? "elastic" : "acoustic");
      EXPECT_GT(std::abs(g1[g1.size() / 2]) + std::abs(g1[0]), 0.0);
    }
  }
}
