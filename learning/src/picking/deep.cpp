// Deep pickers: PhaseNet / GPD behind DeepPicker (training, sliding-window inference, picks).
#include "hyseis/learning/picking/deep.hpp"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/nn/train.hpp"
#include "hyseis/learning/picking/networks.hpp"

namespace hyseis::learning::picking {

void set_torch_threads(int n) {
  HYSEIS_REQUIRE(n >= 1, core::InvalidInput, "torch threads must be >= 1, got " << n);
  torch::set_num_threads(n);
}

std::string to_string(PickerKind k) { return k == PickerKind::phasenet ? "phasenet" : "gpd"; }

PickerKind picker_kind_from_string(const std::string& s) {
  if (s == "phasenet") return PickerKind::phasenet;
  if (s == "gpd") return PickerKind::gpd;
  throw core::InvalidInput("picker kind must be one of: phasenet, gpd; got '" + s + "'");
}

void DeepPickerOptions::validate() const {
  HYSEIS_REQUIRE(in_channels >= 1, core::InvalidInput, "picker in_channels must be >= 1, got " << in_channels);
  HYSEIS_REQUIRE(window >= 16, core::InvalidInput, "picker window must be >= 16 samples, got " << window);
  HYSEIS_REQUIRE(sampling_rate > 0 && std::isfinite(sampling_rate), core::InvalidInput,
                 "picker sampling_rate must be > 0, got " << sampling_rate);
  HYSEIS_REQUIRE(bandpass.empty() || (bandpass.size() == 2 && bandpass[0] > 0 && bandpass[1] > bandpass[0] &&
                                      bandpass[1] < 0.5 * sampling_rate),
                 core::InvalidInput,
                 "picker bandpass must be empty or {fmin, fmax} with 0 < fmin < fmax < sampling_rate / 2");
}

void SlidingOptions::validate() const {
  HYSEIS_REQUIRE(overlap >= 0 && overlap < 1, core::InvalidInput, "sliding overlap must be in [0, 1), got " << overlap);
  HYSEIS_REQUIRE(gpd_step >= 1, core::InvalidInput, "sliding gpd_step must be >= 1");
  HYSEIS_REQUIRE(batch >= 1, core::InvalidInput, "sliding batch must be >= 1");
}

void PickerTrainOptions::validate() const {
  HYSEIS_REQUIRE(epochs >= 1, core::InvalidInput, "training epochs must be >= 1, got " << epochs);
  HYSEIS_REQUIRE(batch_size >= 1, core::InvalidInput, "training batch_size must be >= 1, got " << batch_size);
  HYSEIS_REQUIRE(learning_rate > 0, core::InvalidInput, "training learning_rate must be > 0, got " << learning_rate);
  HYSEIS_REQUIRE(label_sigma_s > 0, core::InvalidInput, "training label_sigma_s must be > 0, got " << label_sigma_s);
  HYSEIS_REQUIRE(crops_per_trace >= 1, core::InvalidInput, "training crops_per_trace must be >= 1");
  HYSEIS_REQUIRE(gpd_jitter_s >= 0, core::InvalidInput, "training gpd_jitter_s must be >= 0");
  HYSEIS_REQUIRE(gpd_copies >= 1, core::InvalidInput, "training gpd_copies must be >= 1");
  HYSEIS_REQUIRE(random_crop_fraction >= 0 && random_crop_fraction <= 1, core::InvalidInput,
                 "training random_crop_fraction must be in [0, 1], got " << random_crop_fraction);
  HYSEIS_REQUIRE(drop_horizontals >= 0 && drop_horizontals <= 1, core::InvalidInput,
                 "training drop_horizontals must be in [0, 1], got " << drop_horizontals);
  HYSEIS_REQUIRE(noise_fraction >= 0 && noise_fraction <= 1, core::InvalidInput,
                 "training noise_fraction must be in [0, 1], got " << noise_fraction);
  HYSEIS_REQUIRE(noise_max_rel >= 0 && std::isfinite(noise_max_rel), core::InvalidInput,
                 "training noise_max_rel must be >= 0, got " << noise_max_rel);
  HYSEIS_REQUIRE(real_noise_fraction >= 0 && real_noise_fraction <= 1, core::InvalidInput,
                 "training real_noise_fraction must be in [0, 1], got " << real_noise_fraction);
  HYSEIS_REQUIRE(real_noise_max_rel >= 0 && std::isfinite(real_noise_max_rel), core::InvalidInput,
                 "training real_noise_max_rel must be >= 0, got " << real_noise_max_rel);
  for (std::size_t i = 0; i < noise_pool.size(); ++i) {
    HYSEIS_REQUIRE(!noise_pool[i].empty() && !noise_pool[i][0].empty(), core::InvalidInput,
                   "training noise_pool record " << i << " is empty");
    for (const auto& c : noise_pool[i])
      HYSEIS_REQUIRE(c.size() == noise_pool[i][0].size(), core::InvalidInput,
                     "training noise_pool record " << i << ": channels differ in length");
  }
}

// ---------------------------------------------------------------------------------------------
std::vector<Peak> find_peaks(const std::vector<double>& prob, double threshold, std::size_t min_distance) {
  std::vector<Peak> cand;
  const std::size_t n = prob.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (!(prob[i] >= threshold)) continue;
    if (i == 0 || prob[i - 1] >= prob[i]) continue;  // needs a lower left neighbour
    std::size_t j = i;
    while (j + 1 < n && prob[j + 1] == prob[i]) ++j;
    if (j + 1 >= n || prob[j + 1] > prob[i]) continue;  // needs a lower right neighbour
    cand.push_back({i, prob[i]});
  }
  if (min_distance > 1 && cand.size() > 1) {
    std::vector<std::size_t> order(cand.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cand[a].value > cand[b].value; });
    std::vector<char> keep(cand.size(), 1);
    for (std::size_t oi = 0; oi < order.size(); ++oi) {
      const std::size_t a = order[oi];
      if (!keep[a]) continue;
      // cand is sorted by sample: only the neighbours on either side can be within min_distance
      // (a full scan here made the thinning quadratic in the number of peaks).
      for (std::size_t b = a; b-- > 0 && cand[a].sample - cand[b].sample < min_distance;) keep[b] = 0;
      for (std::size_t b = a + 1; b < cand.size() && cand[b].sample - cand[a].sample < min_distance; ++b) keep[b] = 0;
    }
    std::vector<Peak> out;
    for (std::size_t i = 0; i < cand.size(); ++i)
      if (keep[i]) out.push_back(cand[i]);
    return out;
  }
  return cand;
}

