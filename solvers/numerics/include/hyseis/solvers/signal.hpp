#pragma once
// Reusable 1-D signal processing for seismograms (host code, standard library only):
// demean / linear detrend, cosine taper, Butterworth filters as second-order sections (SOS)
// applied causally (sosfilt) or zero-phase (forward-backward, sosfiltfilt), decimation with an
// anti-alias filter, and windowed-sinc resampling to an arbitrary rate.
// Conventions and formulas: docs/theory/picking.md ("Pre-processing").
// Errors (bad corners, rates, lengths) throw core::InvalidInput naming the value; so does a NaN or
// Inf sample given to detrend, the filters, decimate or resample (index named), rather than
// letting it spread through a recursive filter.
#include <array>
#include <cstddef>
#include <vector>

namespace hyseis::solvers::signal {

/// Removes the mean.
void demean(std::vector<double>& x);
/// Removes the least-squares straight line a + b*i.
void detrend_linear(std::vector<double>& x);

/// Cosine (Hann) taper on both ends: `fraction` of the length on *each* side (ObsPy's
/// max_percentage), w = 0.5 (1 - cos(pi i / m)) for i = 0..m-1, m = floor(fraction * n).
void cosine_taper(std::vector<double>& x, double fraction = 0.05);

/// One biquad: y = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2) x  (a0 normalised to 1).
/// A first-order section has b2 = a2 = 0.
struct Section {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
};
using Sos = std::vector<Section>;

/// Digital Butterworth designs by the bilinear transform with pre-warped corners (as
/// scipy.signal.butter / iirfilter): `order` is the prototype order (a band-pass has 2*order
/// poles, `order` sections). |H| at each corner is 1/sqrt(2) for one pass. Frequencies in Hz.
Sos butterworth_lowpass(int order, double fc, double fs);
Sos butterworth_highpass(int order, double fc, double fs);
Sos butterworth_bandpass(int order, double fmin, double fmax, double fs);

/// |H(f)| of the cascade at frequency f (Hz), one pass.
double sos_gain(const Sos& sos, double f, double fs);
/// Phase of H(f) in radians, one pass.
double sos_phase(const Sos& sos, double f, double fs);

/// Causal filtering (transposed direct form II), zero initial state.
std::vector<double> sosfilt(const Sos& sos, const std::vector<double>& x);
/// Zero-phase filtering: forward then backward pass over an odd extension of `padlen` samples at
/// each end, with the steady-state (step-response) initial conditions of each section scaled by
/// the first sample (as scipy.signal.sosfiltfilt). Magnitude response |H|^2, phase 0.
/// padlen < 0 selects scipy's default 3 (2 nsections + 1), limited to n - 1.
std::vector<double> sosfiltfilt(const Sos& sos, const std::vector<double>& x, int padlen = -1);

/// Convenience: zero-phase Butterworth band-pass (order 4 per pass by default).
std::vector<double> bandpass(const std::vector<double>& x, double fmin, double fmax, double fs,
                             int order = 4, bool zero_phase = true);

/// Integer decimation by q: zero-phase Butterworth low-pass (order 8) at 0.4 fs/q (80 % of the
/// new Nyquist frequency), then every q-th sample starting at 0.
std::vector<double> decimate(const std::vector<double>& x, int q);

/// Band-limited resampling from fs_in to fs_out (any ratio) by windowed-sinc interpolation:
///   y(t) = sum_n x[n] * (fc/fs_in*2) sinc(2 fc (t - n/fs_in)) * w(t - n/fs_in),
/// with cut-off fc = 0.5 min(fs_in, fs_out) * 0.95 and a Hann window of half-width
/// `half_width` input samples (scaled by fs_in/fs_out when down-sampling). Output sample k is
/// at t = k / fs_out (same start time); length floor((n - 1) fs_out / fs_in) + 1.
std::vector<double> resample(const std::vector<double>& x, double fs_in, double fs_out, int half_width = 16);

}  // namespace hyseis::solvers::signal
