// Viscoelastic-cycle surrogate and the GPS inversion through it (hybrid/geodesy/surrogate).
// Small network and few epochs here (CI budget); the full-size numbers come from the
// postseismic scenario (docs/tutorials/postseismic.md).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/geodesy/surrogate.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace geo = hyseis::hybrid::geodesy;
namespace cyc = hyseis::physics::cycle;

namespace {
double secs(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
geo::SurrogateOptions small_options() {
  geo::SurrogateOptions o;
  o.hidden = {32, 32, 32};
  o.epochs = std::getenv("GEO_EPOCHS") ? std::atoi(std::getenv("GEO_EPOCHS")) : 60;
  o.batch_size = 128;
  o.learning_rate = 5e-3;
  o.lr_decay = 0.97;
  o.patience = 0;
  o.threads = 1;
  return o;
}
}  // namespace

TEST(GeodesySurrogate, SamplesMatchSavagePrescottScaling) {
  // v / v_p depends on (x/H, t/T, tau/T) only: the dimensionless sample equals the physical series.
  geo::SurrogateOptions o;
  const auto s = geo::savage_prescott_samples({0.25}, {0.3}, {0.5, 2.0});
  cyc::SavagePrescottParams p;  // H = D = 20, T = 200, tau = 50, s = 4 (v_p = 0.02)
  EXPECT_NEAR(s.v_over_vp[0] * 0.02, cyc::savage_prescott_velocity(p, 10, 60), 1e-14);
  EXPECT_NEAR(s.v_over_vp[1] * 0.02, cyc::savage_prescott_velocity(p, 40, 60), 1e-14);
  EXPECT_THROW(geo::savage_prescott_samples({-0.2}, {0.3}, {1.0}), hyseis::core::InvalidInput);
}

TEST(GeodesySurrogate, TrainsSavesLoadsAndInverts) {
  auto t0 = std::chrono::steady_clock::now();
  auto o = small_options();
  const auto tr = geo::savage_prescott_grid(o, 10, 16, 16, false);
  const auto ho = geo::savage_prescott_grid(o, 10, 16, 16, true);
  std::printf("samples: %zu train, %zu held out, %.2f s\n", tr.size(), ho.size(), secs(t0));
  geo::ViscoelasticSurrogate s(o);
  t0 = std::chrono::steady_clock::now();
  const auto rep = s.train(tr, ho);
  const double e_tr = s.relative_l2(tr), e_ho = s.relative_l2(ho);
  std::printf("train %.1f s, %d epochs; relative L2 train %.3e held-out %.3e\n", secs(t0), rep.epochs_run, e_tr, e_ho);
  EXPECT_LT(e_ho, 0.03);  // small net, 60 epochs; the scenario's network reaches < 1 %

  const std::string path = std::string(HYSEIS_BINARY_DIR) + "/geodesy_surrogate_test.pt";
  s.save(path);
  const auto s2 = geo::ViscoelasticSurrogate::load(path);
  EXPECT_DOUBLE_EQ(s2.relative_l2(ho), e_ho);
  EXPECT_THROW(geo::ViscoelasticSurrogate::load(path + ".missing"), hyseis::core::IoError);

  // Inversion: stations 2..150 km at 4 epochs, sigma 0.5 mm/yr, true tau = 60 yr, H = 25 km.
  const double T = 200, vp = 0.02, tau = 60, H = 25, sig = 5e-4;
  geo::GpsVelocities d;
  d.recurrence = T;
  d.plate_rate = vp;
  cyc::SavagePrescottParams p;
  p.layer_thickness = p.locking_depth = H;
  p.relaxation_time = tau;
  std::mt19937_64 rng(3);
  std::normal_distribution<double> g;
  for (double ph : {0.05, 0.2, 0.5, 0.9})
    for (double x : {-60.0, -20.0, -5.0, 2.0, 5.0, 10.0, 20.0, 35.0, 60.0, 100.0, 150.0}) {
      d.x.push_back(x);
      d.phase.push_back(ph);
      d.v.push_back(cyc::savage_prescott_velocity(p, x, ph * T) + sig * g(rng));
      d.sigma.push_back(sig);
    }
  geo::InversionOptions io;
  io.ensemble = 8;
  t0 = std::chrono::steady_clock::now();
  const auto r = geo::invert_tau_depth(s2, d, io);
  std::printf("inversion %.2f s: tau %.2f +- %.2f (ens %.2f +- %.2f), H %.2f +- %.2f (ens %.2f +- %.2f), chi2 %.1f / %d\n",
              secs(t0), r.tau, r.tau_std, r.ensemble_tau_mean, r.ensemble_tau_std, r.h, r.h_std, r.ensemble_h_mean,
              r.ensemble_h_std, r.chi2, r.n_data);
  // The small surrogate's own error (~1-3 %) dominates the noise: 10 % on tau, 5 % on H.
  EXPECT_NEAR(r.tau / tau, 1, 0.10);
  EXPECT_NEAR(r.h / H, 1, 0.05);
  EXPECT_GT(r.tau_std, 0);
  EXPECT_GT(r.h_std, 0);

  // bad input: a station on the fault trace, a negative viscosity start
  auto bad = d;
  bad.x[3] = 0;
  EXPECT_THROW(geo::invert_tau_depth(s2, bad, io), hyseis::core::InvalidInput);
  io.start_tau = {-10};
  EXPECT_THROW(geo::invert_tau_depth(s2, d, io), hyseis::core::InvalidInput);
  EXPECT_THROW(s2.velocity({1.0}, 0.5, -50, 20, 200, 0.02), hyseis::core::InvalidInput);
  std::filesystem::remove(path);
  std::filesystem::remove(path + ".json");
}
