// Sum-factorised SEM operators against a naive dense reference, and their structural properties.
#include <gtest/gtest.h>

#include <cmath>

#include "kernel_test_utils.hpp"

using namespace hyseis::solvers;
namespace t = hyseis::solvers::test;

namespace {

std::vector<double> apply_elastic(const ElasticOperator2D& op, const std::vector<double>& u) {
  Vector uv = t::to_view(u);
  // r is pre-filled with garbage: apply must overwrite it.
  Vector rv = t::to_view(std::vector<double>(u.size(), 123.0));
  op.apply(uv, rv);
  return t::to_host(rv);
}
std::vector<double> apply_acoustic(const AcousticOperator2D& op, const std::vector<double>& u) {
  Vector uv = t::to_view(u);
  Vector rv = t::to_view(std::vector<double>(u.size(), -7.0));
  op.apply(uv, rv);
  return t::to_host(rv);
}

std::size_t n_points(const SemMeshHost2D& m) {
  return static_cast<std::size_t>(m.n_cells) * (m.degree + 1) * (m.degree + 1);
}

}  // namespace

TEST(SemOperators, ElasticMatchesDenseReferenceAllDegrees) {
  for (int p = 1; p <= 8; ++p) {
    // 4 x 3 cells: one full batch of 8 lanes and a partially filled one (padding is exercised).
    const auto tm = t::make_mesh(p, 4, 3, t::distorted_map());
    const auto lam = t::random_vector(n_points(tm.mesh), 1.0, 3.0, 11 + p);
    const auto mu = t::random_vector(n_points(tm.mesh), 0.5, 2.0, 23 + p);
    ElasticOperator2D op(tm.mesh, lam, mu);
    EXPECT_EQ(op.path(), KernelPath::general);
    EXPECT_EQ(op.degree(), p);
    EXPECT_EQ(op.n_nodes(), tm.mesh.n_nodes);
    const auto K = t::dense_reference(tm.mesh, lam, &mu);
    const auto u = t::random_vector(2 * tm.mesh.n_nodes, -1.0, 1.0, 5 + p);
    const auto r = apply_elastic(op, u);
    const auto rr = t::matvec(K, u);
    EXPECT_LT(t::max_abs_diff(r, rr) / t::max_abs(rr), 1e-12) << "p=" << p;
  }
}

TEST(SemOperators, AcousticMatchesDenseReferenceAllDegrees) {
  for (int p = 1; p <= 8; ++p) {
    const auto tm = t::make_mesh(p, 3, 4, t::distorted_map());
    const auto ir = t::random_vector(n_points(tm.mesh), 0.3, 1.7, 31 + p);
    AcousticOperator2D op(tm.mesh, ir);
    EXPECT_EQ(op.path(), KernelPath::general);
    const auto K = t::dense_reference(tm.mesh, ir, nullptr);
    const auto u = t::random_vector(tm.mesh.n_nodes, -1.0, 1.0, 7 + p);
    const auto r = apply_acoustic(op, u);
    const auto rr = t::matvec(K, u);
    EXPECT_LT(t::max_abs_diff(r, rr) / t::max_abs(rr), 1e-12) << "p=" << p;
  }
}

TEST(SemOperators, ElasticSymmetricRigidModesAndPsd) {
  for (int p : {2, 4, 7}) {
    const auto tm = t::make_mesh(p, 4, 3, t::distorted_map());
    const auto lam = t::random_vector(n_points(tm.mesh), 1.0, 3.0, 3);
    const auto mu = t::random_vector(n_points(tm.mesh), 0.5, 2.0, 4);
    ElasticOperator2D op(tm.mesh, lam, mu);
    const int n = tm.mesh.n_nodes;
    const auto u = t::random_vector(2 * n, -1.0, 1.0, 100 + p);
    const auto v = t::random_vector(2 * n, -1.0, 1.0, 200 + p);
    const auto ku = apply_elastic(op, u), kv = apply_elastic(op, v);
    const double scale = t::max_abs(ku) * std::sqrt(2.0 * n);
    EXPECT_NEAR(t::dot(u, kv), t::dot(v, ku), 1e-12 * scale * std::sqrt(2.0 * n)) << "p=" << p;
    // Rigid-body modes: translations and the infinitesimal rotation (-z, x).
    std::vector<double> tx(2 * n), tz(2 * n), rot(2 * n);
    for (int k = 0; k < n; ++k) {
      tx[2 * k] = 1.0; tx[2 * k + 1] = 0.0;
      tz[2 * k] = 0.0; tz[2 * k + 1] = 1.0;
      rot[2 * k] = -tm.z[k]; rot[2 * k + 1] = tm.x[k];
    }
    const double kscale = t::max_abs(ku);  // |K| * O(1)
    EXPECT_LT(t::max_abs(apply_elastic(op, tx)), 1e-12 * kscale) << "p=" << p;
    EXPECT_LT(t::max_abs(apply_elastic(op, tz)), 1e-12 * kscale) << "p=" << p;
    EXPECT_LT(t::max_abs(apply_elastic(op, rot)), 1e-12 * kscale) << "p=" << p;
    // A non-rigid field (stretch) is not in the kernel.
    std::vector<double> stretch(2 * n);
    for (int k = 0; k < n; ++k) { stretch[2 * k] = tm.x[k]; stretch[2 * k + 1] = 0.0; }
    EXPECT_GT(t::dot(stretch, apply_elastic(op, stretch)), 1e-3);
    // Positive semi-definite on random vectors.
    for (unsigned s = 0; s < 20; ++s) {
      const auto w = t::random_vector(2 * n, -1.0, 1.0, 1000 + s);
      EXPECT_GT(t::dot(w, apply_elastic(op, w)), -1e-12 * scale * std::sqrt(2.0 * n));
    }
  }
}

