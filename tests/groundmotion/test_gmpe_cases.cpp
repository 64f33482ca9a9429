// The validation cases of validation/src/gmpe_cases.cpp run and pass (same tables as
// test_gmpe.cpp, through the validation-case interface used by `hyseis validate`).
#include <gtest/gtest.h>

#include "hyseis/validation/gmpe_cases.hpp"

using namespace hyseis::validation;

TEST(GroundmotionValidation, GmpeCasesRunAndPass) {
  const std::vector<Case> cases = gmpe_cases();
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].name, "gmpe_bssa14_openquake");
  EXPECT_EQ(cases[1].name, "gmpe_cy14_openquake");
  Options o;  // default data dir ($HYSEIS_VALIDATION_DATA or <source>/../shared/validation)
  for (const Case& c : cases) {
    const CaseResult r = c.run(o);
    if (r.skipped) GTEST_SKIP() << c.name << ": " << r.skip_reason;
    EXPECT_EQ(r.metrics.size(), c.name == "gmpe_bssa14_openquake" ? 4u : 6u);
    for (const Metric& m : r.metrics) {
      EXPECT_EQ(m.case_name, c.name);
      EXPECT_TRUE(m.passed) << c.name << " " << m.metric << " = " << m.value << " > " << m.tolerance << "; "
                            << m.note;
      EXPECT_FALSE(m.note.empty());
      std::printf("[ gmpe     ] %s %s = %.3g %% (tol %.3g %%)\n", c.name.c_str(), m.metric.c_str(), m.value * 100,
                  m.tolerance * 100);
    }
  }
}
