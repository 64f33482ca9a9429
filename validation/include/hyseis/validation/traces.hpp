#pragma once
// Trace infrastructure for the validation cases: reading two-column ASCII references,
// resampling onto a reference time axis, misfit measures and the files written per case.
#include <string>
#include <vector>

namespace hyseis::validation {

/// A sampled time series: value[n] at time[n] (time strictly increasing).
struct Trace {
  std::vector<double> time;
  std::vector<double> value;
  std::size_t size() const { return time.size(); }
};

/// Reads a two-column ASCII trace (`time value` per line; blank lines and lines starting with
/// '#', '!' or '%' are skipped; Fortran 'D' exponents accepted). Throws core::IoError naming the
/// file and the line on a missing file, a malformed line, fewer than 2 samples or a time axis
/// that is not strictly increasing.
Trace read_ascii_trace(const std::string& path);

/// Applies t -> t + shift and v -> scale * v (e.g. Gar6more2D: shift -0.024 s, scale -1e3).
Trace transform(const Trace& t, double time_shift, double scale);

/// Cubic (4-point Lagrange) interpolation of `src` at the times `t`; `src` may be non-uniform.
/// Outside [src.time.front(), src.time.back()] the value is `outside` (default 0).
std::vector<double> interpolate_cubic(const Trace& src, const std::vector<double>& t,
                                      double outside = 0.0);

/// Samples of `ref` with t0 <= time <= t1 (indices).
std::vector<std::size_t> window_indices(const std::vector<double>& time, double t0, double t1);

/// Relative L2 misfit ||a - b||_2 / ||b||_2 over the samples n of `b`'s axis with
/// t0 <= time[n] <= t1; `a` holds our values on the same axis. Throws InvalidInput when the
/// window is empty or ||b|| = 0.
double relative_l2(const std::vector<double>& a, const Trace& b, double t0, double t1);

/// max|a| / max|b| over the window (same axis convention as relative_l2).
double peak_ratio(const std::vector<double>& a, const Trace& b, double t0, double t1);

/// Lag (in samples of b's axis, sub-sample by parabolic refinement) maximising the cross-
/// correlation sum_n a[n] b[n - lag] over the window, searched in [-max_lag, max_lag].
/// Positive lag: `a` is delayed relative to `b`.
double xcorr_lag(const std::vector<double>& a, const Trace& b, double t0, double t1, int max_lag);

/// True if every value is finite.
bool all_finite(const std::vector<double>& v);

/// Writes (when out_dir is not empty) `<out_dir>/<stem>.h5` with /time, /ours/<name>,
/// /reference/<name> and `<out_dir>/<stem>_<name>.png`: ours vs reference (top panel style:
/// two series) and the residual (ours - reference) as a third series. Failures to write are
/// reported as core::IoError.
struct TracePair {
  std::string name;           // e.g. "ux"
  std::vector<double> ours;   // on ref.time
  Trace ref;
  std::string ref_label;      // e.g. "REF_ANALYTICAL x (-1)"
  std::string unit;           // e.g. "m"
};
void write_comparison(const std::string& out_dir, const std::string& stem, const std::string& title,
                      const std::vector<TracePair>& pairs);

}  // namespace hyseis::validation
