// LibTorch autograd bridges: the SEM wave modeling and the eikonal solver (wave_function.hpp).
#include "hyseis/hybrid/autograd/wave_function.hpp"

#include <torch/csrc/autograd/generated/variable_factories.h>

#include <cstdint>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/wave/misfit.hpp"

namespace hyseis::hybrid::autograd {

namespace pw = physics::wave;
namespace pt = physics::traveltime;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

/// A float64 CPU contiguous vector of `n` entries, or InvalidInput naming `what`.
void check_vector(const torch::Tensor& t, std::int64_t n, const char* what) {
  HYSEIS_REQUIRE(t.defined() && t.dim() == 1 && t.size(0) == n, core::InvalidInput,
                 what << ": expected a 1-D tensor of " << n << " entries, got "
                      << (t.defined() ? t.sizes() : c10::IntArrayRef{}));
  HYSEIS_REQUIRE(t.scalar_type() == torch::kFloat64 && t.device().is_cpu(), core::InvalidInput,
                 what << ": expected a float64 CPU tensor, got " << t.scalar_type() << " on " << t.device());
}

/// Adopts `v` into a float64 tensor without copying (the tensor's deleter frees the vector).
torch::Tensor adopt(std::vector<double>&& v, std::vector<std::int64_t> shape) {
  auto* owner = new std::vector<double>(std::move(v));
  return torch::from_blob(
      owner->data(), shape, [owner](void*) { delete owner; }, torch::TensorOptions().dtype(torch::kFloat64));
}

/// Adopts an Eigen vector (moved, not copied) into a float64 tensor.
torch::Tensor adopt(Eigen::VectorXd&& v) {
  auto* owner = new Eigen::VectorXd(std::move(v));
  return torch::from_blob(
      owner->data(), {static_cast<std::int64_t>(owner->size())}, [owner](void*) { delete owner; },
      torch::TensorOptions().dtype(torch::kFloat64));
}

std::vector<double> encode_shot(const pw::SourceOptions& s) {
  return {static_cast<double>(s.type), s.x, s.z, s.fx, s.fz, s.mxx, s.mzz, s.mxz,
          static_cast<double>(s.time_function), s.f0, s.time_shift, s.amplitude};
}
pw::SourceOptions decode_shot(const std::vector<double>& v) {
  pw::SourceOptions s;
  s.type = static_cast<pw::SourceType>(static_cast<int>(v[0]));
  s.x = v[1];
  s.z = v[2];
  s.fx = v[3];
  s.fz = v[4];
  s.mxx = v[5];
  s.mzz = v[6];
  s.mxz = v[7];
  s.time_function = static_cast<pw::TimeFunction>(static_cast<int>(v[8]));
  s.f0 = v[9];
  s.time_shift = v[10];
  s.amplitude = v[11];
  return s;
}

template <class T>
T* pointer(AutogradContext* ctx, const char* key) {
  return reinterpret_cast<T*>(static_cast<std::intptr_t>(ctx->saved_data[key].toInt()));
}

}  // namespace

// ---- wave ----------------------------------------------------------------------------------------

torch::Tensor WaveFunction::forward(AutogradContext* ctx, torch::Tensor params, pw::Modeling* modeling,
                                    const pw::SourceOptions& shot) {
  HYSEIS_REQUIRE(modeling != nullptr, core::InvalidInput, "WaveFunction: modeling is null");
  check_vector(params, modeling->n_params(), "WaveFunction params");
  const torch::Tensor p = params.contiguous();
  // The Modeling interface takes a std::vector: one copy of the n_params model values.
  const double* pd = p.data_ptr<double>();
  std::vector<double> m(pd, pd + p.numel());
  const pw::Seismograms seis = modeling->forward(m, shot);
  const std::int64_t nr = static_cast<std::int64_t>(seis.data.size());
  const std::int64_t nc = nr ? static_cast<std::int64_t>(seis.data[0].size()) : 0;
  const std::int64_t nt = static_cast<std::int64_t>(seis.time.size());
  std::vector<double> flat(static_cast<std::size_t>(nr * nc * nt));
  for (std::int64_t r = 0; r < nr; ++r)
    for (std::int64_t c = 0; c < nc; ++c) std::copy_n(seis.data[r][c].begin(), nt, flat.begin() + (r * nc + c) * nt);
  ctx->save_for_backward({p});
  ctx->saved_data["modeling"] = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(modeling));
  ctx->saved_data["shot"] = encode_shot(shot);
  ctx->saved_data["shape"] = std::vector<std::int64_t>{nr, nc, nt};
  return adopt(std::move(flat), {nr, nc, nt});
}

