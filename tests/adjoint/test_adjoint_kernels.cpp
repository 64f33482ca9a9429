// The adjoint Kokkos kernels on their own: the elastic material-derivative kernel against the
// stiffness operator (K is linear in lambda, mu: w^T K u = sum lambda g_lambda + mu g_mu), and
// the adjoint Newmark updates against the transpose of the forward updates.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "hyseis/solvers/adjoint_kernels.hpp"
#include "hyseis/solvers/sem_kernels.hpp"

namespace ks = hyseis::solvers;

namespace {
/// 2 x 2 cells of degree p on a sheared parallelogram (affine map x = A xi + b per cell).
ks::SemMeshHost2D sheared_mesh(int p) {
  ks::SemMeshHost2D m;
  m.degree = p;
  m.n_cells = 4;
  const int n1 = p + 1, ng = 2 * p + 1;
  m.n_nodes = ng * ng;
  const ks::Gll1D g = ks::gll_rule(p);
  const double A[2][2] = {{60.0, 15.0}, {-5.0, 45.0}};  // d x / d xi per cell (half sizes, sheared)
  const double det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
  const double inv[2][2] = {{A[1][1] / det, -A[0][1] / det}, {-A[1][0] / det, A[0][0] / det}};
  for (int cj = 0; cj < 2; ++cj)
    for (int ci = 0; ci < 2; ++ci)
      for (int j = 0; j < n1; ++j)
        for (int i = 0; i < n1; ++i) {
          m.cell_nodes.push_back((cj * p + j) * ng + ci * p + i);
          // inv_jacobian row-major d xi_d / d x_i
          m.inv_jacobian.insert(m.inv_jacobian.end(), {inv[0][0], inv[0][1], inv[1][0], inv[1][1]});
          m.jxw.push_back(det * g.weights[i] * g.weights[j]);
        }
  return m;
}
std::vector<double> rnd(std::size_t n, unsigned seed, double lo, double hi) {
  std::mt19937_64 r(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = d(r);
  return v;
}
ks::Vector to_view(const std::vector<double>& v) {
  ks::Vector d("v", v.size());
  auto h = Kokkos::create_mirror_view(d);
  for (std::size_t i = 0; i < v.size(); ++i) h(i) = v[i];
  Kokkos::deep_copy(d, h);
  return d;
}
std::vector<double> from_view(const ks::Vector& d) {
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), d);
  return std::vector<double>(h.data(), h.data() + h.extent(0));
}
}  // namespace

TEST(AdjointKernels, MaterialGradientReproducesTheStiffnessBilinearForm) {
  for (int p : {1, 3, 4, 6})
    for (bool general : {false, true}) {
    ks::SemMeshHost2D m = sheared_mesh(p);
    if (general) {  // per-point Jacobians (non-affine): both operators take their general path
      const auto jit = rnd(m.inv_jacobian.size(), 99, 0.9, 1.1);
      for (std::size_t i = 0; i < jit.size(); ++i) m.inv_jacobian[i] *= jit[i];
    }
    const std::size_t npt = m.cell_nodes.size();
    const auto lam = rnd(npt, 1, 1e9, 3e9), mu = rnd(npt, 2, 5e8, 2e9);
    const auto u = rnd(2 * m.n_nodes, 3, -1, 1), w = rnd(2 * m.n_nodes, 4, -1, 1);
    const ks::ElasticOperator2D K(m, lam, mu);
    ks::Vector ku("ku", 2 * m.n_nodes);
    K.apply(to_view(u), ku);
    const auto kuh = from_view(ku);
    double wku = 0;
    for (std::size_t i = 0; i < w.size(); ++i) wku += w[i] * kuh[i];
    const ks::ElasticMaterialGradient2D G(m);
    ks::Vector gl("gl", npt), gm("gm", npt);
    G.accumulate(to_view(u), to_view(w), 1.0, gl, gm);
    G.accumulate(to_view(u), to_view(w), 0.5, gl, gm);  // accumulates: 1.5x
    const auto glh = from_view(gl), gmh = from_view(gm);
    double s = 0;
    for (std::size_t q = 0; q < npt; ++q) s += lam[q] * glh[q] + mu[q] * gmh[q];
    EXPECT_NEAR(s / 1.5, wku, 1e-12 * std::abs(wku)) << "degree " << p << (general ? " general" : " affine");
    }
}

