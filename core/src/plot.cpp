#include "hyseis/core/plot.hpp"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "hyseis/core/error.hpp"
#include "plot_font.hpp"

namespace hyseis::core::plot {

std::string libpng_version() { return png_get_libpng_ver(nullptr); }

namespace {

using Rgb = std::array<unsigned char, 3>;
constexpr Rgb kBlack{0, 0, 0}, kWhite{255, 255, 255}, kGrid{225, 225, 225}, kText{20, 20, 20};

// --- raster ----------------------------------------------------------------------------------
struct Canvas {
  int w, h;
  std::vector<unsigned char> px;
  Canvas(int w_, int h_) : w(w_), h(h_), px(static_cast<std::size_t>(w_) * h_ * 3, 255) {}

  void blend(int x, int y, const Rgb& c, double a) {
    if (x < 0 || y < 0 || x >= w || y >= h || a <= 0) return;
    a = std::min(a, 1.0);
    unsigned char* p = &px[(static_cast<std::size_t>(y) * w + x) * 3];
    for (int k = 0; k < 3; ++k) p[k] = static_cast<unsigned char>(std::lround(p[k] * (1 - a) + c[k] * a));
  }
  void set(int x, int y, const Rgb& c) { blend(x, y, c, 1.0); }
  void fill_rect(int x0, int y0, int x1, int y1, const Rgb& c) {
    for (int y = std::max(0, y0); y < std::min(h, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(w, x1); ++x) set(x, y, c);
  }
};

struct Rect {
  int x0, y0, x1, y1;  // pixel box, x1/y1 exclusive
};

/// Anti-aliased polyline: coverage is accumulated (max) in a mask, then composited once, so
/// joints are not darkened twice. Optional dash pattern in pixels.
class Stroke {
public:
  Stroke(const Canvas& c, Rect clip) : w_(c.w), h_(c.h), clip_(clip), mask_(static_cast<std::size_t>(c.w) * c.h, 0.f) {}

  void segment(double x0, double y0, double x1, double y1, double width) {
    const double r = width / 2 + 0.5;
    const int bx0 = std::max(clip_.x0, static_cast<int>(std::floor(std::min(x0, x1) - r)));
    const int bx1 = std::min(clip_.x1 - 1, static_cast<int>(std::ceil(std::max(x0, x1) + r)));
    const int by0 = std::max(clip_.y0, static_cast<int>(std::floor(std::min(y0, y1) - r)));
    const int by1 = std::min(clip_.y1 - 1, static_cast<int>(std::ceil(std::max(y0, y1) + r)));
    const double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    for (int y = by0; y <= by1; ++y)
      for (int x = bx0; x <= bx1; ++x) {
        const double px = x + 0.5, py = y + 0.5;
        double t = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0;
        t = std::clamp(t, 0.0, 1.0);
        const double ex = x0 + t * dx - px, ey = y0 + t * dy - py;
        const double d = std::sqrt(ex * ex + ey * ey);
        const double cov = std::clamp(width / 2 + 0.5 - d, 0.0, 1.0);
        float& m = mask_[static_cast<std::size_t>(y) * w_ + x];
        if (cov > m) m = static_cast<float>(cov);
        touch(x, y);
      }
  }

  void polyline(const std::vector<double>& xs, const std::vector<double>& ys, double width, bool dashed) {
    const double dash = 10, gap = 6;
    double phase = 0;  // distance along the line within the dash period
    for (std::size_t i = 1; i < xs.size(); ++i) {
      double x0 = xs[i - 1], y0 = ys[i - 1], x1 = xs[i], y1 = ys[i];
      if (!std::isfinite(x0) || !std::isfinite(y0) || !std::isfinite(x1) || !std::isfinite(y1)) continue;
      if (!dashed) {
        segment(x0, y0, x1, y1, width);
        continue;
      }
      const double len = std::hypot(x1 - x0, y1 - y0);
      double s = 0;
      while (s < len) {
        const bool on = phase < dash;
        const double left = on ? dash - phase : dash + gap - phase;
        const double step = std::min(left, len - s);
        if (on && len > 0) {
          const double a = s / len, b = (s + step) / len;
          segment(x0 + a * (x1 - x0), y0 + a * (y1 - y0), x0 + b * (x1 - x0), y0 + b * (y1 - y0), width);
        }
        s += step;
        phase += step;
        if (phase >= dash + gap) phase = 0;
      }
    }
  }