variable_list WaveFunction::backward(AutogradContext* ctx, variable_list grad_output) {
  auto* modeling = pointer<pw::Modeling>(ctx, "modeling");
  const pw::SourceOptions shot = decode_shot(ctx->saved_data["shot"].toDoubleVector());
  const auto shape = ctx->saved_data["shape"].toIntVector();
  const torch::Tensor p = ctx->get_saved_variables()[0];
  const torch::Tensor g = grad_output[0].to(torch::kFloat64).contiguous();
  TORCH_CHECK(g.dim() == 3 && g.size(0) == shape[0] && g.size(1) == shape[1] && g.size(2) == shape[2],
              "WaveFunction backward: gradient shape ", g.sizes(), " does not match the seismograms");
  const double* gd = g.data_ptr<double>();
  pw::Traces cot(shape[0], std::vector<std::vector<double>>(shape[1], std::vector<double>(shape[2])));
  for (std::int64_t r = 0; r < shape[0]; ++r)
    for (std::int64_t c = 0; c < shape[1]; ++c)
      std::copy_n(gd + (r * shape[1] + c) * shape[2], shape[2], cot[r][c].begin());
  const double* pd = p.data_ptr<double>();
  std::vector<double> grad = modeling->vjp(std::vector<double>(pd, pd + p.numel()), shot, cot);
  const std::int64_t n = static_cast<std::int64_t>(grad.size());
  return {adopt(std::move(grad), {n}), torch::Tensor(), torch::Tensor()};
}

torch::Tensor wave_seismograms(pw::Modeling& modeling, const pw::SourceOptions& shot, const torch::Tensor& params) {
  return WaveFunction::apply(params, &modeling, shot);
}

// ---- eikonal -------------------------------------------------------------------------------------

torch::Tensor EikonalFunction::forward(AutogradContext* ctx, torch::Tensor slowness, const pt::Eikonal2D* eikonal,
                                       const pt::Point2& source, const std::vector<pt::Point2>& receivers) {
  HYSEIS_REQUIRE(eikonal != nullptr, core::InvalidInput, "EikonalFunction: eikonal is null");
  check_vector(slowness, eikonal->grid().nodes(), "EikonalFunction slowness");
  const torch::Tensor s = slowness.contiguous();
  // Eikonal2D takes Eigen::VectorXd: one copy of the slowness (Eigen::Map cannot bind to it).
  const Eigen::VectorXd sv = Eigen::Map<const Eigen::VectorXd>(s.data_ptr<double>(), s.numel());
  Eigen::VectorXd t = eikonal->forward(sv, source, receivers);
  std::vector<double> rec;
  for (const auto& r : receivers) {
    rec.push_back(r.x);
    rec.push_back(r.y);
  }
  ctx->save_for_backward({s});
  ctx->saved_data["eikonal"] = static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(eikonal));
  ctx->saved_data["source"] = std::vector<double>{source.x, source.y};
  ctx->saved_data["receivers"] = rec;
  return adopt(std::move(t));
}

variable_list EikonalFunction::backward(AutogradContext* ctx, variable_list grad_output) {
  const auto* eikonal = pointer<const pt::Eikonal2D>(ctx, "eikonal");
  const auto src = ctx->saved_data["source"].toDoubleVector();
  const auto rv = ctx->saved_data["receivers"].toDoubleVector();
  std::vector<pt::Point2> receivers;
  for (std::size_t i = 0; i + 1 < rv.size(); i += 2) receivers.push_back(pt::Point2{rv[i], rv[i + 1]});
  const torch::Tensor s = ctx->get_saved_variables()[0];
  const torch::Tensor g = grad_output[0].to(torch::kFloat64).contiguous();
  TORCH_CHECK(g.numel() == static_cast<std::int64_t>(receivers.size()), "EikonalFunction backward: bad shape");
  const Eigen::VectorXd sv = Eigen::Map<const Eigen::VectorXd>(s.data_ptr<double>(), s.numel());
  const Eigen::VectorXd r = Eigen::Map<const Eigen::VectorXd>(g.data_ptr<double>(), g.numel());
  Eigen::VectorXd grad = eikonal->vjp(sv, pt::Point2{src[0], src[1]}, receivers, r);
  return {adopt(std::move(grad)), torch::Tensor(), torch::Tensor(), torch::Tensor()};
}

torch::Tensor eikonal_traveltimes(const pt::Eikonal2D& eikonal, const pt::Point2& source,
                                  const std::vector<pt::Point2>& receivers, const torch::Tensor& slowness) {
  return EikonalFunction::apply(slowness, &eikonal, source, receivers);
}

}  // namespace hyseis::hybrid::autograd
