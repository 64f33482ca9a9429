#include "hyseis/core/fs.hpp"

#include <fstream>
#include <sstream>

#include "hyseis/core/error.hpp"

namespace hyseis::core::fs {

namespace stdfs = std::filesystem;

AtomicDir::AtomicDir(stdfs::path final_dir) : final_(std::move(final_dir)) {
  if (final_.empty()) throw IoError("output directory: empty path");
  // "runs/x/" has an empty filename; normalise so that the partial sibling is "runs/x.partial".
  if (!final_.has_filename()) final_ = final_.parent_path();
  partial_ = final_;
  partial_ += ".partial";
  std::error_code ec;
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
  std::error_code ec;
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

}  // namespace hyseis::core::fs
