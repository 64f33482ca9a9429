#pragma once
// Validation cases behind `hyseis validate`: each reruns a benchmark configuration and compares
// with an independent reference (analytic solution, peer code output) at a stated tolerance.
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

namespace hyseis::validation {

struct Metric {
  std::string case_name;
  std::string metric;      // e.g. "rel_L2_ux"
  double value = 0;
  double tolerance = 0;
  bool passed = false;
  std::string comparison = "<=";   // "<=", ">=", or "info" (reported only, always passed)
  std::string note;                // reference used, conventions applied
};

struct CaseResult {
  std::vector<Metric> metrics;
  bool skipped = false;
  std::string skip_reason;         // printed, e.g. "validation data not found at ..."
};

struct Options {
  std::string data_dir;            // root of the validation data (see data_dir())
  std::string out_dir;             // figures and traces go here ("" = none)
  MPI_Comm comm = MPI_COMM_WORLD;
  bool quick = false;              // reduced variants for fast tests where meaningful
};

struct Case {
  std::string name;
  std::string description;
  std::string reference;           // what it is compared against
  std::function<CaseResult(const Options&)> run;
};

const std::vector<Case>& all_cases();

/// Validation data root: $HYSEIS_VALIDATION_DATA if set, else <source dir>/../shared/validation.
std::string default_data_dir();

}  // namespace hyseis::validation
