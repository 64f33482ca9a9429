#pragma once
// MiniSEED (SEED 2.4 data records) input and output through libmseed 2.x.
//
// Reading decodes every data record and assembles, per stream (NET.STA.LOC.CHA, codes kept
// exactly as stored, lower case included), continuous segments: a record whose first sample
// falls within half a sample period of the next expected sample time of the segment (and has the
// same sampling rate) is appended. Anything else is reported, never filled:
//   - a gap (record starts later)       -> new segment + Discontinuity{Gap}
//   - an overlap (record starts earlier) -> new segment + Discontinuity{Overlap}
//   - a sampling-rate change             -> new segment + Discontinuity{RateChange}
// Callers decide (merge, split, pad) with the segments and discontinuities in hand.
// Errors (missing, corrupt or truncated files, undecodable records) throw core::IoError naming
// the file and the problem. Samples are returned as stored: a NaN in a FLOAT32/64 record stays a
// NaN here, and the signal-processing and picking functions reject it with the sample index.
#include <cstdint>
#include <string>
#include <vector>

namespace hyseis::core::mseed {

/// Time: UTC microseconds since 1970-01-01 (libmseed's hptime_t).
using TimeUs = std::int64_t;

struct Segment {
  std::string network, station, location, channel;
  char quality = 'D';
  TimeUs start = 0;            // time of the first sample
  double sampling_rate = 0;    // Hz
  std::vector<double> data;
  /// "NET.STA.LOC.CHA"
  std::string id() const;
  /// Time of the last sample.
  TimeUs end() const;
};

struct Discontinuity {
  enum class Kind { Gap, Overlap, RateChange };
  std::string id;              // stream NET.STA.LOC.CHA
  Kind kind = Kind::Gap;
  TimeUs expected = 0;         // where the next sample was due (last sample + 1/fs)
  TimeUs actual = 0;           // first sample of the following segment
  double seconds = 0;          // (actual - expected) in s: > 0 gap, < 0 overlap
  double samples = 0;          // seconds * sampling rate
  std::size_t before = 0, after = 0;  // indices into Contents::segments
};

struct Contents {
  std::vector<Segment> segments;            // sorted by id, then start time
  std::vector<Discontinuity> discontinuities;
  std::size_t records = 0;                  // data records decoded
};

/// Reads a MiniSEED file (any record length, any encoding libmseed decodes).
Contents read(const std::string& path);

/// Reads several files and assembles their records together (e.g. one file per channel/day).
Contents read(const std::vector<std::string>& paths);

/// Writes segments as MiniSEED 2 records (record length 512..65536, power of two), atomically
/// (`<path>.tmp`, then rename). Data that are all integers within int32 are written Steim-2,
/// otherwise as FLOAT64. Throws core::IoError / core::InvalidInput.
void write(const std::string& path, const std::vector<Segment>& segments, int record_length = 4096);

/// Name of a discontinuity kind ("gap", "overlap", "rate_change").
const char* kind_name(Discontinuity::Kind k);

/// libmseed version string (e.g. "2.19.8").
std::string library_version();

}  // namespace hyseis::core::mseed
