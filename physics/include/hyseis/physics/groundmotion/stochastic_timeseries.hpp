#pragma once
// Stochastic-method acceleration time series (Boore 2003, Pure Appl. Geophys. 160:635-676, section
// "Time-domain simulations"; Boore 1983) from the Fourier amplitude spectrum of the stochastic point
// source (stochastic.hpp, StochasticPointSource::fourier_acceleration — reused, not reimplemented):
//   1. Gaussian white noise n_j (unit variance) of the window length, times the Saragoni & Hart (1974)
//      shape window  w(t) = a (t/t_eta)^b exp(-c t/t_eta),  b = -eps ln(eta) / (1 + eps (ln(eps) - 1)),
//      c = b/eps, a = (e/eps)^b, with eps = 0.2, eta = 0.05 and t_eta = f_tgm · T_gm, f_tgm = 2
//      (Boore 2003, eq. 29–30 and Table 3 defaults); T_gm = 1/fc + b_path R is the model's own
//      duration (source + path, StochasticPointSource::duration);
//   2. zero-padded to N = 2^k samples, FFT (radix-2, own; FFTW is not a physics dependency);
//   3. normalised so that the mean square amplitude spectrum (over all N bins) is 1;
//   4. multiplied by the target A(f) (cm/s) at |f_k|; the DC bin is set to 0;
//   5. inverse FFT; divided by dt so that dt·DFT(y) = Y(f) approximates the continuous Fourier
//      transform (then E|Y(f)|^2 = A(f)^2, and by Parseval 2∫|Y|^2 df = ∫y^2 dt as in the RVT moments).
// The result is one horizontal component (the model's spectrum includes the horizontal partition V).
//
// Three-component records (stochastic_record): E and N are independent realisations of the S-wave
// (horizontal) series; Z is an independent realisation scaled by vertical_ratio (a constant V/H ratio,
// 2/3 by default — a simplification: real V/H is frequency dependent). A P-wave onset is approximated
// by an earlier, weaker segment: an independent realisation of the same spectrum times p_ratio, with
// its own Saragoni–Hart window of duration (t_S - t_P) + T_gm·p_duration_fraction, starting at the P
// arrival, full on Z and times p_horizontal_ratio on E and N. This is NOT a P-wave radiation model
// (no P corner frequency, no P radiation pattern, no P-SV conversion); it only gives an onset of the
// right timing and a plausible P/S amplitude contrast. P and S arrivals: t = R / v (straight ray at
// hypocentral distance R, constant vp and vs).
// Units: outputs in m/s^2.  Pure C++ (no deal.II / torch).
#include <complex>
#include <random>
#include <vector>

#include "hyseis/physics/groundmotion/stochastic.hpp"

namespace hyseis::physics::groundmotion {

/// In-place radix-2 complex FFT (n a power of two): sign -1 forward (X_k = sum x_j e^{-2 pi i jk/n}),
/// +1 backward (no 1/n scaling). Throws core::InvalidInput if n is not a power of two (n >= 1).
void fft_radix2(std::vector<std::complex<double>>& x, int sign);

/// Saragoni–Hart window parameters (Boore 2003 defaults).
struct ShapeWindow {
  double eps = 0.2, eta = 0.05, f_tgm = 2.0;
  /// w(t) for a window of total duration t_eta (>0); 0 outside [0, t_eta].
  double operator()(double t, double t_eta) const;
};

/// One horizontal component of the S-wave stochastic series for (mag, hypocentral r km): n samples
/// at fs Hz, the window starting at sample `start` and lasting f_tgm·T_gm (scaled by spectrum_scale).
/// n >= start + window length; the FFT length is the next power of two >= max(n, 2·window). m/s^2.
std::vector<double> stochastic_component(const StochasticPointSource& model, double mag, double r, double fs,
                                         std::size_t n, std::size_t start, std::mt19937_64& rng,
                                         double spectrum_scale = 1.0, const ShapeWindow& window = {});

/// The dt-scaled DFT amplitude |dt·DFT(y)|(f_k) of a series (k = 0..N/2, f_k = k fs / N, N = y.size()
/// must be a power of two). Used to check realisations against A(f).
std::vector<double> fourier_amplitude(const std::vector<double>& y, double fs);

struct StochasticRecordOptions {
  double fs = 100.0;
  double pre_event_s = 5.0;     ///< record start = P arrival - pre_event_s (>= 0)
  double post_s = 5.0;          ///< record end = end of the S window + post_s
  double vp = 6.0, vs = 3.5;    ///< km/s, arrival times R/vp, R/vs
  double vertical_ratio = 2.0 / 3.0;
  bool p_wave = true;
  double p_ratio = 0.3;             ///< P segment spectrum / S spectrum (on Z)
  double p_horizontal_ratio = 0.5;  ///< P on E, N relative to Z
  double p_duration_fraction = 0.5;
  ShapeWindow window;
  void validate() const;
};

struct StochasticRecord {
  std::vector<double> e, n, z;  ///< m/s^2
  double fs = 100.0;
  std::size_t ip = 0, is = 0;   ///< P and S arrival sample indices
  double mag = 0.0, r_km = 0.0;
};

/// Three-component stochastic record (see the header comment).
StochasticRecord stochastic_record(const StochasticPointSource& model, double mag, double r_km,
                                   const StochasticRecordOptions& opt, std::mt19937_64& rng);

}  // namespace hyseis::physics::groundmotion
