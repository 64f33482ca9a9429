#include "hyseis/core/config.hpp"

#include <cerrno>
#include <cmath>
#include <limits>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace hyseis::core::config {

struct Context {
  std::string file;
  // YAML path set on the command line -> the assignment as given ("time.dt=0.001").
  std::map<std::string, std::string> overrides;
};

namespace {

std::string fmt_number(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

std::string describe(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "an empty value";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a sequence";
  return "'" + n.Scalar() + "'";
}

int line_of(const YAML::Node& n, int fallback) {
  if (!n.IsDefined()) return fallback;
  const int l = n.Mark().line;
  return l >= 0 ? l + 1 : fallback;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

bool parse_double(const std::string& s, double& out) {
  if (s.empty()) return false;
  // YAML spellings of infinity / NaN are not accepted: every hyseis number is finite.
  const char* b = s.c_str();
  char* e = nullptr;
  out = std::strtod(b, &e);
  if (e == b) return false;
  while (*e == ' ') ++e;
  return *e == '\0' && std::isfinite(out);
}

bool parse_integer(const std::string& s, long long& out) {
  if (s.empty()) return false;
  const char* b = s.c_str();
  char* e = nullptr;
  errno = 0;
  out = std::strtoll(b, &e, 10);
  if (e == b || errno != 0) return false;
  while (*e == ' ') ++e;
  return *e == '\0';
}

}  // namespace

// --- constraints ---------------------------------------------------------------------------
Constraint Positive() { return {[](double v) { return v > 0; }, "must be > 0"}; }
Constraint NonNegative() { return {[](double v) { return v >= 0; }, "must be >= 0"}; }
Constraint Greater(double lo) {
  return {[lo](double v) { return v > lo; }, "must be > " + fmt_number(lo)};
}
Constraint AtLeast(double lo) {
  return {[lo](double v) { return v >= lo; }, "must be >= " + fmt_number(lo)};
}
Constraint Range(double lo, double hi) {
  return {[lo, hi](double v) { return v >= lo && v <= hi; },
          "must be in [" + fmt_number(lo) + ", " + fmt_number(hi) + "]"};
}
Constraint OpenRange(double lo, double hi) {
  return {[lo, hi](double v) { return v > lo && v < hi; },
          "must be in (" + fmt_number(lo) + ", " + fmt_number(hi) + ")"};
}

// --- Node ----------------------------------------------------------------------------------
Node::Node(YAML::Node node, std::shared_ptr<const Context> ctx, std::string path, int line)
    : node_(std::move(node)), ctx_(std::move(ctx)), path_(std::move(path)), line_(line) {}

const std::string& Node::file() const { return ctx_->file; }

ConfigError Node::error(const std::string& constraint) const {
  // A value that came from --set is reported as such (it has no line in the file).
  for (const auto& [p, assignment] : ctx_->overrides) {
    const bool inside = path_ == p || (path_.size() > p.size() && path_.compare(0, p.size(), p) == 0 &&
                                       (path_[p.size()] == '.' || path_[p.size()] == '['));
    if (inside) return ConfigError("--set " + assignment, 0, path_, constraint);
  }
  return ConfigError(ctx_->file, line_, path_, constraint);
}

void Node::fail(const std::string& constraint) const { throw error(constraint); }

std::string Node::child_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void Node::require_map() const {
  // An empty value ("output:" with nothing below) counts as an empty mapping.
  if (!node_.IsMap() && !node_.IsNull()) fail("expected a mapping (key: value lines), got " + describe(node_));
}

bool Node::has(const std::string& key) const {
  if (!node_.IsMap()) return false;
  const YAML::Node& c = node_;
  return static_cast<bool>(c[key]);
}

std::size_t Node::size() const { return node_.IsDefined() ? node_.size() : 0; }

Node Node::operator[](const std::string& key) const {
  require_map();
  if (node_.IsNull()) fail("missing required key '" + key + "'");
  const YAML::Node& c = node_;
  YAML::Node child = c[key];
  if (!child) fail("missing required key '" + key + "'");
  return Node(child, ctx_, child_path(key), line_of(child, line_));
}

std::optional<Node> Node::optional(const std::string& key) const {
  if (!node_.IsDefined() || node_.IsNull()) return std::nullopt;
  require_map();
  const YAML::Node& c = node_;
  YAML::Node child = c[key];
  if (!child) return std::nullopt;
  return Node(child, ctx_, child_path(key), line_of(child, line_));
}

Node Node::at(std::size_t i) const {
  if (!node_.IsSequence()) fail("expected a sequence, got " + describe(node_));
  if (i >= node_.size()) fail("index " + std::to_string(i) + " out of range (" + std::to_string(node_.size()) + " elements)");
  const YAML::Node& c = node_;
  YAML::Node child = c[i];
  return Node(child, ctx_, path_ + "[" + std::to_string(i) + "]", line_of(child, line_));
}

std::vector<Node> Node::elements() const {
  if (!node_.IsSequence()) fail("expected a sequence, got " + describe(node_));
  std::vector<Node> out;
  for (std::size_t i = 0; i < node_.size(); ++i) out.push_back(at(i));
  return out;
}

std::vector<std::string> Node::keys() const {
  require_map();
  if (node_.IsNull()) return {};
  std::vector<std::string> k;
  for (const auto& kv : node_) k.push_back(kv.first.Scalar());
  return k;
}

void Node::allow_keys(const std::vector<std::string>& allowed) const {
  require_map();
  if (node_.IsNull()) return;
  std::map<std::string, int> seen;  // key -> line of its first occurrence
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    const int line = line_of(kv.first, line_);
    if (auto it = seen.find(key); it != seen.end()) {
      Node dup(kv.second, ctx_, child_path(key), line);
      dup.fail("duplicate key '" + key + "' (first given on line " + std::to_string(it->second) + ")");
    }
    seen[key] = line;
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == key;
    if (!ok) {
      Node bad(kv.second, ctx_, child_path(key), line_of(kv.first, line_));
      bad.fail("unknown key '" + key + "'; allowed: " + join(allowed));
    }
  }
}

std::string Node::one_of(const std::vector<std::string>& keys) const {
  require_map();
  std::vector<std::string> present;
  for (const auto& k : keys)
    if (has(k)) present.push_back(k);
  if (present.size() != 1)
    fail("give exactly one of: " + join(keys) + (present.empty() ? "" : " (found: " + join(present) + ")"));
  return present.front();
}

template <> std::string Node::as<std::string>() const {
  if (!node_.IsScalar()) fail("expected a string, got " + describe(node_));
  return node_.Scalar();
}

template <> double Node::as<double>() const {
  double v = 0;
  if (!node_.IsScalar() || !parse_double(node_.Scalar(), v))
    fail("expected a number, got " + describe(node_));
  return v;
}

template <> long long Node::as<long long>() const {
  long long v = 0;
  if (!node_.IsScalar() || !parse_integer(node_.Scalar(), v))
    fail("expected an integer, got " + describe(node_));
  return v;
}

template <> int Node::as<int>() const {
  const long long v = as<long long>();
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
    fail("integer out of range, got " + std::to_string(v));
  return static_cast<int>(v);
}

template <> bool Node::as<bool>() const {
  bool v = false;
  if (!node_.IsScalar() || !YAML::convert<bool>::decode(node_, v))
    fail("expected true or false, got " + describe(node_));
  return v;
}

template <> std::vector<double> Node::as<std::vector<double>>() const {
  if (!node_.IsSequence()) fail("expected a sequence of numbers, got " + describe(node_));
  std::vector<double> v;
  for (const auto& e : elements()) v.push_back(e.as<double>());
  return v;
}

template <> std::vector<std::string> Node::as<std::vector<std::string>>() const {
  if (!node_.IsSequence()) fail("expected a sequence of strings, got " + describe(node_));
  std::vector<std::string> v;
  for (const auto& e : elements()) v.push_back(e.as<std::string>());
  return v;
}

double Node::as_number(const Constraint& c) const {
  const double v = as<double>();
  if (!c.ok(v)) fail(c.description + ", got " + fmt_number(v));
  return v;
}

int Node::get_int(const std::string& key, int fallback, int lo, int hi) const {
  auto n = optional(key);
  if (!n) return fallback;
  const int v = n->as<int>();
  if (v < lo || v > hi)
    n->fail("must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(v));
  return v;
}

std::string Node::choice(const std::vector<std::string>& choices) const {
  const std::string v = as<std::string>();
  for (const auto& c : choices)
    if (c == v) return v;
  fail("must be one of: " + join(choices) + "; got '" + v + "'");
}

std::string Node::get_choice(const std::string& key, const std::vector<std::string>& choices,
                             const std::string& fallback) const {
  auto n = optional(key);
  return n ? n->choice(choices) : fallback;
}

std::string Node::get_choice(const std::string& key, const std::vector<std::string>& choices) const {
  return (*this)[key].choice(choices);
}

// --- Document ------------------------------------------------------------------------------
Node Document::root() const {
  return Node(root_, ctx_, "", line_of(root_, 1));
}
const std::string& Document::file() const { return ctx_->file; }

std::string Document::yaml_text() const {
  YAML::Emitter out;
  out << root_;
  return std::string(out.c_str()) + "\n";
}

std::string Document::directory() const {
  if (ctx_->file.empty()) return "";
  const auto parent = std::filesystem::path(ctx_->file).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

namespace {

struct Token {
  bool is_index = false;
  std::string key;
  std::size_t index = 0;
};

[[noreturn]] void bad_assignment(const std::string& assignment, const std::string& what) {
  throw ConfigError("--set " + assignment, 0, "", what);
}

std::vector<Token> parse_key_path(const std::string& key, const std::string& assignment) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < key.size()) {
    if (key[i] == '.') {
      if (tokens.empty() || i + 1 >= key.size()) bad_assignment(assignment, "malformed key path '" + key + "'");
      ++i;
      continue;
    }
    if (key[i] == '[') {
      const auto close = key.find(']', i);
      if (close == std::string::npos || tokens.empty()) bad_assignment(assignment, "malformed index in '" + key + "'");
      long long idx = 0;
      if (!parse_integer(key.substr(i + 1, close - i - 1), idx) || idx < 0)
        bad_assignment(assignment, "malformed index in '" + key + "'");
      tokens.push_back({true, "", static_cast<std::size_t>(idx)});
      i = close + 1;
      continue;
    }
    const auto end = key.find_first_of(".[", i);
    const std::string name = key.substr(i, end == std::string::npos ? std::string::npos : end - i);
    tokens.push_back({false, name, 0});
    i = end == std::string::npos ? key.size() : end;
  }
  if (tokens.empty()) bad_assignment(assignment, "expected key.path=value");
  return tokens;
}

// Recursion on copies: a YAML::Node copy shares identity, whereas assigning to an existing
// Node variable would overwrite the node it refers to.
void set_path(YAML::Node node, const std::vector<Token>& tokens, std::size_t k, const YAML::Node& value,
              const std::string& assignment, const std::string& path_so_far) {
  const Token& t = tokens[k];
  const bool last = k + 1 == tokens.size();
  const std::string where = path_so_far.empty() ? "the document root" : "'" + path_so_far + "'";
  if (!t.is_index) {
    if (!(node.IsMap() || node.IsNull() || !node.IsDefined()))
      bad_assignment(assignment, where + " is not a mapping");
    const std::string child = path_so_far.empty() ? t.key : path_so_far + "." + t.key;
    if (last) {
      node[t.key] = value;
      return;
    }
    YAML::Node next = node[t.key];
    set_path(next, tokens, k + 1, value, assignment, child);
  } else {
    if (!node.IsSequence()) bad_assignment(assignment, where + " is not a sequence");
    if (t.index > node.size())
      bad_assignment(assignment, "index " + std::to_string(t.index) + " out of range for " + where +
                                     " (" + std::to_string(node.size()) + " elements)");
    const std::string child = path_so_far + "[" + std::to_string(t.index) + "]";
    if (t.index == node.size()) node.push_back(YAML::Node(YAML::NodeType::Null));
    if (last) {
      node[t.index] = value;
      return;
    }
    YAML::Node next = node[t.index];
    set_path(next, tokens, k + 1, value, assignment, child);
  }
}

std::string canonical_path(const std::vector<Token>& tokens) {
  std::string p;
  for (const auto& t : tokens) {
    if (t.is_index) p += "[" + std::to_string(t.index) + "]";
    else p += (p.empty() ? "" : ".") + t.key;
  }
  return p;
}

void apply_overrides(YAML::Node& root, Context& ctx, const std::vector<std::string>& overrides) {
  for (const auto& assignment : overrides) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0) bad_assignment(assignment, "expected key.path=value");
    const std::string key = assignment.substr(0, eq);
    const std::string text = assignment.substr(eq + 1);
    const auto tokens = parse_key_path(key, assignment);
    YAML::Node value;
    try {
      value = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      bad_assignment(assignment, "cannot parse value '" + text + "': " + e.msg);
    }
    if (!root.IsDefined() || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
    set_path(root, tokens, 0, value, assignment, "");
    ctx.overrides[canonical_path(tokens)] = assignment;
  }
}

void make(const std::string& text, const std::string& name, const std::vector<std::string>& overrides,
          YAML::Node& root, std::shared_ptr<Context>& ctx) {
  ctx = std::make_shared<Context>();
  ctx->file = name;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError(name, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "malformed YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ConfigError(name, e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "cannot read YAML: " + e.msg);
  }
  apply_overrides(root, *ctx, overrides);
}

}  // namespace

Document load_string(const std::string& text, const std::string& name, const std::vector<std::string>& overrides) {
  Document d;
  make(text, name, overrides, d.root_, d.ctx_);
  return d;
}

Document load_file(const std::string& file, const std::vector<std::string>& overrides) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file, 0, "", "cannot open file");
  std::ostringstream ss;
  ss << in.rdbuf();
  Document d;
  make(ss.str(), file, overrides, d.root_, d.ctx_);
  return d;
}

}  // namespace hyseis::core::config
