// The adjoint validation cases (validation/adjoint_cases) pass on this build.
#include <gtest/gtest.h>

#include <iostream>

#include "hyseis/validation/adjoint_cases.hpp"

TEST(AdjointValidationCases, AllMetricsPass) {
  hyseis::validation::Options o;
  o.quick = true;
  for (const auto& c : hyseis::validation::adjoint_cases()) {
    const auto r = c.run(o);
    EXPECT_FALSE(r.skipped) << c.name;
    EXPECT_FALSE(r.metrics.empty()) << c.name;
    for (const auto& m : r.metrics) {
      std::cout << "  " << m.case_name << " " << m.metric << " = " << m.value << " (" << m.comparison << " "
                << m.tolerance << ") " << (m.passed ? "PASS" : "FAIL") << "\n";
      EXPECT_TRUE(m.passed) << m.case_name << " " << m.metric << " = " << m.value;
    }
  }
}
