// FAST-style fingerprint similarity search (see fast.hpp).
#include "hyseis/learning/similarity/fast.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <unordered_map>

#include "hyseis/core/error.hpp"
#include "hyseis/solvers/signal.hpp"

namespace hyseis::learning::similarity {

namespace {

bool pow2(std::size_t n) { return n >= 1 && (n & (n - 1)) == 0; }

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::uint64_t splitmix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void haar1d(double* v, std::size_t n, std::size_t stride, std::vector<double>& tmp) {
  tmp.resize(n);
  const double s = 1.0 / std::sqrt(2.0);
  for (std::size_t len = n; len >= 2; len /= 2) {
    const std::size_t h = len / 2;
    for (std::size_t k = 0; k < h; ++k) {
      const double a = v[2 * k * stride], b = v[(2 * k + 1) * stride];
      tmp[k] = (a + b) * s;
      tmp[h + k] = (a - b) * s;
    }
    for (std::size_t k = 0; k < len; ++k) v[k * stride] = tmp[k];
  }
}

struct ScoredPair {
  std::uint32_t i, j;
  double score;
};

// Union-find grouping of pairs on neighbouring diagonals.
std::vector<PairDetection> group_scored(std::vector<ScoredPair> p, double step_s, std::size_t gap) {
  std::vector<PairDetection> out;
  if (p.empty()) return out;
  std::sort(p.begin(), p.end(), [](const ScoredPair& a, const ScoredPair& b) {
    const auto da = a.j - a.i, db = b.j - b.i;
    return da != db ? da < db : a.i < b.i;
  });
  std::vector<std::size_t> parent(p.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  std::unordered_map<std::uint64_t, std::size_t> at;   // (lag, i) -> index
  at.reserve(p.size() * 2);
  auto key = [](std::uint64_t d, std::uint64_t i) { return (d << 32) | i; };
  for (std::size_t k = 0; k < p.size(); ++k) at[key(p[k].j - p[k].i, p[k].i)] = k;
  const auto g = static_cast<std::int64_t>(gap);
  for (std::size_t k = 0; k < p.size(); ++k) {
    const std::int64_t d = p[k].j - p[k].i, i = p[k].i;
    for (std::int64_t dd = -1; dd <= 1; ++dd)
      for (std::int64_t di = -g; di <= g; ++di) {
        if (d + dd <= 0 || i + di < 0 || (dd == 0 && di == 0)) continue;
        const auto it = at.find(key(std::uint64_t(d + dd), std::uint64_t(i + di)));
        if (it != at.end()) parent[find(it->second)] = find(k);
      }
  }
  std::unordered_map<std::size_t, std::size_t> slot;
  for (std::size_t k = 0; k < p.size(); ++k) {
    const std::size_t r = find(k);
    auto it = slot.find(r);
    if (it == slot.end()) {
      slot[r] = out.size();
      out.push_back({p[k].i * step_s, p[k].j * step_s, p[k].score, 1, 1});
    } else {
      auto& d = out[it->second];
      ++d.members;
      if (p[k].score > d.score) {
        d.score = p[k].score;
        d.t1 = p[k].i * step_s;
        d.t2 = p[k].j * step_s;
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const PairDetection& a, const PairDetection& b) {
    return a.t1 != b.t1 ? a.t1 < b.t1 : a.t2 < b.t2;
  });
  return out;
}

}  // namespace

void FastOptions::validate() const {
  HYSEIS_REQUIRE(sampling_rate > 0 && std::isfinite(sampling_rate), core::InvalidInput,
                 "FAST sampling_rate must be > 0, got " << sampling_rate);
  HYSEIS_REQUIRE(stft_window >= 4 && stft_lag >= 1, core::InvalidInput, "FAST stft_window >= 4 and stft_lag >= 1");
  HYSEIS_REQUIRE(fmin >= 0 && fmax > fmin && fmax <= 0.5 * sampling_rate, core::InvalidInput,
                 "FAST band must satisfy 0 <= fmin < fmax <= fs/2, got [" << fmin << ", " << fmax << "]");
  HYSEIS_REQUIRE(pow2(freq_bins) && pow2(image_frames), core::InvalidInput,
                 "FAST freq_bins and image_frames must be powers of two, got " << freq_bins << ", " << image_frames);
  HYSEIS_REQUIRE(image_lag >= 1, core::InvalidInput, "FAST image_lag must be >= 1");
  HYSEIS_REQUIRE(top_k >= 1 && top_k <= freq_bins * image_frames, core::InvalidInput,
                 "FAST top_k must be in [1, " << freq_bins * image_frames << "], got " << top_k);
  HYSEIS_REQUIRE(tables >= 1 && rows >= 1 && min_votes >= 1 && min_votes <= tables, core::InvalidInput,
                 "FAST needs tables >= 1, rows >= 1, 1 <= min_votes <= tables");
  HYSEIS_REQUIRE(min_separation_s >= 0, core::InvalidInput, "FAST min_separation_s must be >= 0");
}

double FastOptions::image_step_s() const { return double(image_lag * stft_lag) / sampling_rate; }
double FastOptions::image_length_s() const {
  return double((image_frames - 1) * stft_lag + stft_window) / sampling_rate;
}

std::vector<std::vector<double>> fast_spectrogram(const std::vector<double>& x, const FastOptions& o) {
  o.validate();
  const std::size_t W = o.stft_window;
  HYSEIS_REQUIRE(x.size() >= W, core::InvalidInput,
                 "FAST: trace of " << x.size() << " samples is shorter than the STFT window " << W);
  for (std::size_t i = 0; i < x.size(); ++i)
    HYSEIS_REQUIRE(std::isfinite(x[i]), core::InvalidInput, "FAST: non-finite sample at index " << i);
  const double df = o.sampling_rate / double(W);
  const auto k0 = static_cast<std::size_t>(std::floor(o.fmin / df));
  const auto k1 = std::min<std::size_t>(W / 2, static_cast<std::size_t>(std::ceil(o.fmax / df)));
  const std::size_t nk = k1 - k0 + 1;
  std::vector<double> win(W), cs(nk * W), sn(nk * W);
  for (std::size_t n = 0; n < W; ++n) win[n] = 0.5 - 0.5 * std::cos(2 * M_PI * double(n) / double(W));
  for (std::size_t k = 0; k < nk; ++k)
    for (std::size_t n = 0; n < W; ++n) {
      const double ph = 2 * M_PI * double((k0 + k) * n % W) / double(W);
      cs[k * W + n] = win[n] * std::cos(ph);
      sn[k * W + n] = win[n] * std::sin(ph);
    }
  // Target bin b: magnitude linearly interpolated at its centre frequency.
  std::vector<std::size_t> lo(o.freq_bins);
  std::vector<double> w(o.freq_bins);
  for (std::size_t b = 0; b < o.freq_bins; ++b) {
    const double f = o.fmin + (double(b) + 0.5) * (o.fmax - o.fmin) / double(o.freq_bins);
    const double u = std::clamp(f / df - double(k0), 0.0, double(nk - 1));
    lo[b] = std::min<std::size_t>(static_cast<std::size_t>(u), nk >= 2 ? nk - 2 : 0);
    w[b] = nk >= 2 ? u - double(lo[b]) : 0.0;
  }
  const std::size_t cols = (x.size() - W) / o.stft_lag + 1;
  std::vector<std::vector<double>> S(cols, std::vector<double>(o.freq_bins));
  std::vector<double> mag(nk), seg(W);
  for (std::size_t c = 0; c < cols; ++c) {
    const double* s = x.data() + c * o.stft_lag;
    double mean = 0;
    for (std::size_t n = 0; n < W; ++n) mean += s[n];
    mean /= double(W);
    for (std::size_t n = 0; n < W; ++n) seg[n] = s[n] - mean;
    for (std::size_t k = 0; k < nk; ++k) {
      double re = 0, im = 0;
      const double* a = cs.data() + k * W;
      const double* b = sn.data() + k * W;
      for (std::size_t n = 0; n < W; ++n) {
        re += a[n] * seg[n];
        im += b[n] * seg[n];
      }
      mag[k] = std::sqrt(re * re + im * im);
    }
    for (std::size_t b = 0; b < o.freq_bins; ++b)
      S[c][b] = nk >= 2 ? (1 - w[b]) * mag[lo[b]] + w[b] * mag[lo[b] + 1] : mag[0];
  }
  return S;
}

void haar2d(std::vector<double>& img, std::size_t rows, std::size_t cols) {
  HYSEIS_REQUIRE(pow2(rows) && pow2(cols) && img.size() == rows * cols, core::InvalidInput,
                 "haar2d: image must be rows x cols with powers of two, got " << rows << " x " << cols << " ("
                                                                              << img.size() << " values)");
  std::vector<double> tmp;
  for (std::size_t r = 0; r < rows; ++r) haar1d(img.data() + r * cols, cols, 1, tmp);
  for (std::size_t c = 0; c < cols; ++c) haar1d(img.data() + c, rows, cols, tmp);
}

Fingerprints fast_fingerprints(const std::vector<double>& x, const FastOptions& o) {
  const auto S = fast_spectrogram(x, o);
  const std::size_t R = o.freq_bins, C = o.image_frames, P = R * C;
  Fingerprints f;
  f.bits = 2 * P;
  f.step_s = o.image_step_s();
  if (S.size() < C) return f;
  const std::size_t n = (S.size() - C) / o.image_lag + 1;
  std::vector<float> coef(n * P);   // [image][coefficient]
  std::vector<double> img(P);
  for (std::size_t m = 0; m < n; ++m) {
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t c = 0; c < C; ++c) img[r * C + c] = S[m * o.image_lag + c][r];
    // Each image to zero mean and unit norm: the fingerprint describes the time-frequency pattern,
    // not how much energy the window holds (otherwise every event image looks like every other).
    double mu = 0, ss = 0;
    for (double v : img) mu += v;
    mu /= double(P);
    for (double& v : img) ss += (v - mu) * (v - mu);
    const double inv = ss > 0 ? 1.0 / std::sqrt(ss) : 0.0;
    for (double& v : img) v = (v - mu) * inv;
    haar2d(img, R, C);
    for (std::size_t p = 0; p < P; ++p) coef[m * P + p] = static_cast<float>(img[p]);
  }
  // Standardise each coefficient over all images: z = (v - median) / MAD.
  std::vector<float> med(P), scale(P), col(n);
  for (std::size_t p = 0; p < P; ++p) {
    for (std::size_t m = 0; m < n; ++m) col[m] = coef[m * P + p];
    auto mid = col.begin() + static_cast<std::ptrdiff_t>(n / 2);
    std::nth_element(col.begin(), mid, col.end());
    med[p] = *mid;
    for (auto& v : col) v = std::abs(v - med[p]);
    std::nth_element(col.begin(), mid, col.end());
    scale[p] = *mid > 0 ? 1.0f / *mid : 0.0f;
  }
  f.on.resize(n);
  std::vector<std::pair<float, std::uint32_t>> z(P);
  const std::size_t k = std::min(o.top_k, P);
  for (std::size_t m = 0; m < n; ++m) {
    for (std::size_t p = 0; p < P; ++p) z[p] = {(coef[m * P + p] - med[p]) * scale[p], std::uint32_t(p)};
    std::nth_element(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(k - 1), z.end(),
                     [](const auto& a, const auto& b) { return std::abs(a.first) > std::abs(b.first); });
    auto& on = f.on[m];
    on.reserve(k);
    for (std::size_t q = 0; q < k; ++q)
      if (z[q].first != 0.0f) on.push_back(2 * z[q].second + (z[q].first > 0 ? 0u : 1u));
    std::sort(on.begin(), on.end());
  }
  return f;
}

std::vector<std::uint32_t> minhash(const Fingerprints& f, const FastOptions& o) {
  const std::size_t H = o.tables * o.rows;
  // Hash value of every (bit, function): table[bit][h], so one set bit updates H minima at once.
  std::vector<std::uint32_t> table(f.bits * H);
  for (std::size_t h = 0; h < H; ++h) {
    const std::uint64_t s = splitmix(o.seed * 0x100000001b3ULL + h);
    for (std::size_t b = 0; b < f.bits; ++b) table[b * H + h] = static_cast<std::uint32_t>(splitmix(s ^ b) >> 32);
  }
  std::vector<std::uint32_t> sig(f.on.size() * H, 0xffffffffu);
  for (std::size_t m = 0; m < f.on.size(); ++m) {
    std::uint32_t* out = sig.data() + m * H;
    for (std::uint32_t b : f.on[m]) {
      const std::uint32_t* row = table.data() + std::size_t(b) * H;
      for (std::size_t h = 0; h < H; ++h) out[h] = std::min(out[h], row[h]);
    }
  }
  return sig;
}

std::vector<CandidatePair> lsh_pairs(const std::vector<std::uint32_t>& sig, std::size_t n, const FastOptions& o) {
  const std::size_t H = o.tables * o.rows;
  HYSEIS_REQUIRE(sig.size() == n * H, core::InvalidInput,
                 "lsh_pairs: " << sig.size() << " signature values for " << n << " images x " << H << " hashes");
  const auto sep = static_cast<std::uint32_t>(std::ceil(o.min_separation_s / o.image_step_s() - 1e-9));
  std::unordered_map<std::uint64_t, std::uint32_t> votes;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keys(n);
  for (std::size_t t = 0; t < o.tables; ++t) {
    for (std::size_t m = 0; m < n; ++m) {
      std::uint64_t k = 0x84222325cbf29ce4ULL ^ t;
      const std::uint32_t* s = sig.data() + m * H + t * o.rows;
      for (std::size_t r = 0; r < o.rows; ++r) k = splitmix(k ^ s[r]);
      keys[m] = {k, std::uint32_t(m)};
    }
    std::sort(keys.begin(), keys.end());
    for (std::size_t a = 0; a < n;) {
      std::size_t b = a + 1;
      while (b < n && keys[b].first == keys[a].first) ++b;
      if (b - a >= 2 && (o.max_bucket == 0 || b - a <= o.max_bucket))
        for (std::size_t u = a; u < b; ++u)
          for (std::size_t v = u + 1; v < b; ++v) {   // keys sorted by (key, index): index u < v
            const std::uint32_t i = keys[u].second, j = keys[v].second;
            if (j - i >= sep && j > i) ++votes[(std::uint64_t(i) << 32) | j];
          }
      a = b;
    }
  }
  std::vector<CandidatePair> out;
  for (const auto& [k, v] : votes)
    if (v >= o.min_votes) out.push_back({std::uint32_t(k >> 32), std::uint32_t(k & 0xffffffffu), v});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.i != b.i ? a.i < b.i : a.j < b.j; });
  return out;
}

