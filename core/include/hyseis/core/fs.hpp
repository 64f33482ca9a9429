#pragma once
// Atomic output directories and files: results appear under their final name only when complete.
#include <filesystem>
#include <string>

namespace hyseis::core::fs {

/// Everything is written into `<dir>.partial` (created empty; a stale one from a crashed run
/// is removed). commit() writes a marker file (kMarker) into it, removes an existing `<dir>`
/// and renames the partial directory into place. Destroying an uncommitted AtomicDir removes
/// the partial directory, so a failed run leaves neither a half-written `<dir>` nor a
/// `.partial`. Errors throw core::IoError.
///
/// Safety: an existing `<dir>` is only ever replaced if it is empty or carries the marker
/// (i.e. an earlier AtomicDir made it); anything else (a file, a foreign folder, ".") is
/// refused already in the constructor, before any work is done.
class AtomicDir {
public:
  static constexpr const char* kMarker = ".hyseis-output";
  explicit AtomicDir(std::filesystem::path final_dir);
  ~AtomicDir();
  AtomicDir(const AtomicDir&) = delete;
  AtomicDir& operator=(const AtomicDir&) = delete;

  /// The directory to write into (`<dir>.partial`).
  const std::filesystem::path& path() const { return partial_; }
  const std::filesystem::path& final_path() const { return final_; }
  /// `path() / name` as a string.
  std::string file(const std::string& name) const { return (partial_ / name).string(); }
  void commit();
  bool committed() const { return committed_; }

private:
  std::filesystem::path final_, partial_;
  bool committed_ = false;
};

/// Writes `text` to `<path>.tmp` and renames it to `path`. Throws core::IoError.
void write_text_atomic(const std::string& path, const std::string& text);

/// Reads a whole text file. Throws core::IoError naming the file.
std::string read_text(const std::string& path);

/// Root of the shared validation data for a file (e.g. a scenario YAML): $HYSEIS_VALIDATION_DATA
/// when it is set and not empty; else the first `shared/validation` folder found in the file's
/// folder or one of its parents (<checkout>/../shared/validation for the repository's files);
/// else <file's folder>/../../shared/validation, which does not exist: callers that need a file
/// in it report the full path.
std::string validation_data_root(const std::string& near_file);

}  // namespace hyseis::core::fs
