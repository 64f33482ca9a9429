#pragma once
// Phase picks and their output formats: CSV (one row per pick) and a minimal QuakeML 1.2
// event-parameters document (one event holding the picks). Both are written atomically
// (`<path>.tmp`, then rename). Times are UTC, microseconds since 1970-01-01 (as libmseed).
#include <cstdint>
#include <string>
#include <vector>

namespace hyseis::learning::picking {

struct Pick {
  std::string network, station, location, channel;  // SEED codes (channel may be "HHZ" or "HH?")
  std::int64_t time_us = 0;                          // UTC, microseconds since the epoch
  std::string phase = "P";                           // phaseHint
  double score = 0;                                  // probability or STA/LTA peak
  std::string evaluation_mode = "automatic";         // "automatic" | "manual"
  std::string method;                                // e.g. "stalta_aic", "phasenet"
};

/// "2017-10-07T09:28:26.920000Z" (6 decimals, proleptic Gregorian, UTC).
std::string iso8601(std::int64_t time_us);
/// Inverse of iso8601 for "YYYY-MM-DDThh:mm:ss[.ffffff][Z]". Throws core::InvalidInput.
std::int64_t parse_iso8601(const std::string& s);

/// CSV header: network,station,location,channel,phase,time,time_epoch_s,score,evaluation_mode,method
std::string picks_to_csv(const std::vector<Pick>& picks);
std::vector<Pick> picks_from_csv(const std::string& text);  // throws core::IoError on bad rows
void write_picks_csv(const std::string& path, const std::vector<Pick>& picks);

/// QuakeML 1.2 (namespace http://quakeml.org/xmlns/bed/1.2): <eventParameters> with one
/// <event> that contains each <pick> (time/value, waveformID, phaseHint, evaluationMode).
/// `id_prefix` forms the resource identifiers ("smi:<prefix>/pick/<i>").
std::string picks_to_quakeml(const std::vector<Pick>& picks, const std::string& id_prefix = "local/hyseis");
void write_picks_quakeml(const std::string& path, const std::vector<Pick>& picks,
                         const std::string& id_prefix = "local/hyseis");

}  // namespace hyseis::learning::picking
