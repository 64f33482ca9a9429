#pragma once
// Minimal HDF5 I/O for hyseis products (HDF5 C API underneath, openmpi build, serial use).
// Writers create `<path>.tmp` and rename to `<path>` on commit(): no partial file poses as a
// result. Readers throw core::IoError naming the file, the object and the problem.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace hyseis::core::h5 {

struct Array {
  std::vector<std::size_t> shape;  // row-major
  std::vector<double> data;
};

/// Reads a numeric dataset (any integer/float type) as double. Throws IoError.
Array read_dataset(const std::string& file, const std::string& dataset);
/// Reads a scalar numeric attribute of a dataset or group ("/" for the file root).
double read_attribute(const std::string& file, const std::string& object, const std::string& name);
/// Reads a string attribute (fixed or variable length).
std::string read_string_attribute(const std::string& file, const std::string& object, const std::string& name);
/// Reads a 1-D dataset of strings (fixed or variable length).
std::vector<std::string> read_strings(const std::string& file, const std::string& dataset);
/// "1.10.8": the HDF5 library linked.
std::string library_version();
/// True if the file exists, is HDF5 and contains the object.
bool has_object(const std::string& file, const std::string& object);

/// Writes a new HDF5 file atomically: everything goes to `<path>.tmp`; commit() renames.
/// Destroying an uncommitted Writer removes the temporary file.
class Writer {
public:
  explicit Writer(const std::string& path);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  /// Creates intermediate groups as needed ("a/b/c").
  void write(const std::string& dataset, const std::vector<std::size_t>& shape, const double* data);
  void write(const std::string& dataset, const std::vector<double>& v) { write(dataset, {v.size()}, v.data()); }
  void write_strings(const std::string& dataset, const std::vector<std::string>& v);
  /// Scalar (rank-0) variable-length UTF-8 string dataset (h5py reads it as one str/bytes).
  void write_string(const std::string& dataset, const std::string& value);
  void attribute(const std::string& object, const std::string& name, const std::string& value);
  void attribute(const std::string& object, const std::string& name, double value);
  void commit();
  const std::string& path() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hyseis::core::h5