std::vector<double> gaussian_label(std::size_t n, double centre, double sigma) {
  std::vector<double> y(n, 0.0);
  if (std::isnan(centre)) return y;
  HYSEIS_REQUIRE(sigma > 0, core::InvalidInput, "gaussian_label: sigma must be > 0, got " << sigma);
  for (std::size_t k = 0; k < n; ++k) {
    const double d = (static_cast<double>(k) - centre) / sigma;
    y[k] = std::exp(-0.5 * d * d);
  }
  return y;
}

void normalize_window(float* x, std::size_t channels, std::size_t samples) {
  if (samples == 0) return;
  for (std::size_t c = 0; c < channels; ++c) {
    float* r = x + c * samples;
    double m = 0;
    for (std::size_t k = 0; k < samples; ++k) m += r[k];
    m /= static_cast<double>(samples);
    double v = 0;
    for (std::size_t k = 0; k < samples; ++k) v += (r[k] - m) * (r[k] - m);
    const double sd = std::sqrt(v / static_cast<double>(samples));
    const double inv = sd > 0 ? 1.0 / sd : 0.0;
    for (std::size_t k = 0; k < samples; ++k) r[k] = static_cast<float>((r[k] - m) * inv);
  }
}

// ---------------------------------------------------------------------------------------------
struct DeepPicker::Impl {
  DeepPickerOptions o;
  PhaseNet pn{nullptr};
  GPD gpd{nullptr};

  explicit Impl(const DeepPickerOptions& opt) : o(opt) {
    o.validate();
    nn::seed_everything(o.seed);
    if (o.kind == PickerKind::phasenet) {
      PhaseNetOptions po;
      po.in_channels = o.in_channels;
      if (!o.filters.empty()) po.filters = o.filters;
      po.kernel = o.kernel;
      pn = PhaseNet(po);
      HYSEIS_REQUIRE(o.window >= po.min_samples(), core::InvalidInput,
                     "PhaseNet window must be >= " << po.min_samples() << " samples, got " << o.window);
    } else {
      GPDOptions go;
      go.in_channels = o.in_channels;
      go.samples = o.window;
      if (!o.filters.empty()) {
        go.filters = o.filters;
        go.kernels.assign(o.filters.size(), 9);
        const std::vector<std::int64_t> paper{21, 15, 11, 9};
        for (std::size_t i = 0; i < go.kernels.size() && i < paper.size(); ++i) go.kernels[i] = paper[i];
      }
      go.hidden = o.hidden;
      gpd = GPD(go);
    }
  }
  torch::nn::Module& module() { return o.kind == PickerKind::phasenet ? static_cast<torch::nn::Module&>(*pn) : *gpd; }
  torch::Tensor logits(const torch::Tensor& x) { return o.kind == PickerKind::phasenet ? pn->forward(x) : gpd->forward(x); }

