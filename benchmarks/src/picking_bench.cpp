// Picking and similarity benchmarks (issue 5, docs/theory/picking.md section 12):
//
// picking_station_day: one station-day (3 components HHZ/HHN/HHE, 100 Hz, 8.64e6 samples each;
//   --quick: one hour) of synthetic data (Gaussian noise + a 5 Hz decaying burst every 10 min),
//   written as Steim-2 MiniSEED, then timed end to end exactly as `hyseis pick` does it:
//   core::mseed::read -> learning::picking::pick_segments (PhaseNet of the default size:
//   3001-sample windows, filters 8..32, 50 % overlap, batches of 32) -> write_picks_csv, with
//   torch on ONE thread. The weights are untrained (seeded initialisation): the cost of a forward
//   pass does not depend on the weight values, so the timing is that of a trained model; the
//   picks themselves are meaningless. Baseline: the goal of 30 s per station-day.
//   The same data picked by recursive STA/LTA + AIC on Z is reported for comparison.
//
// template_matching_vs_direct: normalised cross-correlation of a 4 s template (400 samples)
//   with one hour of data at 100 Hz (--quick: 5 min): FFT overlap-save (normalized_xcorr) vs the
//   direct O(N M) sum (normalized_xcorr_direct) in the same run; metric: correlation values per
//   second; the two must agree to 1e-5 (the case throws otherwise).
//
// fast_vs_all_pairs: FAST-style fingerprint search (learning/similarity/fast.hpp, defaults:
//   >= 6 of 200 LSH tables) vs brute-force all-pairs correlation (zero-lag NCC of every pair of
//   10 s windows at a 1-sample step, i.e. full time resolution, threshold 0.6; blocked float
//   GEMM) on the same synthetic single-station data with known repeating events (30 min at 20 Hz,
//   families of 6, 5, 4, 3 and 8 single events; --quick: 6 min, families of 3 and 2, 1 single).
//   Rows: seconds of each (ratio = speed-up), recall and false pairs of each.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "hyseis/bench/bench.hpp"
#include "hyseis/core/mseed.hpp"
#include "hyseis/learning/picking/classic.hpp"
#include "hyseis/learning/picking/continuous.hpp"
#include "hyseis/learning/picking/deep.hpp"
#include "hyseis/learning/picking/picks_io.hpp"
#include "hyseis/learning/similarity/fast.hpp"
#include "hyseis/learning/similarity/template_matching.hpp"
#include "hyseis/solvers/signal.hpp"

