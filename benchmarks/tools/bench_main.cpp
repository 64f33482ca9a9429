// Stand-alone runner of the benchmark cases (the `hyseis bench` CLI prints the same rows).
#include <Kokkos_Core.hpp>
#include <mpi.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "hyseis/bench/bench.hpp"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rc = 0;
  {
    Kokkos::ScopeGuard kokkos(argc, argv);
    hyseis::bench::Options opt;
    std::vector<std::string> only;
    for (int i = 1; i < argc; ++i) {
      if (std::strcmp(argv[i], "--quick") == 0)
        opt.quick = true;
      else
        only.emplace_back(argv[i]);
    }
    std::printf("%-16s %-42s %14s %14s %8s %-5s %s\n", "case", "metric", "value", "baseline", "ratio",
                "unit", "baseline_name");
    for (const auto& c : hyseis::bench::all_cases()) {
      if (!only.empty() && std::find(only.begin(), only.end(), c.name) == only.end()) continue;
      try {
        for (const auto& r : c.run(opt))
          std::printf("%-16s %-42s %14.5g %14.5g %8.3f %-5s %s\n", r.case_name.c_str(), r.metric.c_str(),
                      r.value, r.baseline, r.ratio, r.unit.c_str(), r.baseline_name.c_str());
      } catch (const std::exception& e) {
        std::fprintf(stderr, "case %s failed: %s\n", c.name.c_str(), e.what());
        rc = 1;
      }
      std::fflush(stdout);
    }
  }
  MPI_Finalize();
  return rc;
}
