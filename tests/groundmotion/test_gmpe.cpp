// GMPE tests: BSSA14 and CY14 behaviour and input checks, and the full comparison with
// OpenQuake's verification tables (shared/validation/gmpe_oq_verification).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/groundmotion/bssa14.hpp"
#include "hyseis/physics/groundmotion/cy14.hpp"
#include "hyseis/physics/groundmotion/verification.hpp"

using namespace hyseis::physics::groundmotion;
using hyseis::core::InvalidInput;

namespace {

Rupture rupture(double mag, double rake = 0.0) {
  Rupture r;
  r.mag = mag;
  r.rake = rake;
  r.dip = 90.0;
  r.ztor = 0.0;
  return r;
}

Site site(double dist, double vs30 = 400.0) {
  Site s;
  s.rjb = dist;
  s.rrup = dist;
  s.rx = dist;
  s.vs30 = vs30;
  s.vs30_measured = true;
  return s;
}

std::vector<Imt> some_imts() {
  return {Imt::pga(), Imt::pgv(), Imt::sa(0.1), Imt::sa(0.2), Imt::sa(1.0), Imt::sa(3.0), Imt::sa(10.0)};
}

std::string data_dir() {
  if (const char* env = std::getenv("HYSEIS_VALIDATION_DATA"); env && *env) return env;
  return std::string(HYSEIS_SOURCE_DIR) + "/../shared/validation";
}

}  // namespace

class GmpeModels : public ::testing::TestWithParam<std::string> {
protected:
  std::unique_ptr<Gmpe> make() const {
    if (GetParam() == "BSSA14") return std::make_unique<BSSA14>();
    return std::make_unique<CY14>();
  }
};

TEST_P(GmpeModels, MagnitudeScalingIsMonotone) {
  const auto g = make();
  for (const Imt& imt : some_imts())
    for (double d : {1.0, 10.0, 50.0, 150.0}) {
      double prev = -1e300;
      for (double m = 3.0; m <= 8.0 + 1e-9; m += 0.25) {
        const double y = g->evaluate(rupture(m), site(d), imt).ln_median;
        EXPECT_GT(y, prev) << g->name() << " " << imt.name() << " R " << d << " M " << m;
        prev = y;
      }
    }
}

TEST_P(GmpeModels, DecaysWithDistance) {
  const auto g = make();
  for (const Imt& imt : some_imts())
    for (double m : {4.0, 6.0, 7.5}) {
      double prev = 1e300;
      for (double d : {0.0, 5.0, 10.0, 20.0, 40.0, 80.0, 150.0, 300.0}) {
        const double y = g->evaluate(rupture(m), site(d), imt).ln_median;
        EXPECT_LT(y, prev) << g->name() << " " << imt.name() << " M " << m << " R " << d;
        prev = y;
      }
    }
}

TEST_P(GmpeModels, SigmaPositiveAndConsistent) {
  const auto g = make();
  for (const Imt& imt : some_imts())
    for (double m : {3.5, 5.0, 6.0, 8.0})
      for (double vs : {180.0, 400.0, 760.0, 1500.0}) {
        const GmpeResult r = g->evaluate(rupture(m), site(10.0, vs), imt);
        EXPECT_TRUE(std::isfinite(r.ln_median));
        EXPECT_GT(r.tau, 0.0);
        EXPECT_GT(r.phi, 0.0);
        EXPECT_NEAR(r.sigma, std::sqrt(r.tau * r.tau + r.phi * r.phi), 1e-12);
        EXPECT_LT(r.sigma, 1.5);
      }
}

TEST_P(GmpeModels, PlausibleMedian) {
  // M 7 strike-slip at 10 km on Vs30 = 760 m/s: PGA of the order of 0.1-0.5 g.
  const auto g = make();
  const double pga = std::exp(g->evaluate(rupture(7.0), site(10.0, 760.0), Imt::pga()).ln_median);
  EXPECT_GT(pga, 0.1);
  EXPECT_LT(pga, 0.5);
}

