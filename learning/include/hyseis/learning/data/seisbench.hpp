#pragma once
// Datasets in SeisBench's layout (Woollam et al. 2022): a folder with
//   metadata.csv    one row per trace; columns include trace_name, split (train/dev/test),
//                   trace_sampling_rate_hz, trace_p_arrival_sample, trace_s_arrival_sample, ...
//   waveforms.hdf5  data/<bucket> arrays (n_traces, C, W) for dimension_order "CW";
//                   data_format/{dimension_order, component_order, sampling_rate, ...} as scalar
//                   datasets (what seisbench.data.WaveformDataWriter writes).
// trace_name "bucketK$i,:C,:W" addresses trace i of data/bucketK, first C channels and W samples;
// a trace_name without '$' is a dataset data/<trace_name> of its own.
// Writing is atomic per file (temporary name, then rename). Errors: core::IoError naming the file.
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hyseis/learning/data/csv.hpp"

namespace hyseis::learning::data {

struct DataFormat {
  std::string dimension_order = "CW";   // "CW" (channels, samples) or "WC"
  std::string component_order = "ZNE";
  double sampling_rate = 100.0;         // Hz (0 = per-trace trace_sampling_rate_hz)
  std::string measurement = "velocity";
  std::string unit = "counts";
  std::string instrument_response = "not restituted";
};

/// One waveform as channels x samples (row-major), in the dataset's component order.
struct Waveform {
  std::size_t channels = 0, samples = 0;
  std::vector<double> data;  // data[c * samples + s]
  double at(std::size_t c, std::size_t s) const { return data[c * samples + s]; }
  std::vector<double> channel(std::size_t c) const;
};

struct TraceAddress {
  std::string dataset;      // "data/bucket3"
  std::size_t index = 0;    // position in the bucket (0 for unbucketed traces)
  std::size_t channels = 0, samples = 0;  // 0 = all
  bool bucketed = false;
};
/// Parses "bucketK$i,:C,:W" (or a plain name). Throws core::IoError on a malformed name.
TraceAddress parse_trace_name(const std::string& trace_name);

class SeisBenchDataset {
public:
  /// Opens <dir>/metadata.csv and <dir>/waveforms.hdf5 and reads data_format.
  explicit SeisBenchDataset(const std::string& dir);
  ~SeisBenchDataset();
  SeisBenchDataset(SeisBenchDataset&&) noexcept;
  SeisBenchDataset& operator=(SeisBenchDataset&&) noexcept;

  std::size_t size() const;
  const DataFormat& data_format() const;
  const CsvTable& metadata() const;
  /// Field of trace i ("" if missing or empty).
  std::string get(std::size_t i, const std::string& column) const;
  /// Numeric field of trace i; NaN when empty or missing.
  double number(std::size_t i, const std::string& column) const;
  /// Indices of traces whose `split` column equals name ("train", "dev", "test").
  std::vector<std::size_t> split(const std::string& name) const;
  /// Waveform i as channels x samples (a "WC" file is transposed on reading).
  Waveform waveform(std::size_t i) const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes a SeisBench dataset. Traces are grouped into buckets of up to `bucket_size` traces with
/// the same channel count; each bucket is stored (n, C, Wmax) (zero-padded beyond each trace's
/// W, which its trace_name records). finish() writes waveforms.hdf5 and metadata.csv.
class SeisBenchWriter {
public:
  SeisBenchWriter(const std::string& dir, DataFormat format, std::size_t bucket_size = 1024);
  ~SeisBenchWriter();
  SeisBenchWriter(const SeisBenchWriter&) = delete;
  SeisBenchWriter& operator=(const SeisBenchWriter&) = delete;
  /// Adds a trace; `metadata` must not contain trace_name (it is generated). Returns its index.
  std::size_t add(const std::map<std::string, std::string>& metadata, const Waveform& w);
  void finish();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hyseis::learning::data
