// PDE-FIND datasets (shared/validation/pde_find): every validation case must recover the true
// support and meet its coefficient tolerances, clean and with 1 % noise.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "hyseis/validation/pde_find_cases.hpp"

using namespace hyseis::validation;

namespace {
void run_named(const std::string& name) {
  Options o;
  o.data_dir = default_data_dir();
  if (!std::filesystem::exists(o.data_dir + "/pde_find")) GTEST_SKIP() << "validation data not found: " << o.data_dir << "/pde_find";
  for (const auto& c : pde_find_cases()) {
    if (c.name != name) continue;
    const CaseResult r = c.run(o);
    if (r.skipped) GTEST_SKIP() << r.skip_reason;
    ASSERT_FALSE(r.metrics.empty());
    for (const auto& m : r.metrics) {
      EXPECT_TRUE(m.passed) << m.metric << " = " << m.value << " (" << m.comparison << " " << m.tolerance << "): " << m.note;
      ::testing::Test::RecordProperty(m.metric, std::to_string(m.value));
      std::printf("  %-24s %-12.6g %s %-8g %s\n", m.metric.c_str(), m.value, m.comparison.c_str(), m.tolerance,
                  m.note.c_str());
    }
    return;
  }
  FAIL() << "no case named " << name;
}
}  // namespace

TEST(PdeFindCases, Burgers) { run_named("pde_find_burgers"); }
TEST(PdeFindCases, KdV) { run_named("pde_find_kdv"); }
TEST(PdeFindCases, KuramotoSivashinsky) { run_named("pde_find_ks"); }
TEST(PdeFindCases, Nls) { run_named("pde_find_nls"); }
TEST(PdeFindCases, QuantumHarmonicOscillator) { run_named("pde_find_qho"); }

// `hyseis validate --quick`: the clean fits use a random subset of 40 000 points.
TEST(PdeFindCases, QuickVariantKuramotoSivashinsky) {
  Options o;
  o.data_dir = default_data_dir();
  o.quick = true;
  if (!std::filesystem::exists(o.data_dir + "/pde_find/kuramoto_sivashinsky.h5"))
    GTEST_SKIP() << "validation data not found: " << o.data_dir << "/pde_find";
  for (const auto& c : pde_find_cases())
    if (c.name == "pde_find_ks")
      for (const auto& m : c.run(o).metrics) EXPECT_TRUE(m.passed) << m.metric << " = " << m.value << ": " << m.note;
}
