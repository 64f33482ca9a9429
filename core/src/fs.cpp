#include "hyseis/core/fs.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hyseis/core/error.hpp"

namespace hyseis::core::fs {

namespace stdfs = std::filesystem;

namespace {
bool replaceable(const stdfs::path& dir) {
  std::error_code ec;
  if (!stdfs::exists(dir, ec)) return true;
  if (!stdfs::is_directory(dir, ec)) return false;
  return stdfs::is_empty(dir, ec) || stdfs::exists(dir / AtomicDir::kMarker, ec);
}
}  // namespace

AtomicDir::AtomicDir(stdfs::path final_dir) : final_(std::move(final_dir)) {
  if (final_.empty()) throw IoError("output directory: empty path");
  // "runs/x/" has an empty filename; normalise so that the partial sibling is "runs/x.partial".
  final_ = final_.lexically_normal();
  if (!final_.has_filename()) final_ = final_.parent_path();
  const std::string name = final_.filename().string();
  if (name.empty() || name == "." || name == "..")
    throw IoError("output directory '" + final_dir.string() + "': give a folder name (it is replaced as a whole)");
  std::error_code ec;
  if (stdfs::exists(final_, ec) && !stdfs::is_directory(final_, ec))
    throw IoError("output directory '" + final_.string() + "' exists and is not a directory");
  if (!replaceable(final_))
    throw IoError("output directory '" + final_.string() + "' exists and was not written by hyseis (no " +
                  std::string(kMarker) + " inside); refusing to replace it: choose another folder or remove it");
  partial_ = final_;
  partial_ += ".partial";
  stdfs::remove_all(partial_, ec);
  if (ec) throw IoError("cannot remove stale '" + partial_.string() + "': " + ec.message());
  stdfs::create_directories(partial_, ec);
  if (ec) throw IoError("cannot create output directory '" + partial_.string() + "': " + ec.message());
}

AtomicDir::~AtomicDir() {
  if (!committed_) {
    std::error_code ec;
    stdfs::remove_all(partial_, ec);
  }
}

void AtomicDir::commit() {
  if (committed_) return;
  write_text_atomic((partial_ / kMarker).string(), "written by hyseis; this folder is replaced by the next run\n");
  std::error_code ec;
  if (!replaceable(final_))
    throw IoError("output directory '" + final_.string() + "' appeared during the run and was not written by hyseis");
  if (stdfs::exists(final_, ec)) {
    stdfs::remove_all(final_, ec);
    if (ec) throw IoError("cannot replace '" + final_.string() + "': " + ec.message());
  }
  stdfs::rename(partial_, final_, ec);
  if (ec) throw IoError("cannot rename '" + partial_.string() + "' to '" + final_.string() + "': " + ec.message());
  committed_ = true;
}

void write_text_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError("cannot create '" + tmp + "'");
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      stdfs::remove(tmp, ec);
      throw IoError("cannot write '" + tmp + "'");
    }
  }
  std::error_code ec;
  stdfs::rename(tmp, path, ec);
  if (ec) {
    stdfs::remove(tmp, ec);
    throw IoError("cannot rename '" + tmp + "' to '" + path + "'");
  }
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string validation_data_root(const std::string& near_file) {
  if (const char* env = std::getenv("HYSEIS_VALIDATION_DATA"); env && *env) return env;
  const stdfs::path start = stdfs::absolute(stdfs::path(near_file)).parent_path();
  for (stdfs::path dir = start;; dir = dir.parent_path()) {
    const stdfs::path v = dir / "shared" / "validation";
    if (stdfs::is_directory(v)) return v.lexically_normal().string();
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
  }
  return (start / ".." / ".." / "shared" / "validation").lexically_normal().string();
}

}  // namespace hyseis::core::fs
