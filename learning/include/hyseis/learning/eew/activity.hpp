#pragma once
// Training and test signals for the MyShake-style on-sensor classifier (Kong et al. 2016).
//
// Earthquake windows: real NCEDC records (PhaseNet's 154-event sample, ../shared/validation/
// phasenet_ncedc_picks, analyst P and S picks). Velocity channels (instrument code other than N)
// are differentiated (central differences) to acceleration; accelerometer channels (?N?) are used
// as they are. A window starts at the P (or S) pick plus a random offset, is rotated by a uniformly
// random rotation (a phone's orientation is arbitrary), scaled so that its peak vector acceleration
// equals a target drawn log-uniformly from a smartphone-relevant range, and phone sensor noise is
// added. Only the *shape* of the real records is used; their amplitude is set by the scaling.
//
// Non-earthquake windows are SYNTHETIC, from documented, physically motivated models (units m/s^2,
// gravity removed, random phone orientation, plus phone sensor noise):
//  - resting:  white Gaussian sensor noise, sigma ~ U(0.003, 0.01) m/s^2 per component (MEMS
//              accelerometers of phones: 0.3–1 mg noise);
//  - walking:  step rate f ~ U(1.6, 2.4) Hz; vertical body acceleration = sum of harmonics
//              k f (k = 1..3, amplitudes A/k, A ~ U(1, 3) m/s^2, random phases) with per-step timing
//              jitter (3 % of the period, a random walk of the phase); heel-strike impulses (damped
//              sinusoids, 8–15 Hz, decay 0.03 s, amplitude ~ U(1, 4) m/s^2) at every step; lateral
//              sway at f/2 and fore-aft motion at f (amplitudes 0.2–0.4 A);
//  - running:  the same model with f ~ U(2.5, 3.3) Hz, A ~ U(4, 12) m/s^2, impulses U(5, 15) m/s^2;
//  - vehicle:  road/engine vibration = Butterworth band-passed (2–20 Hz) Gaussian noise, RMS
//              ~ log-U(0.03, 0.5) m/s^2, plus low-frequency body sway (sum of 0.2–1 Hz sinusoids,
//              0.1–0.8 m/s^2);
//  - handling: picking up / putting down the phone: a raised-cosine pulse of 0.3–1.5 s and
//              1–5 m/s^2 in a random direction, followed (p = 0.7) by an impact = damped 20–40 Hz
//              oscillation (decay 0.02–0.06 s, 2–20 m/s^2), at a random time in the window.
// These are models, not recordings: classifier scores on them measure separability from *these*
// generators, not from real human activity (docs/theory/eew.md).
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace hyseis::learning::eew {

/// Three components of acceleration [m/s^2] sampled at fs [Hz].
struct ThreeComp {
  std::vector<double> x, y, z;
  double fs = 100.0;
  std::size_t size() const { return x.size(); }
};

enum class Activity { resting, walking, running, vehicle, handling };
constexpr int kActivityCount = 5;
std::string activity_name(Activity a);

/// Synthetic non-earthquake acceleration of `duration_s` seconds (see the models above), including
/// phone sensor noise. duration_s > 0, fs >= 50 Hz (the impulse models need it).
ThreeComp synth_activity(Activity a, double duration_s, double fs, std::mt19937_64& rng);

/// White Gaussian phone sensor noise, sigma per component [m/s^2].
ThreeComp sensor_noise(std::size_t n, double fs, double sigma, std::mt19937_64& rng);

/// Applies a uniformly random rotation (random unit quaternion) to the three components.
void random_rotation(ThreeComp& a, std::mt19937_64& rng);

/// Peak of the vector sum sqrt(x^2 + y^2 + z^2).
double peak_vector(const ThreeComp& a);

/// One 3-component NCEDC record converted to acceleration shape (arbitrary units).
struct EqRecord {
  std::string name;      ///< file name of the record
  std::string channels;  ///< e.g. "HHE_HHN_HHZ"
  ThreeComp acc;         ///< E, N, Z as x, y, z
  int itp = 0, its = 0;  ///< P and S sample indices
};

/// Reads phasenet_ncedc_154.h5 (layout in its PROVENANCE.md), skipping the 1-component records.
/// Throws core::IoError naming the file if it cannot be read.
std::vector<EqRecord> load_ncedc_records(const std::string& h5_file);

struct EqWindowOptions {
  double window_s = 2.0;
  double p_offset_min = -0.3, p_offset_max = 1.0;  ///< window start relative to the pick [s]
  double s_fraction = 0.2;                          ///< fraction of windows started at S
  double peak_min = 0.1, peak_max = 3.0;            ///< target peak vector acceleration [m/s^2]
                                                    ///< (0.1 m/s^2 ~ 0.01 g, MyShake's trigger level)
  double noise_min = 0.003, noise_max = 0.01;       ///< phone sensor noise sigma [m/s^2]
};

/// One earthquake window from a record (offset, rotation, scaling, noise drawn from rng). If
/// `peak` > 0 it overrides the drawn target peak acceleration.
ThreeComp earthquake_window(const EqRecord& rec, const EqWindowOptions& opt, std::mt19937_64& rng,
                            double peak = 0.0);

}  // namespace hyseis::learning::eew
