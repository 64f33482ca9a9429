// Synthetic GPS noise (physics/cycle/viscoelastic_geodesy.cpp): flicker PSD slope ~ -1, white ~ 0,
// amplitudes, reproducibility.
#include <gtest/gtest.h>

#include <cmath>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/cycle/viscoelastic.hpp"

namespace {

using namespace hyseis::physics::cycle;

TEST(GeodesyNoise, FlickerSpectralSlopeIsMinusOne) {
  std::vector<std::vector<double>> series;
  for (std::uint64_t k = 0; k < 12; ++k) series.push_back(flicker_noise(2048, 100 + k));
  const double slope = spectral_slope(series, 4.0 / 2048, 0.25);
  std::printf("  flicker PSD slope %.3f\n", slope);
  EXPECT_NEAR(slope, -1.0, 0.15);
}

TEST(GeodesyNoise, WhiteSpectralSlopeIsZeroAndSigmaIsRight) {
  NoiseOptions o;
  o.flicker_amplitude = 0;
  o.white_sigma = 3e-3;
  std::vector<std::vector<double>> series;
  double var = 0;
  for (std::uint64_t k = 0; k < 12; ++k) {
    o.seed = 7 + k;
    series.push_back(gps_noise(2048, o));
    for (double v : series.back()) var += v * v;
  }
  var /= 12 * 2048;
  EXPECT_NEAR(spectral_slope(series, 4.0 / 2048, 0.25), 0.0, 0.15);
  EXPECT_NEAR(std::sqrt(var), 3e-3, 1e-4);
}

TEST(GeodesyNoise, CombinedNoiseIsReproducibleAndScaled) {
  NoiseOptions o;
  o.seed = 42;
  EXPECT_EQ(gps_noise(500, o), gps_noise(500, o));
  auto o2 = o;
  o2.seed = 43;
  EXPECT_NE(gps_noise(500, o), gps_noise(500, o2));
  // flicker scaling b_f dt^(1/4): doubling b_f doubles the flicker part
  o.white_sigma = 0;
  auto a = gps_noise(300, o);
  o.flicker_amplitude *= 2;
  auto b = gps_noise(300, o);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i], 2 * a[i], 1e-15);
}

TEST(GeodesyNoise, InvalidInputThrows) {
  using hyseis::core::InvalidInput;
  NoiseOptions o;
  o.white_sigma = -1;
  EXPECT_THROW(gps_noise(10, o), InvalidInput);
  o = NoiseOptions{};
  o.sample_interval = 0;
  EXPECT_THROW(gps_noise(10, o), InvalidInput);
  EXPECT_THROW(spectral_slope({{1, 2, 3}}, 0.1, 0.2), InvalidInput);
}

}  // namespace
