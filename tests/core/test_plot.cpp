#include <gtest/gtest.h>
#include <png.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "hyseis/core/error.hpp"
#include "hyseis/core/plot.hpp"
#include "tmpdir.hpp"

using namespace hyseis::core;
using hyseis::testing::TempDir;

namespace {

struct Png {
  int w = 0, h = 0;
  std::vector<unsigned char> rgb;
  // number of distinct colours (capped) and fraction of non-white pixels
  std::size_t colours() const {
    std::vector<unsigned> seen;
    for (std::size_t i = 0; i + 2 < rgb.size() && seen.size() < 5000; i += 3) {
      const unsigned c = (rgb[i] << 16) | (rgb[i + 1] << 8) | rgb[i + 2];
      if (std::find(seen.begin(), seen.end(), c) == seen.end()) seen.push_back(c);
    }
    return seen.size();
  }
  double ink() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i + 2 < rgb.size(); i += 3) n += (rgb[i] < 250 || rgb[i + 1] < 250 || rgb[i + 2] < 250);
    return static_cast<double>(n) / (static_cast<double>(rgb.size()) / 3);
  }
  std::array<int, 3> at(int x, int y) const {
    const std::size_t i = (static_cast<std::size_t>(y) * w + x) * 3;
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
};

// Set HYSEIS_TEST_PLOT_DIR to keep copies of the figures for a visual check.
void keep(const std::string& path) {
  if (const char* d = std::getenv("HYSEIS_TEST_PLOT_DIR"))
    std::filesystem::copy_file(path, std::filesystem::path(d) / std::filesystem::path(path).filename(),
                               std::filesystem::copy_options::overwrite_existing);
}

Png read_png(const std::string& path) {
  keep(path);
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  EXPECT_TRUE(png_image_begin_read_from_file(&img, path.c_str())) << path << ": " << img.message;
  img.format = PNG_FORMAT_RGB;
  Png p;
  p.w = static_cast<int>(img.width);
  p.h = static_cast<int>(img.height);
  p.rgb.resize(PNG_IMAGE_SIZE(img));
  EXPECT_TRUE(png_image_finish_read(&img, nullptr, p.rgb.data(), 0, nullptr)) << img.message;
  return p;
}

}  // namespace

TEST(Plot, LinePlotWithLegendDashesAndLogAxis) {
  TempDir dir("plot");
  plot::LinePlot lp;
  lp.title = "Convergence: L2 error vs h";
  lp.xlabel = "h (m)";
  lp.ylabel = "relative error";
  lp.log_x = lp.log_y = true;
  plot::Series a{{}, {}, "degree 2", {31, 119, 180}, false};
  plot::Series b{{}, {}, "slope 3", {214, 39, 40}, true};
  for (int k = 0; k < 6; ++k) {
    const double h = 100.0 / std::pow(2.0, k);
    a.x.push_back(h), a.y.push_back(1e-2 * std::pow(h / 100, 3.1));
    b.x.push_back(h), b.y.push_back(1.2e-2 * std::pow(h / 100, 3));
  }
  lp.series = {a, b};
  const auto f = dir.file("conv.png");
  plot::save_png(lp, f);
  EXPECT_FALSE(std::filesystem::exists(f + ".tmp"));
  const Png p = read_png(f);
  EXPECT_EQ(p.w, 1000);
  EXPECT_EQ(p.h, 600);
  EXPECT_GT(p.colours(), 20u);
  EXPECT_GT(p.ink(), 0.01);
  EXPECT_LT(p.ink(), 0.5);

  plot::LinePlot lin;
  lin.title = "trace";
  lin.series = {{{0, 1, 2, 3}, {0, 1, 0, -1}, "", {0, 0, 0}, false}};
  lin.width = 640, lin.height = 400;
  plot::save_png(lin, dir.file("lin.png"));
  const Png q = read_png(dir.file("lin.png"));
  EXPECT_EQ(q.w, 640);
  EXPECT_EQ(q.h, 400);
  EXPECT_THROW(plot::save_png(plot::LinePlot{"", "", "", {{{0, 1}, {1}, "bad", {}, false}}}, dir.file("x.png")),
               InvalidInput);
}

TEST(Plot, WiggleSection) {
  TempDir dir("plot");
  plot::Section s;
  s.title = "Record section (uz)";
  s.ylabel = "offset (km)";
  for (int n = 0; n < 800; ++n) s.time.push_back(n * 0.01);
  for (int r = 0; r < 20; ++r) {
    const double off = r * 1.0;
    s.offsets.push_back(off);
    std::vector<double> tr;
    for (double t : s.time) {
      const double tau = t - 1.0 - off / 3.0;
      tr.push_back((1 - 2 * 9.87 * tau * tau) * std::exp(-9.87 * tau * tau) * (r + 1));
    }
    s.traces.push_back(tr);
  }
  const auto f = dir.file("section.png");
  plot::save_png(s, f);
  const Png p = read_png(f);
  EXPECT_EQ(p.w, 1000);
  EXPECT_EQ(p.h, 700);
  EXPECT_GT(p.ink(), 0.02);
  s.traces.pop_back();
  EXPECT_THROW(plot::save_png(s, dir.file("bad.png")), InvalidInput);
}

TEST(Plot, ImageWithColourbarAndMarkers) {
  TempDir dir("plot");
  plot::Image im;
  im.title = "wavefield";
  im.nx = 200, im.nz = 100;
  im.xmin = 0, im.xmax = 40, im.zmin = -20, im.zmax = 0;
  im.xlabel = "x (km)", im.ylabel = "z (km)", im.colorbar_label = "uz (m)";
  for (int k = 0; k < im.nz; ++k)
    for (int i = 0; i < im.nx; ++i) {
      const double x = im.xmin + 40.0 * i / (im.nx - 1), z = -20 + 20.0 * k / (im.nz - 1);
      const double r = std::hypot(x - 20, z + 8);
      im.values.push_back(std::sin(r) * std::exp(-r / 10));
    }
  im.markers_star = {{{20, -8}}};
  for (int r = 0; r < 10; ++r) im.markers_triangle.push_back({{2.0 + 4 * r, 0}});
  im.clip_percentile = 99;
  const auto f = dir.file("snap.png");
  plot::save_png(im, f);
  const Png p = read_png(f);
  EXPECT_EQ(p.w, 1000);
  EXPECT_GT(p.colours(), 200u);
  // somewhere there is a strong red and a strong blue pixel (symmetric seismic map)
  bool red = false, blue = false;
  for (int y = 0; y < p.h; ++y)
    for (int x = 0; x < p.w; ++x) {
      const auto c = p.at(x, y);
      red = red || (c[0] > 200 && c[1] < 60 && c[2] < 60);
      blue = blue || (c[2] > 200 && c[0] < 60 && c[1] < 60);
    }
  EXPECT_TRUE(red);
  EXPECT_TRUE(blue);
  im.colormap = "viridis";
  im.symmetric = false;
  im.markers_star.clear();
  plot::save_png(im, dir.file("viridis.png"));
  EXPECT_GT(read_png(dir.file("viridis.png")).colours(), 100u);
  im.values.pop_back();
  EXPECT_THROW(plot::save_png(im, dir.file("bad.png")), InvalidInput);
}

TEST(Plot, UnwritableDestinationIsIoError) {
  plot::LinePlot lp;
  lp.series = {{{0, 1}, {0, 1}, "", {0, 0, 0}, false}};
  EXPECT_THROW(plot::save_png(lp, "/nonexistent-dir/x.png"), IoError);
}
