// Issue 7, learned and physics-informed GMPEs: data, NN, XGBoost, PI-GMPE, stress drops, batch
// BSSA14, `hyseis gmpe`, and a reduced gmpe_compare scenario.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "gmpe_command.hpp"
#include "hyseis/core/config.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/hybrid/gmpe/pi_gmpe.hpp"
#include "hyseis/hybrid/gmpe/scenario.hpp"
#include "hyseis/hybrid/gmpe/stress_drop.hpp"
#include "hyseis/hybrid/gmpe/trained.hpp"
#include "hyseis/learning/regression/gm_dataset.hpp"
#include "hyseis/learning/regression/nn_gmpe.hpp"
#include "hyseis/learning/regression/xgb_gmpe.hpp"
#include "hyseis/physics/groundmotion/bssa14.hpp"
#include "hyseis/physics/groundmotion/bssa14_batch.hpp"
#include "hyseis/physics/groundmotion/stochastic.hpp"

namespace fs = std::filesystem;
namespace reg = hyseis::learning::regression;
namespace hg = hyseis::hybrid::gmpe;
namespace gm = hyseis::physics::groundmotion;
using hyseis::core::InvalidInput;
using hyseis::core::IoError;

namespace {

std::string tmpdir(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("hyseis_gmpe_ml_" + name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::string nga_path() {
  const char* env = std::getenv("HYSEIS_VALIDATION_DATA");
  const fs::path base = env ? fs::path(env) : fs::path(HYSEIS_SOURCE_DIR) / ".." / "shared" / "validation";
  return (base / "nga_flatfile_subsets" / "nga_west1_mainshocks_1231.csv").lexically_normal().string();
}

void write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Synthetic records: ln Y = 1 + 1.2 (M-6) - 0.15 (M-6)^2 - 1.1 ln sqrt(R^2+36) - 0.5 ln(V/760) + eta + eps.
reg::GmFlatfile synthetic(int events, int per_event, double tau, double phi, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> U(0, 1);
  std::normal_distribution<double> N(0, 1);
  reg::GmFlatfile f;
  f.imts = {"PGA", "SA(1.0)"};
  const int n = events * per_event;
  f.predictors.resize(n, reg::kNumPredictors);
  f.ln_y.resize(n, 2);
  for (int e = 0; e < events; ++e) {
    const double m = 5 + 2.5 * U(rng), eta = tau * N(rng);
    f.events.push_back("E" + std::to_string(e));
    for (int k = 0; k < per_event; ++k) {
      const int i = e * per_event + k;
      const double r = std::exp(std::log(1.0) + std::log(200.0) * U(rng)), v = 200 + 800 * U(rng);
      f.predictors.row(i) << m, r, std::sqrt(r * r + 4), 2.0, v, 0.0, 90.0;
      const double base = 1 + 1.2 * (m - 6) - 0.15 * (m - 6) * (m - 6) - 1.1 * 0.5 * std::log(r * r + 36) - 0.5 * std::log(v / 760);
      f.ln_y(i, 0) = base + eta + phi * N(rng);
      f.ln_y(i, 1) = base - 0.8 + 0.4 * (m - 6) + eta + phi * N(rng);
      f.event_index.push_back(e);
      f.record_id.push_back(std::to_string(i));
    }
  }
  f.rows = std::size_t(n);
  return f;
}

double rmse(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) { return std::sqrt((a - b).squaredNorm() / a.size()); }

}  // namespace

// ---------------------------------------------------------------- data
TEST(GmDataset, ImtColumns) {
  EXPECT_EQ(reg::flatfile_column_for_imt("PGA"), "PGA");
  EXPECT_EQ(reg::flatfile_column_for_imt("SA(1.0)"), "T1.000S");
  EXPECT_EQ(reg::flatfile_column_for_imt("SA(0.2)"), "T0.200S");
  EXPECT_THROW(reg::flatfile_column_for_imt("SA(-1)"), InvalidInput);
  EXPECT_THROW(reg::flatfile_column_for_imt("PGD"), InvalidInput);
}

TEST(GmDataset, MissingValuesExcludedAndReported) {
  const std::string d = tmpdir("ff");
  write(d + "/f.csv",
        "RecNum,EQID,M,Rjb,Rrup,Ztor,Vs30,Rake,Dip,PGA,T1.000S\n"
        "1,10,6.5,10,11,1,400,0,90,0.2,0.1\n"
        "2,10,6.5,20,21,1,NA,0,90,0.1,0.05\n"
        "3,11,7.0,5,6,0,760,90,45,0.4,\n"
        "4,11,7.0,50,50,0,300,90,45,0.0,0.01\n"
        "5,11,7.0,30,30,0,500,90,45,0.05,0.03\n");
  const auto f = reg::read_gm_flatfile(d + "/f.csv", {"PGA", "SA(1.0)"});
  EXPECT_EQ(f.rows, 5u);
  EXPECT_EQ(f.size(), 2u);
  EXPECT_EQ(f.excluded_missing, 2u);
  EXPECT_EQ(f.excluded_nonpositive, 1u);
  EXPECT_EQ(f.missing_by_column.at("Vs30"), 1u);
  EXPECT_EQ(f.missing_by_column.at("T1.000S"), 1u);
  EXPECT_EQ(f.n_events(), 2);
  EXPECT_NEAR(f.ln_y(0, 0), std::log(0.2), 1e-15);
  ASSERT_EQ(f.excluded_rows.size(), 3u);
  EXPECT_NE(f.excluded_rows[0].find("line 3"), std::string::npos);
  write(d + "/g.csv", "EQID,M,Rjb,Rrup,Ztor,Vs30,Rake,Dip,PGA\n1,6,x,1,1,1,1,1,1\n");
  EXPECT_THROW(reg::read_gm_flatfile(d + "/g.csv", {"PGA"}), IoError);
  EXPECT_THROW(reg::read_gm_flatfile(d + "/f.csv", {"PGV"}), IoError);  // column absent
  EXPECT_THROW(reg::read_gm_flatfile(d + "/none.csv", {"PGA"}), IoError);
}

TEST(GmDataset, NgaWest1Subset) {
  if (!fs::exists(nga_path())) GTEST_SKIP() << "NGA flatfile subset not found at " << nga_path();
  const auto f = reg::read_gm_flatfile(nga_path(), {"PGA", "PGV", "SA(1.0)"});
  EXPECT_EQ(f.rows, 1231u);
  EXPECT_EQ(f.size(), 1231u);  // no missing values in the columns used (Z1.0 etc. are not used)
  EXPECT_EQ(f.n_events(), 50);
  const auto s = f.subset({5, 1, 5});
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(s.record_id[1], f.record_id[1]);
}

TEST(GmDataset, ResidualDecompositionRecoversTauPhi) {
  const auto f = synthetic(200, 15, 0.4, 0.6, 5);
  // Residuals of the true model.
  Eigen::VectorXd r(f.size());
  for (std::size_t i = 0; i < f.size(); ++i) {
    const double m = f.predictors(i, reg::kMag), rr = f.predictors(i, reg::kRjb), v = f.predictors(i, reg::kVs30);
    r(i) = f.ln_y(i, 0) - (1 + 1.2 * (m - 6) - 0.15 * (m - 6) * (m - 6) - 1.1 * 0.5 * std::log(rr * rr + 36) - 0.5 * std::log(v / 760));
  }
  const auto d = reg::decompose_residuals(r, f.event_index, f.n_events());
  EXPECT_NEAR(d.tau, 0.4, 0.05);
  EXPECT_NEAR(d.phi, 0.6, 0.03);
  EXPECT_NEAR(d.sigma, std::hypot(0.4, 0.6), 0.05);
  EXPECT_EQ(d.event_terms.size(), 200);
}

// ---------------------------------------------------------------- NN GMPE
TEST(NnGmpe, LearnsSyntheticGmpeAndRoundTrips) {
  torch::set_num_threads(1);
  const auto tr = synthetic(60, 15, 0.0, 0.1, 7), te = synthetic(20, 15, 0.0, 0.1, 8);
  reg::NnGmpeOptions o;
  o.epochs = 300;
  o.patience = 80;
  reg::NnGmpe nn(o);
  const auto rep = nn.fit(reg::gm_features(tr.predictors), tr.ln_y, tr.event_index, tr.n_events());
  EXPECT_GT(rep.epochs_run, 10);
  const Eigen::MatrixXd p = nn.predict(reg::gm_features(te.predictors));
  // Noise 0.1: the test RMSE must come close to it (a constant predictor gives ~1.4).
  EXPECT_LT(rmse(p, te.ln_y), 0.2);
  const std::string d = tmpdir("nn");
  nn.save(d + "/nn");
  const auto back = reg::NnGmpe::load(d + "/nn");
  EXPECT_EQ((back.predict(reg::gm_features(te.predictors)) - p).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_THROW(reg::NnGmpe::load(d + "/missing"), IoError);
  reg::NnGmpeOptions bad;
  bad.hidden = {};
  EXPECT_THROW(reg::NnGmpe{bad}, InvalidInput);
}

// ---------------------------------------------------------------- XGBoost GMPE
TEST(XgbGmpe, DeterministicLearnsAndRoundTrips) {
  const auto tr = synthetic(60, 15, 0.0, 0.1, 7), te = synthetic(20, 15, 0.0, 0.1, 8);
  reg::XgbGmpeOptions o;
  o.rounds = 300;
  reg::XgbGmpe a(o), b(o);
  a.fit(reg::gm_features(tr.predictors), tr.ln_y);
  b.fit(reg::gm_features(tr.predictors), tr.ln_y);
  const Eigen::MatrixXd pa = a.predict(reg::gm_features(te.predictors));
  EXPECT_EQ((pa - b.predict(reg::gm_features(te.predictors))).cwiseAbs().maxCoeff(), 0.0);  // seeded, 1 thread
  EXPECT_LT(rmse(pa, te.ln_y), 0.3);
  const std::string d = tmpdir("xgb");
  a.save(d + "/xgb");
  const auto c = reg::XgbGmpe::load(d + "/xgb");
  EXPECT_EQ(c.outputs(), 2);
  EXPECT_EQ((c.predict(reg::gm_features(te.predictors)) - pa).cwiseAbs().maxCoeff(), 0.0);
  reg::XgbGmpeOptions bad;
  bad.eta = 0;
  EXPECT_THROW(reg::XgbGmpe{bad}, InvalidInput);
  EXPECT_THROW(reg::XgbGmpe::load(d + "/nothing"), IoError);
}

// ---------------------------------------------------------------- physics-informed GMPE
TEST(PiGmpe, BaselineIsBssa14AsPublished) {
  Eigen::MatrixXd P(1, reg::kNumPredictors);
  P << 6.5, 12.0, 13.0, 1.0, 400.0, 90.0, 45.0;
  const Eigen::MatrixXd b = hg::baseline_ln_median({}, {"PGA", "SA(1.0)"}, P);
  gm::Rupture r;
  r.mag = 6.5;
  r.rake = 90;
  gm::Site s;
  s.rjb = 12;
  s.vs30 = 400;
  EXPECT_DOUBLE_EQ(b(0, 0), gm::BSSA14().evaluate(r, s, gm::Imt::pga()).ln_median);
  EXPECT_DOUBLE_EQ(b(0, 1), gm::BSSA14().evaluate(r, s, gm::Imt::sa(1.0)).ln_median);
  hg::BaselineOptions st;
  st.model = "stochastic";
  EXPECT_THROW(hg::baseline_ln_median(st, {"PGV"}, P), InvalidInput);
  EXPECT_TRUE(std::isfinite(hg::baseline_ln_median(st, {"PGA"}, P)(0, 0)));
}

// Records whose residual w.r.t. BSSA14 *grows* with distance and bends upward in M: an
// unconstrained residual network learns the violations; the penalties remove them.
TEST(PiGmpe, ConstraintsHoldOnGridAfterTraining) {
  torch::set_num_threads(1);
  auto f = synthetic(40, 15, 0.0, 0.05, 11);
  f.imts = {"PGA"};
  Eigen::MatrixXd base = hg::baseline_ln_median({}, f.imts, f.predictors);
  Eigen::MatrixXd y(f.size(), 1);
  for (std::size_t i = 0; i < f.size(); ++i) {
    const double lr = std::log(f.predictors(i, reg::kRjb) + 1), m = f.predictors(i, reg::kMag);
    y(i, 0) = base(i, 0) + 1.2 * lr + 0.5 * (m - 6) * (m - 6);  // violates both constraints
  }
  f.ln_y = y;
  hg::PiGmpeOptions o;
  o.epochs = 60;
  o.patience = 0;
  o.augment_points = 0;
  o.weight_distance = 0;
  o.weight_magnitude = 0;
  hg::PiGmpe free_model(o);
  free_model.fit(f);
  const auto c0 = free_model.check_constraints(5.0, 8.0, 16, 0.5, 300, 16, {300, 760});
  EXPECT_GT(c0.max_dlny_dlnr, 0.2) << "the unconstrained model should learn the increase with distance";
  o.weight_distance = 100;
  o.weight_magnitude = 100;
  o.epochs = 150;
  o.collocation_batch = 256;
  hg::PiGmpe pi(o);
  const auto rep = pi.fit(f);
  EXPECT_LT(rep.final_distance_penalty, 1e-3);
  const auto c = pi.check_constraints(5.0, 8.0, 16, 0.5, 300, 16, {300, 760});
  EXPECT_LT(c.max_dlny_dlnr, 0.05);
  EXPECT_LT(c.fraction_distance_violations, 0.02);
  EXPECT_LT(c.max_d2lny_dm2, 0.1);
  EXPECT_LT(c.fraction_magnitude_violations, 0.05);
  EXPECT_LE(c.max_dlny_dm, o.max_mag_slope + 0.1);
  // BSSA14 itself satisfies the distance constraint on this grid.
  EXPECT_LE(c.baseline_max_dlny_dlnr, 1e-9);
  const std::string d = tmpdir("pi");
  pi.save(d + "/hybrid");
  const auto back = hg::PiGmpe::load(d + "/hybrid");
  EXPECT_EQ((back.predict(f.predictors) - pi.predict(f.predictors)).cwiseAbs().maxCoeff(), 0.0);
  hg::PiGmpeOptions bad;
  bad.activation = "relu";
  EXPECT_THROW(hg::PiGmpe{bad}, InvalidInput);
}

TEST(StressDrop, RecoversStochasticModelStressDrops) {
  // Records generated by the stochastic model itself at Vs30 = 620 m/s (site correction 0).
  reg::GmFlatfile f;
  f.imts = {"PGA", "SA(0.2)"};
  const double truth[3] = {20.0, 100.0, 400.0};
  const double mags[3] = {5.5, 6.3, 7.1};
  std::vector<std::array<double, 2>> rows;
  gm::StochasticParameters sp;
  sp.n_freq = 1000;
  sp.n_peak = 1000;
  int n = 0;
  f.predictors.resize(15, reg::kNumPredictors);
  f.ln_y.resize(15, 2);
  for (int e = 0; e < 3; ++e) {
    sp.stress_drop = truth[e];
    const gm::StochasticPointSource model(sp);
    f.events.push_back(std::to_string(e));
    for (double r : {5.0, 15.0, 30.0, 60.0, 120.0}) {
      const double h = std::pow(10.0, -0.405 + 0.235 * mags[e]), R = std::sqrt(r * r + h * h);
      f.predictors.row(n) << mags[e], r, r, 0, 620.0, 0, 90;
      f.ln_y(n, 0) = model.pga(mags[e], R).ln_value;
      f.ln_y(n, 1) = model.psa(0.2, mags[e], R).ln_value;
      f.event_index.push_back(e);
      f.record_id.push_back(std::to_string(n));
      ++n;
    }
  }
  const auto fit = hg::fit_event_stress_drops(f);
  ASSERT_EQ(fit.imts_used.size(), 2u);
  for (int e = 0; e < 3; ++e) {
    ASSERT_TRUE(fit.fitted[e]);
    EXPECT_NEAR(fit.stress_drop_bar[e] / truth[e], 1.0, 1e-4) << "event " << e;
    EXPECT_LT(fit.rms_misfit[e], 1e-4);
  }
}

// ---------------------------------------------------------------- batch BSSA14
TEST(Bssa14Batch, AgreesWithScalarEvaluate) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> U(0, 1);
  const std::size_t n = 2000;
  std::vector<double> m(n), rk(n), r(n), v(n), lnm(n), tau(n), phi(n), sig(n);
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = 3 + 5.5 * U(rng);
    rk[i] = -180 + 360 * U(rng);
    r[i] = i % 50 == 0 ? 0.0 : 400 * U(rng) * U(rng);
    v[i] = 150 + 1400 * U(rng);
  }
  const gm::BSSA14 scalar;
  for (const gm::Imt imt : {gm::Imt::pga(), gm::Imt::pgv(), gm::Imt::sa(0.2), gm::Imt::sa(1.0), gm::Imt::sa(10.0)}) {
    gm::bssa14_batch({m.data(), rk.data(), r.data(), v.data(), n}, imt, {lnm.data(), tau.data(), phi.data(), sig.data()});
    for (std::size_t i = 0; i < n; ++i) {
      gm::Rupture rup;
      rup.mag = m[i];
      rup.rake = rk[i];
      gm::Site s;
      s.rjb = r[i];
      s.vs30 = v[i];
      const auto g = scalar.evaluate(rup, s, imt);
      ASSERT_NEAR(lnm[i], g.ln_median, 1e-12) << imt.name() << " i=" << i;
      ASSERT_NEAR(tau[i], g.tau, 1e-14);
      ASSERT_NEAR(phi[i], g.phi, 1e-12);
      ASSERT_NEAR(sig[i], g.sigma, 1e-12);
    }
  }
  v[7] = -1;
  EXPECT_THROW(gm::bssa14_batch({m.data(), rk.data(), r.data(), v.data(), n}, gm::Imt::pga(), {lnm.data()}), InvalidInput);
  EXPECT_THROW(gm::bssa14_batch({m.data(), rk.data(), r.data(), v.data(), n}, gm::Imt::sa(0.123), {lnm.data()}), InvalidInput);
}

// ---------------------------------------------------------------- hyseis gmpe
namespace {
std::vector<std::vector<std::string>> run_cmd(const hyseis::scenarios::GmpeArgs& a) {
  std::ostringstream os;
  EXPECT_EQ(hyseis::scenarios::run_gmpe_command(a, os), 0);
  std::vector<std::vector<std::string>> rows;
  std::istringstream is(os.str());
  std::string line;
  while (std::getline(is, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    std::string x;
    while (std::getline(ls, x, ',')) f.push_back(x);
    if (!line.empty() && line.back() == ',') f.push_back("");
    rows.push_back(f);
  }
  return rows;
}
}  // namespace

TEST(GmpeCommand, Bssa14MatchesLibraryAndRejectsOutOfRange) {
  hyseis::scenarios::GmpeArgs a;
  a.mag = 6.5;
  a.rjb = 10;
  a.vs30 = 400;
  a.imts = "PGA,PGV,SA(1.0)";
  const auto rows = run_cmd(a);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][7], "imt");
  gm::Rupture r;
  r.mag = 6.5;
  gm::Site s;
  s.rjb = 10;
  s.vs30 = 400;
  const auto g = gm::BSSA14().evaluate(r, s, gm::Imt::sa(1.0));
  EXPECT_EQ(rows[3][7], "SA(1.0)");
  EXPECT_NEAR(std::stod(rows[3][10]), g.ln_median, 1e-7);
  EXPECT_NEAR(std::stod(rows[3][13]), g.sigma, 1e-7);
  EXPECT_EQ(rows[2][9], "cm/s");
  EXPECT_EQ(rows[1][14], "0");
  // Out of range: error unless --extrapolate; then flagged.
  a.mag = 9.0;
  std::ostringstream os;
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), InvalidInput);
  a.extrapolate = true;
  const auto ex = run_cmd(a);
  EXPECT_EQ(ex[1][14], "1");
  a.extrapolate = false;
  a.mag = 6.5;
  a.rjb = 500;
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), InvalidInput);
  a.rjb = 10;
  a.imts = "SA(0.123)";  // not a table period
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), InvalidInput);
  a.extrapolate = true;  // interpolated in ln T inside the table
  EXPECT_EQ(run_cmd(a).size(), 2u);
  a.imts = "SA(20.0)";  // outside the table: error even with --extrapolate
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), InvalidInput);
  a.imts = "PGA";
  a.vs30 = std::nan("");
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), InvalidInput);
  a.vs30 = 400;
  a.model = "nonsense";
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), InvalidInput);
  a.model = "stochastic";
  a.imts = "PGV";
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), InvalidInput);
  a.imts = "PGA,SA(0.2)";
  EXPECT_EQ(run_cmd(a).size(), 3u);
  a.model = "cy14";
  a.imts = "PGA";
  EXPECT_EQ(run_cmd(a).size(), 2u);
}

