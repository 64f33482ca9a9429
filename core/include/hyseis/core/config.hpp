#pragma once
// YAML configuration with errors that point at the offending line.
//
//   auto doc = config::load_file("scenario.yaml", {"time.duration=2"});
//   config::Node root = doc.root();
//   root.allow_keys({"medium", "time"});
//   double vp = root["medium"].at(0).get<double>("vp", config::Positive{});
//
// Every failure throws core::ConfigError(file, line, path, constraint) where `line` is the
// 1-based line of the offending node (or of the mapping that lacks a required key) and `path`
// is the YAML path ("medium.layers[1].vp"). Values set with `--set` report the command-line
// assignment instead of a file line.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hyseis/core/error.hpp"

namespace hyseis::core::config {

/// A numeric constraint: `ok(v)` and a description such as "must be > 0".
struct Constraint {
  std::function<bool(double)> ok;
  std::string description;
};
Constraint Positive();                         // > 0
Constraint NonNegative();                      // >= 0
Constraint Greater(double lo);                 // > lo
Constraint AtLeast(double lo);                 // >= lo
Constraint Range(double lo, double hi);        // lo <= v <= hi
Constraint OpenRange(double lo, double hi);    // lo < v < hi

struct Context;  // file name and the paths set on the command line

class Node {
public:
  Node(YAML::Node node, std::shared_ptr<const Context> ctx, std::string path, int line);

  const std::string& path() const { return path_; }
  const std::string& file() const;
  /// 1-based line of this node in the file; 0 if unknown (e.g. set with --set).
  int line() const { return line_; }
  const YAML::Node& yaml() const { return node_; }

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool has(const std::string& key) const;
  std::size_t size() const;

  /// Child of a mapping; throws "missing required key" if absent, "expected a mapping" if
  /// this node is not one.
  Node operator[](const std::string& key) const;
  std::optional<Node> optional(const std::string& key) const;
  /// Element of a sequence.
  Node at(std::size_t i) const;
  /// Elements of a sequence (throws "expected a sequence" otherwise).
  std::vector<Node> elements() const;
  /// Keys of a mapping in file order.
  std::vector<std::string> keys() const;

  /// Throws "unknown key 'vpp'; allowed: vp, vs, rho" for the first key not in `allowed`, and
  /// "duplicate key 'vp' (first given on line 3)" for a repeated key.
  void allow_keys(const std::vector<std::string>& allowed) const;
  /// Throws unless this is a mapping.
  void require_map() const;
  /// Throws unless exactly one of `keys` is present ("give exactly one of: a, b").
  std::string one_of(const std::vector<std::string>& keys) const;

  /// Typed value of this scalar node. Supported T: double, int, long long, bool, std::string,
  /// std::vector<double>, std::vector<std::string>.
  template <class T> T as() const;
  /// as<double>() checked against a constraint ("must be > 0, got -3000").
  double as_number(const Constraint& c) const;

  /// Required typed value of a child.
  template <class T> T get(const std::string& key) const { return (*this)[key].template as<T>(); }
  /// Optional typed value of a child with a default.
  template <class T> T get(const std::string& key, const T& fallback) const {
    auto n = optional(key);
    return n ? n->template as<T>() : fallback;
  }
  /// Required numeric value with a constraint.
  double get(const std::string& key, const Constraint& c) const { return (*this)[key].as_number(c); }
  /// Optional numeric value with a default and a constraint (the default is not checked).
  double get(const std::string& key, double fallback, const Constraint& c) const {
    auto n = optional(key);
    return n ? n->as_number(c) : fallback;
  }
  int get_int(const std::string& key, int fallback, int lo, int hi) const;
  /// String restricted to `choices` ("must be one of: free, absorbing; got 'fre'").
  std::string choice(const std::vector<std::string>& choices) const;
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices,
                         const std::string& fallback) const;
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices) const;

  /// A ConfigError located at this node.
  [[noreturn]] void fail(const std::string& constraint) const;
  ConfigError error(const std::string& constraint) const;

private:
  std::string child_path(const std::string& key) const;
  YAML::Node node_;
  std::shared_ptr<const Context> ctx_;
  std::string path_;
  int line_ = 0;
};

template <> std::string Node::as<std::string>() const;
template <> double Node::as<double>() const;
template <> long long Node::as<long long>() const;
template <> int Node::as<int>() const;
template <> bool Node::as<bool>() const;
template <> std::vector<double> Node::as<std::vector<double>>() const;
template <> std::vector<std::string> Node::as<std::vector<std::string>>() const;

/// A loaded YAML document plus the overrides applied to it.
class Document {
public:
  Document() = default;
  Node root() const;
  const std::string& file() const;
  /// The (overridden) YAML, emitted back as text.
  std::string yaml_text() const;
  /// Folder of the file ("" for documents loaded from a string), for relative paths.
  std::string directory() const;
  YAML::Node yaml() const { return root_; }

private:
  friend Document load_file(const std::string&, const std::vector<std::string>&);
  friend Document load_string(const std::string&, const std::string&, const std::vector<std::string>&);
  YAML::Node root_;
  std::shared_ptr<Context> ctx_;
};

/// Parses a YAML file and applies `key.path=value` overrides (value parsed as YAML, so
/// `a.b=2`, `a.b=[1,2]`, `a.b=text`; list elements as `a.list[1].x=3`; missing mappings are
/// created). Malformed YAML: ConfigError with the parser's line and message. Missing file:
/// ConfigError("cannot open file").
Document load_file(const std::string& file, const std::vector<std::string>& overrides = {});
/// Same for YAML text; `name` stands for the file in messages.
Document load_string(const std::string& text, const std::string& name,
                     const std::vector<std::string>& overrides = {});

}  // namespace hyseis::core::config
