// core/mseed: MiniSEED files written here with libmseed itself (records with a gap, an overlap,
// two channels, lower-case codes, odd sampling rates) are read back; corrupt and truncated files
// give an IoError naming the file and the problem.
#include <gtest/gtest.h>
#include <libmseed.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <fstream>
#include <string>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/core/mseed.hpp"

namespace fs = std::filesystem;
namespace ms = hyseis::core::mseed;

namespace {

fs::path tmpdir() {
  const fs::path d = fs::temp_directory_path() / ("hyseis_test_mseed_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d;
}

void sink(char* rec, int len, void* h) { static_cast<std::string*>(h)->append(rec, static_cast<std::size_t>(len)); }

// Packs one record stream (int32 Steim-2) with libmseed directly, appending to `out`.
void pack(std::string& out, const char* net, const char* sta, const char* loc, const char* cha, hptime_t start,
          double rate, const std::vector<std::int32_t>& v, int reclen = 512) {
  MSRecord* msr = msr_init(nullptr);
  std::strcpy(msr->network, net);
  std::strcpy(msr->station, sta);
  std::strcpy(msr->location, loc);
  std::strcpy(msr->channel, cha);
  msr->dataquality = 'D';
  msr->starttime = start;
  msr->samprate = rate;
  msr->reclen = reclen;
  msr->record = nullptr;
  msr->encoding = DE_STEIM2;
  msr->byteorder = 1;
  auto* data = static_cast<std::int32_t*>(std::malloc(v.size() * sizeof(std::int32_t)));
  std::memcpy(data, v.data(), v.size() * sizeof(std::int32_t));
  msr->datasamples = data;
  msr->numsamples = static_cast<int64_t>(v.size());
  msr->sampletype = 'i';
  int64_t packed = 0;
  const int n = msr_pack(msr, sink, &out, &packed, 1, 0);
  ASSERT_GT(n, 0);
  ASSERT_EQ(packed, static_cast<int64_t>(v.size()));
  msr_free(&msr);
}

std::vector<std::int32_t> ramp(int n, int base) {
  std::vector<std::int32_t> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = base + i;
  return v;
}

void save(const fs::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

const hptime_t T0 = ms_time2hptime(2024, 100, 12, 0, 0, 0);  // 2024-04-09 12:00:00
}  // namespace

TEST(MiniSeed, ContiguousRecordsMergeAndCodesKeepCase) {
  std::string bytes;
  // 3 records of 100 samples at 100 Hz, contiguous: one segment of 300 samples.
  pack(bytes, "XX", "sta1", "", "hhz", T0, 100.0, ramp(100, 0));
  pack(bytes, "XX", "sta1", "", "hhz", T0 + 1000000, 100.0, ramp(100, 100));
  pack(bytes, "XX", "sta1", "", "hhz", T0 + 2000000, 100.0, ramp(100, 200));
  const auto p = tmpdir() / "contiguous.mseed";
  save(p, bytes);
  const ms::Contents c = ms::read(p.string());
  ASSERT_EQ(c.segments.size(), 1u);
  EXPECT_TRUE(c.discontinuities.empty());
  EXPECT_EQ(c.records, 3u);
  const auto& s = c.segments[0];
  EXPECT_EQ(s.id(), "XX.sta1..hhz");
  EXPECT_EQ(s.channel, "hhz");
  EXPECT_EQ(s.start, T0);
  EXPECT_DOUBLE_EQ(s.sampling_rate, 100.0);
  ASSERT_EQ(s.data.size(), 300u);
  for (std::size_t i = 0; i < 300; ++i) EXPECT_EQ(s.data[i], static_cast<double>(i));
  EXPECT_EQ(s.end(), T0 + 2990000);
}

TEST(MiniSeed, GapOverlapAndTwoChannels) {
  std::string bytes;
  // Channel Z: [0, 1 s), gap of 0.5 s, [1.5 s, 2.5 s), then a record overlapping by 0.2 s.
  pack(bytes, "NC", "ABC", "00", "EHZ", T0, 100.0, ramp(100, 0));
  pack(bytes, "NC", "ABC", "00", "EHZ", T0 + 1500000, 100.0, ramp(100, 1000));
  pack(bytes, "NC", "ABC", "00", "EHZ", T0 + 2300000, 100.0, ramp(50, 5000));
  // Channel N, written out of order (second record first): still one contiguous segment.
  pack(bytes, "NC", "ABC", "00", "EHN", T0 + 1000000, 100.0, ramp(100, 100));
  pack(bytes, "NC", "ABC", "00", "EHN", T0, 100.0, ramp(100, 0));
  const auto p = tmpdir() / "gaps.mseed";
  save(p, bytes);
  const ms::Contents c = ms::read(p.string());
  ASSERT_EQ(c.segments.size(), 4u);  // EHN: 1, EHZ: 3
  EXPECT_EQ(c.segments[0].id(), "NC.ABC.00.EHN");
  EXPECT_EQ(c.segments[0].data.size(), 200u);
  for (std::size_t i = 0; i < 200; ++i) EXPECT_EQ(c.segments[0].data[i], static_cast<double>(i));
  EXPECT_EQ(c.segments[1].id(), "NC.ABC.00.EHZ");
  EXPECT_EQ(c.segments[1].data.size(), 100u);
  EXPECT_EQ(c.segments[2].start, T0 + 1500000);
  EXPECT_EQ(c.segments[3].start, T0 + 2300000);
  ASSERT_EQ(c.discontinuities.size(), 2u);
  const auto& gap = c.discontinuities[0];
  EXPECT_EQ(gap.kind, ms::Discontinuity::Kind::Gap);
  EXPECT_EQ(gap.id, "NC.ABC.00.EHZ");
  EXPECT_EQ(gap.expected, T0 + 1000000);
  EXPECT_EQ(gap.actual, T0 + 1500000);
  EXPECT_NEAR(gap.seconds, 0.5, 1e-9);
  EXPECT_NEAR(gap.samples, 50.0, 1e-6);
  EXPECT_EQ(gap.before, 1u);
  EXPECT_EQ(gap.after, 2u);
  const auto& ov = c.discontinuities[1];
  EXPECT_EQ(ov.kind, ms::Discontinuity::Kind::Overlap);
  EXPECT_NEAR(ov.seconds, -0.2, 1e-9);
  EXPECT_STREQ(ms::kind_name(ov.kind), "overlap");
  // Nothing was zero-filled: total samples equal what was written.
  std::size_t total = 0;
  for (const auto& s : c.segments) total += s.data.size();
  EXPECT_EQ(total, 450u);
}

TEST(MiniSeed, OddSamplingRateAndRoundTripThroughWriter) {
  ms::Segment s;
  s.network = "ZZ";
  s.station = "r01";
  s.location = "";
  s.channel = "bhz";
  s.start = T0 + 123400;
  s.sampling_rate = 40.0;
  for (int i = 0; i < 5000; ++i) s.data.push_back(std::round(1000 * std::sin(i * 0.01)));
  ms::Segment f = s;
  f.channel = "bhe";
  f.sampling_rate = 0.5;  // 0.5 Hz (LH-like)
  f.data = {0.25, -1.5, 3.125, 1e-3};
  const auto p = tmpdir() / "written.mseed";
  ms::write(p.string(), {s, f}, 512);
  EXPECT_FALSE(fs::exists(p.string() + ".tmp"));
  const auto c = ms::read(p.string());
  ASSERT_EQ(c.segments.size(), 2u);
  EXPECT_TRUE(c.discontinuities.empty());
  const auto& e = c.segments[0];  // "ZZ.r01..bhe" sorts first
  EXPECT_EQ(e.channel, "bhe");
  EXPECT_DOUBLE_EQ(e.sampling_rate, 0.5);
  ASSERT_EQ(e.data.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(e.data[i], f.data[i]);  // FLOAT64: exact
  const auto& z = c.segments[1];
  EXPECT_EQ(z.start, s.start);
  EXPECT_DOUBLE_EQ(z.sampling_rate, 40.0);
  ASSERT_EQ(z.data.size(), s.data.size());
  for (std::size_t i = 0; i < s.data.size(); ++i) EXPECT_EQ(z.data[i], s.data[i]);  // Steim-2 exact
  // Two files read together assemble into one stream.
  ms::Segment a = s, b = s;
  a.data.resize(2000);
  b.data.assign(s.data.begin() + 2000, s.data.end());
  b.start = s.start + static_cast<ms::TimeUs>(2000 * 1e6 / 40.0);
  ms::write((tmpdir() / "a.mseed").string(), {a});
  ms::write((tmpdir() / "b.mseed").string(), {b});
  const auto ab = ms::read(std::vector<std::string>{(tmpdir() / "b.mseed").string(), (tmpdir() / "a.mseed").string()});
  ASSERT_EQ(ab.segments.size(), 1u);
  EXPECT_EQ(ab.segments[0].data, s.data);
}

TEST(MiniSeed, CorruptTruncatedAndMissingFiles) {
  std::string bytes;
  for (int r = 0; r < 3; ++r) pack(bytes, "XX", "STA", "", "HHZ", T0 + r * 1000000, 100.0, ramp(100, 100 * r));
  ASSERT_EQ(bytes.size(), 3u * 512u);
  const auto d = tmpdir();
  auto expect_error = [](const std::string& path, const std::string& part) {
    try {
      ms::read(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const hyseis::core::IoError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(path), std::string::npos) << m;
      EXPECT_NE(m.find(part), std::string::npos) << m;
    }
  };
  save(d / "truncated.mseed", bytes.substr(0, bytes.size() - 100));
  expect_error((d / "truncated.mseed").string(), "truncated");
  save(d / "garbage.mseed", std::string(2048, 'x'));
  expect_error((d / "garbage.mseed").string(), "corrupt data after record 0");
  std::string bad = bytes;
  for (std::size_t i = 0; i < 512 && 512 + i < bad.size(); ++i) bad[512 + i] = static_cast<char>(0xA5);
  save(d / "corrupt.mseed", bad);
  expect_error((d / "corrupt.mseed").string(), "corrupt data after record 1 (byte 512)");
  save(d / "trailing.mseed", bytes + "junk");
  expect_error((d / "trailing.mseed").string(), "records end at byte 1536 of 1540");
  save(d / "empty.mseed", "");
  expect_error((d / "empty.mseed").string(), "empty");
  expect_error((d / "missing.mseed").string(), "not found");
}