TEST(GmpeCommand, CsvInOut) {
  const std::string d = tmpdir("cmd");
  write(d + "/sc.csv", "mag,rjb,vs30,rake\n6.0,5,760,0\n7.0,30,300,90\n");
  hyseis::scenarios::GmpeArgs a;
  a.csv = d + "/sc.csv";
  a.out = d + "/res.csv";
  a.imts = "PGA,SA(0.2)";
  std::ostringstream os;
  EXPECT_EQ(hyseis::scenarios::run_gmpe_command(a, os), 0);
  EXPECT_TRUE(os.str().empty());
  std::ifstream in(a.out);
  int lines = 0;
  for (std::string l; std::getline(in, l);) ++lines;
  EXPECT_EQ(lines, 5);
  write(d + "/bad.csv", "mag,rjb\n6,5\n");
  a.csv = d + "/bad.csv";
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), IoError);
  write(d + "/bad2.csv", "mag,rjb,vs30\n6,five,400\n");
  a.csv = d + "/bad2.csv";
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), IoError);
}

// ---------------------------------------------------------------- scenario (reduced)
TEST(GmpeCompareScenario, ReducedRunWritesTableFiguresAndModels) {
  torch::set_num_threads(1);
  if (!fs::exists(nga_path())) GTEST_SKIP() << "NGA flatfile subset not found at " << nga_path();
  const std::string yaml =
      "scenario: {name: gmpe_test, type: gmpe_compare}\n"
      "data: {flatfile: " + nga_path() + ", imts: [PGA, SA(1.0)]}\n"
      "split: {folds: 2, extrapolation_min_magnitude: 7.3}\n"
      "nn: {epochs: 15, hidden: [8]}\n"
      "xgboost: {rounds: 20}\n"
      "hybrid: {epochs: 5, hidden: [8], collocation_points: 64, collocation_batch: 32, augment_points: 32}\n"
      "stress_drop: {min_records: 5}\n";
  const auto doc = hyseis::core::config::load_string(yaml, "gmpe_test.yaml");
  const std::string d = tmpdir("scenario");
  hg::run_gmpe_compare_scenario(doc.root(), d);
  for (const char* f : {"summary.json", "gmpe_compare.h5", "gmpe_table.txt", "residuals_vs_magnitude.png",
                        "residuals_vs_distance.png", "residuals_vs_vs30.png", "event_terms_vs_stress_drop.png",
                        "models/hybrid.gmpe.json", "models/nn.gmpe.json", "models/xgboost.gmpe.json",
                        "models/linear.gmpe.json"})
    EXPECT_TRUE(fs::exists(d + "/" + f)) << f;
  const auto j = hyseis::core::json::read(d + "/summary.json");
  for (const char* m : {"linear", "bssa14", "nn", "xgboost", "hybrid"}) {
    EXPECT_TRUE(j["kfold"].contains(m)) << m;
    EXPECT_GT(j["kfold"][m]["rmse_ln"].get<double>(), 0.3) << m;
    EXPECT_LT(j["kfold"][m]["rmse_ln"].get<double>(), 1.5) << m;
  }
  EXPECT_EQ(j["data"]["records_used"].get<int>(), 1231);
  // BSSA14 as published on its own development data: the flatfile's PROVENANCE plausibility band.
  EXPECT_LT(std::abs(j["kfold"]["bssa14"]["bias_ln"].get<double>()), 0.3);
  EXPECT_GT(j["stress_drop"]["events_fitted"].get<int>(), 20);
  // Trained models answer through `hyseis gmpe` and agree with the manifest loader.
  hyseis::scenarios::GmpeArgs a;
  a.model = d + "/models/hybrid.gmpe.json";
  a.mag = 6.5;
  a.rjb = 10;
  a.vs30 = 400;
  a.imts = "PGA,SA(1.0)";
  const auto rows = run_cmd(a);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FALSE(rows[1][13].empty());  // sigma from the k-fold residuals
  a.imts = "PGV";  // not trained
  std::ostringstream os;
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), InvalidInput);
  a.imts = "PGA";
  a.mag = 4.0;  // below the training magnitudes
  EXPECT_THROW(hyseis::scenarios::run_gmpe_command(a, os), InvalidInput);
  for (const char* m : {"linear", "nn", "xgboost"}) {
    a.model = d + "/models/" + m + ".gmpe.json";
    a.mag = 6.5;
    EXPECT_EQ(run_cmd(a).size(), 2u) << m;
  }
}