  void composite(Canvas& c, const Rgb& color) {
    if (tx0_ > tx1_) return;
    for (int y = ty0_; y <= ty1_; ++y)
      for (int x = tx0_; x <= tx1_; ++x) {
        const float m = mask_[static_cast<std::size_t>(y) * w_ + x];
        if (m > 0) c.blend(x, y, color, m);
      }
  }

private:
  void touch(int x, int y) {
    tx0_ = std::min(tx0_, x);
    tx1_ = std::max(tx1_, x);
    ty0_ = std::min(ty0_, y);
    ty1_ = std::max(ty1_, y);
  }
  int w_, h_;
  Rect clip_;
  std::vector<float> mask_;
  int tx0_ = std::numeric_limits<int>::max(), tx1_ = -1, ty0_ = std::numeric_limits<int>::max(), ty1_ = -1;
};

void line(Canvas& c, double x0, double y0, double x1, double y1, const Rgb& col, double width = 1,
          Rect clip = {0, 0, 0, 0}) {
  if (clip.x1 == 0) clip = {0, 0, c.w, c.h};
  Stroke s(c, clip);
  s.segment(x0, y0, x1, y1, width);
  s.composite(c, col);
}

/// Even-odd scanline fill of a polygon given in pixel coordinates (pixel centres sampled).
void fill_polygon(Canvas& c, const std::vector<std::array<double, 2>>& pts, const Rgb& col, double alpha = 1) {
  if (pts.size() < 3) return;
  double ymin = 1e300, ymax = -1e300;
  for (const auto& p : pts) {
    ymin = std::min(ymin, p[1]);
    ymax = std::max(ymax, p[1]);
  }
  for (int y = std::max(0, static_cast<int>(std::floor(ymin))); y <= std::min(c.h - 1, static_cast<int>(std::ceil(ymax))); ++y) {
    const double sy = y + 0.5;
    std::vector<double> xs;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      const auto& a = pts[i];
      const auto& b = pts[(i + 1) % pts.size()];
      if ((a[1] <= sy && b[1] > sy) || (b[1] <= sy && a[1] > sy))
        xs.push_back(a[0] + (sy - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
    }
    std::sort(xs.begin(), xs.end());
    for (std::size_t k = 0; k + 1 < xs.size(); k += 2)
      for (int x = static_cast<int>(std::ceil(xs[k] - 0.5)); x <= static_cast<int>(std::floor(xs[k + 1] - 0.5)); ++x)
        c.blend(x, y, col, alpha);
  }
}

void outline_polygon(Canvas& c, const std::vector<std::array<double, 2>>& pts, const Rgb& col, double width) {
  Stroke s(c, {0, 0, c.w, c.h});
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const auto& a = pts[i];
    const auto& b = pts[(i + 1) % pts.size()];
    s.segment(a[0], a[1], b[0], b[1], width);
  }
  s.composite(c, col);
}

// --- text ------------------------------------------------------------------------------------
int text_width(const std::string& s, int scale) {
  return s.empty() ? 0 : static_cast<int>(s.size()) * 6 * scale - scale;
}
int text_height(int scale) { return detail::kLineH * scale; }

/// Draws text with its top-left corner at (x, y). vertical: rotated 90 degrees counter-clockwise
/// (reads bottom to top), (x, y) is then the bottom-left corner of the rotated box.
void draw_text(Canvas& c, int x, int y, const std::string& s, int scale, const Rgb& color, bool bold = false,
               bool vertical = false) {
  int pen = 0;
  for (char ch : s) {
    const int code = static_cast<unsigned char>(ch);
    const int idx = (code >= 32 && code <= 126) ? code - 32 : '?' - 32;
    const int drop = detail::glyph_drop(ch);
    for (int row = 0; row < detail::kGlyphH; ++row)
      for (int col = 0; col < detail::kGlyphW; ++col) {
        if (!((detail::kFont[idx][row] >> (4 - col)) & 1)) continue;
        for (int b = 0; b <= (bold ? 1 : 0); ++b)
          for (int sy = 0; sy < scale; ++sy)
            for (int sx = 0; sx < scale; ++sx) {
              const int gx = pen + col * scale + sx + b, gy = (row + drop) * scale + sy;
              if (!vertical) c.set(x + gx, y + gy, color);
              else c.set(x + gy, y - gx, color);
            }
      }
    pen += 6 * scale;
  }
}

enum class Align { left, center, right };
void text_at(Canvas& c, double x, double y, const std::string& s, int scale, Align align, const Rgb& col = kText,
             bool bold = false) {
  const int w = text_width(s, scale);
  int x0 = static_cast<int>(std::lround(x));
  if (align == Align::center) x0 -= w / 2;
  if (align == Align::right) x0 -= w;
  draw_text(c, x0, static_cast<int>(std::lround(y)), s, scale, col, bold);
}
/// Vertical text centred on (x_left, y_centre).
void vtext_centered(Canvas& c, int x_left, int y_centre, const std::string& s, int scale, const Rgb& col = kText) {
  draw_text(c, x_left, y_centre + text_width(s, scale) / 2, s, scale, col, false, true);
}

// --- axes ------------------------------------------------------------------------------------
struct Ticks {
  std::vector<double> values;
  double step = 1;
};

Ticks nice_ticks(double lo, double hi, int target = 6) {
  Ticks t;
  if (!(hi > lo)) {
    t.values = {lo};
    return t;
  }
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  const double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  t.step = nice * mag;
  const double first = std::ceil(lo / t.step - 1e-9) * t.step;
  for (double v = first; v <= hi + t.step * 1e-9; v += t.step) t.values.push_back(std::abs(v) < t.step * 1e-9 ? 0.0 : v);
  return t;
}

std::string tick_label(double v, double step) {
  char buf[48];
  const double a = std::max(std::abs(v), step);
  if (a >= 1e6 || (a < 1e-3 && v != 0)) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  } else {
    const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
    std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 6), v);
  }
  return buf;
}

struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double tr(double v) const { return log ? std::log10(v) : v; }
};

/// Maps data to pixels inside a plot rectangle (y up).
struct Frame {
  Rect r;
  Axis x, y;
  double px(double v) const {
    return r.x0 + (x.tr(v) - x.tr(x.lo)) / (x.tr(x.hi) - x.tr(x.lo)) * (r.x1 - r.x0);
  }
  double py(double v) const {
    return r.y1 - (y.tr(v) - y.tr(y.lo)) / (y.tr(y.hi) - y.tr(y.lo)) * (r.y1 - r.y0);
  }
};

Ticks axis_ticks(const Axis& a, int target) {
  if (!a.log) return nice_ticks(a.lo, a.hi, target);
  Ticks t;
  const int d0 = static_cast<int>(std::ceil(std::log10(a.lo) - 1e-9));
  const int d1 = static_cast<int>(std::floor(std::log10(a.hi) + 1e-9));
  const int every = std::max(1, (d1 - d0 + 1) / 8);
  for (int d = d0; d <= d1; d += every) t.values.push_back(std::pow(10.0, d));
  t.step = 0;
  return t;
}

std::string axis_label(const Axis& a, double v, double step) {
  if (!a.log) return tick_label(v, step);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// Grid, frame, ticks, tick labels, axis labels and title.
void draw_axes(Canvas& c, const Frame& f, const std::string& title, const std::string& xlabel,
               const std::string& ylabel, bool grid) {
  const int s = 2;
  const Ticks xt = axis_ticks(f.x, std::max(3, (f.r.x1 - f.r.x0) / 110));
  const Ticks yt = axis_ticks(f.y, std::max(3, (f.r.y1 - f.r.y0) / 70));
  if (grid) {
    for (double v : xt.values) line(c, std::floor(f.px(v)) + 0.5, f.r.y0, std::floor(f.px(v)) + 0.5, f.r.y1, kGrid, 1);
    for (double v : yt.values) line(c, f.r.x0, std::floor(f.py(v)) + 0.5, f.r.x1, std::floor(f.py(v)) + 0.5, kGrid, 1);
  }
  // frame
  const double x0 = f.r.x0 - 0.5, x1 = f.r.x1 + 0.5, y0 = f.r.y0 - 0.5, y1 = f.r.y1 + 0.5;
  line(c, x0, y0, x1, y0, kBlack, 1.2);
  line(c, x0, y1, x1, y1, kBlack, 1.2);
  line(c, x0, y0, x0, y1, kBlack, 1.2);
  line(c, x1, y0, x1, y1, kBlack, 1.2);
  int max_ylabel_w = 0;
  for (double v : xt.values) {
    const double p = std::floor(f.px(v)) + 0.5;
    line(c, p, y1, p, y1 + 6, kBlack, 1.2);
    text_at(c, p, y1 + 10, axis_label(f.x, v, xt.step), s, Align::center);
  }
  for (double v : yt.values) {
    const double p = std::floor(f.py(v)) + 0.5;
    line(c, x0 - 6, p, x0, p, kBlack, 1.2);
    const std::string l = axis_label(f.y, v, yt.step);
    max_ylabel_w = std::max(max_ylabel_w, text_width(l, s));
    text_at(c, x0 - 10, p - text_height(s) / 2.0 + 2, l, s, Align::right);
  }
  if (!xlabel.empty()) text_at(c, (f.r.x0 + f.r.x1) / 2.0, y1 + 12 + text_height(s) + 10, xlabel, s, Align::center);
  if (!ylabel.empty())
    vtext_centered(c, std::max(4, static_cast<int>(x0) - 18 - max_ylabel_w - text_height(s)), (f.r.y0 + f.r.y1) / 2, ylabel, s);
  if (!title.empty()) text_at(c, (f.r.x0 + f.r.x1) / 2.0, std::max(6, f.r.y0 - 34), title, s, Align::center, kBlack, true);
}

// --- colour maps -----------------------------------------------------------------------------
Rgb lerp(const Rgb& a, const Rgb& b, double t) {
  Rgb c;
  for (int k = 0; k < 3; ++k) c[k] = static_cast<unsigned char>(std::lround(a[k] + (b[k] - a[k]) * t));
  return c;
}

Rgb from_stops(const std::vector<Rgb>& stops, double t) {
  t = std::clamp(t, 0.0, 1.0) * static_cast<double>(stops.size() - 1);
  const std::size_t i = std::min(static_cast<std::size_t>(t), stops.size() - 2);
  return lerp(stops[i], stops[i + 1], t - static_cast<double>(i));
}

Rgb colormap(const std::string& name, double t) {
  if (name == "viridis") {
    // Perceptually uniform dark purple -> blue -> green -> yellow (stops sampled every 1/8).
    static const std::vector<Rgb> v = {{68, 1, 84},    {72, 40, 120},  {62, 73, 137},  {49, 104, 142}, {38, 130, 142},
                                       {31, 158, 137}, {53, 183, 121}, {110, 206, 88}, {253, 231, 37}};
    return from_stops(v, t);
  }
  if (name == "gray" || name == "grey") return lerp({255, 255, 255}, {0, 0, 0}, std::clamp(t, 0.0, 1.0));
  // "seismic": dark blue -> blue -> white -> red -> dark red
  static const std::vector<Rgb> s = {{0, 0, 76}, {0, 0, 255}, {255, 255, 255}, {255, 0, 0}, {128, 0, 0}};
  return from_stops(s, t);
}

// --- output ----------------------------------------------------------------------------------
void write_png(const Canvas& c, const std::string& path) {
  const std::string tmp = path + ".tmp";
  FILE* fp = std::fopen(tmp.c_str(), "wb");
  if (!fp) throw IoError("cannot create PNG file '" + tmp + "'");
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    std::fclose(fp);
    std::remove(tmp.c_str());
    throw IoError("libpng initialisation failed for '" + path + "'");
  }
  std::vector<png_bytep> rows(static_cast<std::size_t>(c.h));
  for (int y = 0; y < c.h; ++y)
    rows[static_cast<std::size_t>(y)] = const_cast<png_bytep>(&c.px[static_cast<std::size_t>(y) * c.w * 3]);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(fp);
    std::remove(tmp.c_str());
    throw IoError("writing PNG file '" + path + "' failed");
  }
  png_init_io(png, fp);
  png_set_IHDR(png, info, static_cast<png_uint_32>(c.w), static_cast<png_uint_32>(c.h), 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  if (std::fclose(fp) != 0) {
    std::remove(tmp.c_str());
    throw IoError("writing PNG file '" + tmp + "' failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw IoError("cannot rename '" + tmp + "' to '" + path + "': " + ec.message());
  }
}

void check_size(int w, int h, const std::string& path) {
  if (w < 200 || h < 150 || w > 8000 || h > 8000)
    throw InvalidInput("plot '" + path + "': size " + std::to_string(w) + "x" + std::to_string(h) +
                       " outside 200x150 .. 8000x8000");
}

std::pair<double, double> padded(double lo, double hi, double frac) {
  if (!(hi > lo)) {
    const double d = lo == 0 ? 1 : std::abs(lo) * 0.1;
    return {lo - d, hi + d};
  }
  const double p = (hi - lo) * frac;
  return {lo - p, hi + p};
}

}  // namespace