TEST(AdjointKernels, AdjointNewmarkIsTheTransposeOfTheForwardStep) {
  // forward step without stiffness (r given as an input): x = (u, v, a, r) -> (u', v', a')
  // with predict; a' = W (f - r - C v*); v' = v* + dt/2 a'. Check <L x, y> = <x, L^T y>.
  const int n = 7;
  const double dt = 0.013;
  const auto W = rnd(n, 5, 0.5, 2), C = rnd(n, 6, 0, 1);
  const auto u = rnd(n, 7, -1, 1), v = rnd(n, 8, -1, 1), a = rnd(n, 9, -1, 1), r = rnd(n, 10, -1, 1);
  const auto ub = rnd(n, 11, -1, 1), vb = rnd(n, 12, -1, 1), ab = rnd(n, 13, -1, 1);
  ks::Vector U = to_view(u), V = to_view(v), A = to_view(a), R = to_view(r), F("f", n);
  ks::newmark_predict(dt, U, V, A);
  ks::newmark_correct(dt, to_view(W), F, R, to_view(C), V, A);
  const auto u1 = from_view(U), v1 = from_view(V), a1 = from_view(A);
  double lhs = 0;
  for (int i = 0; i < n; ++i) lhs += u1[i] * ub[i] + v1[i] * vb[i] + a1[i] * ab[i];
  // transpose: the adjoint of r enters as -w (r' = -w), u gets K r' (here: the r input's adjoint)
  ks::Vector UB = to_view(ub), VB = to_view(vb), AB = to_view(ab), Wt("w", n);
  ks::newmark_adjoint_correct(dt, to_view(W), to_view(C), VB, AB, Wt);
  const auto wv = from_view(Wt);
  ks::Vector zero("z", n);
  ks::newmark_adjoint_predict(dt, zero, UB, VB, AB);
  const auto ub0 = from_view(UB), vb0 = from_view(VB), ab0 = from_view(AB);
  double rhs = 0;
  for (int i = 0; i < n; ++i) rhs += u[i] * ub0[i] + v[i] * vb0[i] + a[i] * ab0[i] - r[i] * wv[i];
  EXPECT_NEAR(lhs, rhs, 1e-14 * std::abs(lhs));
}

// The batch-layout accumulation gives the per-point values of accumulate() (lanes_to_points), on
// a mesh whose cell count is not a multiple of the batch (padding lanes add nothing).
TEST(AdjointKernels, MaterialGradientLanesEqualsPointLayout) {
  for (int p : {1, 4, 6})
    for (bool general : {false, true}) {
      ks::SemMeshHost2D m = sheared_mesh(p);
      if (general) {
        const auto jit = rnd(m.inv_jacobian.size(), 98, 0.9, 1.1);
        for (std::size_t i = 0; i < jit.size(); ++i) m.inv_jacobian[i] *= jit[i];
      }
      const std::size_t npt = m.cell_nodes.size();
      const auto u = rnd(2 * m.n_nodes, 31, -1, 1), w = rnd(2 * m.n_nodes, 32, -1, 1);
      const ks::ElasticMaterialGradient2D G(m);
      ks::Vector gl("gl", npt), gm("gm", npt), ll("ll", G.n_lane_points()), lm("lm", G.n_lane_points());
      ks::Vector pl("pl", npt), pm("pm", npt);
      for (double sc : {1.0, -0.5}) {
        G.accumulate(to_view(u), to_view(w), sc, gl, gm);
        G.accumulate_lanes(to_view(u), to_view(w), sc, ll, lm);
      }
      G.lanes_to_points(ll, pl);
      G.lanes_to_points(lm, pm);
      const auto a = from_view(gl), b = from_view(pl), c = from_view(gm), d = from_view(pm);
      double amax = 0, cmax = 0;
      for (std::size_t q = 0; q < npt; ++q) {
        amax = std::max(amax, std::abs(a[q]));
        cmax = std::max(cmax, std::abs(c[q]));
      }
      for (std::size_t q = 0; q < npt; ++q) {
        // same arithmetic per point; 1e-13 of the largest value leaves room for a different
        // FMA contraction of the vectorised code
        EXPECT_NEAR(a[q], b[q], 1e-13 * amax) << "degree " << p << " point " << q;
        EXPECT_NEAR(c[q], d[q], 1e-13 * cmax) << "degree " << p << " point " << q;
      }
    }
}

