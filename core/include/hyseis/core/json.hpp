#pragma once
// JSON outputs (summary.json, reports): nlohmann::json, written atomically.
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <string>

namespace hyseis::core::json {

/// Keys keep their insertion order (summary files read top to bottom).
using Json = nlohmann::ordered_json;

/// Writes `j` (pretty-printed, 2-space indent) to `<path>.tmp`, then renames. Non-finite
/// numbers are written as null. Throws core::IoError.
void write_atomic(const std::string& path, const Json& j);

/// Reads a JSON file. Throws core::IoError naming the file (missing, or malformed with position).
Json read(const std::string& path);

/// Converts YAML to JSON: mappings -> objects, sequences -> arrays, scalars -> number / bool /
/// null when they parse as such, else string.
Json from_yaml(const YAML::Node& node);

}  // namespace hyseis::core::json
