#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/progress.hpp"
#include "tmpdir.hpp"

using namespace hyseis::core;
using hyseis::testing::TempDir;
namespace stdfs = std::filesystem;

TEST(AtomicDir, CommitReplacesOldOutput) {
  TempDir dir("fs");
  const auto out = dir.path() / "run";
  {
    fs::AtomicDir first(out);
    std::ofstream(first.file("old.txt")) << "old";
    first.commit();
  }
  EXPECT_TRUE(stdfs::exists(out / fs::AtomicDir::kMarker));
  {
    fs::AtomicDir ad(dir.path() / "run/");
    EXPECT_EQ(ad.path(), dir.path() / "run.partial");
    EXPECT_TRUE(stdfs::is_directory(ad.path()));
    std::ofstream(ad.file("new.txt")) << "new";
    EXPECT_TRUE(stdfs::exists(out / "old.txt")) << "old result stays until commit";
    ad.commit();
  }
  EXPECT_TRUE(stdfs::exists(out / "new.txt"));
  EXPECT_FALSE(stdfs::exists(out / "old.txt"));
  EXPECT_FALSE(stdfs::exists(dir.path() / "run.partial"));
  // An empty folder may be replaced too.
  stdfs::create_directories(dir.path() / "empty");
  fs::AtomicDir e(dir.path() / "empty");
  e.commit();
  EXPECT_TRUE(stdfs::exists(dir.path() / "empty" / fs::AtomicDir::kMarker));
}

TEST(AtomicDir, RefusesToReplaceForeignFoldersFilesAndDot) {
  TempDir dir("fs");
  const auto foreign = dir.path() / "thesis";
  stdfs::create_directories(foreign);
  std::ofstream(foreign / "chapter1.tex") << "precious";
  EXPECT_THROW(fs::AtomicDir{foreign}, IoError);
  EXPECT_TRUE(stdfs::exists(foreign / "chapter1.tex"));
  EXPECT_FALSE(stdfs::exists(dir.path() / "thesis.partial"));
  std::ofstream(dir.path() / "file.txt") << "x";
  EXPECT_THROW(fs::AtomicDir{dir.path() / "file.txt"}, IoError);
  EXPECT_THROW(fs::AtomicDir{"."}, IoError);
  EXPECT_THROW(fs::AtomicDir{dir.path() / ".."}, IoError);
  EXPECT_THROW(fs::AtomicDir{""}, IoError);
}