std::vector<PairDetection> group_pairs(const std::vector<CandidatePair>& pairs, double step_s, std::size_t gap) {
  std::vector<ScoredPair> p;
  p.reserve(pairs.size());
  for (const auto& c : pairs) p.push_back({c.i, c.j, double(c.votes)});
  return group_scored(std::move(p), step_s, gap);
}

FastReport fast_search(const std::vector<double>& x, const FastOptions& o) {
  FastReport r;
  double t0 = now_s();
  const auto f = fast_fingerprints(x, o);
  r.images = f.on.size();
  double t1 = now_s();
  r.seconds_fingerprint = t1 - t0;
  const auto sig = minhash(f, o);
  double t2 = now_s();
  r.seconds_hash = t2 - t1;
  const auto pairs = lsh_pairs(sig, f.on.size(), o);
  r.candidate_pairs = pairs.size();
  r.detections = group_pairs(pairs, f.step_s);
  r.seconds_search = now_s() - t2;
  return r;
}

std::vector<PairDetection> network_detections(const std::vector<std::vector<PairDetection>>& per_station,
                                              std::size_t min_stations, double time_tol, double lag_tol) {
  HYSEIS_REQUIRE(min_stations >= 1, core::InvalidInput, "network_detections: min_stations must be >= 1");
  struct Item {
    PairDetection d;
    std::size_t station;
  };
  std::vector<Item> all;
  for (std::size_t s = 0; s < per_station.size(); ++s)
    for (const auto& d : per_station[s]) all.push_back({d, s});
  std::sort(all.begin(), all.end(), [](const Item& a, const Item& b) { return a.d.t1 < b.d.t1; });
  std::vector<bool> used(all.size(), false);
  std::vector<PairDetection> out;
  for (std::size_t a = 0; a < all.size(); ++a) {
    if (used[a]) continue;
    // Cluster: detections within time_tol of the seed's t1 and lag_tol of its inter-event time.
    const double lag = all[a].d.t2 - all[a].d.t1;
    std::vector<std::size_t> members{a};
    for (std::size_t b = a + 1; b < all.size() && all[b].d.t1 - all[a].d.t1 <= time_tol; ++b)
      if (!used[b] && std::abs((all[b].d.t2 - all[b].d.t1) - lag) <= lag_tol) members.push_back(b);
    std::vector<bool> seen(per_station.size(), false);
    PairDetection n;
    n.t1 = all[a].d.t1;
    n.t2 = all[a].d.t2;
    n.stations = 0;
    n.score = 0;
    n.members = 0;
    for (std::size_t m : members) {
      used[m] = true;
      n.score += all[m].d.score;
      n.members += all[m].d.members;
      if (!seen[all[m].station]) {
        seen[all[m].station] = true;
        ++n.stations;
      }
    }
    if (n.stations >= min_stations) out.push_back(n);
  }
  return out;
}

