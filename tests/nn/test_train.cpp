// The shared training loop: convergence on a problem with a known answer, exact resume from a
// checkpoint, early stopping restores the best state, non-finite loss is an error.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/nn/train.hpp"

namespace nn = hyseis::learning::nn;

namespace {
struct LinearData {
  torch::Tensor x, y;
  LinearData() {
    torch::manual_seed(7);
    x = torch::randn({256, 3}, torch::kFloat64);
    auto w = torch::tensor({1.5, -2.0, 0.5}, torch::kFloat64);
    y = (x.matmul(w) + 0.25).unsqueeze(1);
  }
};
}  // namespace

TEST(NnTrain, LinearRegressionRecoversCoefficients) {
  LinearData d;
  nn::seed_everything(1);
  nn::MLP m(3, std::vector<std::int64_t>{}, 1);
  m->to(torch::kFloat64);
  nn::TrainOptions o;
  o.epochs = 300;
  o.batch_size = 32;
  o.learning_rate = 0.05;
  o.progress = false;
  auto h = nn::train(*m, 256, [&](const torch::Tensor& idx) {
    return torch::mse_loss(m->forward(d.x.index_select(0, idx)), d.y.index_select(0, idx));
  }, {}, o);
  EXPECT_EQ(h.epochs_run, 300);
  auto w = m->parameters()[0].detach();
  auto b = m->parameters()[1].detach();
  EXPECT_NEAR(w[0][0].item<double>(), 1.5, 1e-3);
  EXPECT_NEAR(w[0][1].item<double>(), -2.0, 1e-3);
  EXPECT_NEAR(w[0][2].item<double>(), 0.5, 1e-3);
  EXPECT_NEAR(b[0].item<double>(), 0.25, 1e-3);
}

TEST(NnTrain, ResumeGivesTheSameResultAsAnUninterruptedRun) {
  LinearData d;
  const auto ckpt = std::filesystem::temp_directory_path() / "hyseis_nn_resume.pt";
  std::filesystem::remove(ckpt);
  auto make = [] {
    nn::seed_everything(3);
    nn::MLP m(3, std::vector<std::int64_t>{8}, 1, nn::Activation::tanh);
    m->to(torch::kFloat64);
    return m;
  };
  auto loss_for = [&](nn::MLP& m) {
    return [&d, m](const torch::Tensor& idx) mutable {
      return torch::mse_loss(m->forward(d.x.index_select(0, idx)), d.y.index_select(0, idx));
    };
  };
  nn::TrainOptions o;
  o.epochs = 12;
  o.batch_size = 50;
  o.learning_rate = 0.01;
  o.lr_decay = 0.9;
  o.seed = 11;
  o.progress = false;

  auto full = make();
  auto hf = nn::train(*full, 256, loss_for(full), {}, o);

  auto part = make();
  o.checkpoint = ckpt.string();
  o.epochs = 5;   // "interrupted" after 5 epochs
  nn::train(*part, 256, loss_for(part), {}, o);
  ASSERT_TRUE(std::filesystem::exists(ckpt));
  auto resumed = make();   // fresh process state: weights re-initialised, then loaded
  o.epochs = 12;
  auto hr = nn::train(*resumed, 256, loss_for(resumed), {}, o);
  EXPECT_TRUE(hr.resumed);
  ASSERT_EQ(hr.train_loss.size(), hf.train_loss.size());
  for (std::size_t e = 0; e < hf.train_loss.size(); ++e)
    EXPECT_DOUBLE_EQ(hr.train_loss[e], hf.train_loss[e]) << "epoch " << e;
  auto pf = full->parameters(), pr = resumed->parameters();
  for (std::size_t k = 0; k < pf.size(); ++k)
    EXPECT_TRUE(torch::equal(pf[k], pr[k])) << "parameter " << k;
  std::filesystem::remove(ckpt);
}

TEST(NnTrain, EarlyStoppingRestoresTheBestEpoch) {
  LinearData d;
  nn::seed_everything(5);
  nn::MLP m(3, std::vector<std::int64_t>{16}, 1);
  m->to(torch::kFloat64);
  nn::TrainOptions o;
  o.epochs = 200;
  o.batch_size = 16;
  o.learning_rate = 0.5;   // deliberately unstable: validation loss stops improving
  o.patience = 5;
  o.progress = false;
  auto xv = d.x.slice(0, 200), yv = d.y.slice(0, 200);
  auto h = nn::train(*m, 200, [&](const torch::Tensor& idx) {
    return torch::mse_loss(m->forward(d.x.index_select(0, idx)), d.y.index_select(0, idx));
  }, [&] { return torch::mse_loss(m->forward(xv), yv).item<double>(); }, o);
  ASSERT_GE(h.best_epoch, 0);
  EXPECT_LT(h.epochs_run, 200);
  EXPECT_TRUE(h.stopped_early);
  torch::NoGradGuard ng;
  const double restored = torch::mse_loss(m->forward(xv), yv).item<double>();
  EXPECT_DOUBLE_EQ(restored, h.best_val);
}

TEST(NnTrain, NonFiniteLossIsANumericalError) {
  nn::MLP m(1, std::vector<std::int64_t>{}, 1);
  nn::TrainOptions o;
  o.epochs = 2;
  o.progress = false;
  auto x = torch::full({4, 1}, std::numeric_limits<float>::quiet_NaN());
  EXPECT_THROW(nn::train(*m, 4, [&](const torch::Tensor& idx) {
    return m->forward(x.index_select(0, idx)).pow(2).mean();
  }, {}, o), hyseis::core::NumericalError);
}

TEST(NnTrain, StandardizerRoundTripsAndSavesWithTheModel) {
  auto x = torch::randn({100, 2}, torch::kFloat64) * torch::tensor({3.0, 0.1}, torch::kFloat64) +
           torch::tensor({10.0, -1.0}, torch::kFloat64);
  nn::Standardizer s(2);
  s->fit(x);
  auto z = s->forward(x);
  EXPECT_LT(z.mean(0).abs().max().item<double>(), 1e-12);
  EXPECT_NEAR(z.std(0)[0].item<double>(), 1.0, 1e-12);
  EXPECT_TRUE(torch::allclose(s->inverse(z), x, 1e-12, 1e-12));
  const auto f = (std::filesystem::temp_directory_path() / "hyseis_std.pt").string();
  nn::save_module(*s, f);
  nn::Standardizer t(2);
  nn::load_module(*t, f);
  EXPECT_TRUE(torch::equal(t->mean, s->mean));
  EXPECT_THROW(nn::load_module(*t, f + ".missing"), hyseis::core::IoError);
  std::filesystem::remove(f);
}
