#include "hyseis/validation/traces.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/plot.hpp"

namespace hyseis::validation {

namespace {

bool parse_double(std::string token, double& out) {
  for (char& c : token)
    if (c == 'D' || c == 'd') c = 'E';
  const char* begin = token.c_str();
  char* end = nullptr;
  out = std::strtod(begin, &end);
  return end != begin && *end == '\0';
}

}  // namespace

Trace read_ascii_trace(const std::string& path) {
  std::ifstream in(path);
  HYSEIS_REQUIRE(in.good(), core::IoError, "cannot open trace file '" << path << "'");
  Trace tr;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const char c = line[first];
    if (c == '#' || c == '!' || c == '%') continue;
    std::istringstream ls(line);
    std::string s_t, s_v, extra;
    double t = 0, v = 0;
    ls >> s_t >> s_v;
    HYSEIS_REQUIRE(!s_v.empty() && parse_double(s_t, t) && parse_double(s_v, v), core::IoError,
                   "malformed trace line in '" << path << "' line " << lineno
                   << ": expected two numbers 'time value', got '" << line << "'");
    HYSEIS_REQUIRE(std::isfinite(t) && std::isfinite(v), core::IoError,
                   "non-finite value in '" << path << "' line " << lineno);
    if (!tr.time.empty())
      HYSEIS_REQUIRE(t > tr.time.back(), core::IoError,
                     "time axis not strictly increasing in '" << path << "' line " << lineno
                     << " (" << t << " after " << tr.time.back() << ")");
    tr.time.push_back(t);
    tr.value.push_back(v);
  }
  HYSEIS_REQUIRE(tr.time.size() >= 2, core::IoError,
                 "trace file '" << path << "' holds fewer than 2 samples");
  return tr;
}

Trace transform(const Trace& t, double time_shift, double scale) {
  Trace out = t;
  for (auto& x : out.time) x += time_shift;
  for (auto& v : out.value) v *= scale;
  return out;
}

std::vector<double> interpolate_cubic(const Trace& src, const std::vector<double>& t, double outside) {
  const auto& ts = src.time;
  const auto& vs = src.value;
  const std::size_t n = ts.size();
  HYSEIS_REQUIRE(n >= 4, core::InvalidInput, "interpolate_cubic: need at least 4 samples");
  std::vector<double> out(t.size(), outside);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double x = t[i];
    if (x < ts.front() || x > ts.back()) continue;
    // interval j: ts[j] <= x < ts[j+1]
    std::size_t j = std::upper_bound(ts.begin(), ts.end(), x) - ts.begin();
    j = (j == 0) ? 0 : j - 1;
    if (j >= n - 1) j = n - 2;
    // four-point stencil j-1..j+2 clamped into the array
    std::size_t s = (j == 0) ? 0 : j - 1;
    if (s + 3 >= n) s = n - 4;
    double v = 0;
    for (std::size_t a = s; a < s + 4; ++a) {
      double l = 1;
      for (std::size_t b = s; b < s + 4; ++b)
        if (b != a) l *= (x - ts[b]) / (ts[a] - ts[b]);
      v += l * vs[a];
    }
    out[i] = v;
  }
  return out;
}

std::vector<std::size_t> window_indices(const std::vector<double>& time, double t0, double t1) {
  std::vector<std::size_t> idx;
  for (std::size_t n = 0; n < time.size(); ++n)
    if (time[n] >= t0 - 1e-12 && time[n] <= t1 + 1e-12) idx.push_back(n);
  return idx;
}

