#include "hyseis/core/json.hpp"

#include <cmath>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"

namespace hyseis::core::json {

namespace {
// nlohmann writes NaN/Inf as null already; make it explicit so that the file stays valid JSON.
void sanitise(Json& j) {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) j = nullptr;
  else if (j.is_structured())
    for (auto& e : j) sanitise(e);
}
}  // namespace

void write_atomic(const std::string& path, const Json& j) {
  Json copy = j;
  sanitise(copy);
  fs::write_text_atomic(path, copy.dump(2) + "\n");
}

Json read(const std::string& path) {
  const std::string text = fs::read_text(path);
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw IoError("malformed JSON in '" + path + "': " + e.what());
  }
}

Json from_yaml(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  if (node.IsMap()) {
    Json o = Json::object();
    for (const auto& kv : node) o[kv.first.Scalar()] = from_yaml(kv.second);
    return o;
  }
  if (node.IsSequence()) {
    Json a = Json::array();
    for (const auto& e : node) a.push_back(from_yaml(e));
    return a;
  }
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted in the YAML: keep as a string
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  if (s == "null" || s == "~") return nullptr;
  if (!s.empty()) {
    char* end = nullptr;
    const long long i = std::strtoll(s.c_str(), &end, 10);
    if (*end == '\0') return i;
    const double d = std::strtod(s.c_str(), &end);
    if (*end == '\0' && std::isfinite(d)) return d;
  }
  return s;
}

}  // namespace hyseis::core::json
