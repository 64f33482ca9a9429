// DBSCAN over space and time and MyShake-style confirmation (issue 6): hand-computable clusters.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/eew/dbscan.hpp"

using namespace hyseis::learning::eew;
using hyseis::core::InvalidInput;

namespace {
Trigger tr(double t, double x, double y, int s = -1) { return Trigger{t, x, y, 1.0, s}; }
}

TEST(EewDbscan, TwoGroupsAndNoise) {
  SpaceTimeMetric m{false, 0.0};  // space only
  std::vector<Trigger> p = {tr(0, 0, 0), tr(0, 1, 0), tr(0, 0, 1), tr(0, 1, 1),          // group A
                            tr(0, 50, 50), tr(0, 51, 50), tr(0, 50, 51), tr(0, 51, 51),  // group B
                            tr(0, 25, 25), tr(0, -30, 10)};                               // noise
  const auto r = dbscan(p, 1.5, 3, m);
  EXPECT_EQ(r.n_clusters, 2);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(r.label[i], 0);
  for (int i = 4; i < 8; ++i) EXPECT_EQ(r.label[i], 1);
  EXPECT_EQ(r.label[8], kNoise);
  EXPECT_EQ(r.label[9], kNoise);
}

TEST(EewDbscan, BorderPointAndChain) {
  // Points on a line at x = 0,1,2,3,4.5 with eps = 1.2, min_pts = 3:
  // neighbourhood sizes 2,3,3,2,1 -> cores {1,2}; 0 and 3 are border points, 4.5 is noise.
  SpaceTimeMetric m{false, 0.0};
  std::vector<Trigger> p = {tr(0, 0, 0), tr(0, 1, 0), tr(0, 2, 0), tr(0, 3, 0), tr(0, 4.5, 0)};
  const auto r = dbscan(p, 1.2, 3, m);
  EXPECT_EQ(r.n_clusters, 1);
  EXPECT_FALSE(r.core[0]);
  EXPECT_TRUE(r.core[1]);
  EXPECT_TRUE(r.core[2]);
  EXPECT_FALSE(r.core[3]);
  EXPECT_EQ(r.label[0], 0);
  EXPECT_EQ(r.label[3], 0);
  EXPECT_EQ(r.label[4], kNoise);
}

TEST(EewDbscan, MinPtsEdgeCases) {
  SpaceTimeMetric m{false, 0.0};
  std::vector<Trigger> p = {tr(0, 0, 0), tr(0, 1, 0), tr(0, 10, 0)};
  auto r1 = dbscan(p, 1.0, 1, m);  // every point core: 2 clusters, no noise (eps inclusive)
  EXPECT_EQ(r1.n_clusters, 2);
  EXPECT_EQ(r1.label[0], r1.label[1]);
  EXPECT_NE(r1.label[2], kNoise);
  auto r2 = dbscan(p, 1.0, 2, m);  // pair is a cluster, isolated point noise
  EXPECT_EQ(r2.n_clusters, 1);
  EXPECT_EQ(r2.label[2], kNoise);
  auto r3 = dbscan(p, 1.0, 3, m);  // nobody has 3 neighbours -> all noise
  EXPECT_EQ(r3.n_clusters, 0);
  auto r4 = dbscan(p, 0.999, 2, m);  // eps just below the spacing -> all noise
  EXPECT_EQ(r4.n_clusters, 0);
  EXPECT_EQ(dbscan({}, 1.0, 2, m).n_clusters, 0);
}

TEST(EewDbscan, TimeSeparatesColocatedGroups) {
  // Same place, 30 s apart: with v_t = 6 km/s the groups are 180 km apart in space-time.
  SpaceTimeMetric m{false, 6.0};
  std::vector<Trigger> p = {tr(0, 0, 0), tr(0.5, 1, 0), tr(1.0, 0, 1), tr(30, 0, 0), tr(30.5, 1, 0), tr(31, 0, 1)};
  const auto r = dbscan(p, 10.0, 3, m);
  EXPECT_EQ(r.n_clusters, 2);
  EXPECT_NE(r.label[0], r.label[3]);
  EXPECT_NEAR(space_time_distance(m, p[0], p[1]), std::hypot(1.0, 3.0), 1e-12);
}

TEST(EewDbscan, HaversineDistance) {
  SpaceTimeMetric g{true, 0.0};
  // One degree of latitude = pi*6371/180 km.
  EXPECT_NEAR(epicentral_distance(g, -122.0, 37.0, -122.0, 38.0), M_PI * 6371.0 / 180.0, 1e-9);
  // Quarter great circle along the equator.
  EXPECT_NEAR(epicentral_distance(g, 0, 0, 90, 0), M_PI * 6371.0 / 2.0, 1e-6);
}

