// SeisBench-format datasets: see hyseis/learning/data/seisbench.hpp.
#include "hyseis/learning/data/seisbench.hpp"

#include <cmath>
#include <filesystem>
#include <limits>
#include <set>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/hdf5.hpp"

namespace hyseis::learning::data {

namespace h5 = hyseis::core::h5;

std::vector<double> Waveform::channel(std::size_t c) const {
  HYSEIS_REQUIRE(c < channels, core::InvalidInput, "channel " << c << " out of range (" << channels << " channels)");
  return std::vector<double>(data.begin() + static_cast<std::ptrdiff_t>(c * samples),
                             data.begin() + static_cast<std::ptrdiff_t>((c + 1) * samples));
}

namespace {

std::size_t parse_slice(const std::string& s, const std::string& name) {
  // ":N" -> N ; ":" or "" -> 0 (all)
  if (s.empty() || s == ":") return 0;
  if (s[0] != ':') throw core::IoError("trace_name '" + name + "': slice '" + s + "' is not of the form ':N'");
  try {
    std::size_t pos = 0;
    const long v = std::stol(s.substr(1), &pos);
    if (pos != s.size() - 1 || v < 0) throw std::invalid_argument("bad");
    return static_cast<std::size_t>(v);
  } catch (const std::exception&) {
    throw core::IoError("trace_name '" + name + "': slice '" + s + "' is not of the form ':N'");
  }
}

std::string read_format_string(const std::string& file, const std::string& key, const std::string& fallback) {
  if (h5::has_object(file, "data_format/" + key)) {
    const auto v = h5::read_strings(file, "data_format/" + key);
    if (!v.empty()) return v.front();
  }
  return fallback;
}

}  // namespace

TraceAddress parse_trace_name(const std::string& name) {
  TraceAddress a;
  const auto dollar = name.find('$');
  if (dollar == std::string::npos) {
    if (name.empty()) throw core::IoError("empty trace_name");
    a.dataset = "data/" + name;
    return a;
  }
  a.bucketed = true;
  const std::string bucket = name.substr(0, dollar);
  if (bucket.empty()) throw core::IoError("trace_name '" + name + "': no bucket before '$'");
  a.dataset = "data/" + bucket;
  std::vector<std::string> parts;
  std::string cur;
  for (char c : name.substr(dollar + 1)) {
    if (c == ',') {
      parts.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  parts.push_back(cur);
  if (parts.empty() || parts.size() > 3) throw core::IoError("trace_name '" + name + "': expected 'bucket$i,:C,:W'");
  try {
    std::size_t pos = 0;
    const long i = std::stol(parts[0], &pos);
    if (pos != parts[0].size() || i < 0) throw std::invalid_argument("bad");
    a.index = static_cast<std::size_t>(i);
  } catch (const std::exception&) {
    throw core::IoError("trace_name '" + name + "': index '" + parts[0] + "' is not a non-negative integer");
  }
  if (parts.size() > 1) a.channels = parse_slice(parts[1], name);
  if (parts.size() > 2) a.samples = parse_slice(parts[2], name);
  return a;
}

// --- reader --------------------------------------------------------------------------------------
struct SeisBenchDataset::Impl {
  std::string dir, h5file;
  CsvTable meta;
  DataFormat format;
  int col_name = -1;
  mutable std::string cached_name;
  mutable h5::Array cached;
};

SeisBenchDataset::SeisBenchDataset(const std::string& dir) : impl_(std::make_unique<Impl>()) {
  impl_->dir = dir;
  const std::string csv = (std::filesystem::path(dir) / "metadata.csv").string();
  impl_->h5file = (std::filesystem::path(dir) / "waveforms.hdf5").string();
  impl_->meta = csv_parse(core::fs::read_text(csv), csv);
  impl_->col_name = impl_->meta.column("trace_name");
  if (impl_->col_name < 0) throw core::IoError(csv + ": no 'trace_name' column");
  if (!std::filesystem::exists(impl_->h5file)) throw core::IoError(impl_->h5file + ": file not found");
  DataFormat& f = impl_->format;
  f.dimension_order = read_format_string(impl_->h5file, "dimension_order", f.dimension_order);
  f.component_order = read_format_string(impl_->h5file, "component_order", f.component_order);
  f.measurement = read_format_string(impl_->h5file, "measurement", f.measurement);
  f.unit = read_format_string(impl_->h5file, "unit", f.unit);
  f.instrument_response = read_format_string(impl_->h5file, "instrument_response", f.instrument_response);
  if (h5::has_object(impl_->h5file, "data_format/sampling_rate")) {
    const auto a = h5::read_dataset(impl_->h5file, "data_format/sampling_rate");
    if (a.data.size() != 1) throw core::IoError(impl_->h5file + ": data_format/sampling_rate is not a scalar");
    f.sampling_rate = a.data[0];
  } else {
    f.sampling_rate = 0;  // per trace
  }
  if (f.dimension_order != "CW" && f.dimension_order != "WC")
    throw core::IoError(impl_->h5file + ": data_format/dimension_order '" + f.dimension_order +
                        "' not supported (expected CW or WC)");
}

SeisBenchDataset::~SeisBenchDataset() = default;
SeisBenchDataset::SeisBenchDataset(SeisBenchDataset&&) noexcept = default;
SeisBenchDataset& SeisBenchDataset::operator=(SeisBenchDataset&&) noexcept = default;

std::size_t SeisBenchDataset::size() const { return impl_->meta.rows.size(); }
const DataFormat& SeisBenchDataset::data_format() const { return impl_->format; }
const CsvTable& SeisBenchDataset::metadata() const { return impl_->meta; }

std::string SeisBenchDataset::get(std::size_t i, const std::string& column) const {
  HYSEIS_REQUIRE(i < size(), core::InvalidInput, "trace index " << i << " out of range (" << size() << " traces)");
  return impl_->meta.get(i, column);
}

double SeisBenchDataset::number(std::size_t i, const std::string& column) const {
  const std::string s = get(i, column);
  if (s.empty() || s == "nan" || s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  try {
    std::size_t pos = 0;
    const double v = std::stod(s, &pos);
    if (pos != s.size()) throw std::invalid_argument("trailing");
    return v;
  } catch (const std::exception&) {
    throw core::IoError(impl_->dir + "/metadata.csv: row " + std::to_string(i + 2) + " column '" + column +
                        "': '" + s + "' is not a number");
  }
}

std::vector<std::size_t> SeisBenchDataset::split(const std::string& name) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < size(); ++i)
    if (impl_->meta.get(i, "split") == name) out.push_back(i);
  return out;
}

Waveform SeisBenchDataset::waveform(std::size_t i) const {
  HYSEIS_REQUIRE(i < size(), core::InvalidInput, "trace index " << i << " out of range (" << size() << " traces)");
  const std::string& name = impl_->meta.rows[i][static_cast<std::size_t>(impl_->col_name)];
  const TraceAddress a = parse_trace_name(name);
  if (impl_->cached_name != a.dataset) {
    impl_->cached = h5::read_dataset(impl_->h5file, a.dataset);
    impl_->cached_name = a.dataset;
  }
  const h5::Array& arr = impl_->cached;
  const bool cw = impl_->format.dimension_order == "CW";
  std::size_t n0 = 1, d1 = 0, d2 = 0;  // (n, d1, d2) for bucketed, (d1, d2) for single
  if (a.bucketed) {
    if (arr.shape.size() != 3)
      throw core::IoError(impl_->h5file + ": " + a.dataset + " is not a 3-D bucket (trace '" + name + "')");
    n0 = arr.shape[0];
    d1 = arr.shape[1];
    d2 = arr.shape[2];
    if (a.index >= n0)
      throw core::IoError(impl_->h5file + ": trace '" + name + "' index " + std::to_string(a.index) +
                          " beyond bucket size " + std::to_string(n0));
  } else {
    if (arr.shape.size() == 1) {
      d1 = 1;
      d2 = arr.shape[0];
      if (!cw) std::swap(d1, d2);
    } else if (arr.shape.size() == 2) {
      d1 = arr.shape[0];
      d2 = arr.shape[1];
    } else {
      throw core::IoError(impl_->h5file + ": " + a.dataset + " must be 1-D or 2-D");
    }
  }
  std::size_t full_c = cw ? d1 : d2, full_w = cw ? d2 : d1;
  std::size_t c = a.channels ? a.channels : full_c, w = a.samples ? a.samples : full_w;
  if (!cw && a.bucketed) {  // slices follow the stored order: ":W,:C"
    c = a.samples ? a.samples : full_c;
    w = a.channels ? a.channels : full_w;
  }
  if (c > full_c || w > full_w)
    throw core::IoError(impl_->h5file + ": trace '" + name + "' slice exceeds the stored shape");
  Waveform out;
  out.channels = c;
  out.samples = w;
  out.data.resize(c * w);
  const std::size_t base = a.index * d1 * d2;
  for (std::size_t ic = 0; ic < c; ++ic)
    for (std::size_t is = 0; is < w; ++is)
      out.data[ic * w + is] = cw ? arr.data[base + ic * d2 + is] : arr.data[base + is * d2 + ic];
  return out;
}

// --- writer --------------------------------------------------------------------------------------
struct SeisBenchWriter::Impl {
  std::string dir;
  DataFormat format;
  std::size_t bucket_size = 1024;
  struct Bucket {
    std::size_t channels = 0, max_w = 0;
    std::vector<Waveform> traces;
  };
  std::vector<Bucket> buckets;
  std::map<std::size_t, std::size_t> open_bucket;  // channels -> bucket index
  std::vector<std::map<std::string, std::string>> rows;
  bool finished = false;
};

SeisBenchWriter::SeisBenchWriter(const std::string& dir, DataFormat format, std::size_t bucket_size)
    : impl_(std::make_unique<Impl>()) {
  HYSEIS_REQUIRE(format.dimension_order == "CW", core::InvalidInput,
                 "SeisBenchWriter writes dimension_order 'CW' only, got '" << format.dimension_order << "'");
  HYSEIS_REQUIRE(bucket_size >= 1, core::InvalidInput, "bucket_size must be >= 1");
  HYSEIS_REQUIRE(format.sampling_rate >= 0, core::InvalidInput, "sampling_rate must be >= 0");
  impl_->dir = dir;
  impl_->format = std::move(format);
  impl_->bucket_size = bucket_size;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw core::IoError(dir + ": cannot create directory: " + ec.message());
}

SeisBenchWriter::~SeisBenchWriter() = default;

std::size_t SeisBenchWriter::add(const std::map<std::string, std::string>& metadata, const Waveform& w) {
  HYSEIS_REQUIRE(!impl_->finished, core::InvalidInput, "SeisBenchWriter::add after finish()");
  HYSEIS_REQUIRE(metadata.count("trace_name") == 0, core::InvalidInput, "metadata must not set trace_name (generated)");
  HYSEIS_REQUIRE(w.channels >= 1 && w.samples >= 1 && w.data.size() == w.channels * w.samples, core::InvalidInput,
                 "waveform shape " << w.channels << " x " << w.samples << " does not match " << w.data.size()
                                   << " samples");
  auto it = impl_->open_bucket.find(w.channels);
  if (it == impl_->open_bucket.end() || impl_->buckets[it->second].traces.size() >= impl_->bucket_size) {
    impl_->buckets.push_back({w.channels, 0, {}});
    impl_->open_bucket[w.channels] = impl_->buckets.size() - 1;
    it = impl_->open_bucket.find(w.channels);
  }
  Impl::Bucket& b = impl_->buckets[it->second];
  const std::size_t pos = b.traces.size();
  b.traces.push_back(w);
  b.max_w = std::max(b.max_w, w.samples);
  auto row = metadata;
  row["trace_name"] = "bucket" + std::to_string(it->second) + "$" + std::to_string(pos) + ",:" +
                      std::to_string(w.channels) + ",:" + std::to_string(w.samples);
  impl_->rows.push_back(std::move(row));
  return impl_->rows.size() - 1;
}

void SeisBenchWriter::finish() {
  if (impl_->finished) return;
  const std::string h5file = (std::filesystem::path(impl_->dir) / "waveforms.hdf5").string();
  {
    h5::Writer wr(h5file);
    const DataFormat& f = impl_->format;
    wr.write_string("data_format/dimension_order", f.dimension_order);
    wr.write_string("data_format/component_order", f.component_order);
    wr.write_string("data_format/measurement", f.measurement);
    wr.write_string("data_format/unit", f.unit);
    wr.write_string("data_format/instrument_response", f.instrument_response);
    if (f.sampling_rate > 0) wr.write("data_format/sampling_rate", {}, &f.sampling_rate);
    for (std::size_t k = 0; k < impl_->buckets.size(); ++k) {
      const auto& b = impl_->buckets[k];
      std::vector<double> block(b.traces.size() * b.channels * b.max_w, 0.0);
      for (std::size_t i = 0; i < b.traces.size(); ++i)
        for (std::size_t c = 0; c < b.channels; ++c)
          for (std::size_t s = 0; s < b.traces[i].samples; ++s)
            block[(i * b.channels + c) * b.max_w + s] = b.traces[i].at(c, s);
      wr.write("data/bucket" + std::to_string(k), {b.traces.size(), b.channels, b.max_w}, block.data());
    }
    wr.commit();
  }
  // Columns: trace_name first, then the union of all keys in sorted order.
  std::set<std::string> keys;
  for (const auto& r : impl_->rows)
    for (const auto& kv : r) keys.insert(kv.first);
  keys.erase("trace_name");
  std::vector<std::vector<std::string>> table;
  std::vector<std::string> header{"trace_name"};
  header.insert(header.end(), keys.begin(), keys.end());
  table.push_back(header);
  for (const auto& r : impl_->rows) {
    std::vector<std::string> row;
    for (const auto& h : header) {
      const auto it = r.find(h);
      row.push_back(it == r.end() ? "" : it->second);
    }
    table.push_back(std::move(row));
  }
  core::fs::write_text_atomic((std::filesystem::path(impl_->dir) / "metadata.csv").string(), csv_format(table));
  impl_->finished = true;
}

}  // namespace hyseis::learning::data