TEST_P(GmpeModels, InvalidInputs) {
  const auto g = make();
  EXPECT_THROW(g->evaluate(rupture(6.0), site(-1.0), Imt::pga()), InvalidInput);
  EXPECT_THROW(g->evaluate(rupture(6.0), site(10.0, -300.0), Imt::pga()), InvalidInput);
  EXPECT_THROW(g->evaluate(rupture(6.0), site(10.0, 0.0), Imt::pga()), InvalidInput);
  EXPECT_THROW(g->evaluate(rupture(std::nan("")), site(10.0), Imt::pga()), InvalidInput);
  EXPECT_THROW(g->evaluate(rupture(6.0, 270.0), site(10.0), Imt::pga()), InvalidInput);
  EXPECT_THROW(Imt::sa(-0.1), InvalidInput);
  EXPECT_THROW(Imt::sa(0.0), InvalidInput);
  // Unknown period: a clear error naming the model and the IMT.
  try {
    g->evaluate(rupture(6.0), site(10.0), Imt::sa(0.123));
    ADD_FAILURE() << "no exception for SA(0.123)";
  } catch (const InvalidInput& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(g->name()), std::string::npos) << what;
    EXPECT_NE(what.find("SA(0.123)"), std::string::npos) << what;
  }
  EXPECT_FALSE(g->supports(Imt::sa(0.123)));
  EXPECT_TRUE(g->supports(Imt::sa(1.0)));
  EXPECT_TRUE(g->supports(Imt::pga()));
  EXPECT_TRUE(g->supports(Imt::pgv()));
  EXPECT_FALSE(g->periods().empty());
}

INSTANTIATE_TEST_SUITE_P(Groundmotion, GmpeModels, ::testing::Values("BSSA14", "CY14"));

TEST(Groundmotion, PeriodInterpolationBracketsAndRejectsOutOfRange) {
  BSSA14Options o;
  o.period_policy = PeriodPolicy::interpolate;
  const BSSA14 g(o);
  const Rupture r = rupture(6.5);
  const Site s = site(20.0);
  const double a = g.evaluate(r, s, Imt::sa(0.2)).ln_median;
  const double b = g.evaluate(r, s, Imt::sa(0.22)).ln_median;
  const double m = g.evaluate(r, s, Imt::sa(0.21)).ln_median;
  EXPECT_GE(m, std::min(a, b) - 1e-12);
  EXPECT_LE(m, std::max(a, b) + 1e-12);
  // A tabulated period gives exactly the tabulated row.
  EXPECT_DOUBLE_EQ(g.evaluate(r, s, Imt::sa(1.0)).ln_median, BSSA14().evaluate(r, s, Imt::sa(1.0)).ln_median);
  EXPECT_THROW(g.evaluate(r, s, Imt::sa(20.0)), InvalidInput);
  EXPECT_THROW(g.evaluate(r, s, Imt::sa(0.001)), InvalidInput);
}

TEST(Groundmotion, StyleOfFaulting) {
  // BSSA14: reverse > strike-slip > normal for short periods at M 6 (e3 > e1 > e2).
  const BSSA14 b;
  const Site s = site(10.0);
  const double ss = b.evaluate(rupture(6.0, 0.0), s, Imt::pga()).ln_median;
  const double rv = b.evaluate(rupture(6.0, 90.0), s, Imt::pga()).ln_median;
  const double nm = b.evaluate(rupture(6.0, -90.0), s, Imt::pga()).ln_median;
  EXPECT_GT(rv, nm);
  EXPECT_GT(ss, nm);
  // CY14 reverse: larger than strike-slip at large M (c1a > 0).
  const CY14 c;
  EXPECT_GT(c.evaluate(rupture(7.0, 90.0), s, Imt::pga()).ln_median,
            c.evaluate(rupture(7.0, 0.0), s, Imt::pga()).ln_median);
}

TEST(Groundmotion, CY14HangingWall) {
  // Dipping reverse fault: at equal Rrup, a hanging-wall site (Rx > 0) is shaken more than a
  // footwall site (Rx < 0, F_HW = 0); the term vanishes for a vertical fault.
  const CY14 c;
  Rupture r = rupture(7.0, 90.0);
  r.dip = 45.0;
  r.ztor = 1.0;
  Site hw = site(10.0);
  hw.rjb = 2.0;
  hw.rx = 8.0;
  Site fw = hw;
  fw.rx = -8.0;
  fw.rjb = 8.0;
  EXPECT_GT(c.evaluate(r, hw, Imt::pga()).ln_median, c.evaluate(r, fw, Imt::pga()).ln_median);
  r.dip = 90.0;
  hw.rjb = fw.rjb;
  EXPECT_NEAR(c.evaluate(r, hw, Imt::pga()).ln_median, c.evaluate(r, fw, Imt::pga()).ln_median, 1e-12);
}