TEST(SemOperators, AcousticSymmetricConstantsAndPsd) {
  for (int p : {1, 4, 8}) {
    const auto tm = t::make_mesh(p, 3, 4, t::distorted_map());
    const auto ir = t::random_vector(n_points(tm.mesh), 0.3, 1.7, 9);
    AcousticOperator2D op(tm.mesh, ir);
    const int n = tm.mesh.n_nodes;
    const auto u = t::random_vector(n, -1.0, 1.0, 300 + p);
    const auto v = t::random_vector(n, -1.0, 1.0, 400 + p);
    const auto ku = apply_acoustic(op, u), kv = apply_acoustic(op, v);
    const double scale = t::max_abs(ku) * std::sqrt(1.0 * n);
    EXPECT_NEAR(t::dot(u, kv), t::dot(v, ku), 1e-12 * scale * std::sqrt(1.0 * n));
    EXPECT_LT(t::max_abs(apply_acoustic(op, std::vector<double>(n, 2.5))), 1e-12 * t::max_abs(ku));
    for (unsigned s = 0; s < 20; ++s) {
      const auto w = t::random_vector(n, -1.0, 1.0, 2000 + s);
      EXPECT_GT(t::dot(w, apply_acoustic(op, w)), -1e-12 * scale * std::sqrt(1.0 * n));
    }
  }
}

TEST(SemOperators, AffinePathsMatchGeneralPath) {
  OperatorOptions general;
  general.detect_affine = false;
  for (int p : {1, 3, 4, 6, 8}) {
    const auto tm = t::make_mesh(p, 5, 3, t::affine_map());
    const std::size_t nq = (p + 1) * (p + 1);
    // Per-point random material -> affine path.
    const auto lam = t::random_vector(n_points(tm.mesh), 1.0, 3.0, 51);
    const auto mu = t::random_vector(n_points(tm.mesh), 0.5, 2.0, 52);
    // Cell-constant material -> affine_const path.
    std::vector<double> lamc(lam.size()), muc(mu.size());
    for (std::size_t i = 0; i < lam.size(); ++i) { lamc[i] = lam[(i / nq) * nq]; muc[i] = mu[(i / nq) * nq]; }
    const auto u = t::random_vector(2 * tm.mesh.n_nodes, -1.0, 1.0, 53);
    const auto pu = t::random_vector(tm.mesh.n_nodes, -1.0, 1.0, 54);

    ElasticOperator2D ea(tm.mesh, lam, mu), eg(tm.mesh, lam, mu, general);
    ElasticOperator2D eac(tm.mesh, lamc, muc), egc(tm.mesh, lamc, muc, general);
    EXPECT_EQ(ea.path(), KernelPath::affine);
    EXPECT_EQ(eg.path(), KernelPath::general);
    EXPECT_EQ(eac.path(), KernelPath::affine_const);
    EXPECT_LT(eac.memory_bytes(), ea.memory_bytes());
    EXPECT_LT(ea.memory_bytes(), eg.memory_bytes());
    // The paths differ only by rounding: the isoparametric Jacobian of the test mesh is constant
    // per cell to ~1e-15 and the fast paths fold jxw and material in a different order.
    const auto rg = apply_elastic(eg, u), rgc = apply_elastic(egc, u);
    EXPECT_LT(t::max_abs_diff(apply_elastic(ea, u), rg) / t::max_abs(rg), 1e-12) << "p=" << p;
    EXPECT_LT(t::max_abs_diff(apply_elastic(eac, u), rgc) / t::max_abs(rgc), 1e-12) << "p=" << p;
    // and all of them agree with the dense reference
    const auto K = t::dense_reference(tm.mesh, lamc, &muc);
    EXPECT_LT(t::max_abs_diff(apply_elastic(eac, u), t::matvec(K, u)) / t::max_abs(rgc), 1e-12);

    AcousticOperator2D aa(tm.mesh, lam), ag(tm.mesh, lam, general);
    AcousticOperator2D aac(tm.mesh, lamc), agc(tm.mesh, lamc, general);
    EXPECT_EQ(aa.path(), KernelPath::affine);
    EXPECT_EQ(aac.path(), KernelPath::affine_const);
    EXPECT_EQ(ag.path(), KernelPath::general);
    const auto qg = apply_acoustic(ag, pu), qgc = apply_acoustic(agc, pu);
    EXPECT_LT(t::max_abs_diff(apply_acoustic(aa, pu), qg) / t::max_abs(qg), 1e-12) << "p=" << p;
    EXPECT_LT(t::max_abs_diff(apply_acoustic(aac, pu), qgc) / t::max_abs(qgc), 1e-12) << "p=" << p;
  }
}