double relative_l2(const std::vector<double>& a, const Trace& b, double t0, double t1) {
  HYSEIS_REQUIRE(a.size() == b.size(), core::InvalidInput,
                 "relative_l2: sizes differ (" << a.size() << " vs " << b.size() << ")");
  const auto idx = window_indices(b.time, t0, t1);
  HYSEIS_REQUIRE(!idx.empty(), core::InvalidInput,
                 "relative_l2: no reference sample in [" << t0 << ", " << t1 << "]");
  double num = 0, den = 0;
  for (auto n : idx) {
    num += (a[n] - b.value[n]) * (a[n] - b.value[n]);
    den += b.value[n] * b.value[n];
  }
  HYSEIS_REQUIRE(den > 0, core::InvalidInput, "relative_l2: reference is zero in the window");
  return std::sqrt(num / den);
}

double peak_ratio(const std::vector<double>& a, const Trace& b, double t0, double t1) {
  const auto idx = window_indices(b.time, t0, t1);
  double pa = 0, pb = 0;
  for (auto n : idx) {
    pa = std::max(pa, std::abs(a[n]));
    pb = std::max(pb, std::abs(b.value[n]));
  }
  HYSEIS_REQUIRE(pb > 0, core::InvalidInput, "peak_ratio: reference is zero in the window");
  return pa / pb;
}

double xcorr_lag(const std::vector<double>& a, const Trace& b, double t0, double t1, int max_lag) {
  const auto idx = window_indices(b.time, t0, t1);
  HYSEIS_REQUIRE(!idx.empty() && a.size() == b.size(), core::InvalidInput, "xcorr_lag: bad input");
  const long n0 = static_cast<long>(idx.front()), n1 = static_cast<long>(idx.back());
  const long N = static_cast<long>(b.size());
  auto cc = [&](long lag) {
    double s = 0;
    for (long n = n0; n <= n1; ++n) {
      const long m = n - lag;
      if (m >= 0 && m < N) s += a[n] * b.value[m];
    }
    return s;
  };
  long best = 0;
  double best_v = cc(0);
  for (long l = -max_lag; l <= max_lag; ++l) {
    const double v = cc(l);
    if (v > best_v) { best_v = v; best = l; }
  }
  const double cm = cc(best - 1), cp = cc(best + 1);
  const double denom = cm - 2 * best_v + cp;
  double frac = 0;
  if (denom < 0) frac = 0.5 * (cm - cp) / denom;
  if (std::abs(frac) > 0.5) frac = 0;
  return static_cast<double>(best) + frac;
}

bool all_finite(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

void write_comparison(const std::string& out_dir, const std::string& stem, const std::string& title,
                      const std::vector<TracePair>& pairs) {
  if (out_dir.empty() || pairs.empty()) return;
  {
    core::h5::Writer w(out_dir + "/" + stem + ".h5");
    for (const auto& p : pairs) {
      w.write("reference/" + p.name + "/time", p.ref.time);
      w.write("reference/" + p.name + "/value", p.ref.value);
      w.write("ours/" + p.name, p.ours);
      w.attribute("reference/" + p.name + "/value", "label", p.ref_label);
      w.attribute("reference/" + p.name + "/value", "unit", p.unit);
      w.attribute("ours/" + p.name, "unit", p.unit);
      w.attribute("ours/" + p.name, "time_axis", "reference/" + p.name + "/time");
    }
    w.attribute("/", "case", stem);
    w.commit();
  }
  for (const auto& p : pairs) {
    core::plot::LinePlot lp;
    lp.title = title + " - " + p.name;
    lp.xlabel = "time (s)";
    lp.ylabel = p.name + " (" + p.unit + ")";
    std::vector<double> res(p.ours.size());
    for (std::size_t n = 0; n < res.size(); ++n) res[n] = p.ours[n] - p.ref.value[n];
    lp.series.push_back({p.ref.time, p.ref.value, p.ref_label, {0, 0, 0}, false});
    lp.series.push_back({p.ref.time, p.ours, "hyseis SEM", {220, 40, 40}, true});
    lp.series.push_back({p.ref.time, res, "residual (SEM - reference)", {40, 90, 220}, false});
    core::plot::save_png(lp, out_dir + "/" + stem + "_" + p.name + ".png");
  }
}

}  // namespace hyseis::validation
