// The FWI driver on a proxy data term with a known answer: per-shot linear operators
// (misfit 1/2 ||G_s m - d_s||^2). Least-squares recovery, KKT at active bounds, preconditioning,
// two "frequency" stages, exact resume after an interruption, and -np 2 == -np 1 bit for bit.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cstdio>
#include <filesystem>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/fwi/inversion.hpp"

using namespace hyseis::hybrid::fwi;

namespace {
// Stage 0 sees only the first half of each shot's rows ("low frequencies"), stage 1 all rows.
class LinearShots : public ShotObjective {
 public:
  LinearShots(int n, int shots, int rows, int stages, const Eigen::VectorXd& truth, std::uint64_t seed)
      : n_(n), stages_(stages) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> nd;
    for (int s = 0; s < shots; ++s) {
      Eigen::MatrixXd G(rows, n);
      for (int i = 0; i < rows; ++i)
        for (int j = 0; j < n; ++j) G(i, j) = nd(rng) * 1e-3;
      G_.push_back(G);
      d_.push_back(G * truth);
    }
  }
  int n_params() const override { return n_; }
  int n_shots() const override { return int(G_.size()); }
  int n_stages() const override { return stages_; }
  void set_stage(int s) override { stage_ = s; }
  double misfit_gradient(const Eigen::VectorXd& m, int shot, Eigen::VectorXd& g) override {
    const auto& G = G_[std::size_t(shot)];
    const Eigen::Index rows = stage_ + 1 < stages_ ? G.rows() / 2 : G.rows();
    const Eigen::VectorXd r = G.topRows(rows) * m - d_[std::size_t(shot)].head(rows);
    g = G.topRows(rows).transpose() * r;
    ++calls;
    return 0.5 * r.squaredNorm();
  }
  Eigen::MatrixXd stacked() const {
    Eigen::MatrixXd A(G_.size() * G_[0].rows(), n_);
    for (std::size_t s = 0; s < G_.size(); ++s) A.middleRows(Eigen::Index(s) * G_[0].rows(), G_[0].rows()) = G_[s];
    return A;
  }
  Eigen::VectorXd data() const {
    Eigen::VectorXd d(G_.size() * G_[0].rows());
    for (std::size_t s = 0; s < G_.size(); ++s) d.segment(Eigen::Index(s) * G_[0].rows(), G_[0].rows()) = d_[s];
    return d;
  }
  int calls = 0;

 private:
  int n_, stages_, stage_ = 0;
  std::vector<Eigen::MatrixXd> G_;
  std::vector<Eigen::VectorXd> d_;
};

Eigen::VectorXd truth_model(int nx, int nz) {
  Eigen::VectorXd m(nx * nz);
  for (int k = 0; k < nz; ++k)
    for (int i = 0; i < nx; ++i) m[k * nx + i] = 1800 + 150 * k + (i > nx / 2 && k > nz / 2 ? 600 : 0);
  return m;
}

std::string tmp(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("hyseis_fwi_" + std::to_string(::getpid()) + "_" + name)).string();
}
}  // namespace

TEST(FwiDriver, RecoversLeastSquaresSolution) {
  const int nx = 6, nz = 5, n = nx * nz;
  const Eigen::VectorXd truth = truth_model(nx, nz);
  LinearShots obj(n, 4, 20, 1, truth, 1);
  NoPrior none;
  InversionOptions opt;
  opt.stage_iterations = {300};
  opt.lbfgs.pgtol = 1e-14;
  opt.lbfgs.max_evaluations = 2000;
  const Eigen::VectorXd m0 = Eigen::VectorXd::Constant(n, 2500);
  const auto r = invert(obj, none, m0, opt, MPI_COMM_SELF, truth);
  EXPECT_LT((r.model - truth).lpNorm<Eigen::Infinity>(), 1e-5 * truth.maxCoeff()) << r.stage_status[0];
  EXPECT_LT(r.history.back().model_rmse, 1e-3);
  EXPECT_LT(r.history.back().data_misfit, 1e-12 * r.history.front().data_misfit);
  // A diagonal preconditioner changes the path, not the answer.
  Eigen::VectorXd p(n);
  for (int i = 0; i < n; ++i) p[i] = 0.5 + (i % 7) * 0.3;
  opt.preconditioner = p;
  const auto rp = invert(obj, none, m0, opt, MPI_COMM_SELF, truth);
  EXPECT_LT((rp.model - truth).lpNorm<Eigen::Infinity>(), 1e-5 * truth.maxCoeff()) << rp.stage_status[0];
}

TEST(FwiDriver, ActiveUpperBoundSatisfiesKkt) {
  const int n = 30;
  const Eigen::VectorXd truth = truth_model(6, 5);
  LinearShots obj(n, 3, 20, 1, truth, 2);
  NoPrior none;
  InversionOptions opt;
  opt.stage_iterations = {400};
  opt.upper = 2200;  // below part of the truth (up to 2800)
  opt.lower = 1500;
  opt.lbfgs.pgtol = 1e-14;
  opt.lbfgs.max_evaluations = 3000;
  const auto r = invert(obj, none, Eigen::VectorXd::Constant(n, 2000), opt, MPI_COMM_SELF);
  // KKT of min 1/2 ||A m - d||^2 on the box, with the gradient computed independently.
  const Eigen::VectorXd g = obj.stacked().transpose() * (obj.stacked() * r.model - obj.data());
  const double gs = g.cwiseAbs().maxCoeff() + 1e-300;
  int at_upper = 0;
  for (int i = 0; i < n; ++i) {
    EXPECT_LE(r.model[i], 2200.0);
    if (r.model[i] >= 2200.0 - 1e-9) {
      ++at_upper;
      EXPECT_LE(g[i], 1e-6 * gs) << "component " << i;
    } else if (r.model[i] > 1500.0 + 1e-9) {
      EXPECT_LT(std::abs(g[i]), 1e-4 * gs) << "free component " << i;
    }
  }
  EXPECT_GT(at_upper, 0);
}