TEST(Groundmotion, ModelsAgreeRoughlyOnPgaPgv) {
  // The PGA/PGV rows are not in the CY14 verification tables: check the two independent models
  // against each other (within a factor 1.8; largest found: 1.54 for PGA) for strike-slip events, and CY14 PGA = SA(0.01)
  // (identical coefficient rows).
  const BSSA14 b;
  const CY14 c;
  for (double m : {5.0, 6.0, 7.0, 7.5})
    for (double d : {5.0, 20.0, 50.0})
      for (double vs : {300.0, 760.0}) {
        Rupture r = rupture(m);
        r.ztor = CY14::mean_ztor(m, 0.0);
        Site s = site(d, vs);
        s.rrup = std::sqrt(d * d + r.ztor * r.ztor);
        for (const Imt& imt : {Imt::pga(), Imt::pgv(), Imt::sa(1.0)}) {
          const double lb = b.evaluate(r, s, imt).ln_median, lc = c.evaluate(r, s, imt).ln_median;
          EXPECT_LT(std::abs(lb - lc), std::log(1.8)) << imt.name() << " M " << m << " R " << d << " Vs30 " << vs;
        }
        EXPECT_DOUBLE_EQ(c.evaluate(r, s, Imt::pga()).ln_median, c.evaluate(r, s, Imt::sa(0.01)).ln_median);
      }
  // PGV of an M 7 at 10 km on rock: tens of cm/s.
  const double pgv = std::exp(b.evaluate(rupture(7.0), site(10.0, 760.0), Imt::pgv()).ln_median);
  EXPECT_GT(pgv, 15.0);
  EXPECT_LT(pgv, 60.0);
}

TEST(Groundmotion, BSSA14BasinTerm) {
  BSSA14Options o;
  o.basin = BSSA14Basin::california;
  const BSSA14 basin(o), none;
  Site s = site(30.0, 400.0);
  // Unknown Z1.0 or Z1.0 at the Vs30-conditional mean: no change.
  EXPECT_DOUBLE_EQ(basin.evaluate(rupture(6.5), s, Imt::sa(3.0)).ln_median,
                   none.evaluate(rupture(6.5), s, Imt::sa(3.0)).ln_median);
  s.z1pt0 = 1000.0 * BSSA14::mean_z1pt0_km(400.0);
  EXPECT_NEAR(basin.evaluate(rupture(6.5), s, Imt::sa(3.0)).ln_median,
              none.evaluate(rupture(6.5), s, Imt::sa(3.0)).ln_median, 1e-12);
  // Deep basin: amplification at long periods, none below 0.65 s.
  s.z1pt0 += 500.0;
  EXPECT_GT(basin.evaluate(rupture(6.5), s, Imt::sa(3.0)).ln_median,
            none.evaluate(rupture(6.5), s, Imt::sa(3.0)).ln_median);
  EXPECT_DOUBLE_EQ(basin.evaluate(rupture(6.5), s, Imt::sa(0.3)).ln_median,
                   none.evaluate(rupture(6.5), s, Imt::sa(0.3)).ln_median);
  // mu_z1: about 0.5 km at Vs30 = 180 m/s (California), decreasing with Vs30.
  EXPECT_GT(BSSA14::mean_z1pt0_km(180.0), 0.4);
  EXPECT_LT(BSSA14::mean_z1pt0_km(180.0), 0.6);
  EXPECT_GT(BSSA14::mean_z1pt0_km(300.0), BSSA14::mean_z1pt0_km(760.0));
  EXPECT_GT(BSSA14::mean_z1pt0_km(300.0, BSSA14Basin::japan), 0.0);
}