AllPairsReport all_pairs_correlation(const std::vector<double>& x, double fs, std::size_t window, std::size_t step,
                                     double threshold, double min_separation_s) {
  HYSEIS_REQUIRE(window >= 2 && step >= 1 && x.size() >= window && fs > 0, core::InvalidInput,
                 "all_pairs_correlation: need window >= 2, step >= 1, fs > 0 and at least one window");
  const double t0 = now_s();
  const std::size_t n = (x.size() - window) / step + 1;
  Eigen::MatrixXf A(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(window));
  for (std::size_t i = 0; i < n; ++i) {
    const double* s = x.data() + i * step;
    double mean = 0, ss = 0;
    for (std::size_t k = 0; k < window; ++k) mean += s[k];
    mean /= double(window);
    for (std::size_t k = 0; k < window; ++k) ss += (s[k] - mean) * (s[k] - mean);
    const double inv = ss > 0 ? 1.0 / std::sqrt(ss) : 0.0;
    for (std::size_t k = 0; k < window; ++k) A(Eigen::Index(i), Eigen::Index(k)) = float((s[k] - mean) * inv);
  }
  const auto sep = static_cast<std::size_t>(std::ceil(min_separation_s * fs / double(step) - 1e-9));
  AllPairsReport r;
  r.windows = n;
  std::vector<ScoredPair> hits;
  const std::size_t B = 256;
  for (std::size_t r0 = 0; r0 < n; r0 += B) {
    const std::size_t r1 = std::min(n, r0 + B);
    const std::size_t c0 = r0 + std::max<std::size_t>(sep, 1);
    if (c0 >= n) break;
    const Eigen::MatrixXf Cb = A.middleRows(Eigen::Index(r0), Eigen::Index(r1 - r0)) *
                               A.middleRows(Eigen::Index(c0), Eigen::Index(n - c0)).transpose();
    for (std::size_t i = r0; i < r1; ++i) {
      const std::size_t jmin = i + std::max<std::size_t>(sep, 1);
      if (jmin >= n) continue;
      r.pairs_evaluated += double(n - jmin);
      for (std::size_t j = jmin; j < n; ++j) {
        const float v = Cb(Eigen::Index(i - r0), Eigen::Index(j - c0));
        if (v >= threshold) hits.push_back({std::uint32_t(i), std::uint32_t(j), double(v)});
      }
    }
  }
  // Gap in windows: neighbouring windows of one event pair lie within ~1 s of each other.
  const auto gap = std::max<std::size_t>(3, static_cast<std::size_t>(std::ceil(1.0 * fs / double(step))));
  r.detections = group_scored(std::move(hits), double(step) / fs, gap);
  r.seconds = now_s() - t0;
  return r;
}