// --- line plots ------------------------------------------------------------------------------
void save_png(const LinePlot& plot, const std::string& path) {
  check_size(plot.width, plot.height, path);
  Canvas c(plot.width, plot.height);
  double xlo = 1e300, xhi = -1e300, ylo = 1e300, yhi = -1e300;
  for (const auto& s : plot.series) {
    if (s.x.size() != s.y.size())
      throw InvalidInput("plot '" + path + "': series '" + s.label + "' has " + std::to_string(s.x.size()) +
                         " x values but " + std::to_string(s.y.size()) + " y values");
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      const double x = s.x[i], y = s.y[i];
      if (!std::isfinite(x) || !std::isfinite(y) || (plot.log_x && x <= 0) || (plot.log_y && y <= 0)) continue;
      xlo = std::min(xlo, x), xhi = std::max(xhi, x), ylo = std::min(ylo, y), yhi = std::max(yhi, y);
    }
  }
  if (xlo > xhi) xlo = plot.log_x ? 1 : 0, xhi = plot.log_x ? 10 : 1, ylo = plot.log_y ? 1 : 0, yhi = plot.log_y ? 10 : 1;
  Frame f;
  f.r = {110, 60, plot.width - 30, plot.height - 75};
  f.x = {xlo, xhi, plot.log_x};
  f.y = {ylo, yhi, plot.log_y};
  if (plot.log_x) {
    f.x.lo = std::pow(10.0, std::floor(std::log10(xlo)));
    f.x.hi = std::pow(10.0, std::ceil(std::log10(xhi) + (xhi == xlo ? 1 : 0)));
  } else if (!(xhi > xlo)) {
    std::tie(f.x.lo, f.x.hi) = padded(xlo, xhi, 0);
  }
  if (plot.log_y) {
    f.y.lo = std::pow(10.0, std::floor(std::log10(ylo)));
    f.y.hi = std::pow(10.0, std::ceil(std::log10(yhi) + (yhi == ylo ? 1 : 0)));
  } else {
    std::tie(f.y.lo, f.y.hi) = padded(ylo, yhi, 0.05);
  }
  draw_axes(c, f, plot.title, plot.xlabel, plot.ylabel, true);
  for (const auto& s : plot.series) {
    std::vector<double> xs, ys;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      const bool bad = (plot.log_x && s.x[i] <= 0) || (plot.log_y && s.y[i] <= 0);
      xs.push_back(bad ? NAN : f.px(s.x[i]));
      ys.push_back(bad ? NAN : f.py(s.y[i]));
    }
    Stroke st(c, f.r);
    if (xs.size() == 1) st.segment(xs[0] - 3, ys[0], xs[0] + 3, ys[0], 2);
    st.polyline(xs, ys, 2.0, s.dashed);
    st.composite(c, s.color);
  }
  // legend (top right, inside the axes)
  std::vector<const Series*> labelled;
  int lw = 0;
  for (const auto& s : plot.series)
    if (!s.label.empty()) {
      labelled.push_back(&s);
      lw = std::max(lw, text_width(s.label, 2));
    }
  if (!labelled.empty()) {
    const int row = 24, bw = lw + 64, bh = static_cast<int>(labelled.size()) * row + 12;
    const int bx = f.r.x1 - bw - 10, by = f.r.y0 + 10;
    for (int y = by; y < by + bh; ++y)
      for (int x = bx; x < bx + bw; ++x) c.blend(x, y, kWhite, 0.9);
    outline_polygon(c, {{{bx + 0.5, by + 0.5}}, {{bx + bw - 0.5, by + 0.5}}, {{bx + bw - 0.5, by + bh - 0.5}}, {{bx + 0.5, by + bh - 0.5}}},
                    {120, 120, 120}, 1);
    for (std::size_t i = 0; i < labelled.size(); ++i) {
      const double yc = by + 6 + row * (static_cast<double>(i) + 0.5);
      Stroke st(c, {0, 0, c.w, c.h});
      st.polyline({bx + 10.0, bx + 46.0}, {yc, yc}, 2.0, labelled[i]->dashed);
      st.composite(c, labelled[i]->color);
      text_at(c, bx + 54, yc - 7, labelled[i]->label, 2, Align::left);
    }
  }
  write_png(c, path);
}

