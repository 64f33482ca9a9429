// MiniSEED I/O through libmseed 2.x: see hyseis/core/mseed.hpp.
#include "hyseis/core/mseed.hpp"

#include <libmseed.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "hyseis/core/error.hpp"

namespace hyseis::core::mseed {

namespace {

// libmseed reports details through its global logger; collect them for our error messages.
std::mutex g_mutex;
std::string g_log;
void log_sink(char* msg) {
  if (!msg) return;
  std::string s(msg);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty() || !g_log.empty()) return;  // the first message names the problem; the rest echo bytes
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  g_log = s;
}
void quiet_logging() {
  static bool once = false;
  if (!once) {
    ms_loginit(log_sink, nullptr, log_sink, nullptr);
    once = true;
  }
}

struct Record {
  std::string net, sta, loc, cha;
  char quality = 'D';
  TimeUs start = 0;
  double rate = 0;
  std::vector<double> data;
  std::size_t order = 0;  // reading order (stable tie-break)
};

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  std::string msg = "MiniSEED file '" + file + "': " + what;
  if (!g_log.empty()) msg += " (libmseed: " + g_log + ")";
  g_log.clear();
  throw IoError(msg);
}

void read_records(const std::string& path, std::vector<Record>& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path, "file not found");
  const auto size = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
  if (ec) fail(path, "cannot determine the file size: " + ec.message());
  if (size == 0) fail(path, "empty file (no MiniSEED records)");
  g_log.clear();
  MSFileParam* msfp = nullptr;
  MSRecord* msr = nullptr;
  off_t fpos = 0;
  int last = 0;
  std::int64_t covered = 0;
  std::size_t n = 0;
  int rc = MS_NOERROR;
  struct Cleanup {
    MSFileParam** fp;
    MSRecord** r;
    ~Cleanup() { ms_readmsr_r(fp, r, nullptr, 0, nullptr, nullptr, 0, 0, 0); }
  } cleanup{&msfp, &msr};
  while ((rc = ms_readmsr_r(&msfp, &msr, path.c_str(), 0, &fpos, &last, 0, 1, 0)) == MS_NOERROR) {
    covered = std::max<std::int64_t>(covered, static_cast<std::int64_t>(fpos) + msr->reclen);
    ++n;
    if (msr->samprate <= 0 || msr->numsamples <= 0) continue;  // log/opaque records carry no samples
    Record r;
    r.net = msr->network;
    r.sta = msr->station;
    r.loc = msr->location;
    r.cha = msr->channel;
    r.quality = msr->dataquality;
    r.start = msr->starttime;
    r.rate = msr_samprate(msr);
    const auto m = static_cast<std::size_t>(msr->numsamples);
    r.data.resize(m);
    switch (msr->sampletype) {
      case 'i': {
        const auto* p = static_cast<const std::int32_t*>(msr->datasamples);
        for (std::size_t i = 0; i < m; ++i) r.data[i] = p[i];
        break;
      }
      case 'f': {
        const auto* p = static_cast<const float*>(msr->datasamples);
        for (std::size_t i = 0; i < m; ++i) r.data[i] = p[i];
        break;
      }
      case 'd': {
        const auto* p = static_cast<const double*>(msr->datasamples);
        for (std::size_t i = 0; i < m; ++i) r.data[i] = p[i];
        break;
      }
      case 'a':
        continue;  // ASCII (log) record
      default:
        fail(path, std::string("record at byte ") + std::to_string(static_cast<long long>(fpos)) +
                       ": unsupported sample type '" + msr->sampletype + "'");
    }
    if (static_cast<std::int64_t>(m) != msr->samplecnt)
      fail(path, "record at byte " + std::to_string(static_cast<long long>(fpos)) + ": decoded " +
                     std::to_string(m) + " samples, header says " + std::to_string(msr->samplecnt));
    r.order = out.size();
    out.push_back(std::move(r));
  }
  if (rc != MS_ENDOFFILE) {
    fail(path, "corrupt data after record " + std::to_string(n) + " (byte " +
                   std::to_string(static_cast<long long>(covered)) + "): " + ms_errorstr(rc));
  }
  if (n == 0) fail(path, "no MiniSEED records found");
  if (covered != size)  // < : trailing bytes; > : the last record runs past the end of the file
    fail(path, "truncated or trailing data: records end at byte " + std::to_string(covered) + " of " +
                   std::to_string(size));
  g_log.clear();
}

std::string stream_id(const std::string& n, const std::string& s, const std::string& l, const std::string& c) {
  return n + "." + s + "." + l + "." + c;
}

Contents assemble(std::vector<Record> recs) {
  Contents out;
  out.records = recs.size();
  std::stable_sort(recs.begin(), recs.end(), [](const Record& a, const Record& b) {
    const auto ka = stream_id(a.net, a.sta, a.loc, a.cha), kb = stream_id(b.net, b.sta, b.loc, b.cha);
    if (ka != kb) return ka < kb;
    if (a.start != b.start) return a.start < b.start;
    return a.order < b.order;
  });
  for (Record& r : recs) {
    const std::string id = stream_id(r.net, r.sta, r.loc, r.cha);
    Segment* cur = out.segments.empty() ? nullptr : &out.segments.back();
    if (cur && cur->id() == id) {
      const double period_us = 1e6 / cur->sampling_rate;
      const double expected = static_cast<double>(cur->start) + static_cast<double>(cur->data.size()) * period_us;
      const double diff = static_cast<double>(r.start) - expected;
      const bool same_rate = std::abs(1.0 - r.rate / cur->sampling_rate) < 1e-4;
      if (same_rate && std::abs(diff) <= 0.5 * period_us) {
        cur->data.insert(cur->data.end(), r.data.begin(), r.data.end());
        continue;
      }
      Discontinuity d;
      d.id = id;
      d.kind = !same_rate ? Discontinuity::Kind::RateChange
                          : (diff > 0 ? Discontinuity::Kind::Gap : Discontinuity::Kind::Overlap);
      d.expected = static_cast<TimeUs>(std::llround(expected));
      d.actual = r.start;
      d.seconds = diff * 1e-6;
      d.samples = d.seconds * cur->sampling_rate;
      d.before = out.segments.size() - 1;
      d.after = out.segments.size();
      out.discontinuities.push_back(d);
    }
    Segment s;
    s.network = r.net;
    s.station = r.sta;
    s.location = r.loc;
    s.channel = r.cha;
    s.quality = r.quality;
    s.start = r.start;
    s.sampling_rate = r.rate;
    s.data = std::move(r.data);
    out.segments.push_back(std::move(s));
  }
  return out;
}