// The fused adjoint predictor/corrector (+ the sparse damped part) equals the two kernels in
// sequence, bitwise (ab = 0 on entry, as the corrector leaves it).
TEST(AdjointKernels, FusedPredictCorrectEqualsTheSequence) {
  const int n = 11;
  const double dt = 0.011;
  for (bool damped : {false, true})
    for (bool compact : {false, true}) {
      const auto W = rnd(n, 41, 0.5, 2), kw = rnd(n, 43, -1, 1), a = rnd(n, 44, -1, 1), v = rnd(n, 45, -1, 1),
                 ub = rnd(n, 46, -1, 1), vb = rnd(n, 47, -1, 1), g = rnd(n, 49, -1, 1);
      auto C = rnd(n, 42, 0.1, 1);
      std::vector<int> idx;
      std::vector<double> vd;
      for (int i = 0; i < n; ++i) {
        if (!damped || i % 3 == 1) C[i] = 0.0;  // damped: a few entries undamped
        if (C[i] != 0.0) {
          idx.push_back(i);
          vd.push_back(v[i]);
        }
      }
      const std::vector<double> ab(n, 0.0);
      const ks::Vector none;
      ks::Vector U1 = to_view(ub), V1 = to_view(vb), A1 = to_view(ab), W1("w1", n), GM1 = to_view(g), GC1 = to_view(g);
      ks::newmark_adjoint_predict(dt, to_view(kw), U1, V1, A1);
      ks::newmark_adjoint_correct_accumulate(dt, to_view(W), damped ? to_view(C) : none, V1, A1, W1, to_view(a),
                                             to_view(v), GM1, GC1);
      ks::Vector U2 = to_view(ub), V2 = to_view(vb), A2 = to_view(ab), W2("w2", n), GM2 = to_view(g), GC2 = to_view(g);
      ks::newmark_adjoint_predict_correct_accumulate(dt, to_view(kw), to_view(W), U2, V2, W2, to_view(a), GM2);
      Kokkos::View<int*, ks::MemSpace> iv("idx", idx.size());
      {
        auto h = Kokkos::create_mirror_view(iv);
        for (std::size_t j = 0; j < idx.size(); ++j) h(j) = idx[j];
        Kokkos::deep_copy(iv, h);
      }
      ks::adjoint_damping(iv, to_view(C), compact ? to_view(vd) : to_view(v), compact, W2, V2, GC2);
      EXPECT_EQ(from_view(U1), from_view(U2));
      EXPECT_EQ(from_view(V1), from_view(V2));
      EXPECT_EQ(from_view(A1), from_view(A2));
      EXPECT_EQ(from_view(W1), from_view(W2));
      EXPECT_EQ(from_view(GM1), from_view(GM2));
      const auto gc1 = from_view(GC1), gc2 = from_view(GC2);
      for (int i : idx) EXPECT_EQ(gc1[i], gc2[i]);  // the damping accumulator is read on damped entries only
    }
}
