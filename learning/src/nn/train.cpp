// Shared training loop and building blocks (see train.hpp).
#include "hyseis/learning/nn/train.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>

#include <spdlog/spdlog.h>

#include "hyseis/core/error.hpp"
#include "hyseis/core/progress.hpp"

namespace hyseis::learning::nn {

void seed_everything(std::uint64_t seed, int threads) {
  torch::manual_seed(seed);
  if (threads > 0) torch::set_num_threads(threads);
}

std::vector<torch::Tensor> snapshot_state(torch::nn::Module& model) {
  std::vector<torch::Tensor> s;
  torch::NoGradGuard ng;
  for (auto& p : model.parameters()) s.push_back(p.detach().clone());
  for (auto& b : model.buffers()) s.push_back(b.detach().clone());
  return s;
}

void restore_state(torch::nn::Module& model, const std::vector<torch::Tensor>& state) {
  torch::NoGradGuard ng;
  auto params = model.parameters();
  auto bufs = model.buffers();
  if (state.size() != params.size() + bufs.size())
    throw core::Error("restore_state: state has " + std::to_string(state.size()) +
                      " tensors, model has " + std::to_string(params.size() + bufs.size()));
  std::size_t k = 0;
  for (auto& p : params) p.copy_(state[k++]);
  for (auto& b : bufs) b.copy_(state[k++]);
}

namespace {

void write_archive_atomic(torch::serialize::OutputArchive& ar, const std::string& path) {
  const std::string tmp = path + ".tmp";
  try {
    ar.save_to(tmp);
  } catch (const std::exception& e) {
    throw core::IoError("cannot write '" + tmp + "': " + e.what());
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw core::IoError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
}

torch::Tensor vec_to_tensor(const std::vector<double>& v) {
  return torch::tensor(v.empty() ? std::vector<double>{} : v, torch::kFloat64);
}
std::vector<double> tensor_to_vec(const torch::Tensor& t) {
  auto c = t.to(torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

}  // namespace

TrainHistory train(torch::nn::Module& model, std::int64_t n_samples, const BatchLoss& batch_loss,
                   const ValidationLoss& validation_loss, const TrainOptions& o) {
  if (n_samples <= 0) throw core::InvalidInput(o.label + ": no training samples");
  if (o.epochs < 1) throw core::InvalidInput(o.label + ": epochs must be >= 1");
  const std::int64_t bs = o.batch_size <= 0 ? n_samples : std::min(o.batch_size, n_samples);
  const std::int64_t n_batches = (n_samples + bs - 1) / bs;

  torch::optim::AdamWOptions aopt(o.learning_rate);
  aopt.weight_decay(o.weight_decay);
  torch::optim::AdamW opt(model.parameters(), aopt);

  TrainHistory h;
  std::vector<torch::Tensor> best = snapshot_state(model);
  int start_epoch = 0;
  int since_best = 0;
  double lr = o.learning_rate;

  // ---- resume ----
  if (!o.checkpoint.empty() && std::filesystem::exists(o.checkpoint)) {
    try {
      torch::serialize::InputArchive ar;
      ar.load_from(o.checkpoint);
      torch::serialize::InputArchive mar, oar, bar;
      ar.read("model", mar);
      model.load(mar);
      ar.read("optimizer", oar);
      opt.load(oar);
      torch::Tensor meta, tl, vl;
      ar.read("meta", meta);
      ar.read("train_loss", tl);
      ar.read("val_loss", vl);
      auto m = tensor_to_vec(meta);
      start_epoch = static_cast<int>(m.at(0));
      h.best_epoch = static_cast<int>(m.at(1));
      h.best_val = m.at(2);
      since_best = static_cast<int>(m.at(3));
      lr = m.at(4);
      h.stopped_early = m.at(5) != 0;
      h.train_loss = tensor_to_vec(tl);
      h.val_loss = tensor_to_vec(vl);
      ar.read("best", bar);
      for (std::size_t k = 0; k < best.size(); ++k) bar.read(std::to_string(k), best[k]);
      h.resumed = true;
    } catch (const core::Error&) {
      throw;
    } catch (const std::exception& e) {
      throw core::IoError("cannot resume from checkpoint '" + o.checkpoint +
                          "' (delete it to start afresh): " + e.what());
    }
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
    if (o.progress)
      spdlog::info("{}: resumed from {} at epoch {}", o.label, o.checkpoint, start_epoch);
  }

  std::mt19937_64 rng(o.seed);
  // Advance the shuffling stream past the epochs already done, so a resumed run sees the same
  // batches as an uninterrupted one.
  std::vector<std::int64_t> perm(static_cast<std::size_t>(n_samples));
  for (int e = 0; e < start_epoch; ++e) {
    for (std::int64_t i = 0; i < n_samples; ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
  }

  core::Progress bar(o.label, o.epochs, o.progress);
  bar.update(start_epoch);
  for (int epoch = start_epoch; epoch < o.epochs && !h.stopped_early; ++epoch) {
    for (std::int64_t i = 0; i < n_samples; ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    auto perm_t = torch::from_blob(perm.data(), {n_samples}, torch::kInt64).clone();
    model.train();
    double sum = 0;
    for (std::int64_t b = 0; b < n_batches; ++b) {
      auto idx = perm_t.slice(0, b * bs, std::min(n_samples, (b + 1) * bs));
      opt.zero_grad();
      auto loss = batch_loss(idx);
      const double lv = loss.item<double>();
      if (!std::isfinite(lv)) {
        std::ostringstream os;
        os << o.label << ": loss is " << lv << " at epoch " << epoch << ", batch " << b
           << " (learning rate " << lr << "); check the inputs for NaN/Inf or lower the rate";
        throw core::NumericalError(os.str());
      }
      loss.backward();
      if (o.clip_grad_norm > 0) torch::nn::utils::clip_grad_norm_(model.parameters(), o.clip_grad_norm);
      opt.step();
      sum += lv * static_cast<double>(idx.size(0));
    }
    const double tl = sum / static_cast<double>(n_samples);
    double vl = tl;
    if (validation_loss) {
      model.eval();
      torch::NoGradGuard ng;
      vl = validation_loss();
    }
    h.train_loss.push_back(tl);
    h.val_loss.push_back(vl);
    if (vl < h.best_val - o.min_delta) {
      h.best_val = vl;
      h.best_epoch = epoch;
      best = snapshot_state(model);
      since_best = 0;
    } else {
      ++since_best;
      if (o.patience > 0 && since_best >= o.patience) h.stopped_early = true;
    }
    lr *= o.lr_decay;
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);

    if (!o.checkpoint.empty()) {
      torch::serialize::OutputArchive ar, mar, oar, bar_;
      model.save(mar);
      opt.save(oar);
      ar.write("model", mar);
      ar.write("optimizer", oar);
      ar.write("meta", vec_to_tensor({double(epoch + 1), double(h.best_epoch), h.best_val,
                                       double(since_best), lr, h.stopped_early ? 1.0 : 0.0}));
      ar.write("train_loss", vec_to_tensor(h.train_loss));
      ar.write("val_loss", vec_to_tensor(h.val_loss));
      for (std::size_t k = 0; k < best.size(); ++k) bar_.write(std::to_string(k), best[k]);
      ar.write("best", bar_);
      write_archive_atomic(ar, o.checkpoint);
    }
    bar.update(epoch + 1);
  }
  bar.finish();
  h.epochs_run = static_cast<int>(h.train_loss.size());
  restore_state(model, best);
  model.eval();
  return h;
}

Activation activation_from_string(const std::string& name) {
  if (name == "relu") return Activation::relu;
  if (name == "tanh") return Activation::tanh;
  if (name == "gelu") return Activation::gelu;
  if (name == "softplus") return Activation::softplus;
  if (name == "silu") return Activation::silu;
  throw core::InvalidInput("unknown activation '" + name +
                           "' (expected relu, tanh, gelu, softplus or silu)");
}

MLPImpl::MLPImpl(std::int64_t in, std::vector<std::int64_t> hidden, std::int64_t out,
                 Activation activation, double dropout) {
  net = torch::nn::Sequential();
  std::int64_t prev = in;
  for (auto w : hidden) {
    net->push_back(torch::nn::Linear(prev, w));
    switch (activation) {
      case Activation::relu: net->push_back(torch::nn::ReLU()); break;
      case Activation::tanh: net->push_back(torch::nn::Tanh()); break;
      case Activation::gelu: net->push_back(torch::nn::GELU()); break;
      case Activation::softplus: net->push_back(torch::nn::Softplus()); break;
      case Activation::silu: net->push_back(torch::nn::SiLU()); break;
    }
    if (dropout > 0) net->push_back(torch::nn::Dropout(dropout));
    prev = w;
  }
  net->push_back(torch::nn::Linear(prev, out));
  register_module("net", net);
}

torch::Tensor MLPImpl::forward(const torch::Tensor& x) { return net->forward(x); }

StandardizerImpl::StandardizerImpl(std::int64_t features) {
  mean = register_buffer("mean", torch::zeros({features}, torch::kFloat64));
  std = register_buffer("std", torch::ones({features}, torch::kFloat64));
}

void StandardizerImpl::fit(const torch::Tensor& x) {
  torch::NoGradGuard ng;
  auto xd = x.to(torch::kFloat64);
  if (xd.dim() != 2 || xd.size(1) != mean.size(0))
    throw core::InvalidInput("Standardizer::fit: expected [n, " + std::to_string(mean.size(0)) +
                             "] data");
  mean.copy_(xd.mean(0));
  auto s = xd.size(0) > 1 ? xd.std(0) : torch::ones_like(mean);
  s = torch::where(s > 0, s, torch::ones_like(s));
  std.copy_(s);
}

torch::Tensor StandardizerImpl::forward(const torch::Tensor& x) {
  return (x - mean.to(x.dtype())) / std.to(x.dtype());
}
torch::Tensor StandardizerImpl::inverse(const torch::Tensor& z) {
  return z * std.to(z.dtype()) + mean.to(z.dtype());
}

void save_module(torch::nn::Module& module, const std::string& path) {
  torch::serialize::OutputArchive ar;
  module.save(ar);
  write_archive_atomic(ar, path);
}

void load_module(torch::nn::Module& module, const std::string& path) {
  if (!std::filesystem::exists(path)) throw core::IoError("model file '" + path + "' not found");
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    module.load(ar);
  } catch (const std::exception& e) {
    throw core::IoError("cannot load model '" + path + "': " + e.what());
  }
}

}  // namespace hyseis::learning::nn
