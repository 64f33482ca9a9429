// Conventional and LST inversions on a reduced checkerboard (seconds).
#include <gtest/gtest.h>

#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/tomography/experiment.hpp"
#include "hyseis/hybrid/tomography/inversion.hpp"

namespace tomo = hyseis::hybrid::tomography;
namespace tt = hyseis::physics::traveltime;

namespace {
struct Small {
  tt::Grid2D g;
  std::vector<tt::Ray> rays;
  tt::SparseMatrix A;
  Eigen::VectorXd truth, t, mask;
};
Small small_problem() {
  Small p;
  p.g.nx = p.g.ny = 40;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(3, 37);
  std::vector<tt::Point2> st;
  for (int i = 0; i < 30; ++i) st.push_back({u(rng), u(rng)});
  p.rays = tt::station_pair_rays(p.g, st);
  p.A = tt::straight_ray_matrix(p.g, p.rays);
  p.truth = tomo::checkerboard_model(p.g, 0.4, 0.1, 8, 2);
  p.t = p.A * p.truth;
  p.mask = tt::hit_count(p.A).unaryExpr([](double h) { return h >= 3 ? 1.0 : 0.0; });
  return p;
}
}  // namespace

TEST(Patches, LayoutCoversGridAndAveragingInverts) {
  auto p = tomo::make_patches(13, 9, 4, 3);
  Eigen::VectorXd f = Eigen::VectorXd::LinSpaced(13 * 9, 0, 1);
  auto P = tomo::extract_patches(p, f);
  EXPECT_LT((tomo::average_patches(p, P) - f).norm(), 1e-14);
  EXPECT_EQ(p.ox.back(), 13 - 4);
  EXPECT_EQ(p.oy.back(), 9 - 4);
  EXPECT_THROW(tomo::make_patches(13, 9, 10, 1), hyseis::core::InvalidInput);
  EXPECT_THROW(tomo::make_patches(13, 9, 4, 5), hyseis::core::InvalidInput);
}

TEST(Conventional, ReducesErrorAndReportsGcvAndLcurve) {
  auto p = small_problem();
  const double s0 = tomo::reference_slowness(p.A, p.t);
  tomo::ConventionalOptions o;
  o.length = 4;
  auto r = tomo::conventional_inversion(p.g, p.A, p.t, s0, o);
  const double rmse0 = tomo::rmse_ms_per_km(Eigen::VectorXd::Constant(p.g.cells(), s0), p.truth, p.mask);
  const double rmse = tomo::rmse_ms_per_km(r.slowness, p.truth, p.mask);
  EXPECT_LT(rmse, 0.8 * rmse0);
  EXPECT_GT(r.eta_gcv, 0);
  EXPECT_GT(r.eta_lcurve, 0);
  EXPECT_EQ(r.etas.size(), std::size_t(o.eta_count));
  // Residual norm increases and model norm decreases with eta.
  EXPECT_LT(r.residual_norm.front(), r.residual_norm.back());
  EXPECT_GT(r.model_norm.front(), r.model_norm.back());
  Eigen::VectorXd bad = p.t;
  bad[3] = NAN;
  EXPECT_THROW(tomo::conventional_inversion(p.g, p.A, bad, s0, o), hyseis::core::InvalidInput);
}

TEST(Lst, SmallGridBeatsConventional) {
  auto p = small_problem();
  tomo::ConventionalOptions co;
  co.length = 4;
  tomo::LstOptions lo;
  lo.patch = 8;
  lo.atoms = 40;
  lo.outer_iterations = 15;
  lo.dict_iterations_initial = 5;
  lo.max_uncovered_fraction = 0.5;
  auto o = tomo::run_case(p.g, p.A, p.truth, p.t, p.mask, co, lo);
  std::cout << "small grid: conventional " << o.rmse_conventional << " ms/km, LST " << o.rmse_lst
            << " ms/km\n";
  EXPECT_LT(o.rmse_lst, o.rmse_conventional);
  EXPECT_EQ(o.lst.dictionary.cols(), 40);
  EXPECT_EQ(o.lst.data_rms.size(), 15u);
  // Fixed DCT dictionary runs too.
  lo.dictionary = "dct";
  lo.patch = 6;
  lo.atoms = 80;
  lo.sparsity = 3;
  auto d = tomo::lst_inversion(p.g, p.A, p.t, tomo::reference_slowness(p.A, p.t), lo);
  EXPECT_TRUE(d.sparse.allFinite());
}

TEST(Lst, BadOptions) {
  auto p = small_problem();
  tomo::LstOptions lo;
  lo.patch = 41;
  EXPECT_THROW(tomo::lst_inversion(p.g, p.A, p.t, 0.4, lo), hyseis::core::InvalidInput);
  lo.patch = 8;
  lo.stride = 9;
  EXPECT_THROW(tomo::lst_inversion(p.g, p.A, p.t, 0.4, lo), hyseis::core::InvalidInput);
  lo.stride = 1;
  lo.dictionary = "haar";
  EXPECT_THROW(tomo::lst_inversion(p.g, p.A, p.t, 0.4, lo), hyseis::core::InvalidInput);
  lo.dictionary = "learned";
  lo.local_weight = -1;
  EXPECT_THROW(tomo::lst_inversion(p.g, p.A, p.t, 0.4, lo), hyseis::core::InvalidInput);
}

TEST(Lst, LocalWeightBlendsGlobalIntoSparse) {
  // lambda_1 -> infinity: s_s -> s_g; lambda_1 = 0: the plain patch average (the default).
  auto p = small_problem();
  tomo::LstOptions lo;
  lo.patch = 8;
  lo.atoms = 40;
  lo.outer_iterations = 2;
  lo.dict_iterations_initial = 2;
  lo.max_uncovered_fraction = 0.5;
  const double s0 = tomo::reference_slowness(p.A, p.t);
  lo.local_weight = 1e12;
  auto big = tomo::lst_inversion(p.g, p.A, p.t, s0, lo);
  EXPECT_LT((big.sparse - big.global).cwiseAbs().maxCoeff(), 1e-9);
  lo.local_weight = 0;
  auto zero = tomo::lst_inversion(p.g, p.A, p.t, s0, lo);
  EXPECT_GT((zero.sparse - zero.global).cwiseAbs().maxCoeff(), 1e-6);
  // Default global_selection gcv_each: one lambda per outer iteration, never below the floor.
  ASSERT_EQ(zero.global_lambda_history.size(), 2u);
  for (double l : zero.global_lambda_history) EXPECT_GE(l, lo.global_damping);
  lo.global_selection = "gcv_every";
  EXPECT_THROW(tomo::lst_inversion(p.g, p.A, p.t, s0, lo), hyseis::core::InvalidInput);
}
