#pragma once
// Small self-contained PNG plotting (libpng + a built-in bitmap font): line plots, wiggle
// sections and colour images with axes, ticks, labels, colour bars and legends.
// Files are written to `<path>.tmp` and renamed.
#include <array>
#include <string>
#include <vector>

namespace hyseis::core::plot {

struct Series {
  std::vector<double> x, y;
  std::string label;
  std::array<unsigned char, 3> color{0, 0, 0};
  bool dashed = false;
};

struct LinePlot {
  std::string title, xlabel, ylabel;
  std::vector<Series> series;
  bool log_x = false, log_y = false;
  int width = 1000, height = 600;
};
void save_png(const LinePlot& plot, const std::string& path);

/// Record section: one trace per receiver, drawn at its offset, time down or right.
struct Section {
  std::string title, xlabel = "time (s)", ylabel = "offset (m)";
  std::vector<double> time;                  // shared time axis
  std::vector<double> offsets;               // one per trace
  std::vector<std::vector<double>> traces;   // traces[i][n]
  double clip = 0;                           // 0 = normalise each trace to its max (trace-norm)
  bool trace_normalise = true;
  int width = 1000, height = 700;
};
void save_png(const Section& section, const std::string& path);

/// Colour image of a gridded field: values[iz * nx + ix], iz = 0 at zmin (drawn at the bottom).
struct Image {
  std::string title, xlabel = "x (m)", ylabel = "z (m)", colorbar_label;
  int nx = 0, nz = 0;
  double xmin = 0, xmax = 1, zmin = 0, zmax = 1;
  std::vector<double> values;
  std::string colormap = "seismic";          // "seismic" (symmetric blue-white-red), "viridis"
  bool symmetric = true;                     // colour range [-max|v|, max|v|]
  double clip_percentile = 100;              // colour range end = this percentile of |v|
                                             // (e.g. 99.5 keeps a source peak from washing
                                             // out the rest of a snapshot); values beyond saturate
  std::vector<std::array<double, 2>> markers_star;     // sources
  std::vector<std::array<double, 2>> markers_triangle; // receivers
  int width = 1000, height = 600;
};
void save_png(const Image& image, const std::string& path);

/// libpng version string, e.g. "1.6.39".
std::string libpng_version();

}  // namespace hyseis::core::plot
