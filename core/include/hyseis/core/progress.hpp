#pragma once
// Progress reporting and logging for long runs. Only rank 0 speaks.
#include <chrono>
#include <string>

namespace hyseis::core {

/// Sets up spdlog's default logger: rank 0 logs to stderr at `level` ("info", "debug",
/// "warn"...), other ranks only log errors. Pattern: "[hyseis] [info] message".
void init_logging(int rank, const std::string& level = "info");

/// Progress of a loop with `total` steps. On a terminal (isatty(stderr)) it draws a bar with
/// percentage, rate and ETA, redrawn at most ~10 times a second; otherwise (logs, CI) it logs
/// one line every 10 %. Disabled (silent) when `enabled` is false, e.g. on ranks != 0.
class Progress {
public:
  Progress(std::string label, long long total, bool enabled = true);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void update(long long done);
  /// Completes the bar (newline on a terminal, final line in logs). Idempotent.
  void finish();
  /// Forces terminal (true) or log-line (false) mode, e.g. for tests.
  void set_terminal(bool terminal) { terminal_ = terminal; }

private:
  std::string label_;
  long long total_;
  bool enabled_, terminal_;
  bool finished_ = false;
  int last_decile_ = -1;
  long long last_drawn_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

/// Peak resident set size of this process in MiB (getrusage); 0 if unavailable.
double peak_rss_mib();

}  // namespace hyseis::core
