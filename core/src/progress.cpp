#include "hyseis/core/progress.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hyseis::core {

void init_logging(int rank, const std::string& level) {
  spdlog::drop("hyseis");
  auto logger = spdlog::stderr_color_mt("hyseis");
  logger->set_pattern("[%n] [%^%l%$] %v");
  logger->set_level(rank == 0 ? spdlog::level::from_str(level) : spdlog::level::err);
  spdlog::set_default_logger(logger);
}

namespace {
std::string fmt_seconds(double s) {
  char buf[32];
  if (!std::isfinite(s) || s < 0) return "--:--";
  const long t = std::lround(s);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}
}  // namespace

Progress::Progress(std::string label, long long total, bool enabled)
    : label_(std::move(label)), total_(total > 0 ? total : 1), enabled_(enabled),
      terminal_(isatty(fileno(stderr)) != 0), start_(std::chrono::steady_clock::now()), last_draw_() {}

Progress::~Progress() {
  // A bar left mid-line (exception during the loop) is terminated so the error prints cleanly.
  if (enabled_ && terminal_ && !finished_ && last_draw_.time_since_epoch().count() != 0) std::fputc('\n', stderr);
}

void Progress::update(long long done) {
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double frac = std::clamp(static_cast<double>(done) / static_cast<double>(total_), 0.0, 1.0);
  const double eta = frac > 0 ? elapsed * (1 - frac) / frac : NAN;
  if (terminal_) {
    if (done == last_drawn_) return;
    if (done < total_ && last_draw_.time_since_epoch().count() != 0 &&
        now - last_draw_ < std::chrono::milliseconds(100))
      return;
    last_drawn_ = done;
    last_draw_ = now;
    constexpr int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar += std::string(static_cast<std::size_t>(width - filled), '.');
    std::fprintf(stderr, "\r%s [%s] %5.1f%%  %lld/%lld  elapsed %s  eta %s ", label_.c_str(), bar.c_str(),
                 100 * frac, done, total_, fmt_seconds(elapsed).c_str(), fmt_seconds(eta).c_str());
    std::fflush(stderr);
  } else {
    const int decile = static_cast<int>(std::floor(frac * 10 + 1e-9));
    if (decile <= last_decile_) return;
    last_decile_ = decile;
    spdlog::info("{}: {:3d}% ({}/{} steps, elapsed {}, eta {})", label_, decile * 10, done, total_,
                 fmt_seconds(elapsed), fmt_seconds(eta));
  }
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  update(total_);
  if (terminal_) std::fputc('\n', stderr);
  finished_ = true;
}

double peak_rss_mib() {
  struct rusage ru {};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return static_cast<double>(ru.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

}  // namespace hyseis::core