TEST(FwiDriver, ResumeAfterInterruptionIsExact) {
  const int nx = 12, nz = 10, n = nx * nz;
  const Eigen::VectorXd truth = truth_model(nx, nz);
  const Eigen::VectorXd m0 = Eigen::VectorXd::Constant(n, 2200);
  DictionaryPriorOptions dopt;
  dopt.patch = 4;
  dopt.stride = 2;
  dopt.atoms = 8;
  dopt.lambda = 0.05;
  dopt.update_every = 2;
  InversionOptions opt;
  opt.stage_iterations = {6, 6};
  opt.lower = 1000;
  opt.upper = 5000;
  const std::string ckA = tmp("a.h5"), ckB = tmp("b.h5");
  LinearShots objA(n, 3, 60, 2, truth, 4);
  DictionaryPrior priorA({nx, nz}, dopt);
  opt.checkpoint_file = ckA;
  const auto full = invert(objA, priorA, m0, opt, MPI_COMM_SELF, truth);
  ASSERT_EQ(full.history.size(), 14u);  // 2 x (start + 6 iterations)
  for (int interrupt_at : {4, 9}) {     // inside stage 0, inside stage 1
    std::filesystem::remove(ckB);
    LinearShots objB(n, 3, 60, 2, truth, 4);
    DictionaryPrior priorB({nx, nz}, dopt);
    opt.checkpoint_file = ckB;
    opt.resume = false;
    int count = 0;
    EXPECT_THROW(invert(objB, priorB, m0, opt, MPI_COMM_SELF, truth,
                        [&](const IterationRecord&, const Eigen::VectorXd&) {
                          if (++count == interrupt_at) throw std::runtime_error("interrupted");
                        }),
                 std::runtime_error);
    LinearShots objC(n, 3, 60, 2, truth, 4);
    DictionaryPrior priorC({nx, nz}, dopt);  // fresh objects: everything comes from the checkpoint
    opt.resume = true;
    const auto resumed = invert(objC, priorC, m0, opt, MPI_COMM_SELF, truth);
    EXPECT_TRUE(resumed.resumed);
    ASSERT_EQ(resumed.history.size(), full.history.size());
    for (int i = 0; i < n; ++i) ASSERT_EQ(resumed.model[i], full.model[i]) << "interrupt " << interrupt_at;
    for (std::size_t k = 0; k < full.history.size(); ++k) {
      EXPECT_EQ(resumed.history[k].total, full.history[k].total) << k;
      EXPECT_EQ(resumed.history[k].evaluations, full.history[k].evaluations) << k;
    }
  }
  // Stage 1 improved on stage 0, and the inversion reduced the model error.
  EXPECT_LT(full.history.back().model_rmse, full.history.front().model_rmse);
  std::filesystem::remove(ckA);
  std::filesystem::remove(ckB);
}

TEST(FwiDriver, BadInput) {
  const Eigen::VectorXd truth = truth_model(6, 5);
  LinearShots obj(30, 2, 10, 1, truth, 5);
  NoPrior none;
  InversionOptions opt;
  opt.stage_iterations = {3, 3};  // objective has 1 stage
  EXPECT_THROW(invert(obj, none, truth, opt, MPI_COMM_SELF), hyseis::core::InvalidInput);
  opt.stage_iterations = {3};
  EXPECT_THROW(invert(obj, none, Eigen::VectorXd::Zero(29), opt, MPI_COMM_SELF), hyseis::core::InvalidInput);
  opt.lower = 3000;
  opt.upper = 2000;
  EXPECT_THROW(invert(obj, none, truth, opt, MPI_COMM_SELF), hyseis::core::InvalidInput);
}

TEST(FwiDriverMpi, TwoRanksEqualOneRankBitForBit) {
  int size = 1, rank = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const int nx = 10, nz = 8, n = nx * nz;
  const Eigen::VectorXd truth = truth_model(nx, nz);
  InversionOptions opt;
  opt.stage_iterations = {5, 5};
  opt.lower = 1000;
  opt.upper = 5000;
  LinearShots a(n, 5, 40, 2, truth, 9), b(n, 5, 40, 2, truth, 9);
  TotalVariationPrior tva({nx, nz}, 0.01, 0.01), tvb({nx, nz}, 0.01, 0.01);
  const Eigen::VectorXd m0 = Eigen::VectorXd::Constant(n, 2300);
  const auto par = invert(a, tva, m0, opt, MPI_COMM_WORLD, truth);
  const auto ser = invert(b, tvb, m0, opt, MPI_COMM_SELF, truth);
  if (size > 1) EXPECT_LT(a.calls, b.calls) << "shots should be shared between ranks";
  for (int i = 0; i < n; ++i) ASSERT_EQ(par.model[i], ser.model[i]) << "rank " << rank << " param " << i;
  ASSERT_EQ(par.history.size(), ser.history.size());
  for (std::size_t k = 0; k < par.history.size(); ++k) EXPECT_EQ(par.history[k].total, ser.history[k].total);
}
