#pragma once
#include <cmath>
// Helpers shared by the validation cases (internal header).
#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "hyseis/physics/wave/problem.hpp"
#include "hyseis/validation/cases.hpp"
#include "hyseis/validation/traces.hpp"

namespace hyseis::validation::detail {

inline Metric make_metric(const std::string& case_name, const std::string& name, double value,
                          double tol, const std::string& cmp, const std::string& note) {
  Metric m;
  m.case_name = case_name;
  m.metric = name;
  m.value = value;
  m.tolerance = tol;
  m.comparison = cmp;
  m.note = note;
  if (cmp == "info") m.passed = true;  // reported only, never asserted
  else if (!std::isfinite(value)) m.passed = false;
  else if (cmp == "<=") m.passed = value <= tol;
  else if (cmp == ">=") m.passed = value >= tol;
  else m.passed = false;
  return m;
}

/// "<root>/specfem2d_ref_seis/<rel>"; returns "" and sets `missing` if it does not exist.
inline std::string data_file(const Options& o, const std::string& rel, std::string& missing) {
  const std::string root = o.data_dir.empty() ? default_data_dir() : o.data_dir;
  const std::string p = root + "/" + rel;
  if (!std::filesystem::exists(p) && missing.empty()) missing = p;
  return p;
}

inline Trace ours_trace(const physics::wave::Seismograms& s, std::size_t rec, std::size_t comp) {
  Trace t;
  t.time = s.time;
  t.value = s.data.at(rec).at(comp);
  return t;
}

/// Compares `ours` (our native axis) with `ref` over [t0, t1]: appends rel_L2 (<= tol_l2),
/// optionally |peak ratio - 1| (<= tol_peak, if > 0) and |cross-correlation lag| in seconds
/// (<= lag_tol_s, if > 0: one sample of the benchmark's own run), and the pair for plotting.
inline void compare(const std::string& case_name, const std::string& tag, const Trace& ours,
                    const Trace& ref, double t0, double t1, double tol_l2, double tol_peak,
                    double lag_tol_s, const std::string& note, const std::string& unit,
                    std::vector<Metric>& metrics, std::vector<TracePair>& pairs) {
  std::vector<double> on_ref = interpolate_cubic(ours, ref.time, 0.0);
  metrics.push_back(make_metric(case_name, "rel_L2_" + tag, relative_l2(on_ref, ref, t0, t1), tol_l2,
                                "<=", note));
  if (tol_peak > 0)
    metrics.push_back(make_metric(case_name, "peak_ratio_err_" + tag,
                                  std::abs(peak_ratio(on_ref, ref, t0, t1) - 1.0), tol_peak, "<=", note));
  if (lag_tol_s > 0) {
    const double dt_ref = ref.time[1] - ref.time[0];
    const double lag = xcorr_lag(on_ref, ref, t0, t1, 40);
    std::ostringstream os;
    os << note << "; lag " << lag << " samples of the reference axis (dt " << dt_ref
       << " s), positive = ours later; tolerance = 1 sample of the benchmark run";
    metrics.push_back(make_metric(case_name, "xcorr_lag_s_" + tag, std::abs(lag) * dt_ref, lag_tol_s, "<=", os.str()));
  }
  TracePair tp;  // plotted and written over the comparison window only
  tp.name = tag;
  for (std::size_t n : window_indices(ref.time, t0, t1)) {
    tp.ours.push_back(on_ref[n]);
    tp.ref.time.push_back(ref.time[n]);
    tp.ref.value.push_back(ref.value[n]);
  }
  tp.ref_label = note;
  tp.unit = unit;
  pairs.push_back(std::move(tp));
}

inline Metric finite_metric(const std::string& case_name, const physics::wave::Seismograms& s) {
  bool ok = true;
  for (const auto& r : s.data)
    for (const auto& c : r) ok = ok && all_finite(c);
  return make_metric(case_name, "all_traces_finite", ok ? 1.0 : 0.0, 1.0, ">=", "NaN/Inf check on every trace");
}

/// Wall time is reported, never asserted: an informational row (comparison "info", always
/// passed) so a slow machine cannot fail validation. `budget` is the planned cost, in the note.
inline Metric wall_metric(const std::string& case_name, double seconds, double budget,
                          const std::string& extra = "") {
  Metric m = make_metric(case_name, "wall_time_s", seconds, budget, "info",
                         "wall time of the case on this run's ranks (planned <= " + std::to_string(int(budget)) +
                             " s)" + (extra.empty() ? "" : "; " + extra));
  m.passed = true;
  return m;
}

inline std::string run_note(const physics::wave::RunStats& s) {
  std::ostringstream os;
  os << "cells " << s.n_cells << ", GLL points " << s.n_gll_points << ", dt " << s.dt << " s (stable "
     << s.dt_stable << "), steps " << s.n_steps << ", loop " << s.wall_time_loop << " s";
  return os.str();
}

/// Files are written by rank 0 only (every rank holds the same RunResult).
inline bool writes_files(const Options& o) {
  if (o.out_dir.empty()) return false;
  int rank = 0;
  MPI_Comm_rank(o.comm, &rank);
  return rank == 0;
}

struct Stopwatch {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
};

}  // namespace hyseis::validation::detail
