// Validation case "picking_stalta_aic_ncedc" (STA/LTA + AIC on the NCEDC test split) runs, is
// deterministic and meets its stated baseline tolerance.
#include <gtest/gtest.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "hyseis/validation/picking_cases.hpp"

using namespace hyseis::validation;

TEST(PickingCases, StaLtaAicNcedcBaseline) {
  Options o;
  o.data_dir = default_data_dir();
  if (!std::filesystem::exists(o.data_dir + "/phasenet_ncedc_picks/phasenet_ncedc_154.h5"))
    GTEST_SKIP() << "validation data not found: " << o.data_dir << "/phasenet_ncedc_picks";
  const auto cases = picking_cases();
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].name, "picking_stalta_aic_ncedc");
  const CaseResult r = cases[0].run(o);
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  for (const auto& m : r.metrics) {
    EXPECT_TRUE(m.passed) << m.metric << " = " << m.value << " (" << m.comparison << " " << m.tolerance << "): " << m.note;
    std::printf("  %-32s %10.4f  %s %g\n", m.metric.c_str(), m.value, m.comparison.c_str(), m.tolerance);
  }
  // Deterministic (fixed seed).
  StaLtaEvalOptions eo;
  const auto a = evaluate_stalta_aic_ncedc(o.data_dir, eo), b = evaluate_stalta_aic_ncedc(o.data_dir, eo);
  EXPECT_EQ(a.residual_samples, b.residual_samples);
  EXPECT_EQ(a.traces, 54u);
  // Where the misses are (printed for the theory note): within 0.1 s, 0.1-0.5 s, early/late > 0.5 s.
  int hit = 0, near = 0, early = 0, late = 0, none = 0;
  for (long r : a.residual_samples) {
    if (r == LONG_MIN) ++none;
    else if (std::labs(r) <= 10) ++hit;
    else if (std::labs(r) <= 50) ++near;
    else if (r < 0) ++early;
    else ++late;
  }
  std::printf("  residuals: %d within 0.1 s, %d in 0.1-0.5 s, %d early > 0.5 s, %d late > 0.5 s, %d no pick\n", hit,
              near, early, late, none);
}
