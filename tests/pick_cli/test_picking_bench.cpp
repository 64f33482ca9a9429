// The picking/similarity `hyseis bench` cases in --quick mode (HYSEIS_BENCH_FULL=1: full size): they run, their internal
// agreement checks pass (they throw otherwise), and the rows are sane.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "hyseis/bench/bench.hpp"

namespace hyseis::bench::detail {
std::vector<Row> picking_station_day(const Options& opt);
std::vector<Row> template_matching_vs_direct(const Options& opt);
std::vector<Row> fast_vs_all_pairs(const Options& opt);
}  // namespace hyseis::bench::detail

namespace {
void print(const std::vector<hyseis::bench::Row>& rows) {
  for (const auto& r : rows)
    std::cout << r.case_name << " | " << r.metric << " | " << r.value << " | " << r.baseline << " | " << r.ratio
              << " " << r.unit << "\n";
}
}  // namespace

TEST(PickingBench, QuickCasesRun) {
  hyseis::bench::Options o;
  o.quick = std::getenv("HYSEIS_BENCH_FULL") == nullptr;   // full sizes on request (numbers for the docs)
  const auto t0 = std::chrono::steady_clock::now();
  const auto a = hyseis::bench::detail::picking_station_day(o);
  print(a);
  ASSERT_FALSE(a.empty());
  EXPECT_GT(a[0].value, 0.0);
  const auto b = hyseis::bench::detail::template_matching_vs_direct(o);
  print(b);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_LT(b[1].value, 1e-5);
  const auto c = hyseis::bench::detail::fast_vs_all_pairs(o);
  print(c);
  ASSERT_EQ(c.size(), 7u);
  EXPECT_GT(c[0].ratio, 1.0);   // FAST faster than all pairs
  std::cout << "quick picking benches: "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
}