namespace hyseis::bench::detail {

namespace {

namespace ms = core::mseed;
namespace pk = learning::picking;
namespace sim = learning::similarity;

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<ms::Segment> synthetic_station(double seconds, double fs, std::uint64_t seed) {
  std::mt19937_64 r(seed);
  std::normal_distribution<double> N(0, 100);
  const auto n = static_cast<std::size_t>(seconds * fs);
  std::vector<ms::Segment> out;
  const char* comps = "ZNE";
  for (int c = 0; c < 3; ++c) {
    ms::Segment s;
    s.network = "XB";
    s.station = "DAY";
    s.location = "00";
    s.channel = std::string("HH") + comps[c];
    s.start = 1500000000LL * 1000000LL;
    s.sampling_rate = fs;
    s.data.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double t = std::fmod(double(i) / fs, 600.0) - 300.0;   // an event every 10 minutes
      double v = N(r);
      if (t >= 0 && t < 20) v += (c == 0 ? 3000 : 1500) * std::exp(-t / 2.0) * std::sin(2 * M_PI * 5.0 * t);
      s.data[i] = std::round(v);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

std::vector<Row> picking_station_day(const Options& opt) {
  const std::string kCase = "picking_station_day";
  const double seconds = opt.quick ? 3600.0 : 86400.0;
  const double fs = 100.0;
  const auto dir = std::filesystem::temp_directory_path() / ("hyseis_bench_picking_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string in = (dir / "day.mseed").string(), out = (dir / "picks.csv").string();
  ms::write(in, synthetic_station(seconds, fs, 86400), 4096);
  const double bytes = double(std::filesystem::file_size(in));

  pk::set_torch_threads(1);
  pk::DeepPickerOptions o;   // PhaseNet of the paper's size: 3 x 3001, filters 8, 11, 16, 22, 32
  o.seed = 1;
  const pk::DeepPicker model(o);
  pk::ContinuousOptions co;  // 50 % overlap, batches of 32, threshold 0.3

  double t0 = now_s();
  const auto contents = ms::read(in);
  const double t_read = now_s() - t0;
  const auto picks = pk::pick_segments(model, contents.segments, co);
  const double t_pick = now_s() - t0 - t_read;
  pk::write_picks_csv(out, picks);
  const double t_total = now_s() - t0;

  // Baseline on the same data: recursive STA/LTA + AIC on Z (what `hyseis pick --method stalta` does).
  t0 = now_s();
  std::size_t n_stalta = 0;
  for (const auto& s : ms::read(in).segments) {
    if (s.channel != "HHZ") continue;
    std::vector<double> x = s.data;
    solvers::signal::detrend_linear(x);
    solvers::signal::cosine_taper(x, 0.05);
    x = solvers::signal::bandpass(x, 1.0, 20.0, fs, 4, true);
    n_stalta += pk::stalta_aic_picks(x, fs, pk::StaLtaAicOptions{}).size();
  }
  const double t_stalta = now_s() - t0;
  std::filesystem::remove_all(dir);

  const double goal = 30.0 * seconds / 86400.0;
  const std::string what = opt.quick ? "1 h" : "1 station-day";
  const std::string base = "issue goal 30 s per station-day (scaled to the span)";
  std::vector<Row> rows;
  rows.push_back({kCase, "end_to_end_s (" + what + ", 3 x 100 Hz, PhaseNet 1 thread, untrained weights)", t_total,
                  goal, goal / t_total, "s", base});
  rows.push_back({kCase, "mseed_read_s", t_read, 0, 0, "s", std::to_string(long(bytes)) + " bytes Steim-2"});
  rows.push_back({kCase, "phasenet_inference_s", t_pick, 0, 0, "s", "pick_segments incl. normalisation + peaks"});
  rows.push_back({kCase, "samples_per_s (3 components)", 3.0 * seconds * fs / t_total, 0, 0, "1/s", ""});
  rows.push_back({kCase, "picks (untrained weights, threshold 0.3)", double(picks.size()), 0, 0, "", ""});
  rows.push_back({kCase, "stalta_aic_s (same data, Z, read + filter + pick)", t_stalta, t_total, t_total / t_stalta, "s",
                  "ratio = PhaseNet time / STA/LTA time"});
  rows.push_back({kCase, "stalta_aic_picks (events in the data: " + std::to_string(long(seconds / 600)) + ")",
                  double(n_stalta), 0, 0, "", ""});
  return rows;
}

std::vector<Row> template_matching_vs_direct(const Options& opt) {
  const std::string kCase = "template_matching_vs_direct";
  const std::size_t n = opt.quick ? 30000 : 360000, m = 400;
  std::mt19937_64 r(10);
  std::normal_distribution<double> N(0, 1);
  std::vector<double> x(n), t(m);
  for (auto& v : x) v = N(r);
  for (std::size_t j = 0; j < m; ++j) t[j] = std::exp(-double(j) / 150.0) * std::sin(0.3 * double(j)) + 0.1 * N(r);
  for (std::size_t k = 5000; k + m < n; k += 20000)   // repeats of the template
    for (std::size_t j = 0; j < m; ++j) x[k + j] += 3.0 * t[j];
  const double values = double(n - m + 1);
  const int reps = opt.quick ? 2 : 3;
  double best_fft = 1e300, best_dir = 1e300;
  std::vector<double> a, b;
  for (int rep = 0; rep < reps; ++rep) {
    double t0 = now_s();
    a = sim::normalized_xcorr(t, x);
    best_fft = std::min(best_fft, now_s() - t0);
    t0 = now_s();
    b = sim::normalized_xcorr_direct(t, x);
    best_dir = std::min(best_dir, now_s() - t0);
  }
  double diff = 0;
  for (std::size_t k = 0; k < a.size(); ++k) diff = std::max(diff, std::abs(a[k] - b[k]));
  if (!(diff < 1e-5))
    throw std::runtime_error(kCase + ": FFT and direct NCC disagree (max abs difference " + std::to_string(diff) + ")");
  const std::string base = "direct time-domain sum (normalized_xcorr_direct)";
  std::vector<Row> rows;
  rows.push_back({kCase, "correlations_per_s (N " + std::to_string(n) + ", M " + std::to_string(m) + ", best of " +
                             std::to_string(reps) + ")",
                  values / best_fft, values / best_dir, best_dir / best_fft, "1/s", base});
  rows.push_back({kCase, "max_abs_difference_fft_vs_direct", diff, 0, 0, "", base});
  return rows;
}

std::vector<Row> fast_vs_all_pairs(const Options& opt) {
  const std::string kCase = "fast_vs_all_pairs";
  sim::RepeatingOptions ro;
  if (opt.quick) {
    ro.duration_s = 360;
    ro.family_sizes = {3, 2};
    ro.singles = 1;
    ro.min_gap_s = 40;
  } else {
    ro.duration_s = 1800;
    ro.family_sizes = {6, 5, 4, 3};
    ro.singles = 8;
  }
  ro.seed = 2015;
  const auto data = sim::synthetic_repeating(ro);
  sim::FastOptions o;
  const auto fast = sim::fast_search(data.traces[0], o);
  const double t_fast = fast.seconds_fingerprint + fast.seconds_hash + fast.seconds_search;
  const auto bf = sim::all_pairs_correlation(data.traces[0], ro.sampling_rate, 200, 1, 0.6, o.min_separation_s);
  const double tol = o.image_length_s();
  const auto sf = sim::score_pairs(fast.detections, data.true_pairs, tol);
  const auto sb = sim::score_pairs(bf.detections, data.true_pairs, tol);
  const std::string base = "all-pairs NCC, 10 s windows, 1-sample step, cc >= 0.6 (Eigen float GEMM)";
  const std::string span = std::to_string(int(ro.duration_s)) + " s at 20 Hz, " + std::to_string(data.true_pairs.size()) +
                           " true pairs";
  std::vector<Row> rows;
  rows.push_back({kCase, "seconds (" + span + ")", t_fast, bf.seconds, bf.seconds / t_fast, "s",
                  base + "; ratio = speed-up"});
  rows.push_back({kCase, "fast_fingerprint_s", fast.seconds_fingerprint, 0, 0, "s", ""});
  rows.push_back({kCase, "fast_minhash_s", fast.seconds_hash, 0, 0, "s", ""});
  rows.push_back({kCase, "fast_lsh_search_s", fast.seconds_search, 0, 0, "s", ""});
  rows.push_back({kCase, "pairs_compared (FAST: images; all-pairs: window pairs)", double(fast.images),
                  bf.pairs_evaluated, 0, "", base});
  rows.push_back({kCase, "recall", sf.recall, sb.recall, 0, "", base});
  rows.push_back({kCase, "false_pairs", double(sf.false_positives), double(sb.false_positives), 0, "",
                  "pairs of different events or noise (single station; see docs section 13)"});
  return rows;
}

}  // namespace hyseis::bench::detail
