#pragma once
// FAST-style similarity search (Fingerprint And Similarity Thresholding; Yoon et al. 2015,
// Bergen & Beroza 2018), docs/theory/picking.md section 13:
//   continuous trace -> spectrogram (Hann STFT, band [fmin, fmax] averaged into `freq_bins`)
//   -> spectral images (`image_frames` columns, every `image_lag` columns)
//   -> 2-D Haar wavelet transform (full decomposition)
//   -> each coefficient standardised over all images (median / MAD), the `top_k` largest |z| kept
//   -> binary fingerprint: 2 bits per coefficient (10 positive, 01 negative, 00 not kept)
//   -> MinHash (tables x rows hash functions) -> LSH banding: a pair of fingerprints collides in a
//      table when all `rows` MinHash values agree; votes = number of tables it collides in
//   -> candidate pairs (votes >= min_votes, time separation >= min_separation_s)
//   -> pairs merged along their diagonal (same inter-event time) into pair detections
//   -> (optional) network detection: a pair found at >= min_stations stations with the same
//      inter-event time.
// `all_pairs_correlation` is the brute-force reference (zero-lag NCC of every pair of windows).
#include <cstddef>
#include <cstdint>
#include <vector>

namespace hyseis::learning::similarity {

struct FastOptions {
  double sampling_rate = 20.0;      // Hz
  std::size_t stft_window = 64;     // samples per spectrogram column (Hann)
  std::size_t stft_lag = 2;         // samples between columns
  double fmin = 1.0, fmax = 8.0;    // band kept (Hz)
  std::size_t freq_bins = 32;       // band averaged into this many bins (power of two)
  std::size_t image_frames = 64;    // columns per spectral image (power of two)
  std::size_t image_lag = 10;       // columns between consecutive images
  std::size_t top_k = 200;          // wavelet coefficients kept per image
  std::size_t tables = 200;         // LSH hash tables (bands)
  std::size_t rows = 2;             // MinHash values per table
  std::size_t min_votes = 6;        // a candidate pair collides in at least this many tables
  std::size_t max_bucket = 0;       // skip buckets with more members (0 = no limit)
  double min_separation_s = 20.0;   // pairs closer in time are the same event (ignored)
  std::uint64_t seed = 1;
  void validate() const;            // core::InvalidInput naming the field
  double image_step_s() const;      // time between consecutive images
  double image_length_s() const;    // time spanned by one image
};

/// |STFT|: [columns][freq_bins] (column c starts at sample c * stft_lag), band averaged.
std::vector<std::vector<double>> fast_spectrogram(const std::vector<double>& x, const FastOptions& o);

/// Full 2-D orthonormal Haar transform of a rows x cols image (both powers of two), in place,
/// row-major (standard decomposition: every level transforms all rows, then all columns).
void haar2d(std::vector<double>& img, std::size_t rows, std::size_t cols);

struct Fingerprints {
  std::size_t bits = 0;                            // 2 x coefficients per image
  std::vector<std::vector<std::uint32_t>> on;      // per image: sorted indices of the set bits
  double step_s = 0;                               // time between images
};

/// Spectral images -> Haar -> standardised top-k -> sign bits.
Fingerprints fast_fingerprints(const std::vector<double>& x, const FastOptions& o);

/// MinHash signatures [image][tables * rows]: min over set bits of a seeded 32-bit hash.
std::vector<std::uint32_t> minhash(const Fingerprints& f, const FastOptions& o);

struct CandidatePair {
  std::uint32_t i = 0, j = 0;   // image indices, i < j
  std::uint32_t votes = 0;      // tables in which they collide
};

/// LSH banding of the signatures: all pairs with votes >= min_votes and separation >=
/// min_separation_s, sorted by (i, j).
std::vector<CandidatePair> lsh_pairs(const std::vector<std::uint32_t>& signatures, std::size_t images,
                                     const FastOptions& o);

/// A similar pair of time windows: t1 < t2 (s from the trace start, start of the window / image
/// with the highest similarity), score (votes or correlation) and how many image pairs formed it.
struct PairDetection {
  double t1 = 0, t2 = 0;
  double score = 0;
  std::size_t members = 0;
  std::size_t stations = 1;
};

/// Merges pairs on neighbouring diagonals (|lag difference| <= 1 step, |i difference| <= gap)
/// into one detection each (the member with the highest score gives t1, t2). Sorted by t1.
std::vector<PairDetection> group_pairs(const std::vector<CandidatePair>& pairs, double step_s, std::size_t gap = 3);

/// The whole single-channel pipeline.
struct FastReport {
  std::size_t images = 0, candidate_pairs = 0;
  double seconds_fingerprint = 0, seconds_hash = 0, seconds_search = 0;
  std::vector<PairDetection> detections;
};
FastReport fast_search(const std::vector<double>& x, const FastOptions& o);

/// Network detection: pairs seen at >= min_stations stations with inter-event times (t2 - t1)
/// within lag_tolerance_s and t1 within time_tolerance_s (moveouts) of each other. Score = sum.
std::vector<PairDetection> network_detections(const std::vector<std::vector<PairDetection>>& per_station,
                                              std::size_t min_stations, double time_tolerance_s,
                                              double lag_tolerance_s);

/// Brute-force reference: windows of `window` samples every `step` samples, each demeaned and
/// normalised; the zero-lag NCC of every pair at least min_separation_s apart; pairs with
/// cc >= threshold grouped like group_pairs. (Blocked float GEMM; O(n_windows^2 window).)
struct AllPairsReport {
  std::size_t windows = 0;
  double pairs_evaluated = 0, seconds = 0;
  std::vector<PairDetection> detections;
};
AllPairsReport all_pairs_correlation(const std::vector<double>& x, double sampling_rate, std::size_t window,
                                     std::size_t step, double threshold, double min_separation_s);

// ---- Synthetic validation data: repeating events in noise, with the true pairs ----
struct RepeatingOptions {
  double sampling_rate = 20.0;
  double duration_s = 1200.0;
  std::vector<std::size_t> family_sizes{5, 4, 3};  // repeating families (members each)
  std::size_t singles = 6;                         // non-repeating events
  double event_s = 10.0;                           // event duration (P + S bursts, S-P 1-5 s)
  double snr = 3.0;                                // event rms (first 5 s) / noise rms
  double min_gap_s = 45.0;                         // between event onsets
  std::size_t stations = 1;
  double moveout_s = 1.5;                          // station k is delayed by k * moveout_s
  std::uint64_t seed = 7;
};
struct RepeatingData {
  std::vector<std::vector<double>> traces;         // per station
  std::vector<double> onsets;                      // event onsets at station 0 (s), sorted
  std::vector<int> family;                         // per onset: family index, -1 for singles
  std::vector<std::pair<double, double>> true_pairs;  // onsets (t_a < t_b) of same-family events
};
RepeatingData synthetic_repeating(const RepeatingOptions& o);

struct PairScore {
  std::size_t true_pairs = 0, found = 0, detections = 0, false_positives = 0;
  double recall = 0;
};
/// A detection matches a true pair when |t1 - t_a| <= tolerance and |t2 - t_b| <= tolerance;
/// a detection matching no true pair is a false positive.
PairScore score_pairs(const std::vector<PairDetection>& d, const std::vector<std::pair<double, double>>& truth,
                      double tolerance_s);

}  // namespace hyseis::learning::similarity