  void save_to(torch::serialize::OutputArchive& a) {
    std::vector<std::int64_t> meta{1,  o.kind == PickerKind::phasenet ? 0 : 1, o.in_channels, o.window, o.kernel,
                                   o.hidden, static_cast<std::int64_t>(o.filters.size())};
    meta.insert(meta.end(), o.filters.begin(), o.filters.end());
    a.write("hyseis_picker_meta", torch::tensor(meta, torch::kInt64));
    a.write("hyseis_picker_rate", torch::tensor({o.sampling_rate}, torch::kFloat64));
    if (!o.bandpass.empty()) a.write("hyseis_picker_bandpass", torch::tensor(o.bandpass, torch::kFloat64));
    torch::serialize::OutputArchive sub;
    module().save(sub);
    a.write("model", sub);
  }
  static std::unique_ptr<Impl> load_from(torch::serialize::InputArchive& a, const std::string& what) {
    torch::Tensor meta, rate;
    if (!a.try_read("hyseis_picker_meta", meta) || !a.try_read("hyseis_picker_rate", rate))
      throw core::IoError(what + ": not a hyseis picker model (no hyseis_picker_meta)");
    meta = meta.to(torch::kInt64).contiguous();
    const auto* m = meta.data_ptr<std::int64_t>();
    if (meta.numel() < 7 || m[0] != 1 || meta.numel() != 7 + m[6])
      throw core::IoError(what + ": unsupported picker model header");
    DeepPickerOptions o;
    o.kind = m[1] == 0 ? PickerKind::phasenet : PickerKind::gpd;
    o.in_channels = m[2];
    o.window = m[3];
    o.kernel = m[4];
    o.hidden = m[5];
    o.filters.assign(m + 7, m + 7 + m[6]);
    o.sampling_rate = rate.item<double>();
    torch::Tensor bp;  // optional (files written before it existed have none)
    if (a.try_read("hyseis_picker_bandpass", bp)) {
      bp = bp.to(torch::kFloat64).contiguous();
      o.bandpass.assign(bp.data_ptr<double>(), bp.data_ptr<double>() + bp.numel());
    }
    try {
      o.validate();
    } catch (const core::InvalidInput& e) {
      throw core::IoError(what + ": " + e.what());
    }
    auto impl = std::make_unique<Impl>(o);
    torch::serialize::InputArchive sub;
    try {
      a.read("model", sub);
      impl->module().load(sub);
    } catch (const c10::Error& e) {
      throw core::IoError(what + ": parameters do not match the stored options: " + e.what_without_backtrace());
    }
    return impl;
  }
};

DeepPicker::DeepPicker(const DeepPickerOptions& options) : impl_(std::make_unique<Impl>(options)) {}
DeepPicker::~DeepPicker() = default;
DeepPicker::DeepPicker(DeepPicker&&) noexcept = default;
DeepPicker& DeepPicker::operator=(DeepPicker&&) noexcept = default;

const DeepPickerOptions& DeepPicker::options() const { return impl_->o; }

void DeepPicker::set_bandpass(const std::vector<double>& bandpass) {
  auto o = impl_->o;
  o.bandpass = bandpass;
  o.validate();
  impl_->o.bandpass = bandpass;
}

std::int64_t DeepPicker::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& p : impl_->module().parameters()) n += p.numel();
  return n;
}

void DeepPicker::save(const std::string& path) const {
  torch::serialize::OutputArchive a;
  impl_->save_to(a);
  const std::string tmp = path + ".tmp";
  try {
    a.save_to(tmp);
  } catch (const c10::Error& e) {
    throw core::IoError(path + ": cannot write model: " + e.what_without_backtrace());
  }
  std::filesystem::rename(tmp, path);
}

DeepPicker DeepPicker::load(const std::string& path) {
  if (!std::filesystem::exists(path)) throw core::IoError(path + ": model file not found");
  torch::serialize::InputArchive a;
  try {
    a.load_from(path);
  } catch (const c10::Error& e) {
    throw core::IoError(path + ": not a readable torch archive: " + e.what_without_backtrace());
  }
  DeepPicker p;
  p.impl_ = Impl::load_from(a, path);
  return p;
}

DeepPicker DeepPicker::clone() const {
  std::stringstream ss;
  torch::serialize::OutputArchive a;
  impl_->save_to(a);
  a.save_to(ss);
  torch::serialize::InputArchive b;
  b.load_from(ss);
  DeepPicker p;
  p.impl_ = Impl::load_from(b, "clone");
  return p;
}

std::vector<float> DeepPicker::predict_windows(const std::vector<float>& x, std::size_t n) const {
  const auto& o = impl_->o;
  const std::size_t C = static_cast<std::size_t>(o.in_channels), W = static_cast<std::size_t>(o.window);
  HYSEIS_REQUIRE(x.size() == n * C * W, core::InvalidInput,
                 "predict_windows: expected " << n << " x " << C << " x " << W << " = " << n * C * W << " values, got "
                                              << x.size());
  if (n == 0) return {};
  torch::NoGradGuard ng;
  impl_->module().eval();
  auto t = torch::from_blob(const_cast<float*>(x.data()), {static_cast<std::int64_t>(n), o.in_channels, o.window},
                            torch::kFloat32);
  auto p = torch::softmax(impl_->logits(t), 1).contiguous();
  return std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
}

