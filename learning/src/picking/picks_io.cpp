// Pick output: CSV and QuakeML 1.2. See hyseis/learning/picking/picks_io.hpp.
#include "hyseis/learning/picking/picks_io.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/learning/data/csv.hpp"

namespace hyseis::learning::picking {

namespace {

// Days since 1970-01-01 <-> civil date (proleptic Gregorian; the era-based algorithm
// described by H. Hinnant, "chrono-compatible low-level date algorithms").
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default: o += c;
    }
  }
  return o;
}

}  // namespace

std::string iso8601(std::int64_t t) {
  const std::int64_t us_per_day = 86400LL * 1000000LL;
  std::int64_t days = t / us_per_day, rem = t % us_per_day;
  if (rem < 0) {
    rem += us_per_day;
    --days;
  }
  std::int64_t y = 0;
  unsigned mo = 0, d = 0;
  civil_from_days(days, y, mo, d);
  const std::int64_t sec = rem / 1000000, us = rem % 1000000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", static_cast<long long>(y), mo, d,
                static_cast<long long>(sec / 3600), static_cast<long long>((sec / 60) % 60),
                static_cast<long long>(sec % 60), static_cast<long long>(us));
  return buf;
}

std::int64_t parse_iso8601(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, used = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d%n", &y, &mo, &d, &h, &mi, &se, &used) < 6 || mo < 1 || mo > 12 ||
      d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    throw core::InvalidInput("not an ISO 8601 time 'YYYY-MM-DDThh:mm:ss[.ffffff]Z': '" + s + "'");
  std::int64_t frac = 0;
  std::size_t p = static_cast<std::size_t>(used);
  if (p < s.size() && s[p] == '.') {
    ++p;
    std::int64_t scale = 100000;
    while (p < s.size() && std::isdigit(static_cast<unsigned char>(s[p]))) {
      frac += (s[p] - '0') * scale;
      scale /= 10;
      ++p;
    }
  }
  if (p < s.size() && s[p] == 'Z') ++p;
  if (p != s.size()) throw core::InvalidInput("trailing characters in ISO 8601 time '" + s + "'");
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400 + h * 3600 + mi * 60 + se) * 1000000) + frac;
}

std::string picks_to_csv(const std::vector<Pick>& picks) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"network", "station", "location", "channel", "phase", "time", "time_epoch_s", "score",
                  "evaluation_mode", "method"});
  for (const Pick& p : picks) {
    char t[64], sc[64];
    std::snprintf(t, sizeof t, "%.6f", static_cast<double>(p.time_us) * 1e-6);
    std::snprintf(sc, sizeof sc, "%.6g", p.score);
    rows.push_back({p.network, p.station, p.location, p.channel, p.phase, iso8601(p.time_us), t, sc,
                    p.evaluation_mode, p.method});
  }
  return data::csv_format(rows);
}

std::vector<Pick> picks_from_csv(const std::string& text) {
  const data::CsvTable t = data::csv_parse(text, "picks CSV");
  std::vector<Pick> out;
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    Pick p;
    p.network = t.get(i, "network");
    p.station = t.get(i, "station");
    p.location = t.get(i, "location");
    p.channel = t.get(i, "channel");
    p.phase = t.get(i, "phase");
    try {
      p.time_us = parse_iso8601(t.get(i, "time"));
      p.score = std::stod(t.get(i, "score"));
    } catch (const std::exception& e) {
      throw core::IoError("picks CSV row " + std::to_string(i + 2) + ": " + e.what());
    }
    p.evaluation_mode = t.get(i, "evaluation_mode");
    p.method = t.get(i, "method");
    out.push_back(p);
  }
  return out;
}

void write_picks_csv(const std::string& path, const std::vector<Pick>& picks) {
  core::fs::write_text_atomic(path, picks_to_csv(picks));
}

std::string picks_to_quakeml(const std::vector<Pick>& picks, const std::string& id_prefix) {
  std::ostringstream x;
  const std::string pre = "smi:" + xml_escape(id_prefix);
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<q:quakeml xmlns:q=\"http://quakeml.org/xmlns/quakeml/1.2\" xmlns=\"http://quakeml.org/xmlns/bed/1.2\">\n"
    << "  <eventParameters publicID=\"" << pre << "/eventParameters\">\n"
    << "    <event publicID=\"" << pre << "/event/1\">\n";
  for (std::size_t i = 0; i < picks.size(); ++i) {
    const Pick& p = picks[i];
    if (p.evaluation_mode != "automatic" && p.evaluation_mode != "manual")
      throw core::InvalidInput("pick " + std::to_string(i) + ": evaluationMode must be 'automatic' or 'manual', got '" +
                               p.evaluation_mode + "'");
    x << "      <pick publicID=\"" << pre << "/pick/" << i + 1 << "\">\n"
      << "        <time>\n          <value>" << iso8601(p.time_us) << "</value>\n        </time>\n"
      << "        <waveformID networkCode=\"" << xml_escape(p.network) << "\" stationCode=\"" << xml_escape(p.station)
      << "\"";
    if (!p.location.empty()) x << " locationCode=\"" << xml_escape(p.location) << "\"";
    if (!p.channel.empty()) x << " channelCode=\"" << xml_escape(p.channel) << "\"";
    x << "/>\n";
    if (!p.method.empty()) x << "        <methodID>" << pre << "/method/" << xml_escape(p.method) << "</methodID>\n";
    x << "        <phaseHint>" << xml_escape(p.phase) << "</phaseHint>\n"
      << "        <evaluationMode>" << p.evaluation_mode << "</evaluationMode>\n"
      << "      </pick>\n";
  }
  x << "    </event>\n  </eventParameters>\n</q:quakeml>\n";
  return x.str();
}

void write_picks_quakeml(const std::string& path, const std::vector<Pick>& picks, const std::string& id_prefix) {
  core::fs::write_text_atomic(path, picks_to_quakeml(picks, id_prefix));
}

}  // namespace hyseis::learning::picking
