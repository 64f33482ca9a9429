// One test per validation case: runs it and asserts that every metric passed.
// HYSEIS_VALIDATION_OUT=<dir> writes the comparison figures and traces there.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <mpi.h>

#include "hyseis/validation/cases.hpp"

namespace hv = hyseis::validation;

namespace {

void run_case(const std::string& name) {
  const hv::Case* found = nullptr;
  for (const auto& c : hv::all_cases())
    if (c.name == name) found = &c;
  ASSERT_NE(found, nullptr) << "case " << name << " not registered";
  hv::Options o;
  o.data_dir = hv::default_data_dir();
  if (const char* out = std::getenv("HYSEIS_VALIDATION_OUT"); out && *out) {
    o.out_dir = std::string(out);
    std::filesystem::create_directories(o.out_dir);
  }
  const hv::CaseResult r = found->run(o);
  if (r.skipped) GTEST_SKIP() << r.skip_reason;
  ASSERT_FALSE(r.metrics.empty());
  int rank = 0;
  MPI_Comm_rank(o.comm, &rank);
  for (const auto& m : r.metrics) {
    if (rank == 0)
      std::cout << "  " << m.case_name << " " << m.metric << " = " << m.value << " (" << m.comparison << " "
              << m.tolerance << ") " << (m.passed ? "PASS" : "FAIL") << "  [" << m.note << "]\n";
    EXPECT_TRUE(m.passed) << m.metric << " = " << m.value << " " << m.comparison << " " << m.tolerance;
  }
}

}  // namespace

TEST(ValidationCases, RegistryHasAllCases) {
  const char* names[] = {"elastic_force_homogeneous_pml", "acoustic_pressure_homogeneous",
                         "elastic_force_absolute_amplitude", "lamb_free_surface", "convergence_h",
                         "convergence_p"};
  for (const char* n : names) {
    bool ok = false;
    for (const auto& c : hv::all_cases()) ok = ok || c.name == n;
    EXPECT_TRUE(ok) << n;
  }
}

TEST(ValidationCases, MissingDataIsSkippedWithThePath) {
  hv::Options o;
  o.data_dir = "/nonexistent/validation/root";
  const std::vector<std::string> with_data = {"elastic_force_homogeneous_pml", "acoustic_pressure_homogeneous",
                                               "elastic_force_absolute_amplitude"};
  for (const auto& c : hv::all_cases()) {
    if (std::find(with_data.begin(), with_data.end(), c.name) == with_data.end()) continue;
    const auto r = c.run(o);
    EXPECT_TRUE(r.skipped) << c.name;
    EXPECT_NE(r.skip_reason.find("/nonexistent/validation/root"), std::string::npos) << r.skip_reason;
  }
}

TEST(ValidationCases, ElasticForceHomogeneousPml) { run_case("elastic_force_homogeneous_pml"); }
TEST(ValidationCases, AcousticPressureHomogeneous) { run_case("acoustic_pressure_homogeneous"); }
TEST(ValidationCases, ElasticForceAbsoluteAmplitude) { run_case("elastic_force_absolute_amplitude"); }
TEST(ValidationCases, LambFreeSurface) { run_case("lamb_free_surface"); }
TEST(ValidationCases, ConvergenceH) { run_case("convergence_h"); }
TEST(ValidationCases, ConvergenceP) { run_case("convergence_p"); }