TEST(EewDbscan, ConfirmationCountAndFraction) {
  SpaceTimeMetric m{false, 0.0};
  // 10 sensors within 5 km of the origin, 2 far away.
  std::vector<SensorPosition> s;
  for (int i = 0; i < 10; ++i) s.push_back({std::cos(i * 0.6) * 2.0, std::sin(i * 0.6) * 2.0});
  s.push_back({100, 100});
  s.push_back({-100, 0});
  std::vector<Trigger> t;
  for (int i = 0; i < 6; ++i) t.push_back(tr(0.1 * i, s[i].x, s[i].y, i));
  const auto r = dbscan(t, 5.0, 3, m);
  ASSERT_EQ(r.n_clusters, 1);
  auto c = confirm_event(t, r, 0, s, 5.0, 4, 0.5, m);
  EXPECT_EQ(c.n_triggered, 6);
  EXPECT_EQ(c.n_sensors, 10);
  EXPECT_NEAR(c.fraction, 0.6, 1e-12);
  EXPECT_TRUE(c.confirmed);
  EXPECT_FALSE(confirm_event(t, r, 0, s, 5.0, 7, 0.5, m).confirmed);   // count too low
  EXPECT_FALSE(confirm_event(t, r, 0, s, 5.0, 4, 0.65, m).confirmed);  // fraction too low
  EXPECT_THROW(confirm_event(t, r, 1, s, 5.0, 4, 0.5, m), InvalidInput);
}

TEST(EewDbscan, BadInputThrows) {
  SpaceTimeMetric m;
  std::vector<Trigger> p = {tr(0, 0, 0)};
  EXPECT_THROW(dbscan(p, 0.0, 2, m), InvalidInput);
  EXPECT_THROW(dbscan(p, 1.0, 0, m), InvalidInput);
  p[0].t = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(dbscan(p, 1.0, 2, m), InvalidInput);
}

// Grid (cell-list) neighbour search against brute force: identical neighbour lists and clusterings,
// Euclidean and geographic, including pairs exactly at distance eps (integer lattice) and points
// straddling the antimeridian.
TEST(EewDbscan, GridSearchIdenticalToBruteForce) {
  std::uint64_t state = 12345;
  auto uni = [&]() { state = state * 6364136223846793005ull + 1442695040888963407ull; return double(state >> 11) / double(1ull << 53); };
  for (int geo = 0; geo < 2; ++geo) {
    for (double ts : {0.0, 6.0}) {
      SpaceTimeMetric m{geo == 1, ts};
      std::vector<Trigger> p;
      for (int i = 0; i < 600; ++i) {
        if (geo) p.push_back(tr(20 * uni(), 179.5 + uni() * 1.0 - (i % 2 ? 360.0 * (uni() < 0.5) : 0.0), 37 + uni(), i));
        else p.push_back(tr(20 * uni(), 200 * uni(), 200 * uni(), i));
      }
      if (!geo)  // exact lattice: distances of exactly eps = 3 between integer points
        for (int i = 0; i < 100; ++i) p.push_back(tr(0.0, 3.0 * (i % 10), 3.0 * (i / 10), 600 + i));
      for (double eps : {3.0, 10.0, 25.0}) {
        const auto nb_b = neighbourhoods(p, eps, m, NeighbourSearch::brute_force);
        const auto nb_g = neighbourhoods(p, eps, m, NeighbourSearch::grid);
        ASSERT_EQ(nb_b, nb_g) << "geo " << geo << " ts " << ts << " eps " << eps;
        for (int min_pts : {1, 3, 8}) {
          const auto a = dbscan(p, eps, min_pts, m, NeighbourSearch::brute_force);
          const auto b = dbscan(p, eps, min_pts, m, NeighbourSearch::grid);
          EXPECT_EQ(a.label, b.label);
          EXPECT_EQ(a.core, b.core);
          EXPECT_EQ(a.n_clusters, b.n_clusters);
        }
      }
    }
  }
}

// Border contention: dense, clumpy point sets where border points are within eps of cores of several
// clusters; the cell-list DBSCAN must reproduce brute force's "first cluster wins" labels exactly.
TEST(EewDbscan, GridSearchBorderContention) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    std::uint64_t state = seed * 7919;
    auto uni = [&]() { state = state * 6364136223846793005ull + 1442695040888963407ull; return double(state >> 11) / double(1ull << 53); };
    std::vector<Trigger> p;
    for (int c = 0; c < 12; ++c) {
      const double cx = 40 * uni(), cy = 40 * uni(), ct = 10 * uni();
      const int m = 5 + int(30 * uni());
      for (int i = 0; i < m; ++i) p.push_back(tr(ct + 2 * uni(), cx + 6 * uni(), cy + 6 * uni(), int(p.size())));
    }
    for (int i = 0; i < 100; ++i) p.push_back(tr(12 * uni(), 46 * uni(), 46 * uni(), int(p.size())));
    for (double ts : {0.0, 3.0})
      for (int min_pts : {4, 10, 20}) {
        const SpaceTimeMetric m{false, ts};
        const auto a = dbscan(p, 4.0, min_pts, m, NeighbourSearch::brute_force);
        const auto b = dbscan(p, 4.0, min_pts, m, NeighbourSearch::grid);
        ASSERT_EQ(a.label, b.label) << "seed " << seed << " ts " << ts << " min_pts " << min_pts;
        ASSERT_EQ(a.core, b.core);
        ASSERT_EQ(a.n_clusters, b.n_clusters);
      }
  }
}