TEST(AtomicDir, FailureRemovesPartialAndKeepsOld) {
  TempDir dir("fs");
  const auto out = dir.path() / "run";
  {
    fs::AtomicDir first(out);
    std::ofstream(first.file("old.txt")) << "old";
    first.commit();
  }
  // A stale partial directory from a crashed run is cleared.
  stdfs::create_directories(dir.path() / "run.partial");
  std::ofstream(dir.path() / "run.partial" / "stale.txt") << "x";
  try {
    fs::AtomicDir ad(out);
    EXPECT_FALSE(stdfs::exists(ad.path() / "stale.txt"));
    std::ofstream(ad.file("half.txt")) << "half";
    throw std::runtime_error("solver failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(stdfs::exists(dir.path() / "run.partial"));
  EXPECT_TRUE(stdfs::exists(out / "old.txt"));
}

TEST(Json, AtomicWriteAndReadBack) {
  TempDir dir("json");
  const auto f = dir.file("summary.json");
  json::Json j = {{"name", "x"}, {"n", 3}, {"bad", std::numeric_limits<double>::quiet_NaN()}, {"v", {1.5, 2.5}}};
  json::write_atomic(f, j);
  EXPECT_FALSE(stdfs::exists(f + ".tmp"));
  const auto r = json::read(f);
  EXPECT_EQ(r["name"], "x");
  EXPECT_EQ(r["n"], 3);
  EXPECT_TRUE(r["bad"].is_null());
  EXPECT_DOUBLE_EQ(r["v"][1].get<double>(), 2.5);
  std::ofstream(dir.file("broken.json")) << "{\"a\": ";
  EXPECT_THROW(json::read(dir.file("broken.json")), IoError);
  EXPECT_THROW(json::read(dir.file("missing.json")), IoError);
}

TEST(Json, FromYaml) {
  const auto y = YAML::Load("a: 1\nb: 2.5\nc: [x, true, null]\nd: {e: '7'}\n");
  const auto j = json::from_yaml(y);
  EXPECT_EQ(j["a"], 1);
  EXPECT_DOUBLE_EQ(j["b"].get<double>(), 2.5);
  EXPECT_EQ(j["c"][0], "x");
  EXPECT_EQ(j["c"][1], true);
  EXPECT_TRUE(j["c"][2].is_null());
  EXPECT_EQ(j["d"]["e"], "7");
}

TEST(Progress, LogModeEmitsTenLinesAndTerminalModeDrawsBar) {
  ::testing::internal::CaptureStderr();
  {
    Progress p("steps", 1000, true);
    p.set_terminal(true);
    for (int i = 0; i <= 1000; i += 100) p.update(i);
    p.finish();
  }
  const std::string bar = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(bar.find("100.0%"), std::string::npos) << bar;
  EXPECT_EQ(bar.find("100.0%"), bar.rfind("100.0%")) << "final state drawn once: " << bar;
  EXPECT_EQ(bar.back(), '\n');
  EXPECT_NE(bar.find("steps ["), std::string::npos) << bar;
  init_logging(0, "info");
  ::testing::internal::CaptureStderr();
  {
    Progress p("steps", 1000, true);
    p.set_terminal(false);
    for (int i = 0; i <= 1000; i += 5) p.update(i);
    p.finish();
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  int lines = 0;
  for (std::size_t pos = 0; (pos = log.find("steps:", pos)) != std::string::npos; ++pos) ++lines;
  EXPECT_EQ(lines, 11) << log;  // 0 %, 10 %, ..., 100 %
  EXPECT_NE(log.find("100%"), std::string::npos) << log;
  ::testing::internal::CaptureStderr();
  {
    Progress silent("quiet", 10, false);
    for (int i = 0; i <= 10; ++i) silent.update(i);
    silent.finish();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_GT(peak_rss_mib(), 1.0);
}

// $HYSEIS_VALIDATION_DATA wins; else the first shared/validation above the file; else the
// conventional <file dir>/../../shared/validation (not existing: callers name the full path).
TEST(ValidationDataRoot, EnvironmentThenParentsThenConvention) {
  const char* old = std::getenv("HYSEIS_VALIDATION_DATA");
  const std::string saved = old ? old : "";
  TempDir dir("valroot");
  const auto co = dir.path() / "checkout" / "scenarios";
  stdfs::create_directories(co);
  const std::string yaml = (co / "x.yaml").string();
  ::unsetenv("HYSEIS_VALIDATION_DATA");
  const std::string fallback = fs::validation_data_root(yaml);
  EXPECT_EQ(fallback, (dir.path() / "shared" / "validation").lexically_normal().string());
  EXPECT_FALSE(stdfs::exists(fallback));
  stdfs::create_directories(dir.path() / "checkout" / "shared" / "validation");  // nearest wins
  stdfs::create_directories(dir.path() / "shared" / "validation");
  EXPECT_EQ(fs::validation_data_root(yaml), (dir.path() / "checkout" / "shared" / "validation").string());
  stdfs::remove_all(dir.path() / "checkout" / "shared");
  EXPECT_EQ(fs::validation_data_root(yaml), (dir.path() / "shared" / "validation").string());
  ::setenv("HYSEIS_VALIDATION_DATA", "/some/where", 1);
  EXPECT_EQ(fs::validation_data_root(yaml), "/some/where");
  ::setenv("HYSEIS_VALIDATION_DATA", "", 1);  // empty = unset
  EXPECT_EQ(fs::validation_data_root(yaml), (dir.path() / "shared" / "validation").string());
  if (old)
    ::setenv("HYSEIS_VALIDATION_DATA", saved.c_str(), 1);
  else
    ::unsetenv("HYSEIS_VALIDATION_DATA");
}
