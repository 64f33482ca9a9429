// Continuous-data picking: station grouping, component alignment, resampling, deep picker.
#include "hyseis/learning/picking/continuous.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "hyseis/core/error.hpp"
#include "hyseis/solvers/signal.hpp"

namespace hyseis::learning::picking {

namespace {
int component_index(const std::string& id, const std::string& cha) {
  HYSEIS_REQUIRE(cha.size() == 3, core::InvalidInput, id << ": channel code '" << cha << "' is not 3 characters");
  switch (cha[2]) {
    case 'Z': case 'z': return 0;
    case 'N': case 'n': case '1': return 1;
    case 'E': case 'e': case '2': return 2;
    default: break;
  }
  throw core::InvalidInput(id + ": component '" + std::string(1, cha[2]) + "' is not Z, N, E, 1 or 2");
}
}  // namespace

namespace {
template <class Model>
std::vector<Pick> pick_segments_with(const Model& model, const std::vector<core::mseed::Segment>& segs,
                                     const ContinuousOptions& o) {
  using Seg = core::mseed::Segment;
  HYSEIS_REQUIRE(model.options().in_channels == 3, core::InvalidInput,
                 "pick_segments: the model takes " << model.options().in_channels << " channels, expected 3 (Z, N, E)");
  std::map<std::string, std::array<std::vector<const Seg*>, 3>> stations;
  for (const auto& s : segs) {
    const std::string key = s.network + "." + s.station + "." + s.location + "." + s.channel.substr(0, 2);
    stations[key][static_cast<std::size_t>(component_index(s.id(), s.channel))].push_back(&s);
  }
  std::vector<Pick> out;
  const double fm = model.options().sampling_rate;
  for (const auto& [key, comp] : stations) {
    if (comp[0].empty()) continue;  // no vertical: nothing the model was trained on
    for (const Seg* z : comp[0]) {
      const double fs = z->sampling_rate;
      // Spans: Z segment intersected with each overlapping N and E segment (or Z alone).
      std::vector<std::array<const Seg*, 3>> combos;
      if (comp[1].empty() && comp[2].empty()) {
        combos.push_back({z, nullptr, nullptr});
      } else {
        for (const Seg* n : comp[1])
          for (const Seg* e : comp[2]) combos.push_back({z, n, e});
        if (comp[1].empty())
          for (const Seg* e : comp[2]) combos.push_back({z, nullptr, e});
        if (comp[2].empty())
          for (const Seg* n : comp[1]) combos.push_back({z, n, nullptr});
      }
      for (const auto& c : combos) {
        std::int64_t t0 = z->start, t1 = z->end();
        for (int k = 1; k < 3; ++k) {
          if (!c[k]) continue;
          HYSEIS_REQUIRE(std::abs(c[k]->sampling_rate - fs) <= 1e-4 * fs, core::InvalidInput,
                         key << ": components differ in sampling rate (" << z->id() << " " << fs << " Hz, "
                             << c[k]->id() << " " << c[k]->sampling_rate << " Hz)");
          t0 = std::max<std::int64_t>(t0, c[k]->start);
          t1 = std::min<std::int64_t>(t1, c[k]->end());
        }
        if (t1 < t0) continue;  // no common data
        const auto n = static_cast<std::size_t>(std::llround((t1 - t0) * 1e-6 * fs)) + 1;
        std::vector<std::vector<double>> ch(3, std::vector<double>(n, 0.0));
        for (int k = 0; k < 3; ++k) {
          if (!c[k]) continue;
          const auto off = static_cast<std::size_t>(std::llround((t0 - c[k]->start) * 1e-6 * fs));
          for (std::size_t i = 0; i < n && off + i < c[k]->data.size(); ++i) ch[k][i] = c[k]->data[off + i];
        }
        if (std::abs(fs - fm) > 1e-6 * fm)
          for (auto& x : ch) {
            solvers::signal::demean(x);
            x = solvers::signal::resample(x, fs, fm);
          }
        if (const auto& bp = model.options().bandpass; !bp.empty())  // as the model was trained
          for (auto& x : ch) {
            if (std::all_of(x.begin(), x.end(), [](double v) { return v == 0.0; })) continue;  // absent component
            solvers::signal::detrend_linear(x);
            solvers::signal::cosine_taper(x, 0.05);
            x = solvers::signal::bandpass(x, bp[0], bp[1], fm, 4, true);
          }
        const auto prob = model.predict(ch, fm, o.sliding);
        const auto p = extract_picks(prob, o.peaks, t0, z->network, z->station, z->location,
                                     z->channel.substr(0, 2) + "?", o.method);
        out.insert(out.end(), p.begin(), p.end());
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Pick& a, const Pick& b) { return a.time_us < b.time_us; });
  return out;
}
}  // namespace

std::vector<Pick> pick_segments(const DeepPicker& model, const std::vector<core::mseed::Segment>& segs,
                                const ContinuousOptions& o) {
  return pick_segments_with(model, segs, o);
}

std::vector<Pick> pick_segments(const PickerEnsemble& model, const std::vector<core::mseed::Segment>& segs,
                                const ContinuousOptions& o) {
  return pick_segments_with(model, segs, o);
}

}  // namespace hyseis::learning::picking
