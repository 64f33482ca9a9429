#pragma once
// hyseis error types. Two kinds of checks, as in deal.II:
//  - HYSEIS_ASSERT: internal invariants (compiled out in Release);
//  - HYSEIS_REQUIRE / typed throws: user input, files, numerics (always on).
// Every user-facing error names what was wrong (file, key, constraint, value).
#include <cassert>
#include <sstream>
#include <stdexcept>
#include <string>

namespace hyseis::core {

/// Base of all hyseis errors; what() is a complete, user-readable message.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

/// Invalid configuration: carries the file, line (1-based, 0 if unknown), YAML path and the
/// violated constraint.
class ConfigError : public Error {
public:
  ConfigError(std::string file, int line, std::string path, std::string constraint)
      : Error(format(file, line, path, constraint)),
        file_(std::move(file)), line_(line), path_(std::move(path)), constraint_(std::move(constraint)) {}
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& path() const { return path_; }
  const std::string& constraint() const { return constraint_; }

private:
  static std::string format(const std::string& file, int line, const std::string& path,
                            const std::string& constraint) {
    std::ostringstream os;
    os << "configuration error";
    if (!file.empty()) os << " in " << file;
    if (line > 0) os << ":" << line;
    if (!path.empty()) os << " at '" << path << "'";
    os << ": " << constraint;
    return os.str();
  }
  std::string file_;
  int line_;
  std::string path_;
  std::string constraint_;
};

/// File or data-format problem (missing file, corrupt HDF5, wrong dataset shape).
class IoError : public Error {
public:
  using Error::Error;
};

/// Numerical failure: unstable time step (CFL), NaN/Inf, blow-up, non-convergence.
class NumericalError : public Error {
public:
  using Error::Error;
};

/// A model or geometry that is physically invalid (negative velocity, receiver outside domain).
class InvalidInput : public Error {
public:
  using Error::Error;
};

}  // namespace hyseis::core

#define HYSEIS_ASSERT(cond) assert(cond)

/// Always-on check for user input / runtime conditions: throws ExcType(message).
#define HYSEIS_REQUIRE(cond, ExcType, msg)                 \
  do {                                                      \
    if (!(cond)) {                                          \
      std::ostringstream hyseis_os_;                        \
      hyseis_os_ << msg;                                    \
      throw ExcType(hyseis_os_.str());                      \
    }                                                       \
  } while (0)