// The full scenario (scenarios/gmpe_compare.yaml) runs only when HYSEIS_GMPE_FULL_OUT names an
// output folder (it takes minutes; `hyseis run scenarios/gmpe_compare.yaml` is the normal way).
TEST(GmpeCompareScenario, FullScenarioWhenRequested) {
  const char* out = std::getenv("HYSEIS_GMPE_FULL_OUT");
  if (!out) GTEST_SKIP() << "set HYSEIS_GMPE_FULL_OUT=<folder> to run scenarios/gmpe_compare.yaml";
  if (!fs::exists(nga_path())) GTEST_SKIP() << "NGA flatfile subset not found at " << nga_path();
  torch::set_num_threads(1);
  const char* yaml = std::getenv("HYSEIS_GMPE_FULL_YAML");  // another configuration, if set
  const auto doc = hyseis::core::config::load_file(yaml ? std::string(yaml)
                                                        : std::string(HYSEIS_SOURCE_DIR) + "/scenarios/gmpe_compare.yaml");
  fs::create_directories(out);
  hg::run_gmpe_compare_scenario(doc.root(), out);
  EXPECT_TRUE(fs::exists(std::string(out) + "/summary.json"));
}

// ---------------------------------------------------------------- benchmark case (quick)
#include "hyseis/bench/bench.hpp"
namespace hyseis::bench::detail {
std::vector<Row> gmpe_bssa14_vectorised(const Options& opt);
}
TEST(GmpeBench, QuickRunAgreesAndReportsRates) {
  hyseis::bench::Options o;
  o.quick = std::getenv("HYSEIS_GMPE_BENCH_FULL") == nullptr;  // full size (10^6 pairs) on request
  const auto rows = hyseis::bench::detail::gmpe_bssa14_vectorised(o);
  for (const auto& r : rows)
    std::cout << r.metric << ": " << r.value << " (baseline " << r.baseline << ", ratio " << r.ratio << ")\n";
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_GT(rows[0].value, 0);
  EXPECT_GT(rows[0].baseline, 0);
  EXPECT_LE(rows[2].value, 1e-10);
}
