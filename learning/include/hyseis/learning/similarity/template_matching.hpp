#pragma once
// Template matching (matched filtering) by normalised cross-correlation, as in EQcorrscan / FMF:
// per-channel NCC by FFT (overlap-save), network stacking with per-channel moveouts, detection
// by a MAD threshold. See docs/theory/picking.md, section 10.
//
// FFT: a self-contained iterative radix-2 complex FFT (FFTW is not in the build); accuracy is
// checked against the direct time-domain sum in tests/picking_nn (|difference| < 1e-5).
#include <cstddef>
#include <vector>

namespace hyseis::learning::similarity {

/// Normalised cross-correlation of a template t (length M >= 2) with data x (length N >= M):
///   cc[k] = sum_j (t_j - tbar)(x_{k+j} - xbar_k) / sqrt(sum_j (t_j - tbar)^2 sum_j (x_{k+j} - xbar_k)^2),
/// k = 0 .. N - M, xbar_k the mean of the data window; cc = 0 where the window (or the template)
/// has no variance (relative to the data's overall scale, 1e-12). Values lie in [-1, 1].
/// Throws core::InvalidInput on lengths or non-finite samples.
std::vector<double> normalized_xcorr(const std::vector<double>& tmpl, const std::vector<double>& data);

/// The same by the direct O(N M) sum (reference for tests and benchmarks).
std::vector<double> normalized_xcorr_direct(const std::vector<double>& tmpl, const std::vector<double>& data);

/// Network stack: mean over channels c of cc_c[k + moveout_c], for k = 0 .. min_c(N_c - M_c -
/// moveout_c). Moveouts (samples, >= 0) give each channel's delay relative to the template's
/// reference time (e.g. from picks); empty = all 0. Templates and data are paired by index.
std::vector<double> stacked_xcorr(const std::vector<std::vector<double>>& templates,
                                  const std::vector<std::vector<double>>& data,
                                  const std::vector<std::size_t>& moveouts = {});

/// Median absolute deviation from the median.
double mad(const std::vector<double>& x);

struct DetectOptions {
  double mad_multiplier = 8.0;     // threshold = mad_multiplier * MAD(stack) (EQcorrscan's default 8)
  std::size_t min_distance = 1;    // samples between two detections (the higher one is kept)
};

struct Detection {
  std::size_t sample = 0;          // lag k of the stack (template start in the data)
  double cc = 0;                   // stacked correlation
  double threshold = 0;
};

/// Peaks of `stack` with value >= threshold, at least min_distance apart (highest first).
std::vector<Detection> detect(const std::vector<double>& stack, const DetectOptions& options = {});

}  // namespace hyseis::learning::similarity
