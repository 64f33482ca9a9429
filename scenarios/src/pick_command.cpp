// `hyseis pick` (see pick_command.hpp).
#include "pick_command.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/mseed.hpp"
#include "hyseis/learning/picking/classic.hpp"
#include "hyseis/learning/picking/continuous.hpp"
#include "hyseis/learning/picking/deep.hpp"
#include "hyseis/learning/picking/picks_io.hpp"
#include "hyseis/solvers/signal.hpp"

namespace hyseis::scenarios {

namespace ms = core::mseed;
namespace pk = learning::picking;
namespace sig = solvers::signal;

namespace {

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}
std::string join(const std::vector<std::string>& s) { return join(std::set<std::string>(s.begin(), s.end())); }

// Station key as pick_segments groups them: NET.STA.LOC.<band+instrument>.
std::string station_key(const ms::Segment& s) {
  return s.network + "." + s.station + "." + s.location + "." + s.channel.substr(0, std::min<std::size_t>(2, s.channel.size()));
}

struct Input {
  ms::Contents contents;
  std::map<std::string, std::set<std::string>> files_of_stream;  // NET.STA.LOC.CHA -> files
};

// Reads every file on its own (so that an error names it), checks samples, then assembles all
// files together (one file per channel or per hour is merged into continuous segments).
Input read_inputs(const std::vector<std::string>& paths) {
  Input in;
  std::vector<ms::Contents> each;
  for (const auto& p : paths) {
    ms::Contents c = ms::read(p);   // IoError names the file
    if (c.segments.empty()) throw core::IoError(p + ": no data records (no samples to pick)");
    for (const auto& s : c.segments) {
      HYSEIS_REQUIRE(s.sampling_rate > 0 && std::isfinite(s.sampling_rate), core::InvalidInput,
                     p << ": stream " << s.id() << " has sampling rate " << s.sampling_rate);
      for (std::size_t i = 0; i < s.data.size(); ++i)
        HYSEIS_REQUIRE(std::isfinite(s.data[i]), core::InvalidInput,
                       p << ": stream " << s.id() << " has a non-finite sample (" << s.data[i] << ") at index " << i
                         << " of the segment starting " << pk::iso8601(s.start) << " ("
                         << pk::iso8601(s.start + std::llround(1e6 * double(i) / s.sampling_rate)) << ")");
      in.files_of_stream[s.id()].insert(p);
    }
    each.push_back(std::move(c));
  }
  in.contents = paths.size() == 1 ? std::move(each.front()) : ms::read(paths);
  // Components of one station must share one sampling rate (a rate change inside one stream is
  // a reported discontinuity and just splits it into spans).
  std::map<std::string, std::vector<const ms::Segment*>> by_station;
  for (const auto& s : in.contents.segments) by_station[station_key(s)].push_back(&s);
  for (const auto& [key, segs] : by_station) {
    for (const auto* a : segs)
      for (const auto* b : segs) {
        if (a->channel == b->channel) continue;
        const bool overlap = a->start <= b->end() && b->start <= a->end();
        if (overlap && std::abs(a->sampling_rate - b->sampling_rate) > 1e-4 * a->sampling_rate)
          throw core::InvalidInput("sampling-rate mismatch at station " + key + ": " + a->id() + " is " +
                                   std::to_string(a->sampling_rate) + " Hz (" + join(in.files_of_stream[a->id()]) +
                                   "), " + b->id() + " is " + std::to_string(b->sampling_rate) + " Hz (" +
                                   join(in.files_of_stream[b->id()]) + "); resample them to one rate first");
      }
  }
  return in;
}

std::vector<pk::Pick> stalta_picks(const PickArgs& a, const Input& in) {
  pk::StaLtaAicOptions o;
  o.thr_on = a.stalta_on;
  o.thr_off = a.stalta_off;
  std::vector<pk::Pick> out;
  for (const auto& s : in.contents.segments) {
    if (s.channel.size() != 3 || (s.channel[2] != 'Z' && s.channel[2] != 'z')) continue;
    const double fs = s.sampling_rate;
    const double fmax = std::min(a.fmax, 0.45 * fs);
    // The LTA window must fill and the AIC window must fit: shorter segments are reported, not picked.
    if (double(s.data.size()) < (o.lta_s + o.aic_after_s) * fs + 2 || !(fmax > a.fmin)) {
      std::cerr << "hyseis pick: " << s.id() << " segment at " << pk::iso8601(s.start) << " (" << s.data.size()
                << " samples at " << fs << " Hz) is too short or too slow for STA/LTA; skipped\n";
      continue;
    }
    try {
      o.validate(fs);
      std::vector<double> x = s.data;
      sig::detrend_linear(x);
      sig::cosine_taper(x, 0.05);
      x = sig::bandpass(x, a.fmin, fmax, fs, 4, true);
      for (const auto& p : pk::stalta_aic_picks(x, fs, o)) {
        pk::Pick k;
        k.network = s.network;
        k.station = s.station;
        k.location = s.location;
        k.channel = s.channel;
        k.time_us = s.start + std::llround(1e6 * double(p.sample) / fs);
        k.phase = "P";
        k.score = p.peak_cf;
        k.method = "stalta_aic";
        out.push_back(k);
      }
    } catch (const core::Error& e) {
      throw core::InvalidInput(join(in.files_of_stream.at(s.id())) + ": " + s.id() + ": " + e.what());
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const pk::Pick& x, const pk::Pick& y) { return x.time_us < y.time_us; });
  return out;
}

std::vector<pk::Pick> deep_picks(const PickArgs& a, const Input& in) {
  if (a.model.empty()) throw core::InvalidInput("hyseis pick: --model FILE is required (or --method stalta)");
  if (a.threads > 0) pk::set_torch_threads(a.threads);
  const auto model = pk::PickerEnsemble::load(a.model);   // IoError / InvalidInput name the file
  const auto& mo = model.options();
  HYSEIS_REQUIRE(mo.in_channels == 3, core::InvalidInput,
                 join(a.model) << ": the model takes " << mo.in_channels
                         << " input channels; hyseis pick feeds 3 (Z, N, E) - retrain with in_channels = 3");
  pk::ContinuousOptions co;
  co.sliding.overlap = a.overlap;
  co.sliding.batch = a.batch;
  co.sliding.validate();
  co.peaks.p_threshold = a.threshold;
  co.peaks.s_threshold = a.threshold;
  co.peaks.min_distance_s = a.min_distance;
  co.method = pk::to_string(mo.kind);
  try {
    return pk::pick_segments(model, in.contents.segments, co);
  } catch (const core::Error& e) {
    std::set<std::string> files;
    for (const auto& [id, f] : in.files_of_stream) files.insert(f.begin(), f.end());
    throw core::InvalidInput(join(files) + " with model " + join(a.model) + ": " + e.what());
  }
}

}  // namespace