// --- record sections -------------------------------------------------------------------------
void save_png(const Section& sec, const std::string& path) {
  check_size(sec.width, sec.height, path);
  const std::size_t nt = sec.traces.size();
  if (sec.offsets.size() != nt)
    throw InvalidInput("section '" + path + "': " + std::to_string(nt) + " traces but " +
                       std::to_string(sec.offsets.size()) + " offsets");
  for (const auto& tr : sec.traces)
    if (tr.size() != sec.time.size())
      throw InvalidInput("section '" + path + "': trace length " + std::to_string(tr.size()) +
                         " differs from the time axis (" + std::to_string(sec.time.size()) + ")");
  Canvas c(sec.width, sec.height);
  // Trace spacing in data units: median gap between sorted offsets.
  std::vector<double> sorted(sec.offsets);
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> gaps;
  for (std::size_t i = 1; i < sorted.size(); ++i)
    if (sorted[i] > sorted[i - 1]) gaps.push_back(sorted[i] - sorted[i - 1]);
  double spacing = 1;
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 2), gaps.end());
    spacing = gaps[gaps.size() / 2];
  } else if (!sorted.empty() && sorted.front() != 0) {
    spacing = std::abs(sorted.front()) * 0.1;
  }
  Frame f;
  f.r = {110, 60, sec.width - 30, sec.height - 75};
  const double t0 = sec.time.empty() ? 0 : sec.time.front(), t1 = sec.time.empty() ? 1 : sec.time.back();
  f.x = {t0, t1 > t0 ? t1 : t0 + 1, false};
  f.y = {sorted.empty() ? 0 : sorted.front() - spacing, sorted.empty() ? 1 : sorted.back() + spacing, false};
  draw_axes(c, f, sec.title, sec.xlabel, sec.ylabel, false);
  double global_max = 0;
  for (const auto& tr : sec.traces)
    for (double v : tr)
      if (std::isfinite(v)) global_max = std::max(global_max, std::abs(v));
  const double px_per_unit = (f.r.y1 - f.r.y0) / (f.y.hi - f.y.lo);
  const double deflection = 0.9 * spacing * px_per_unit;  // pixels for a normalised amplitude of 1
  for (std::size_t k = 0; k < nt; ++k) {
    const auto& tr = sec.traces[k];
    double norm = sec.trace_normalise ? 0 : global_max;
    if (sec.trace_normalise)
      for (double v : tr)
        if (std::isfinite(v)) norm = std::max(norm, std::abs(v));
    if (norm <= 0) norm = 1;
    const double base = f.py(sec.offsets[k]);
    std::vector<double> xs, ys, amp;
    for (std::size_t n = 0; n < tr.size(); ++n) {
      double a = std::isfinite(tr[n]) ? tr[n] / norm : 0;
      if (sec.clip > 0) a = std::clamp(a, -sec.clip, sec.clip);
      amp.push_back(a);
      xs.push_back(f.px(sec.time[n]));
      ys.push_back(base - a * deflection);
    }
    // Variable-area fill of the positive lobes, column by column.
    for (int x = f.r.x0; x < f.r.x1 && xs.size() > 1; ++x) {
      const double pcx = x + 0.5;
      const auto it = std::upper_bound(xs.begin(), xs.end(), pcx);
      if (it == xs.begin() || it == xs.end()) continue;
      const std::size_t j = static_cast<std::size_t>(it - xs.begin());
      const double w = (pcx - xs[j - 1]) / std::max(1e-12, xs[j] - xs[j - 1]);
      const double a = amp[j - 1] + w * (amp[j] - amp[j - 1]);
      if (a <= 0) continue;
      const double ytop = base - a * deflection;
      for (int y = std::max(f.r.y0, static_cast<int>(std::floor(ytop))); y < std::min(f.r.y1, static_cast<int>(std::ceil(base))); ++y) {
        const double cover = std::clamp(std::min(base, y + 1.0) - std::max(ytop, static_cast<double>(y)), 0.0, 1.0);
        c.blend(x, y, {40, 40, 40}, 0.85 * cover);
      }
    }
    Stroke st(c, f.r);
    st.polyline(xs, ys, 1.1, false);
    st.composite(c, kBlack);
  }
  write_png(c, path);
}

