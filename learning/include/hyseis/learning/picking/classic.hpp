#pragma once
// Classical pickers (docs/theory/picking.md): classic and recursive STA/LTA as defined in
// ObsPy's obspy.signal.trigger (classic_sta_lta, recursive_sta_lta, trigger_onset), and the
// AIC onset picker in Maeda's (1985) form computed directly on the waveform.
#include <cstddef>
#include <vector>

namespace hyseis::learning::picking {

/// Classic STA/LTA (ObsPy classic_sta_lta): with E_i = sum_{j<=i} a_j^2,
///   STA_i = (E_i - E_{i-nsta}) / nsta,  LTA_i = (E_i - E_{i-nlta}) / nlta  (E_{<0} = 0),
///   cf_i = STA_i / LTA_i for i >= nlta - 1, cf_i = 0 before (LTA not yet full).
/// Requires 1 <= nsta < nlta. Throws core::InvalidInput.
std::vector<double> classic_sta_lta(const std::vector<double>& a, int nsta, int nlta);

/// Recursive STA/LTA (ObsPy recursive_sta_lta, Withers et al. 1998):
///   STA_i = a_i^2 / nsta + (1 - 1/nsta) STA_{i-1},  LTA_i = a_i^2 / nlta + (1 - 1/nlta) LTA_{i-1},
///   STA_0 = 0, LTA_0 = 1e-99, cf_i = STA_i / LTA_i for i >= nlta, 0 before.
std::vector<double> recursive_sta_lta(const std::vector<double>& a, int nsta, int nlta);

struct Trigger {
  std::size_t on = 0;   // first sample with cf > on threshold
  std::size_t off = 0;  // last sample of the run with cf > off threshold that follows `on`
};

/// Trigger on/off (ObsPy trigger_onset semantics): the trigger switches on at the first sample
/// with cf > thr_on while off, and off at the last sample before cf drops to <= thr_off. A
/// trigger still on at the end closes at the last sample. If max_len > 0, a trigger longer than
/// max_len samples is cut to on + max_len (or dropped if drop_long).
std::vector<Trigger> trigger_onset(const std::vector<double>& cf, double thr_on, double thr_off,
                                   std::size_t max_len = 0, bool drop_long = false);

/// AIC function of Maeda (1985) on the waveform x[0..N):
///   AIC(k) = k ln var(x[0..k)) + (N - k - 1) ln var(x[k+1..N)),   k = 2 .. N-3,
/// (var is the population variance; a zero variance is floored at 1e-300). Entries outside that
/// range are +inf. For a change of variance at sample k0 (x[k0] first sample of the new regime)
/// the minimum lies at k0.
std::vector<double> aic(const std::vector<double>& x);

/// Index of the AIC minimum of x[begin, end) (absolute index into x). Throws core::InvalidInput
/// if the window is shorter than 6 samples or exceeds x.
std::size_t aic_pick(const std::vector<double>& x, std::size_t begin, std::size_t end);

/// STA/LTA trigger + AIC refinement on one (pre-filtered) trace.
struct StaLtaAicOptions {
  double sta_s = 0.5;          // short window (s)
  double lta_s = 10.0;         // long window (s)
  bool recursive = true;       // recursive (true) or classic STA/LTA
  double thr_on = 3.5;
  double thr_off = 1.0;
  double aic_before_s = 2.0;   // AIC window: [on - before, on + after]
  double aic_after_s = 0.5;
  void validate(double fs) const;  // throws core::InvalidInput naming the field
};

struct OnsetPick {
  std::size_t trigger_on = 0;
  std::size_t trigger_off = 0;
  std::size_t sample = 0;      // AIC-refined onset
  double peak_cf = 0;          // maximum of the characteristic function inside the trigger
};

/// All triggers of `x` (sampling rate fs), each refined by AIC, in time order.
std::vector<OnsetPick> stalta_aic_picks(const std::vector<double>& x, double fs, const StaLtaAicOptions& o);

}  // namespace hyseis::learning::picking
