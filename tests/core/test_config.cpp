#include <gtest/gtest.h>

#include <fstream>

#include "hyseis/core/config.hpp"
#include "tmpdir.hpp"

using namespace hyseis::core;
using hyseis::testing::TempDir;

namespace {

const char* kLayers = R"(medium:
  layers:
    - {z_top: 0, vp: 2000, vs: 1000, rho: 2000}
    - z_top: -1000
      vp: -3000
      vs: 1500
      rho: 2500
time:
  duration: 2.5
  steps: 10
name: demo
)";

// Calls f, expects a ConfigError and returns it.
template <class F> ConfigError expect_error(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError thrown";
  return ConfigError("", 0, "", "");
}

}  // namespace

TEST(Config, TypedGettersAndDefaults) {
  auto doc = config::load_string(kLayers, "s.yaml");
  auto root = doc.root();
  EXPECT_DOUBLE_EQ(root["time"].get<double>("duration"), 2.5);
  EXPECT_EQ(root["time"].get<int>("steps"), 10);
  EXPECT_DOUBLE_EQ(root["time"].get<double>("dt", 0.01), 0.01);
  EXPECT_EQ(root.get<std::string>("name"), "demo");
  auto layers = root["medium"]["layers"].elements();
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_DOUBLE_EQ(layers[0].get("vp", config::Positive()), 2000);
  EXPECT_EQ(layers[1].path(), "medium.layers[1]");
  EXPECT_EQ(layers[1].line(), 4);
}

TEST(Config, ConstraintViolationNamesFileLinePathAndValue) {
  auto doc = config::load_string(kLayers, "s.yaml");
  auto layer = doc.root()["medium"]["layers"].at(1);
  const auto e = expect_error([&] { layer.get("vp", config::Positive()); });
  EXPECT_EQ(e.file(), "s.yaml");
  EXPECT_EQ(e.line(), 5);
  EXPECT_EQ(e.path(), "medium.layers[1].vp");
  EXPECT_EQ(e.constraint(), "must be > 0, got -3000");
  EXPECT_NE(std::string(e.what()).find("s.yaml:5"), std::string::npos) << e.what();
  const auto r = expect_error([&] { doc.root()["time"].get("duration", config::Range(0, 1)); });
  EXPECT_EQ(r.constraint(), "must be in [0, 1], got 2.5");
  EXPECT_EQ(r.line(), 9);
}

TEST(Config, WrongTypes) {
  auto doc = config::load_string("a: abc\nb: 2.5\nc: [1, 2]\nd: yes\ne:\n", "t.yaml");
  auto root = doc.root();
  auto e = expect_error([&] { root.get<double>("a"); });
  EXPECT_EQ(e.constraint(), "expected a number, got 'abc'");
  EXPECT_EQ(e.line(), 1);
  EXPECT_EQ(e.path(), "a");
  e = expect_error([&] { root.get<int>("b"); });
  EXPECT_EQ(e.constraint(), "expected an integer, got '2.5'");
  e = expect_error([&] { root.get<double>("c"); });
  EXPECT_EQ(e.constraint(), "expected a number, got a sequence");
  EXPECT_TRUE(root.get<bool>("d"));
  e = expect_error([&] { root.get<double>("e"); });
  EXPECT_EQ(e.constraint(), "expected a number, got an empty value");
  // An empty value is an empty mapping: defaults apply, required keys are missing.
  EXPECT_NO_THROW(root["e"].allow_keys({"x"}));
  EXPECT_DOUBLE_EQ(root["e"].get<double>("x", 4.0), 4.0);
  EXPECT_EQ(expect_error([&] { root["e"].get<double>("x"); }).constraint(), "missing required key 'x'");
  e = expect_error([&] { root["c"].get<double>("x"); });
  EXPECT_NE(e.constraint().find("expected a mapping"), std::string::npos);
  EXPECT_EQ(root.get<std::vector<double>>("c"), (std::vector<double>{1, 2}));
}

TEST(Config, UnknownAndMissingKeys) {
  auto doc = config::load_string("layer:\n  vp: 1\n  vpp: 2\n", "u.yaml");
  auto layer = doc.root()["layer"];
  auto e = expect_error([&] { layer.allow_keys({"vp", "vs", "rho", "z_top"}); });
  EXPECT_EQ(e.constraint(), "unknown key 'vpp'; allowed: vp, vs, rho, z_top");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.path(), "layer.vpp");
  e = expect_error([&] { layer.get<double>("rho"); });
  EXPECT_EQ(e.constraint(), "missing required key 'rho'");
  EXPECT_EQ(e.path(), "layer");
  EXPECT_EQ(e.line(), 2);
}

