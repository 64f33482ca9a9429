// Classical picker baseline on PhaseNet's NCEDC traces: STA/LTA trigger + AIC refinement.
// See hyseis/validation/picking_cases.hpp and docs/theory/picking.md.
#include "hyseis/validation/picking_cases.hpp"
#include "case_util.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/solvers/signal.hpp"

namespace hyseis::validation {

namespace {

namespace sig = solvers::signal;
namespace pk = learning::picking;

Metric metric(const std::string& name, double value, double tol, const std::string& cmp, const std::string& note) {
  return detail::make_metric("picking_stalta_aic_ncedc", name, value, tol, cmp, note);
}

}  // namespace

StaLtaEval evaluate_stalta_aic_ncedc(const std::string& data_dir, const StaLtaEvalOptions& o) {
  const std::string file = data_dir + "/phasenet_ncedc_picks/phasenet_ncedc_154.h5";
  if (!std::filesystem::exists(file)) throw core::IoError(file + ": file not found");
  const core::h5::Array w = core::h5::read_dataset(file, "waveforms");
  const core::h5::Array itp = core::h5::read_dataset(file, "itp");
  if (w.shape.size() != 3 || w.shape[2] != 3 || itp.data.size() != w.shape[0])
    throw core::IoError(file + ": expected waveforms (n, samples, 3) and itp (n)");
  const std::size_t n = w.shape[0], ns = w.shape[1];
  HYSEIS_REQUIRE(o.first <= o.last && o.last < n, core::InvalidInput,
                 "trace range [" << o.first << ", " << o.last << "] outside 0.." << n - 1);
  const double fs = 100.0;
  const auto tol = static_cast<long>(std::lround(o.tolerance_s * fs));
  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<std::size_t> shift(0, o.max_shift);

  StaLtaEval r;
  std::vector<double> tp_res, abs_res;
  for (std::size_t i = o.first; i <= o.last; ++i) {
    const std::size_t off = shift(rng);
    HYSEIS_REQUIRE(off + o.window <= ns, core::InvalidInput, "window exceeds the trace length");
    std::vector<double> z(o.window);
    for (std::size_t k = 0; k < o.window; ++k) z[k] = w.data[(i * ns + off + k) * 3 + 2];  // E, N, Z
    sig::detrend_linear(z);
    sig::cosine_taper(z, o.taper);
    z = sig::bandpass(z, o.fmin, o.fmax, fs, 4, true);
    const auto picks = pk::stalta_aic_picks(z, fs, o.picker);
    const long truth = static_cast<long>(itp.data[i]) - static_cast<long>(off);
    ++r.traces;
    if (picks.empty()) {
      r.residual_samples.push_back(LONG_MIN);
      continue;
    }
    const pk::OnsetPick* best = &picks.front();
    if (o.pick_max_trigger)
      for (const auto& p : picks)
        if (p.peak_cf > best->peak_cf) best = &p;
    const long res = static_cast<long>(best->sample) - truth;
    r.residual_samples.push_back(res);
    ++r.picked;
    abs_res.push_back(std::abs(res) / fs);
    if (std::labs(res) <= tol) {
      ++r.true_positives;
      tp_res.push_back(res / fs);
    }
  }
  r.precision = r.picked ? static_cast<double>(r.true_positives) / r.picked : 0.0;
  r.recall = r.traces ? static_cast<double>(r.true_positives) / r.traces : 0.0;
  r.f1 = r.precision + r.recall > 0 ? 2 * r.precision * r.recall / (r.precision + r.recall) : 0.0;
  r.frac_within_10_samples = r.recall;  // 10 samples = 0.1 s at 100 Hz
  if (!tp_res.empty()) {
    double m = 0, v = 0;
    for (double x : tp_res) m += x;
    m /= tp_res.size();
    for (double x : tp_res) v += (x - m) * (x - m);
    r.mean_residual_s = m;
    r.std_residual_s = tp_res.size() > 1 ? std::sqrt(v / (tp_res.size() - 1)) : 0.0;
  }
  if (!abs_res.empty()) {
    std::sort(abs_res.begin(), abs_res.end());
    r.median_abs_residual_s = abs_res[abs_res.size() / 2];
  }
  return r;
}

std::vector<Case> picking_cases() {
  Case c;
  c.name = "picking_stalta_aic_ncedc";
  c.description =
      "Classical P picker baseline: recursive STA/LTA (0.5 s / 10 s, on 3.5, off 1.0) on the 1-20 Hz "
      "zero-phase band-passed Z component + AIC (Maeda 1985) refinement, on the 54 test-split NCEDC "
      "traces (indices 100-153) with randomly shifted 60 s windows (fixed seed)";
  c.reference = "analyst P picks of PhaseNet's NCEDC dataset (Zhu & Beroza 2019), shared/validation/phasenet_ncedc_picks";
  c.run = [](const Options& opt) {
    CaseResult res;
    const std::string root = opt.data_dir.empty() ? default_data_dir() : opt.data_dir;
    const std::string file = root + "/phasenet_ncedc_picks/phasenet_ncedc_154.h5";
    if (!std::filesystem::exists(file)) {
      res.skipped = true;
      res.skip_reason = "validation data not found at '" + file +
                        "' (set HYSEIS_VALIDATION_DATA to the shared/validation folder)";
      return res;
    }
    StaLtaEvalOptions o;
    const StaLtaEval e = evaluate_stalta_aic_ncedc(root, o);
    std::ostringstream base;
    base << e.traces << " test traces, " << e.picked << " with a pick, " << e.true_positives
         << " within 0.1 s; seed " << o.seed << ", P at 15-30 s in 60 s windows";
    const std::string tol_note =
        "; tolerance chosen before running, from the literature, not from this result: Zhu & Beroza (2019, GJI "
        "216:261, Table 1) give P F1 of roughly 0.47 for an AR-AIC picker at the same 0.1 s criterion on NCEDC data "
        "(figure quoted from memory, not re-checked here); with 54 traces the sampling s.d. of F1 is about 0.07, so "
        "F1 >= 0.40 flags a broken picker rather than a weak one";
    res.metrics.push_back(metric("P_F1_0.1s", e.f1, 0.40, ">=", base.str() + tol_note));
    res.metrics.push_back(metric("P_precision_0.1s", e.precision, 0, "info", "true positives / traces with a pick"));
    res.metrics.push_back(metric("P_recall_0.1s", e.recall, 0, "info", "true positives / traces"));
    res.metrics.push_back(metric("P_frac_absdP_le_10_samples", e.frac_within_10_samples, 0, "info",
                                 "fraction of all test traces with |dP| <= 10 samples (README suggests >= 0.9 for "
                                 "deep pickers; not expected of a classical baseline)"));
    res.metrics.push_back(metric("P_residual_mean_s", e.mean_residual_s, 0, "info", "over true positives, pick - analyst"));
    res.metrics.push_back(metric("P_residual_std_s", e.std_residual_s, 0, "info", "over true positives"));
    res.metrics.push_back(metric("P_median_abs_residual_s", e.median_abs_residual_s, 0, "info", "over traces with a pick"));
    // Same protocol on the training split (traces 0-99): informational, shows the test-split figure
    // is not a fluke of 54 traces. No parameter was tuned on either split.
    StaLtaEvalOptions tr = o;
    tr.first = 0;
    tr.last = 99;
    const StaLtaEval t = evaluate_stalta_aic_ncedc(root, tr);
    res.metrics.push_back(metric("P_F1_0.1s_train_split_info", t.f1, 0, "info",
                                 "same protocol on traces 0-99 (" + std::to_string(t.true_positives) + "/" +
                                     std::to_string(t.traces) + " within 0.1 s)"));
    if (!opt.out_dir.empty()) {
      std::ostringstream csv;
      csv << "index,residual_samples\n";
      for (std::size_t k = 0; k < e.residual_samples.size(); ++k) {
        csv << o.first + k << ",";
        if (e.residual_samples[k] != LONG_MIN) csv << e.residual_samples[k];
        csv << "\n";
      }
      std::filesystem::create_directories(opt.out_dir);
      core::fs::write_text_atomic(opt.out_dir + "/picking_stalta_aic_ncedc_residuals.csv", csv.str());
    }
    return res;
  };
  return {c};
}

}  // namespace hyseis::validation