// --- images ----------------------------------------------------------------------------------
void save_png(const Image& img, const std::string& path) {
  check_size(img.width, img.height, path);
  if (img.nx < 1 || img.nz < 1 || img.values.size() != static_cast<std::size_t>(img.nx) * img.nz)
    throw InvalidInput("image '" + path + "': " + std::to_string(img.values.size()) + " values for a " +
                       std::to_string(img.nx) + " x " + std::to_string(img.nz) + " grid");
  if (!(img.xmax > img.xmin) || !(img.zmax > img.zmin))
    throw InvalidInput("image '" + path + "': empty extent");
  Canvas c(img.width, img.height);
  // Colour range.
  std::vector<double> mags;
  double vmin = 1e300, vmax = -1e300;
  for (double v : img.values)
    if (std::isfinite(v)) {
      vmin = std::min(vmin, v);
      vmax = std::max(vmax, v);
      mags.push_back(img.symmetric ? std::abs(v) : v);
    }
  if (mags.empty()) vmin = 0, vmax = 1;
  double lo = vmin, hi = vmax;
  const double pct = std::clamp(img.clip_percentile, 0.0, 100.0);
  if (img.symmetric) {
    double m = 0;
    if (!mags.empty()) {
      const auto k = static_cast<std::size_t>(std::lround(pct / 100.0 * static_cast<double>(mags.size() - 1)));
      std::nth_element(mags.begin(), mags.begin() + static_cast<long>(k), mags.end());
      m = mags[k];
    }
    if (m <= 0) m = std::max(std::abs(vmin), std::abs(vmax));
    if (m <= 0) m = 1;
    lo = -m, hi = m;
  } else {
    if (pct < 100 && mags.size() > 1) {
      std::sort(mags.begin(), mags.end());
      const double tail = (100 - pct) / 100.0;
      lo = mags[static_cast<std::size_t>(std::lround(tail * static_cast<double>(mags.size() - 1)))];
      hi = mags[static_cast<std::size_t>(std::lround(pct / 100.0 * static_cast<double>(mags.size() - 1)))];
    }
    if (!(hi > lo)) std::tie(lo, hi) = padded(lo, hi, 0);
  }
  // Colour-bar ticks first: their labels decide the right margin.
  const Ticks ct = nice_ticks(lo, hi, 6);
  int lab_w = 0;
  for (double v : ct.values) lab_w = std::max(lab_w, text_width(tick_label(v, ct.step), 2));
  const int cb_space = 25 + 20 + 8 + lab_w + 12 + (img.colorbar_label.empty() ? 0 : text_height(2) + 8);
  // Equal aspect: fit the domain into the space left of the colour bar.
  const int left = 110, right = cb_space, top = 60, bottom = 75;
  const double avail_w = img.width - left - right, avail_h = img.height - top - bottom;
  const double sx = avail_w / (img.xmax - img.xmin), sz = avail_h / (img.zmax - img.zmin);
  const double scale = std::min(sx, sz);
  const int pw = std::max(10, static_cast<int>(std::lround((img.xmax - img.xmin) * scale)));
  const int ph = std::max(10, static_cast<int>(std::lround((img.zmax - img.zmin) * scale)));
  Frame f;
  f.r.x0 = left + static_cast<int>((avail_w - pw) / 2);
  f.r.y0 = top + static_cast<int>((avail_h - ph) / 2);
  f.r.x1 = f.r.x0 + pw;
  f.r.y1 = f.r.y0 + ph;
  f.x = {img.xmin, img.xmax, false};
  f.y = {img.zmin, img.zmax, false};
  // Bilinear sampling of the grid (values at nodes spanning the extent).
  auto sample = [&](double x, double z) {
    const double gx = img.nx > 1 ? (x - img.xmin) / (img.xmax - img.xmin) * (img.nx - 1) : 0;
    const double gz = img.nz > 1 ? (z - img.zmin) / (img.zmax - img.zmin) * (img.nz - 1) : 0;
    const int ix = std::clamp(static_cast<int>(std::floor(gx)), 0, std::max(0, img.nx - 2));
    const int iz = std::clamp(static_cast<int>(std::floor(gz)), 0, std::max(0, img.nz - 2));
    const int ix1 = std::min(ix + 1, img.nx - 1), iz1 = std::min(iz + 1, img.nz - 1);
    const double wx = std::clamp(gx - ix, 0.0, 1.0), wz = std::clamp(gz - iz, 0.0, 1.0);
    auto v = [&](int i, int k) { return img.values[static_cast<std::size_t>(k) * img.nx + i]; };
    return (1 - wz) * ((1 - wx) * v(ix, iz) + wx * v(ix1, iz)) + wz * ((1 - wx) * v(ix, iz1) + wx * v(ix1, iz1));
  };
  for (int y = f.r.y0; y < f.r.y1; ++y)
    for (int x = f.r.x0; x < f.r.x1; ++x) {
      const double dx = img.xmin + (x + 0.5 - f.r.x0) / pw * (img.xmax - img.xmin);
      const double dz = img.zmax - (y + 0.5 - f.r.y0) / ph * (img.zmax - img.zmin);
      const double v = sample(dx, dz);
      c.set(x, y, std::isfinite(v) ? colormap(img.colormap, (v - lo) / (hi - lo)) : Rgb{160, 160, 160});
    }
  draw_axes(c, f, img.title, img.xlabel, img.ylabel, false);
  // Markers: receivers (triangles) then sources (stars) on top.
  for (const auto& m : img.markers_triangle) {
    const double x = f.px(m[0]), y = f.py(m[1]), r = 7;
    std::vector<std::array<double, 2>> tri = {{{x, y - r}}, {{x + r * 0.87, y + r * 0.5}}, {{x - r * 0.87, y + r * 0.5}}};
    fill_polygon(c, tri, {30, 160, 60});
    outline_polygon(c, tri, kBlack, 1.2);
  }
  for (const auto& m : img.markers_star) {
    const double x = f.px(m[0]), y = f.py(m[1]);
    std::vector<std::array<double, 2>> star;
    for (int k = 0; k < 10; ++k) {
      const double r = (k % 2 == 0) ? 12 : 5;
      const double a = -M_PI / 2 + k * M_PI / 5;
      star.push_back({{x + r * std::cos(a), y + r * std::sin(a)}});
    }
    fill_polygon(c, star, {255, 215, 0});
    outline_polygon(c, star, kBlack, 1.2);
  }
  // Colour bar.
  const int cbx0 = f.r.x1 + 25, cbx1 = cbx0 + 20, cby0 = f.r.y0, cby1 = f.r.y1;
  for (int y = cby0; y < cby1; ++y) {
    const double t = 1.0 - (y + 0.5 - cby0) / (cby1 - cby0);
    c.fill_rect(cbx0, y, cbx1, y + 1, colormap(img.colormap, t));
  }
  outline_polygon(c, {{{cbx0 - 0.5, cby0 - 0.5}}, {{cbx1 - 0.5, cby0 - 0.5}}, {{cbx1 - 0.5, cby1 - 0.5}}, {{cbx0 - 0.5, cby1 - 0.5}}},
                  kBlack, 1.0);
  for (double v : ct.values) {
    const double y = std::floor(cby1 - (v - lo) / (hi - lo) * (cby1 - cby0)) + 0.5;
    line(c, cbx1, y, cbx1 + 5, y, kBlack, 1.2);
    text_at(c, cbx1 + 8, y - 7, tick_label(v, ct.step), 2, Align::left);
  }
  if (!img.colorbar_label.empty())
    vtext_centered(c, cbx1 + 8 + lab_w + 12, (cby0 + cby1) / 2, img.colorbar_label, 2);
  write_png(c, path);
}

}  // namespace hyseis::core::plot
