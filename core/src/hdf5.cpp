#include "hyseis/core/hdf5.hpp"

#include <hdf5.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "hyseis/core/error.hpp"

namespace hyseis::core::h5 {

namespace {

namespace fs = std::filesystem;

// HDF5 prints its whole error stack to stderr by default; hyseis reports errors itself.
void quiet() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

/// Owns an HDF5 identifier and closes it with the matching function.
class Handle {
public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = -1;
    return *this;
  }
  ~Handle() { reset(); }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

[[noreturn]] void fail(const std::string& file, const std::string& object, const std::string& what) {
  std::string msg = "HDF5 file '" + file + "'";
  if (!object.empty()) msg += ", object '" + object + "'";
  throw IoError(msg + ": " + what);
}

Handle open_for_reading(const std::string& file) {
  quiet();
  std::error_code ec;
  if (!fs::exists(file, ec)) fail(file, "", "file not found");
  if (H5Fis_hdf5(file.c_str()) <= 0) fail(file, "", "not an HDF5 file (wrong signature or corrupt)");
  Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.valid()) fail(file, "", "cannot open (corrupt or truncated file?)");
  return f;
}

bool link_exists(hid_t file, const std::string& object) {
  if (object.empty() || object == "/") return true;
  // H5Lexists needs every intermediate group to exist: check the path prefix by prefix.
  std::string prefix;
  std::size_t pos = object[0] == '/' ? 1 : 0;
  if (object[0] == '/') prefix = "/";
  while (pos <= object.size()) {
    const auto next = object.find('/', pos);
    const std::string part = object.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    if (!part.empty()) {
      prefix += (prefix.empty() || prefix == "/" ? "" : "/") + part;
      if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  return true;
}

Handle open_object(hid_t f, const std::string& file, const std::string& object) {
  if (!link_exists(f, object)) fail(file, object, "no such object");
  Handle o(H5Oopen(f, object.c_str(), H5P_DEFAULT), H5Oclose);
  if (!o.valid()) fail(file, object, "cannot open object");
  return o;
}

Handle open_dataset(hid_t f, const std::string& file, const std::string& dataset) {
  if (!link_exists(f, dataset)) fail(file, dataset, "no such dataset");
  Handle d(H5Dopen2(f, dataset.c_str(), H5P_DEFAULT), H5Dclose);
  if (!d.valid()) fail(file, dataset, "cannot open dataset (not a dataset?)");
  return d;
}

Handle vl_string_type() {
  Handle t(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

}  // namespace

std::string library_version() {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  return std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel);
}

Array read_dataset(const std::string& file, const std::string& dataset) {
  Handle f = open_for_reading(file);
  Handle d = open_dataset(f.get(), file, dataset);
  Handle type(H5Dget_type(d.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail(file, dataset, "not a numeric dataset");
  Handle space(H5Dget_space(d.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail(file, dataset, "cannot read the dataspace");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Array a;
  std::size_t n = 1;
  for (auto v : dims) {
    a.shape.push_back(static_cast<std::size_t>(v));
    n *= static_cast<std::size_t>(v);
  }
  a.data.resize(n);
  if (n > 0 && H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.data.data()) < 0)
    fail(file, dataset, "read failed (corrupt data?)");
  return a;
}

double read_attribute(const std::string& file, const std::string& object, const std::string& name) {
  Handle f = open_for_reading(file);
  Handle o = open_object(f.get(), file, object);
  if (H5Aexists(o.get(), name.c_str()) <= 0) fail(file, object, "no attribute '" + name + "'");
  Handle a(H5Aopen(o.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) fail(file, object, "attribute '" + name + "' is not numeric");
  Handle space(H5Aget_space(a.get()), H5Sclose);
  if (H5Sget_simple_extent_npoints(space.get()) != 1)
    fail(file, object, "attribute '" + name + "' is not a scalar");
  double v = 0;
  if (H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v) < 0) fail(file, object, "cannot read attribute '" + name + "'");
  return v;
}

std::string read_string_attribute(const std::string& file, const std::string& object, const std::string& name) {
  Handle f = open_for_reading(file);
  Handle o = open_object(f.get(), file, object);
  if (H5Aexists(o.get(), name.c_str()) <= 0) fail(file, object, "no attribute '" + name + "'");
  Handle a(H5Aopen(o.get(), name.c_str(), H5P_DEFAULT), H5Aclose);
  Handle type(H5Aget_type(a.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) fail(file, object, "attribute '" + name + "' is not a string");
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = vl_string_type();
    char* s = nullptr;
    if (H5Aread(a.get(), mem.get(), &s) < 0) fail(file, object, "cannot read attribute '" + name + "'");
    std::string out = s ? s : "";
    H5free_memory(s);
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.get(), size);
  std::string buf(size, '\0');
  if (H5Aread(a.get(), mem.get(), buf.data()) < 0) fail(file, object, "cannot read attribute '" + name + "'");
  buf.resize(std::strlen(buf.c_str()));
  return buf;
}

std::vector<std::string> read_strings(const std::string& file, const std::string& dataset) {
  Handle f = open_for_reading(file);
  Handle d = open_dataset(f.get(), file, dataset);
  Handle type(H5Dget_type(d.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING) fail(file, dataset, "not a string dataset");
  Handle space(H5Dget_space(d.get()), H5Sclose);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  std::vector<std::string> out;
  if (n == 0) return out;
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = vl_string_type();
    std::vector<char*> ptrs(n, nullptr);
    if (H5Dread(d.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
      fail(file, dataset, "read failed");
    for (auto* p : ptrs) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(mem.get(), size);
  std::vector<char> buf(n * size + 1, '\0');
  if (H5Dread(d.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) fail(file, dataset, "read failed");
  for (std::size_t i = 0; i < n; ++i) {
    std::string s(buf.data() + i * size, size);
    s.resize(std::strlen(s.c_str()));
    out.push_back(s);
  }
  return out;
}

bool has_object(const std::string& file, const std::string& object) {
  quiet();
  std::error_code ec;
  if (!fs::exists(file, ec) || H5Fis_hdf5(file.c_str()) <= 0) return false;
  Handle f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!f.valid()) return false;
  return link_exists(f.get(), object);
}

// --- Writer ----------------------------------------------------------------------------------
struct Writer::Impl {
  std::string path, tmp;
  Handle file;
  bool committed = false;

  Handle open_object(const std::string& object) {
    if (!link_exists(file.get(), object)) fail(tmp, object, "no such object to attach an attribute to");
    Handle o(H5Oopen(file.get(), object.c_str(), H5P_DEFAULT), H5Oclose);
    if (!o.valid()) fail(tmp, object, "cannot open object");
    return o;
  }
  Handle fresh_attribute(hid_t obj, const std::string& object, const std::string& name, hid_t type, hid_t space) {
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    Handle a(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
    if (!a.valid()) fail(tmp, object, "cannot create attribute '" + name + "'");
    return a;
  }
  Handle create_dataset(const std::string& dataset, hid_t type, hid_t space) {
    if (link_exists(file.get(), dataset)) fail(tmp, dataset, "dataset already exists");
    Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    Handle d(H5Dcreate2(file.get(), dataset.c_str(), type, space, lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
    if (!d.valid()) fail(tmp, dataset, "cannot create dataset");
    return d;
  }
};

Writer::Writer(const std::string& path) : impl_(std::make_unique<Impl>()) {
  quiet();
  impl_->path = path;
  impl_->tmp = path + ".tmp";
  const auto parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !fs::is_directory(parent, ec)) fail(path, "", "directory '" + parent.string() + "' does not exist");
  impl_->file = Handle(H5Fcreate(impl_->tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (!impl_->file.valid()) fail(impl_->tmp, "", "cannot create file");
}

Writer::~Writer() {
  if (impl_ && !impl_->committed) {
    impl_->file.reset();
    std::error_code ec;
    fs::remove(impl_->tmp, ec);
  }
}

const std::string& Writer::path() const { return impl_->path; }

void Writer::write(const std::string& dataset, const std::vector<std::size_t>& shape, const double* data) {
  if (impl_->committed) fail(impl_->path, dataset, "write after commit");
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  std::size_t n = 1;
  for (auto s : shape) n *= s;
  Handle space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
               H5Sclose);
  Handle d = impl_->create_dataset(dataset, H5T_IEEE_F64LE, space.get());
  if (n > 0 && H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    fail(impl_->tmp, dataset, "write failed");
}

void Writer::write_strings(const std::string& dataset, const std::vector<std::string>& v) {
  if (impl_->committed) fail(impl_->path, dataset, "write after commit");
  hsize_t n = v.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle type = vl_string_type();
  Handle d = impl_->create_dataset(dataset, type.get(), space.get());
  std::vector<const char*> ptrs;
  for (const auto& s : v) ptrs.push_back(s.c_str());
  if (n > 0 && H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0)
    fail(impl_->tmp, dataset, "write failed");
}

void Writer::write_string(const std::string& dataset, const std::string& value) {
  if (impl_->committed) fail(impl_->path, dataset, "write after commit");
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle type = vl_string_type();
  Handle d = impl_->create_dataset(dataset, type.get(), space.get());
  const char* p = value.c_str();
  if (H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0) fail(impl_->tmp, dataset, "write failed");
}

void Writer::attribute(const std::string& object, const std::string& name, const std::string& value) {
  if (impl_->committed) fail(impl_->path, object, "write after commit");
  Handle o = impl_->open_object(object);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle type = vl_string_type();
  Handle a = impl_->fresh_attribute(o.get(), object, name, type.get(), space.get());
  const char* p = value.c_str();
  if (H5Awrite(a.get(), type.get(), &p) < 0) fail(impl_->tmp, object, "cannot write attribute '" + name + "'");
}

void Writer::attribute(const std::string& object, const std::string& name, double value) {
  if (impl_->committed) fail(impl_->path, object, "write after commit");
  Handle o = impl_->open_object(object);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle a = impl_->fresh_attribute(o.get(), object, name, H5T_IEEE_F64LE, space.get());
  if (H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value) < 0) fail(impl_->tmp, object, "cannot write attribute '" + name + "'");
}

void Writer::commit() {
  if (impl_->committed) return;
  if (H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL) < 0) fail(impl_->tmp, "", "flush failed");
  impl_->file.reset();
  std::error_code ec;
  fs::rename(impl_->tmp, impl_->path, ec);
  if (ec) fail(impl_->path, "", "cannot rename '" + impl_->tmp + "': " + ec.message());
  impl_->committed = true;
}

}  // namespace hyseis::core::h5