void record_sink(char* rec, int len, void* handle) {
  auto* f = static_cast<std::ofstream*>(handle);
  f->write(rec, len);
}

}  // namespace

std::string Segment::id() const { return stream_id(network, station, location, channel); }

TimeUs Segment::end() const {
  if (data.empty() || sampling_rate <= 0) return start;
  return start + static_cast<TimeUs>(std::llround(static_cast<double>(data.size() - 1) * 1e6 / sampling_rate));
}

const char* kind_name(Discontinuity::Kind k) {
  switch (k) {
    case Discontinuity::Kind::Gap: return "gap";
    case Discontinuity::Kind::Overlap: return "overlap";
    case Discontinuity::Kind::RateChange: return "rate_change";
  }
  return "?";
}

std::string library_version() { return LIBMSEED_VERSION; }

Contents read(const std::string& path) { return read(std::vector<std::string>{path}); }

Contents read(const std::vector<std::string>& paths) {
  std::lock_guard<std::mutex> lock(g_mutex);
  quiet_logging();
  std::vector<Record> recs;
  for (const auto& p : paths) read_records(p, recs);
  return assemble(std::move(recs));
}

void write(const std::string& path, const std::vector<Segment>& segments, int record_length) {
  HYSEIS_REQUIRE(record_length >= 256 && record_length <= 65536 && (record_length & (record_length - 1)) == 0,
                 InvalidInput, "MiniSEED record length must be a power of two in [256, 65536], got " << record_length);
  std::lock_guard<std::mutex> lock(g_mutex);
  quiet_logging();
  g_log.clear();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw IoError("MiniSEED file '" + path + "': cannot create '" + tmp + "'");
    for (const Segment& s : segments) {
      HYSEIS_REQUIRE(s.sampling_rate > 0 && std::isfinite(s.sampling_rate), InvalidInput,
                     "segment " << s.id() << ": sampling rate must be > 0, got " << s.sampling_rate);
      auto fits = [](const std::string& v, std::size_t n) { return v.size() <= n; };
      HYSEIS_REQUIRE(fits(s.network, 2) && fits(s.station, 5) && fits(s.location, 2) && fits(s.channel, 3),
                     InvalidInput, "segment " << s.id() << ": SEED codes too long (NET<=2, STA<=5, LOC<=2, CHA<=3)");
      if (s.data.empty()) continue;
      bool integral = true;
      for (double v : s.data) {
        HYSEIS_REQUIRE(std::isfinite(v), InvalidInput, "segment " << s.id() << ": non-finite sample");
        if (v != std::floor(v) || std::abs(v) > 2147483647.0) integral = false;
      }
      MSTrace* mst = mst_init(nullptr);
      std::snprintf(mst->network, sizeof mst->network, "%s", s.network.c_str());
      std::snprintf(mst->station, sizeof mst->station, "%s", s.station.c_str());
      std::snprintf(mst->location, sizeof mst->location, "%s", s.location.c_str());
      std::snprintf(mst->channel, sizeof mst->channel, "%s", s.channel.c_str());
      mst->dataquality = s.quality;
      mst->starttime = s.start;
      mst->samprate = s.sampling_rate;
      mst->numsamples = static_cast<int64_t>(s.data.size());
      mst->samplecnt = mst->numsamples;
      std::int8_t encoding = 0;
      if (integral) {
        auto* p = static_cast<std::int32_t*>(std::malloc(s.data.size() * sizeof(std::int32_t)));
        for (std::size_t i = 0; i < s.data.size(); ++i) p[i] = static_cast<std::int32_t>(s.data[i]);
        mst->datasamples = p;
        mst->sampletype = 'i';
        encoding = DE_STEIM2;
      } else {
        auto* p = static_cast<double*>(std::malloc(s.data.size() * sizeof(double)));
        std::copy(s.data.begin(), s.data.end(), p);
        mst->datasamples = p;
        mst->sampletype = 'd';
        encoding = DE_FLOAT64;
      }
      int64_t packed = 0;
      const int nrec = mst_pack(mst, record_sink, &f, record_length, encoding, 1, &packed, 1, 0, nullptr);
      mst_free(&mst);
      if (nrec < 0 || packed != static_cast<int64_t>(s.data.size())) {
        f.close();
        std::remove(tmp.c_str());
        std::string msg = "MiniSEED file '" + path + "': packing " + s.id() + " failed";
        if (!g_log.empty()) msg += " (libmseed: " + g_log + ")";
        g_log.clear();
        throw IoError(msg);
      }
    }
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      throw IoError("MiniSEED file '" + path + "': write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw IoError("MiniSEED file '" + path + "': cannot rename '" + tmp + "': " + ec.message());
}

}  // namespace hyseis::core::mseed
