#pragma once
// MyShake single-sensor features (Kong, Allen, Schreier & Kwon 2016, "MyShake: A smartphone
// seismic network for earthquake early warning and beyond", Science Advances 2:e1501055).
// Computed on sliding windows (default 2 s) of 3-component acceleration a_x, a_y, a_z sampled at fs.
//
// Definitions used here (n samples per window, dt = 1/fs, window duration T = (n-1)·dt):
//  - vector sum            v_i = sqrt(a_x,i^2 + a_y,i^2 + a_z,i^2)
//  - IQR                   Q75(v) - Q25(v); quantiles by linear interpolation between order
//                          statistics (Hyndman–Fan type 7: position p·(n-1) in the sorted sample).
//  - zero-crossing rate    for each component, the mean over the window is removed, then the number
//                          of sign changes between consecutive non-zero samples is divided by T;
//                          ZC = max over the three components. A sine of frequency f gives ≈ 2f.
//  - CAV                   cumulative absolute velocity of the vector sum, trapezoid rule:
//                          sum_i (|v_i| + |v_{i+1}|)/2 · dt. A constant |a| gives |a|·T.
// Bad input (empty/unequal components, NaN/Inf samples, fs <= 0, window shorter than 2 samples)
// throws hyseis::core::InvalidInput.
#include <vector>

namespace hyseis::learning::eew {

struct MyShakeFeatures {
  double t_start = 0.0;  ///< window start time [s] relative to the first sample
  double iqr = 0.0;      ///< interquartile range of the vector sum [acceleration units]
  double zc = 0.0;       ///< maximum zero-crossing rate over components [1/s]
  double cav = 0.0;      ///< cumulative absolute velocity of the vector sum [acceleration·s]
};

/// Quantile (type 7, linear interpolation) of a non-empty sample; p in [0,1].
double quantile(std::vector<double> x, double p);

/// Features of one window (all samples of the three component vectors).
MyShakeFeatures window_features(const std::vector<double>& ax, const std::vector<double>& ay,
                                const std::vector<double>& az, double fs);

/// Features on sliding windows of window_s seconds advanced by step_s seconds.
/// Only complete windows are returned (window length = round(window_s·fs) samples).
std::vector<MyShakeFeatures> sliding_features(const std::vector<double>& ax,
                                              const std::vector<double>& ay,
                                              const std::vector<double>& az, double fs,
                                              double window_s = 2.0, double step_s = 1.0);

/// Streaming MyShake features of many sensors for the server-side / benchmark packet loop: every sensor
/// keeps its newest `window_n` samples (3 components and the vector sum, contiguous per sensor, shifted
/// by `step_n` samples per packet); push() appends one packet of `step_n` samples per sensor and
/// compute() returns the features of every sensor's current window. Results are bit-identical to
/// window_features() on the same window (same summation order; the quartiles by nth_element select the
/// same order statistics as a full sort). The vector sum is computed once per sample (on arrival);
/// the IQR uses two selections instead of two sorts (or, when the window is exactly two packets, each
/// packet's vector sums are sorted once on arrival and the quartiles are O(log n) selections in the
/// two sorted blocks); no allocation per packet.
class StreamingFeatures {
public:
  /// 2 <= step_n <= window_n, fs > 0. Until window_n samples have arrived the window is zero-padded
  /// at its start (ready() tells when it is full).
  StreamingFeatures(std::size_t n_sensors, std::size_t window_n, std::size_t step_n, double fs);
  /// One packet: component arrays of n_sensors * step_n samples, sensor-major (sensor s occupies
  /// [s*step_n, (s+1)*step_n)).
  void push(const double* ax, const double* ay, const double* az);
  /// Features of every sensor's window (t_start = 0).
  void compute(std::vector<MyShakeFeatures>& out);
  /// push() and compute() fused per sensor (one pass over memory; same results).
  void update(const double* ax, const double* ay, const double* az, std::vector<MyShakeFeatures>& out);
  bool ready() const { return filled_ >= window_; }
  std::size_t sensors() const { return n_; }

private:
  std::size_t n_, window_, step_, filled_ = 0;
  double fs_;
  std::vector<double> x_, y_, z_, v_;  // n_ * window_ each
  std::vector<double> scratch_;
  bool two_blocks_ = false;      // window = 2 packets: each packet's vector sums kept sorted
  std::vector<double> sorted_;   // n_ * window_: per sensor [older sorted block | newer sorted block]
  void push_one(std::size_t s, const double* a, const double* b, const double* c);
  MyShakeFeatures compute_one(std::size_t s);
};

}  // namespace hyseis::learning::eew