CLI::App* add_pick_command(CLI::App& app, PickArgs& a) {
  auto* c = app.add_subcommand("pick", "pick P and S phases on continuous MiniSEED data (deep picker or STA/LTA+AIC)");
  c->add_option("--model,-m", a.model,
                "picker model file (DeepPicker::save, e.g. runs/picker_synthetic/models/*.pt); give several "
                "(--model A.pt --model B.pt, or -m A.pt B.pt) for an ensemble: their probabilities are averaged")
      ->expected(1, -1);
  c->add_option("--in,-i", a.inputs, "MiniSEED files (several files are assembled together)")->required()->expected(1, -1);
  c->add_option("--out,-o", a.out, "picks CSV")->required();
  c->add_option("--quakeml", a.quakeml, "also write the picks as QuakeML 1.2");
  c->add_option("--method", a.method, "deep (default: the --model file) or stalta (recursive STA/LTA + AIC, no model)")
      ->check(CLI::IsMember({"deep", "stalta"}));
  c->add_option("--threshold", a.threshold, "deep: minimum P/S probability of a pick (default 0.3)");
  c->add_option("--min-distance", a.min_distance, "deep: seconds between two picks of one phase (default 1)");
  c->add_option("--overlap", a.overlap, "deep (PhaseNet): overlap of neighbouring windows, [0, 1) (default 0.5)");
  c->add_option("--batch", a.batch, "deep: windows per forward pass (default 32)");
  c->add_option("--threads", a.threads, "torch threads (default: torch's own)");
  c->add_option("--stalta-on", a.stalta_on, "stalta: trigger-on ratio (default 3.5)");
  c->add_option("--stalta-off", a.stalta_off, "stalta: trigger-off ratio (default 1.0)");
  c->add_option("--fmin", a.fmin, "stalta: band-pass low corner, Hz (default 1)");
  c->add_option("--fmax", a.fmax, "stalta: band-pass high corner, Hz (default 20, capped at 0.45 fs)");
  c->add_flag("--quiet,-q", a.quiet, "no summary line");
  return c;
}

int run_pick_command(const PickArgs& a) {
  const auto t0 = std::chrono::steady_clock::now();
  if (a.inputs.empty()) throw core::InvalidInput("hyseis pick: give at least one MiniSEED file with --in");
  if (a.out.empty()) throw core::InvalidInput("hyseis pick: --out picks.csv is required");
  if (a.method != "deep" && a.method != "stalta")
    throw core::InvalidInput("hyseis pick: --method must be deep or stalta, got '" + a.method + "'");
  HYSEIS_REQUIRE(a.threshold > 0 && a.threshold <= 1, core::InvalidInput,
                 "hyseis pick: --threshold must be in (0, 1], got " << a.threshold);
  HYSEIS_REQUIRE(a.min_distance >= 0, core::InvalidInput, "hyseis pick: --min-distance must be >= 0");
  for (const auto* p : {&a.out, &a.quakeml}) {
    if (p->empty()) continue;
    const auto dir = std::filesystem::path(*p).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw core::IoError(*p + ": output directory '" + dir.string() + "' does not exist");
  }
  const Input in = read_inputs(a.inputs);
  const auto picks = a.method == "stalta" ? stalta_picks(a, in) : deep_picks(a, in);
  // Everything is computed before anything is written; each file goes to <path>.tmp, then rename.
  pk::write_picks_csv(a.out, picks);
  if (!a.quakeml.empty()) pk::write_picks_quakeml(a.quakeml, picks);
  if (!a.quiet) {
    std::size_t np = 0;
    for (const auto& p : picks) np += p.phase == "P";
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "hyseis pick: " << picks.size() << " picks (" << np << " P, " << picks.size() - np << " S) from "
              << in.contents.segments.size() << " segments in " << a.inputs.size() << " file(s), "
              << in.contents.discontinuities.size() << " gaps/overlaps; " << sec << " s -> " << a.out << "\n";
  }
  return 0;
}

}  // namespace hyseis::scenarios