TEST(Groundmotion, CY14SiteTerms) {
  const CY14 c;
  // Z1.0 equal to the Vs30-conditional mean is the same as unknown Z1.0.
  Site s = site(30.0, 400.0);
  const double unknown = c.evaluate(rupture(6.5), s, Imt::sa(3.0)).ln_median;
  s.z1pt0 = CY14::mean_z1pt0(400.0);
  EXPECT_NEAR(c.evaluate(rupture(6.5), s, Imt::sa(3.0)).ln_median, unknown, 1e-12);
  // A deeper basin amplifies long periods.
  s.z1pt0 += 300.0;
  EXPECT_GT(c.evaluate(rupture(6.5), s, Imt::sa(3.0)).ln_median, unknown);
  // Inferred Vs30 gives a larger within-event sigma than measured.
  Site inferred = site(30.0, 400.0);
  inferred.vs30_measured = false;
  EXPECT_GT(c.evaluate(rupture(6.5), inferred, Imt::pga()).phi,
            c.evaluate(rupture(6.5), site(30.0, 400.0), Imt::pga()).phi);
  // Nonlinear soil: the amplification of soft soil relative to rock shrinks as shaking grows.
  const double amp_weak = c.evaluate(rupture(5.0), site(50.0, 200.0), Imt::pga()).ln_median -
                          c.evaluate(rupture(5.0), site(50.0, 1130.0), Imt::pga()).ln_median;
  const double amp_strong = c.evaluate(rupture(7.5), site(2.0, 200.0), Imt::pga()).ln_median -
                            c.evaluate(rupture(7.5), site(2.0, 1130.0), Imt::pga()).ln_median;
  EXPECT_LT(amp_strong, amp_weak);
  EXPECT_THROW(CY14().evaluate(rupture(6.0), [] { Site t = site(10.0); t.z1pt0 = -5; return t; }(), Imt::pga()),
               InvalidInput);
  Rupture bad = rupture(6.0);
  bad.dip = 0.0;
  EXPECT_THROW(c.evaluate(bad, site(10.0), Imt::pga()), InvalidInput);
}

// ---- OpenQuake verification tables --------------------------------------------------------

struct TableCase {
  const char* model;
  const char* file;  // relative to gmpe_oq_verification/
  double tol;        // OpenQuake's tolerance (the pass criterion)
};

class OpenQuakeTables : public ::testing::TestWithParam<TableCase> {};

TEST_P(OpenQuakeTables, WithinOpenQuakeTolerance) {
  const TableCase tc = GetParam();
  const std::string path = data_dir() + "/gmpe_oq_verification/" + tc.file;
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "validation data not found: " << path;
  std::unique_ptr<Gmpe> g;
  if (std::string(tc.model) == "BSSA14") {
    BSSA14Options o;
    o.period_policy = PeriodPolicy::interpolate;  // the tables include SA(0.21), SA(0.23)
    g = std::make_unique<BSSA14>(o);
  } else {
    g = std::make_unique<CY14>();
  }
  const TableComparison c = compare_with_table(*g, path);
  EXPECT_TRUE(c.finite);
  EXPECT_GT(c.rows, 100u);
  EXPECT_LE(c.max_rel, tc.tol) << tc.file << ": worst " << c.worst;
  std::string per;
  for (const auto& [imt, d] : c.per_imt) per += " " + imt + ":" + std::to_string(d * 100) + "%";
  std::printf("[ gmpe     ] %s (%s, %zu values): max %.4g %% (tolerance %.3g %%); worst %s\n", tc.file,
              c.result_type.c_str(), c.values, c.max_rel * 100, tc.tol * 100, c.worst.c_str());
  std::printf("[ gmpe     ]   per IMT:%s\n", per.c_str());
}

INSTANTIATE_TEST_SUITE_P(
    Groundmotion, OpenQuakeTables,
    ::testing::Values(TableCase{"BSSA14", "BSSA2014/BSSA_2014_MEAN.csv", 0.02},
                      TableCase{"BSSA14", "BSSA2014/BSSA_2014_TOTAL_STD.csv", 0.01},
                      TableCase{"BSSA14", "BSSA2014/BSSA_2014_INTER_STD.csv", 0.01},
                      TableCase{"BSSA14", "BSSA2014/BSSA_2014_INTRA_STD.csv", 0.01},
                      TableCase{"CY14", "CY14/CY14_MEDIAN_MS_HW_NM.csv", 0.0005},
                      TableCase{"CY14", "CY14/CY14_MEDIAN_MS_HW_RV.csv", 0.0005},
                      TableCase{"CY14", "CY14/CY14_MEDIAN_MS_HW_SS.csv", 0.0005},
                      TableCase{"CY14", "CY14/CY14_TOTAL_EVENT_SIGMA.csv", 0.0005},
                      TableCase{"CY14", "CY14/CY14_INTER_EVENT_SIGMA.csv", 0.0005},
                      TableCase{"CY14", "CY14/CY14_INTRA_EVENT_SIGMA.csv", 0.0005}),
    [](const ::testing::TestParamInfo<TableCase>& info) {
      std::string n = std::filesystem::path(info.param.file).stem().string();
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });
