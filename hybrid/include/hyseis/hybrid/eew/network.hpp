#pragma once
// A simulated smartphone EEW network (MyShake-like; Kong et al. 2016, 2019): phones in a region, a
// point-source earthquake, per-phone triggers with classifier decisions, and the server chain
// DBSCAN -> confirmation -> grid-search location -> Pd magnitude, evaluated as time passes.
//
// The simulation is at the level of trigger windows (docs/theory/eew.md, "Network simulation"):
//  - P and S arrival times from the 1-D layered model with straight rays (learning/eew/locate.hpp),
//    vs = vp / vp_vs in every layer (so tS = vp_vs · tP exactly);
//  - S-wave PGA at a phone = BSSA14 median PGA (Vs30, epicentral distance as R_JB, unspecified
//    mechanism) times exp(phi·N(0,1)) (within-event scatter); P-wave peak acceleration =
//    p_to_s_ratio · PGA;
//  - a phone triggers (STA/LTA) on P if its P peak >= trigger_level, else on S if PGA >=
//    trigger_level, at the arrival plus a detector delay U(0, trigger_delay_max) plus a clock error
//    N(0, clock_sigma);
//  - its 2 s trigger window is a held-out NCEDC earthquake window (activity.hpp) scaled to that peak
//    plus, for busy phones, a synthetic activity window on top; the on-sensor classifier decides
//    whether the trigger is sent; the message reaches the server window_s + latency later;
//  - Pd (peak displacement of the first seconds of P) follows Wu & Zhao (2006):
//    log10 Pd[cm] = -3.801 + 0.722 M - 1.437 log10 R + N(0, pd_sigma) (S triggers: Pd / p_to_s_ratio);
//  - non-earthquake triggers: per phone a Poisson process of activity episodes (rate busy_rate_per_h
//    for busy phones, quiet_rate_per_h otherwise), each a synthetic activity window classified by
//    the same classifier.
#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hyseis/learning/eew/activity.hpp"
#include "hyseis/learning/eew/classifier.hpp"
#include "hyseis/learning/eew/dbscan.hpp"
#include "hyseis/learning/eew/locate.hpp"
#include "hyseis/learning/eew/magnitude.hpp"