Probabilities DeepPicker::predict(const std::vector<std::vector<double>>& ch, double fs, const SlidingOptions& so) const {
  so.validate();
  const auto& o = impl_->o;
  const std::size_t C = static_cast<std::size_t>(o.in_channels), W = static_cast<std::size_t>(o.window);
  HYSEIS_REQUIRE(ch.size() == C, core::InvalidInput,
                 "picker expects " << C << " channels (component order of its training data), got " << ch.size());
  HYSEIS_REQUIRE(std::abs(fs - o.sampling_rate) <= 1e-6 * o.sampling_rate, core::InvalidInput,
                 "picker was trained at " << o.sampling_rate << " Hz, data are at " << fs
                                          << " Hz: resample first (solvers::signal::resample)");
  const std::size_t L = ch[0].size();
  HYSEIS_REQUIRE(L > 0, core::InvalidInput, "picker input is empty (0 samples)");
  for (std::size_t c = 0; c < C; ++c) {
    HYSEIS_REQUIRE(ch[c].size() == L, core::InvalidInput,
                   "picker input channels differ in length: channel 0 has " << L << ", channel " << c << " has "
                                                                             << ch[c].size());
    for (std::size_t k = 0; k < L; ++k)
      HYSEIS_REQUIRE(std::isfinite(ch[c][k]), core::InvalidInput,
                     "picker input: non-finite sample at channel " << c << ", index " << k);
  }
  Probabilities out;
  out.sampling_rate = fs;
  out.p.assign(L, 0.0);
  out.s.assign(L, 0.0);
  out.noise.assign(L, 0.0);

  // Window starts (a window may run past the end: zero-padded after normalisation).
  std::vector<std::size_t> starts;
  if (o.kind == PickerKind::phasenet) {
    const std::size_t step = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(W * (1.0 - so.overlap))));
    if (L <= W) {
      starts.push_back(0);
    } else {
      for (std::size_t s = 0; s + W < L; s += step) starts.push_back(s);
      starts.push_back(L - W);
    }
  } else {
    if (L <= W) {
      starts.push_back(0);
    } else {
      for (std::size_t s = 0; s + W <= L; s += so.gpd_step) starts.push_back(s);
    }
  }
  auto fill = [&](std::size_t s, float* dst) {
    const std::size_t n = std::min(W, L - s);
    std::vector<float> buf(C * n);
    for (std::size_t c = 0; c < C; ++c)
      for (std::size_t k = 0; k < n; ++k) buf[c * n + k] = static_cast<float>(ch[c][s + k]);
    normalize_window(buf.data(), C, n);
    for (std::size_t c = 0; c < C; ++c) {
      std::copy(buf.begin() + c * n, buf.begin() + (c + 1) * n, dst + c * W);
      std::fill(dst + c * W + n, dst + (c + 1) * W, 0.0f);
    }
  };
  std::vector<double> count(L, 0.0);
  std::vector<double> centre_p, centre_s, centre_n;
  std::vector<std::size_t> centres;
  for (std::size_t b0 = 0; b0 < starts.size(); b0 += so.batch) {
    const std::size_t nb = std::min(so.batch, starts.size() - b0);
    std::vector<float> x(nb * C * W);
    for (std::size_t i = 0; i < nb; ++i) fill(starts[b0 + i], x.data() + i * C * W);
    const auto p = predict_windows(x, nb);
    for (std::size_t i = 0; i < nb; ++i) {
      const std::size_t s = starts[b0 + i];
      if (o.kind == PickerKind::phasenet) {
        const std::size_t n = std::min(W, L - s);
        const float* pp = p.data() + i * 3 * W;
        for (std::size_t k = 0; k < n; ++k) {
          out.p[s + k] += pp[k];
          out.s[s + k] += pp[W + k];
          out.noise[s + k] += pp[2 * W + k];
          count[s + k] += 1;
        }
      } else {
        centres.push_back(std::min(s + W / 2, L - 1));
        centre_p.push_back(p[i * 3]);
        centre_s.push_back(p[i * 3 + 1]);
        centre_n.push_back(p[i * 3 + 2]);
      }
    }
  }
  if (o.kind == PickerKind::phasenet) {
    for (std::size_t k = 0; k < L; ++k) {
      out.p[k] /= count[k];
      out.s[k] /= count[k];
      out.noise[k] /= count[k];
    }
  } else {
    // Linear interpolation between window centres; outside them the network saw nothing.
    std::fill(out.noise.begin(), out.noise.end(), 1.0);
    for (std::size_t j = 0; j < centres.size(); ++j) {
      out.p[centres[j]] = centre_p[j];
      out.s[centres[j]] = centre_s[j];
      out.noise[centres[j]] = centre_n[j];
      if (j + 1 < centres.size()) {
        const std::size_t a = centres[j], b = centres[j + 1];
        for (std::size_t k = a + 1; k < b; ++k) {
          const double w = static_cast<double>(k - a) / static_cast<double>(b - a);
          out.p[k] = (1 - w) * centre_p[j] + w * centre_p[j + 1];
          out.s[k] = (1 - w) * centre_s[j] + w * centre_s[j + 1];
          out.noise[k] = (1 - w) * centre_n[j] + w * centre_n[j + 1];
        }
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
namespace {

void check_traces(const std::vector<LabelledTrace>& set, std::size_t C, const char* which) {
  for (std::size_t i = 0; i < set.size(); ++i) {
    HYSEIS_REQUIRE(set[i].channels.size() == C, core::InvalidInput,
                   which << " trace " << i << ": expected " << C << " channels, got " << set[i].channels.size());
    const std::size_t L = set[i].channels[0].size();
    HYSEIS_REQUIRE(L > 0, core::InvalidInput, which << " trace " << i << ": empty");
    for (const auto& c : set[i].channels)
      HYSEIS_REQUIRE(c.size() == L, core::InvalidInput, which << " trace " << i << ": channels differ in length");
  }
}

// Copies samples [start, start + W) of a trace (zero outside), normalised over the in-range part.
void crop(const LabelledTrace& t, long start, std::size_t W, float* dst) {
  const std::size_t C = t.channels.size();
  const long L = static_cast<long>(t.channels[0].size());
  const long a = std::max(0L, start), b = std::min(L, start + static_cast<long>(W));
  const std::size_t n = b > a ? static_cast<std::size_t>(b - a) : 0;
  std::vector<float> buf(C * n);
  for (std::size_t c = 0; c < C; ++c)
    for (std::size_t k = 0; k < n; ++k) buf[c * n + k] = static_cast<float>(t.channels[c][a + static_cast<long>(k)]);
  normalize_window(buf.data(), C, n);
  const std::size_t off = static_cast<std::size_t>(a - start);
  for (std::size_t c = 0; c < C; ++c) {
    float* d = dst + c * W;
    std::fill(d, d + W, 0.0f);
    std::copy(buf.begin() + c * n, buf.begin() + (c + 1) * n, d + off);
  }
}

// Training-time augmentation of one normalised window (C x W floats), in place.
void augment(float* x, std::size_t C, std::size_t W, const PickerTrainOptions& to, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> U(0.0, 1.0);
  if (C > 1 && to.drop_horizontals > 0 && U(rng) < to.drop_horizontals) std::fill(x + W, x + C * W, 0.0f);
  if (to.noise_fraction > 0 && U(rng) < to.noise_fraction) {
    const double a = to.noise_max_rel * U(rng);
    std::normal_distribution<double> N(0.0, 1.0);
    for (std::size_t c = 0; c < C; ++c) {
      float* r = x + c * W;
      bool zero = true;
      for (std::size_t k = 0; k < W && zero; ++k) zero = r[k] == 0.0f;
      if (zero) continue;  // a dropped or absent channel stays absent
      for (std::size_t k = 0; k < W; ++k) r[k] += static_cast<float>(a * N(rng));
      normalize_window(r, 1, W);
    }
  }
  if (!to.noise_pool.empty() && to.real_noise_fraction > 0 && U(rng) < to.real_noise_fraction) {
    const auto& rec = to.noise_pool[std::uniform_int_distribution<std::size_t>(0, to.noise_pool.size() - 1)(rng)];
    const std::size_t n = rec[0].size();
    const std::size_t at = std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    const double a = to.real_noise_max_rel * U(rng);
    std::vector<float> nz(W);
    for (std::size_t c = 0; c < C; ++c) {
      float* r = x + c * W;
      bool zero = true;
      for (std::size_t k = 0; k < W && zero; ++k) zero = r[k] == 0.0f;
      if (zero) continue;  // a dropped or absent channel stays absent
      const auto& src = rec[std::min(c, rec.size() - 1)];
      for (std::size_t k = 0; k < W; ++k) nz[k] = static_cast<float>(src[(at + k) % n]);
      normalize_window(nz.data(), 1, W);
      for (std::size_t k = 0; k < W; ++k) r[k] += static_cast<float>(a) * nz[k];
      normalize_window(r, 1, W);
    }
  }
  if (to.polarity_flip && U(rng) < 0.5)
    for (std::size_t k = 0; k < C * W; ++k) x[k] = -x[k];
}

struct Batch {
  torch::Tensor x, y;
};

// PhaseNet crop: P inside [0.1 W, 0.9 W] when the trace allows it, else uniform.
long phasenet_start(const LabelledTrace& t, std::size_t W, std::mt19937_64& rng, double random_fraction = 0.0) {
  const long L = static_cast<long>(t.channels[0].size()), Wl = static_cast<long>(W);
  if (L <= Wl) return 0;
  long lo = 0, hi = L - Wl;
  const bool anywhere = random_fraction > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < random_fraction;
  if (!anywhere && std::isfinite(t.p_sample)) {
    lo = std::max(lo, static_cast<long>(std::ceil(t.p_sample - 0.9 * Wl)));
    hi = std::min(hi, static_cast<long>(std::floor(t.p_sample - 0.1 * Wl)));
    if (lo > hi) lo = 0, hi = L - Wl;
  }
  return std::uniform_int_distribution<long>(lo, hi)(rng);
}

Batch phasenet_batch(const std::vector<LabelledTrace>& set, const std::vector<std::int64_t>& idx,
                     const std::vector<long>& starts, std::size_t C, std::size_t W, double sigma,
                     const PickerTrainOptions* aug = nullptr, std::mt19937_64* rng = nullptr) {
  const std::size_t B = idx.size();
  std::vector<float> x(B * C * W), y(B * 3 * W);
  for (std::size_t i = 0; i < B; ++i) {
    const auto& t = set[static_cast<std::size_t>(idx[i]) % set.size()];
    const long s = starts[i];
    crop(t, s, W, x.data() + i * C * W);
    if (aug) augment(x.data() + i * C * W, C, W, *aug, *rng);
    const auto lp = gaussian_label(W, t.p_sample - static_cast<double>(s), sigma);
    const auto ls = gaussian_label(W, t.s_sample - static_cast<double>(s), sigma);
    float* yy = y.data() + i * 3 * W;
    for (std::size_t k = 0; k < W; ++k) {
      yy[k] = static_cast<float>(lp[k]);
      yy[W + k] = static_cast<float>(ls[k]);
      yy[2 * W + k] = static_cast<float>(std::max(0.0, 1.0 - lp[k] - ls[k]));
    }
  }
  const auto b = static_cast<std::int64_t>(B), c = static_cast<std::int64_t>(C), w = static_cast<std::int64_t>(W);
  return {torch::from_blob(x.data(), {b, c, w}, torch::kFloat32).clone(),
          torch::from_blob(y.data(), {b, 3, w}, torch::kFloat32).clone()};
}

// GPD windows: centred on P (class 0), S (1) and pre-P noise (2), `copies` jittered each.
Batch gpd_examples(const std::vector<LabelledTrace>& set, std::size_t C, std::size_t W, double jitter, int copies,
                   std::mt19937_64& rng, const PickerTrainOptions* aug = nullptr) {
  std::vector<float> x;
  std::vector<std::int64_t> y;
  std::uniform_real_distribution<double> U(-jitter, jitter);
  const long half = static_cast<long>(W / 2);
  auto add = [&](const LabelledTrace& t, double centre, int cls) {
    const std::size_t off = x.size();
    x.resize(off + C * W);
    crop(t, static_cast<long>(std::lround(centre)) - half, W, x.data() + off);
    if (aug) augment(x.data() + off, C, W, *aug, rng);
    y.push_back(cls);
  };
  for (const auto& t : set) {
    const double L = static_cast<double>(t.channels[0].size());
    for (int r = 0; r < copies; ++r) {
      if (std::isfinite(t.p_sample)) add(t, t.p_sample + U(rng), 0);
      if (std::isfinite(t.s_sample)) add(t, t.s_sample + U(rng), 1);
      // noise: the whole window before P (minus the jitter), or anywhere when there is no P
      const double hi = std::isfinite(t.p_sample) ? t.p_sample - half - 2 * jitter - 1 : L - half;
      if (hi >= half) add(t, std::uniform_real_distribution<double>(half, hi)(rng), 2);
    }
  }
  const auto n = static_cast<std::int64_t>(y.size());
  return {torch::from_blob(x.data(), {n, static_cast<std::int64_t>(C), static_cast<std::int64_t>(W)}, torch::kFloat32)
              .clone(),
          torch::from_blob(y.data(), {n}, torch::kInt64).clone()};
}

}  // namespace

PickerTrainReport DeepPicker::train(const std::vector<LabelledTrace>& train_set, const std::vector<LabelledTrace>& val_set,
                                    const PickerTrainOptions& to) {
  to.validate();
  const auto& o = impl_->o;
  const std::size_t C = static_cast<std::size_t>(o.in_channels), W = static_cast<std::size_t>(o.window);
  HYSEIS_REQUIRE(!train_set.empty(), core::InvalidInput, "picker training set is empty");
  check_traces(train_set, C, "training");
  check_traces(val_set, C, "validation");
  const auto t0 = std::chrono::steady_clock::now();
  std::mt19937_64 rng(to.seed ^ 0x9e3779b97f4a7c15ULL);
  nn::TrainOptions no;
  no.epochs = to.epochs;
  no.batch_size = to.batch_size;
  no.learning_rate = to.learning_rate;
  no.weight_decay = to.weight_decay;
  no.lr_decay = to.lr_decay;
  no.patience = to.patience;
  no.seed = to.seed;
  no.checkpoint = to.checkpoint;
  no.label = to.label;
  no.progress = to.progress;
  torch::nn::Module& model = impl_->module();
  model.train();
  PickerTrainReport rep;
  nn::TrainHistory h;
  if (o.kind == PickerKind::phasenet) {
    const double sigma = to.label_sigma_s * o.sampling_rate;
    const auto n = static_cast<std::int64_t>(train_set.size() * static_cast<std::size_t>(to.crops_per_trace));
    // Fixed validation crops (drawn once, placed as the training crops, no augmentation): one per
    // trace, or four when crops may fall anywhere (a single crop per trace is too noisy then).
    Batch val;
    if (!val_set.empty()) {
      std::mt19937_64 vr(to.seed + 17);
      const std::size_t per = to.random_crop_fraction > 0 ? 4 : 1;
      std::vector<std::int64_t> vi(val_set.size() * per);
      std::vector<long> vs(vi.size());
      for (std::size_t i = 0; i < vi.size(); ++i) {
        vi[i] = static_cast<std::int64_t>(i % val_set.size());
        vs[i] = phasenet_start(val_set[i % val_set.size()], W, vr, to.random_crop_fraction);
      }
      val = phasenet_batch(val_set, vi, vs, C, W, sigma);
    }
    auto loss_of = [&](const torch::Tensor& x, const torch::Tensor& y) {
      return -(y * torch::log_softmax(impl_->logits(x), 1)).sum(1).mean();
    };
    rep.train_examples = static_cast<std::size_t>(n);
    rep.val_examples = val.x.defined() ? static_cast<std::size_t>(val.x.size(0)) : 0;
    h = nn::train(
        model, n,
        [&](const torch::Tensor& idx) {
          const auto ic = idx.contiguous();
          std::vector<std::int64_t> ii(ic.data_ptr<std::int64_t>(), ic.data_ptr<std::int64_t>() + ic.numel());
          std::vector<long> st(ii.size());
          for (std::size_t i = 0; i < ii.size(); ++i)
            st[i] = phasenet_start(train_set[static_cast<std::size_t>(ii[i]) % train_set.size()], W, rng,
                                   to.random_crop_fraction);
          const Batch b = phasenet_batch(train_set, ii, st, C, W, sigma, &to, &rng);
          return loss_of(b.x, b.y);
        },
        val_set.empty() ? nn::ValidationLoss{} : nn::ValidationLoss([&] {
          double tot = 0;
          const std::int64_t N = val.x.size(0);
          for (std::int64_t b = 0; b < N; b += 32) {
            const std::int64_t m = std::min<std::int64_t>(32, N - b);
            tot += loss_of(val.x.narrow(0, b, m), val.y.narrow(0, b, m)).item<double>() * m;
          }
          return tot / N;
        }),
        no);
  } else {
    const Batch tr = gpd_examples(train_set, C, W, to.gpd_jitter_s * o.sampling_rate, to.gpd_copies, rng, &to);
    std::mt19937_64 vr(to.seed + 17);
    const Batch val = val_set.empty() ? Batch{} : gpd_examples(val_set, C, W, to.gpd_jitter_s * o.sampling_rate, 1, vr);
    rep.train_examples = static_cast<std::size_t>(tr.x.size(0));
    rep.val_examples = val_set.empty() ? 0 : static_cast<std::size_t>(val.x.size(0));
    HYSEIS_REQUIRE(tr.x.size(0) >= 2, core::InvalidInput, "GPD training: fewer than 2 labelled windows");
    h = nn::train(
        model, tr.x.size(0),
        [&](const torch::Tensor& idx) {
          return torch::cross_entropy_loss(impl_->logits(tr.x.index_select(0, idx)), tr.y.index_select(0, idx));
        },
        val_set.empty() || val.x.size(0) == 0
            ? nn::ValidationLoss{}
            : nn::ValidationLoss([&] { return torch::cross_entropy_loss(impl_->logits(val.x), val.y).item<double>(); }),
        no);
  }
  model.eval();
  rep.train_loss = h.train_loss;
  rep.val_loss = h.val_loss;
  rep.best_epoch = h.best_epoch;
  rep.epochs_run = h.epochs_run;
  rep.stopped_early = h.stopped_early;
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

// ---------------------------------------------------------------------------------------------
void PickerEnsemble::add(DeepPicker&& m) {
  if (!members_.empty()) {
    const auto& a = members_.front().options();
    const auto& b = m.options();
    HYSEIS_REQUIRE(a.kind == b.kind && a.in_channels == b.in_channels && a.window == b.window &&
                       std::abs(a.sampling_rate - b.sampling_rate) <= 1e-9 * a.sampling_rate && a.bandpass == b.bandpass,
                   core::InvalidInput,
                   "picker ensemble: member " << members_.size() << " (" << to_string(b.kind) << ", " << b.in_channels
                                              << " x " << b.window << " at " << b.sampling_rate
                                              << " Hz, band-pass " << b.bandpass.size()
                                              << " corners) differs from member 0 (" << to_string(a.kind) << ", "
                                              << a.in_channels << " x " << a.window << " at " << a.sampling_rate
                                              << " Hz, band-pass " << a.bandpass.size() << " corners)");
  }
  members_.push_back(std::move(m));
}

PickerEnsemble PickerEnsemble::load(const std::vector<std::string>& paths) {
  HYSEIS_REQUIRE(!paths.empty(), core::InvalidInput, "picker ensemble: no model files given");
  PickerEnsemble e;
  for (const auto& p : paths) {
    try {
      e.add(DeepPicker::load(p));
    } catch (const core::InvalidInput& ex) {
      throw core::InvalidInput(p + ": " + ex.what());
    }
  }
  return e;
}

const DeepPickerOptions& PickerEnsemble::options() const {
  HYSEIS_REQUIRE(!members_.empty(), core::InvalidInput, "picker ensemble is empty");
  return members_.front().options();
}

Probabilities PickerEnsemble::predict(const std::vector<std::vector<double>>& ch, double fs,
                                      const SlidingOptions& so) const {
  HYSEIS_REQUIRE(!members_.empty(), core::InvalidInput, "picker ensemble is empty");
  Probabilities out = members_.front().predict(ch, fs, so);
  if (members_.size() == 1) return out;
  for (std::size_t m = 1; m < members_.size(); ++m) {
    const auto pr = members_[m].predict(ch, fs, so);
    for (std::size_t k = 0; k < out.p.size(); ++k) {
      out.p[k] += pr.p[k];
      out.s[k] += pr.s[k];
      out.noise[k] += pr.noise[k];
    }
  }
  const double w = 1.0 / static_cast<double>(members_.size());
  for (std::size_t k = 0; k < out.p.size(); ++k) out.p[k] *= w, out.s[k] *= w, out.noise[k] *= w;
  return out;
}

// ---------------------------------------------------------------------------------------------
std::vector<Pick> extract_picks(const Probabilities& prob, const PeakOptions& po, std::int64_t start_time_us,
                                const std::string& network, const std::string& station, const std::string& location,
                                const std::string& channel, const std::string& method) {
  HYSEIS_REQUIRE(prob.sampling_rate > 0, core::InvalidInput, "extract_picks: sampling_rate must be > 0");
  const auto md = static_cast<std::size_t>(std::lround(po.min_distance_s * prob.sampling_rate));
  std::vector<Pick> out;
  auto add = [&](const std::vector<double>& p, double thr, const char* phase) {
    for (const auto& pk : find_peaks(p, thr, md)) {
      Pick k;
      k.network = network;
      k.station = station;
      k.location = location;
      k.channel = channel;
      k.time_us = start_time_us + static_cast<std::int64_t>(std::llround(pk.sample / prob.sampling_rate * 1e6));
      k.phase = phase;
      k.score = pk.value;
      k.method = method;
      out.push_back(k);
    }
  };
  add(prob.p, po.p_threshold, "P");
  add(prob.s, po.s_threshold, "S");
  std::stable_sort(out.begin(), out.end(), [](const Pick& a, const Pick& b) { return a.time_us < b.time_us; });
  return out;
}

PhaseScore score_picks(const std::vector<double>& picked, const std::vector<double>& truth, double tol, double fs) {
  HYSEIS_REQUIRE(picked.size() == truth.size(), core::InvalidInput,
                 "score_picks: " << picked.size() << " picks for " << truth.size() << " traces");
  PhaseScore s;
  s.traces = truth.size();
  std::vector<double> tp;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const bool has_t = std::isfinite(truth[i]), has_p = std::isfinite(picked[i]);
    s.with_truth += has_t;
    s.picked += has_p;
    if (has_t && has_p) {
      const double r = picked[i] - truth[i];
      s.residuals_s.push_back(r / fs);
      if (std::abs(r) <= tol + 1e-9) {
        ++s.true_positives;
        tp.push_back(r / fs);
      }
    }
  }
  s.precision = s.picked ? static_cast<double>(s.true_positives) / s.picked : 0.0;
  s.recall = s.with_truth ? static_cast<double>(s.true_positives) / s.with_truth : 0.0;
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
  if (!tp.empty()) {
    double m = 0, v = 0;
    for (double x : tp) m += x;
    m /= tp.size();
    for (double x : tp) v += (x - m) * (x - m);
    s.residual_mean_s = m;
    s.residual_std_s = tp.size() > 1 ? std::sqrt(v / (tp.size() - 1)) : 0.0;
  }
  return s;
}

}  // namespace hyseis::learning::picking