TEST(SemOperators, ManyCellsFullBatchesAndMove) {
  // 37 cells: several full batches plus a partial one; compare with the dense reference.
  const auto tm = t::make_mesh(3, 37, 1, t::distorted_map());
  const auto lam = t::random_vector(n_points(tm.mesh), 1.0, 3.0, 61);
  const auto mu = t::random_vector(n_points(tm.mesh), 0.5, 2.0, 62);
  ElasticOperator2D op0(tm.mesh, lam, mu);
  ElasticOperator2D op(std::move(op0));
  const auto u = t::random_vector(2 * tm.mesh.n_nodes, -1.0, 1.0, 63);
  const auto rr = t::matvec(t::dense_reference(tm.mesh, lam, &mu), u);
  EXPECT_LT(t::max_abs_diff(apply_elastic(op, u), rr) / t::max_abs(rr), 1e-12);
  EXPECT_EQ(op.n_cells(), 37);
}

TEST(SemOperators, RejectsInconsistentInput) {
  auto tm = t::make_mesh(2, 2, 2, t::affine_map());
  const auto lam = t::random_vector(n_points(tm.mesh), 1.0, 3.0, 1);
  EXPECT_THROW(ElasticOperator2D(tm.mesh, lam, std::vector<double>(3, 1.0)), std::invalid_argument);
  ElasticOperator2D op(tm.mesh, lam, lam);
  Vector u("u", 2 * tm.mesh.n_nodes), r("r", tm.mesh.n_nodes);
  EXPECT_THROW(op.apply(u, r), std::invalid_argument);
  EXPECT_THROW(op.apply(u, u), std::invalid_argument);
  tm.mesh.cell_nodes[5] = tm.mesh.n_nodes;
  EXPECT_THROW(AcousticOperator2D(tm.mesh, lam), std::invalid_argument);
  tm.mesh.degree = 9;
  EXPECT_THROW(AcousticOperator2D(tm.mesh, lam), std::invalid_argument);
}

TEST(SemOperators, UntouchedNodesGetZero) {
  // A node that no cell references must come out as 0 (the first-touch store optimisation must
  // fall back to a zero fill), and the rest must be unaffected.
  auto tm = t::make_mesh(3, 4, 2, t::distorted_map());
  const auto lam = t::random_vector(n_points(tm.mesh), 1.0, 3.0, 71);
  const auto mu = t::random_vector(n_points(tm.mesh), 0.5, 2.0, 72);
  const auto u = t::random_vector(2 * tm.mesh.n_nodes, -1.0, 1.0, 73);
  const auto ref = apply_elastic(ElasticOperator2D(tm.mesh, lam, mu), u);
  auto mesh2 = tm.mesh;
  mesh2.n_nodes += 1;
  auto u2 = u;
  u2.push_back(5.0);
  u2.push_back(-5.0);
  const auto r2 = apply_elastic(ElasticOperator2D(mesh2, lam, mu), u2);
  EXPECT_EQ(r2[2 * tm.mesh.n_nodes], 0.0);
  EXPECT_EQ(r2[2 * tm.mesh.n_nodes + 1], 0.0);
  ASSERT_EQ(r2.size(), ref.size() + 2);
  for (std::size_t i = 0; i < ref.size(); ++i) EXPECT_EQ(r2[i], ref[i]) << i;

  const auto pu = t::random_vector(tm.mesh.n_nodes + 1, -1.0, 1.0, 74);
  const auto q2 = apply_acoustic(AcousticOperator2D(mesh2, lam), pu);
  EXPECT_EQ(q2[tm.mesh.n_nodes], 0.0);
}