namespace hyseis::hybrid::eew {

namespace le = hyseis::learning::eew;

struct Phone {
  double x = 0, y = 0;  ///< km
  bool busy = false;    ///< carries non-earthquake activity
  /// A seismic station (low-noise accelerometer, classic STA/LTA trigger, no on-sensor classifier)
  /// instead of a phone. Stations share the sensor list, the clustering, the confirmation counts
  /// and the Pd magnitude with phones; their earlier delivery (station_latency, no 2 s window) is what they add.
  bool station = false;
};

struct EventSpec {
  std::string name;
  double x = 0, y = 0, depth = 10, mag = 6;  ///< km, km, km, Mw; origin time 0
};

struct TargetSite {
  std::string name;
  double x = 0, y = 0;
};

struct NetworkModel {
  le::LayeredModel velocity;
  double vp_vs = 1.73;
  double vs30 = 760.0;
  double p_to_s_ratio = 0.3;
  double trigger_level = 0.1;      ///< m/s^2 (~0.01 g)
  double trigger_delay_max = 0.3;  ///< s
  double clock_sigma = 0.1;        ///< s
  double window_s = 2.0;           ///< classifier window after the trigger
  double latency_mean = 1.0, latency_jitter = 0.5;  ///< network latency U(mean - j, mean + j) [s]
  double pd_sigma = 0.3;           ///< log10 units
  double busy_rate_per_h = 30.0, quiet_rate_per_h = 1.0;
  double threshold = 0.5;          ///< classifier probability threshold
  // Seismic stations: the trigger time comes from classic STA/LTA (learning/picking/classic.hpp) on the
  // vertical component of a Boore (2003) stochastic record (physics/groundmotion/stochastic_timeseries)
  // at the station's hypocentral distance, scaled so that its horizontal peak equals the station's
  // sampled PGA (BSSA14 median x exp(phi N(0,1))), plus white noise station_noise; the record's P and S
  // windows start at the layered-model arrival times. Pd as for phones (Wu & Zhao). The trigger is sent
  // without a classifier and reaches the server station_latency after the trigger (1 s packets).
  double station_noise = 1e-4;      ///< m/s^2 white noise sigma (~10 micro-g)
  double sta_s = 0.5, lta_s = 10.0, sta_lta_on = 4.0, sta_lta_off = 1.5;
  double station_latency = 1.5;     ///< s
  double station_false_rate_per_h = 1.0;  ///< non-earthquake STA/LTA triggers per station and hour
  void validate() const;
};

/// Median S-wave PGA [m/s^2] (BSSA14, unspecified mechanism) at epicentral distance epi_km.
double median_pga(double mag, double epi_km, double vs30);
/// Within-event standard deviation phi (natural log) of BSSA14 PGA.
double pga_phi(double mag, double epi_km, double vs30);
/// Total standard deviation sigma = sqrt(tau^2 + phi^2) (natural log) of BSSA14 PGA.
double pga_sigma(double mag, double epi_km, double vs30);
/// Wu & Zhao (2006) median Pd [cm] at hypocentral distance r_km.
double wu_zhao_pd(double mag, double r_km);

/// One trigger as seen by the server.
struct TriggerMsg {
  double t_trigger = 0, t_received = 0;
  int sensor = -1;
  double pd_cm = 0;
  double peak = 0;            ///< peak acceleration of the window [m/s^2]
  double probability = 0;     ///< classifier output
  bool from_event = false;    ///< ground truth (diagnostics only)
  bool s_wave = false;        ///< triggered by S (P below the trigger level)
  int kind = -1;              ///< -1 earthquake, -2 station noise trigger, else the Activity of a non-earthquake trigger
  bool station = false;       ///< from a seismic station
};

/// Triggers (all, sent or not: `probability` vs model.threshold decides) of one event plus the
/// background activity triggers over [t_begin, t_end]. `records` supply the earthquake waveforms.
std::vector<TriggerMsg> simulate_triggers(const EventSpec* event, const std::vector<Phone>& phones,
                                          const NetworkModel& model, const std::vector<le::EqRecord>& records,
                                          const le::Classifier& classifier, double t_begin, double t_end,
                                          std::mt19937_64& rng);

struct ServerOptions {
  double eps_km = 15.0;            ///< DBSCAN space-time radius
  double time_scale = 6.0;         ///< km/s
  int min_pts = 4;
  double confirm_radius_km = 30.0;
  int min_count = 8;
  double min_fraction = 0.15;
  double memory_s = 60.0;          ///< triggers older than this are forgotten
  double loc_half_width_km = 60.0, loc_dx_km = 2.0;
  std::vector<double> loc_depths{5, 10, 15, 20};
  double loc_penalty = 1.0;
  /// At most this many phones enter the grid search: up to half of them the earliest-triggered
  /// phones, the rest the silent phones nearest to their centroid. When the triggers exceed the
  /// half, the location uses the snapshot at the last selected trigger time (silent = not triggered
  /// by then). Keeps the search O(grid nodes x loc_max_stations) for any network size. Stations and
  /// phones are treated alike here (a measured choice: putting silent stations before silent phones
  /// displaced the nearest silent phones and worsened the small-network test location, 10.9 -> 16.8 km).
  int loc_max_stations = 200;
  /// Pd magnitudes only from triggers within this many seconds of the P arrival predicted from the
  /// estimated source (S-wave triggers excluded).
  double pd_p_residual_s = 1.5;
  le::NeighbourSearch search = le::NeighbourSearch::grid;
  void validate() const;
};

struct ServerState {
  bool confirmed = false;
  int n_received = 0;        ///< triggers in memory
  int cluster_size = 0;
  le::Confirmation confirmation;
  double x = 0, y = 0, z = 0, t0 = 0;  ///< location estimate (if confirmed)
  double mag = 0;                      ///< magnitude estimate (if confirmed)
  int n_pd = 0;                        ///< phones whose Pd entered the magnitude
  double cx_loc = 0, cy_loc = 0;       ///< centre of the location grid (centroid of the triggers used)
};

/// The server's view at time t_now: the sent triggers (probability >= threshold) received by t_now
/// and younger than memory_s are clustered; the largest confirmed cluster is located (its earliest
/// triggers plus the silent phones within their extent + confirm radius, see loc_max_stations) and its
/// magnitude is the median single-phone Pd magnitude at the estimated hypocentral distances.
ServerState server_update(const std::vector<TriggerMsg>& msgs, const std::vector<Phone>& phones, double t_now,
                          const NetworkModel& model, const ServerOptions& opt, const le::PdMagnitudeModel& pd_model);

/// Detection only (DBSCAN + confirmation, no location): true if any cluster is confirmed.
bool server_confirms(const std::vector<TriggerMsg>& msgs, const std::vector<Phone>& phones, double t_now,
                     const NetworkModel& model, const ServerOptions& opt, bool use_classifier = true);

/// Pd-magnitude relation calibrated on a synthetic catalogue drawn from the Wu & Zhao model:
/// M ~ U(4, 7.5), R ~ U(5, 200) km, n samples.
le::PdMagnitudeModel calibrate_pd(const NetworkModel& model, int n, std::mt19937_64& rng);

}  // namespace hyseis::hybrid::eew