RepeatingData synthetic_repeating(const RepeatingOptions& o) {
  HYSEIS_REQUIRE(o.sampling_rate > 0 && o.duration_s > 0 && o.stations >= 1, core::InvalidInput,
                 "synthetic_repeating: sampling_rate, duration_s > 0 and stations >= 1");
  const double fs = o.sampling_rate;
  const auto N = static_cast<std::size_t>(o.duration_s * fs);
  const auto L = static_cast<std::size_t>(o.event_s * fs);
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> G(0, 1);
  std::uniform_real_distribution<double> U(0, 1);
  std::size_t n_events = o.singles;
  for (auto m : o.family_sizes) n_events += m;
  const double margin = 10.0, tail = o.event_s + o.moveout_s * double(o.stations) + 5.0;
  const double slot = (o.duration_s - margin - tail) / double(std::max<std::size_t>(n_events, 1));
  HYSEIS_REQUIRE(slot >= o.min_gap_s, core::InvalidInput,
                 "synthetic_repeating: " << n_events << " events do not fit " << o.duration_s << " s with gaps of "
                                         << o.min_gap_s << " s");
  // Waveforms: a P and an S burst of band-limited noise under impulsive envelopes, with a
  // source-specific S-P time (1-5 s), P band [f, 2f] (f in 2-4 Hz, capped at 0.45 fs), S
  // band [0.7 f, 1.4 f], decays 0.5-1.5 s (P) and 1.5-3 s (S), S twice as strong as P; scaled
  // to rms `snr` over the first 5 s. One per (family or single event, station): members of a
  // family share it (same source and path), different sources differ in spectrum and S-P time.
  auto burst = [&](double f1, double f2, double decay, std::size_t from, std::vector<double>& w, double amp) {
    std::vector<double> b(L + 200);
    for (auto& v : b) v = G(rng);
    b = solvers::signal::bandpass(b, f1, std::min(f2, 0.45 * fs), fs, 4, true);
    for (std::size_t k = from; k < L; ++k) {
      const double t = double(k - from) / fs;
      w[k] += amp * b[k + 100] * (1 - std::exp(-t / 0.05)) * std::exp(-t / decay);
    }
  };
  auto waveform = [&]() {
    std::vector<double> w(L, 0.0);
    const double f = 2.0 + 2.0 * U(rng), sp = 1.0 + 4.0 * U(rng);
    burst(f, 2 * f, 0.5 + U(rng), 0, w, 1.0);
    burst(0.7 * f, 1.4 * f, 1.5 + 1.5 * U(rng), std::min(L - 1, static_cast<std::size_t>(sp * fs)), w, 2.0);
    double ss = 0;
    const auto n5 = std::min<std::size_t>(L, static_cast<std::size_t>(5.0 * fs));
    for (std::size_t k = 0; k < n5; ++k) ss += w[k] * w[k];
    const double g = o.snr / std::sqrt(ss / double(n5));
    for (auto& v : w) v *= g;
    return w;
  };
  std::vector<int> kind;
  for (std::size_t f = 0; f < o.family_sizes.size(); ++f)
    for (std::size_t m = 0; m < o.family_sizes[f]; ++m) kind.push_back(int(f));
  for (std::size_t s = 0; s < o.singles; ++s) kind.push_back(-1);
  std::shuffle(kind.begin(), kind.end(), rng);
  RepeatingData d;
  d.traces.assign(o.stations, std::vector<double>(N));
  for (auto& tr : d.traces)
    for (auto& v : tr) v = G(rng);
  std::vector<std::vector<std::vector<double>>> fam(o.family_sizes.size());   // [family][station]
  for (auto& f : fam)
    for (std::size_t s = 0; s < o.stations; ++s) f.push_back(waveform());
  for (std::size_t e = 0; e < kind.size(); ++e) {
    const double onset = std::round((margin + double(e) * slot + U(rng) * (slot - o.min_gap_s)) * fs) / fs;
    d.onsets.push_back(onset);
    d.family.push_back(kind[e]);
    const double amp = 0.7 + 0.6 * U(rng);
    for (std::size_t s = 0; s < o.stations; ++s) {
      const std::vector<double> w = kind[e] >= 0 ? fam[std::size_t(kind[e])][s] : waveform();
      const auto k0 = static_cast<std::size_t>(std::llround((onset + double(s) * o.moveout_s) * fs));
      for (std::size_t k = 0; k < L && k0 + k < N; ++k) d.traces[s][k0 + k] += amp * w[k];
    }
  }
  for (std::size_t a = 0; a < d.onsets.size(); ++a)
    for (std::size_t b = a + 1; b < d.onsets.size(); ++b)
      if (d.family[a] >= 0 && d.family[a] == d.family[b]) d.true_pairs.push_back({d.onsets[a], d.onsets[b]});
  return d;
}

PairScore score_pairs(const std::vector<PairDetection>& det, const std::vector<std::pair<double, double>>& truth,
                      double tol) {
  PairScore s;
  s.true_pairs = truth.size();
  s.detections = det.size();
  std::vector<bool> hit(truth.size(), false);
  for (const auto& d : det) {
    bool any = false;
    for (std::size_t k = 0; k < truth.size(); ++k)
      if (std::abs(d.t1 - truth[k].first) <= tol && std::abs(d.t2 - truth[k].second) <= tol) {
        hit[k] = true;
        any = true;
      }
    if (!any) ++s.false_positives;
  }
  for (bool h : hit) s.found += h;
  s.recall = truth.empty() ? 1.0 : double(s.found) / double(truth.size());
  return s;
}

}  // namespace hyseis::learning::similarity
