#pragma once
// Benchmark cases behind `hyseis bench`. Every case measures hyseis and a baseline in the same
// run and reports rows {case, metric, value, baseline, ratio}.
#include <functional>
#include <string>
#include <vector>

namespace hyseis::bench {

struct Row {
  std::string case_name;
  std::string metric;
  double value = 0;
  double baseline = 0;   // same metric for the baseline (0 if none)
  double ratio = 0;      // value / baseline (for "higher is better" metrics)
  std::string unit;
  std::string baseline_name;
};

struct Options {
  bool quick = false;        // smaller sizes / fewer steps (used by tests)
  std::string out_dir;       // where figures/json may go ("" = none)
};

struct Case {
  std::string name;
  std::string description;
  std::function<std::vector<Row>(const Options&)> run;
};

/// All registered benchmark cases.
const std::vector<Case>& all_cases();

}  // namespace hyseis::bench