TEST(Config, DuplicateKeys) {
  auto doc = config::load_string("layer:\n  vp: 1\n  vs: 2\n  vp: 3\n", "d.yaml");
  const auto e = expect_error([&] { doc.root()["layer"].allow_keys({"vp", "vs"}); });
  EXPECT_EQ(e.constraint(), "duplicate key 'vp' (first given on line 2)");
  EXPECT_EQ(e.line(), 4);
  EXPECT_EQ(e.path(), "layer.vp");
}

TEST(Config, ChoicesAndIntegerRanges) {
  auto doc = config::load_string("top: fre\ndegree: 12\n", "c.yaml");
  auto e = expect_error([&] { doc.root().get_choice("top", {"free", "absorbing"}); });
  EXPECT_EQ(e.constraint(), "must be one of: free, absorbing; got 'fre'");
  EXPECT_EQ(doc.root().get_choice("bottom", {"free", "absorbing"}, "absorbing"), "absorbing");
  e = expect_error([&] { doc.root().get_int("degree", 4, 1, 8); });
  EXPECT_EQ(e.constraint(), "must be in [1, 8], got 12");
  EXPECT_EQ(e.line(), 2);
}

TEST(Config, MalformedYamlReportsLine) {
  TempDir dir("cfg");
  const auto file = dir.file("bad.yaml");
  std::ofstream(file) << "a: 1\nb: [1, 2\nc: 3\n";
  const auto e = expect_error([&] { config::load_file(file); });
  EXPECT_EQ(e.file(), file);
  EXPECT_GE(e.line(), 2);
  EXPECT_NE(e.constraint().find("malformed YAML"), std::string::npos) << e.what();
  const auto m = expect_error([&] { config::load_file(dir.file("missing.yaml")); });
  EXPECT_EQ(m.constraint(), "cannot open file");
}

TEST(Config, OverridesReplaceCreateAndIndex) {
  auto doc = config::load_string(kLayers, "s.yaml",
                                 {"time.duration=2", "medium.layers[0].vp=2500", "output.vtu=true",
                                  "receivers.line.to=[1000, 0]"});
  auto root = doc.root();
  EXPECT_DOUBLE_EQ(root["time"].get<double>("duration"), 2);
  EXPECT_DOUBLE_EQ(root["medium"]["layers"].at(0).get<double>("vp"), 2500);
  EXPECT_TRUE(root["output"].get<bool>("vtu"));
  EXPECT_EQ(root["receivers"]["line"].get<std::vector<double>>("to"), (std::vector<double>{1000, 0}));
  // untouched siblings stay
  EXPECT_EQ(root["time"].get<int>("steps"), 10);
  EXPECT_NE(doc.yaml_text().find("2500"), std::string::npos);
}

TEST(Config, OverrideErrorsPointAtTheCommandLine) {
  auto doc = config::load_string(kLayers, "s.yaml", {"time.duration=abc"});
  const auto e = expect_error([&] { doc.root()["time"].get<double>("duration"); });
  EXPECT_EQ(e.file(), "--set time.duration=abc");
  EXPECT_EQ(e.path(), "time.duration");
  EXPECT_EQ(e.constraint(), "expected a number, got 'abc'");
  auto bad = expect_error([&] { config::load_string(kLayers, "s.yaml", {"novalue"}); });
  EXPECT_NE(bad.constraint().find("key.path=value"), std::string::npos);
  bad = expect_error([&] { config::load_string(kLayers, "s.yaml", {"name.x=1"}); });
  EXPECT_NE(bad.constraint().find("'name' is not a mapping"), std::string::npos);
  bad = expect_error([&] { config::load_string(kLayers, "s.yaml", {"medium.layers[5].vp=1"}); });
  EXPECT_NE(bad.constraint().find("out of range"), std::string::npos);
}

TEST(Config, OneOf) {
  auto doc = config::load_string("m: {layers: [], model: a.h5}\nn: {}\n", "o.yaml");
  auto e = expect_error([&] { doc.root()["m"].one_of({"layers", "model"}); });
  EXPECT_NE(e.constraint().find("exactly one of: layers, model"), std::string::npos);
  e = expect_error([&] { doc.root()["n"].one_of({"layers", "model"}); });
  EXPECT_EQ(e.path(), "n");
}
