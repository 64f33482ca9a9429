// The `hyseis` subcommands: info, run, validate, bench.
#include "cli.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include "hyseis/bench/bench.hpp"
#include "hyseis/core/error.hpp"
#include "hyseis/core/fs.hpp"
#include "hyseis/core/json.hpp"
#include "hyseis/core/mpi.hpp"
#include "hyseis/hybrid/eew/scenario.hpp"
#include "hyseis/hybrid/fwi/scenario.hpp"
#include "hyseis/hybrid/geodesy/scenario.hpp"
#include "hyseis/hybrid/gmpe/scenario.hpp"
#include "hyseis/hybrid/picking/scenario.hpp"
#include "hyseis/hybrid/picking/synthetics.hpp"
#include "gmpe_command.hpp"
#include "pick_command.hpp"
#include "hyseis/hybrid/tomography/experiment.hpp"
#include "hyseis/core/progress.hpp"
#include "hyseis/core/version.hpp"
#include "hyseis/validation/cases.hpp"
#include "wave_scenario.hpp"

namespace hyseis::scenarios {

namespace {

using core::json::Json;

std::string g(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

/// Plain-text table with left-aligned columns.
class Table {
public:
  explicit Table(std::vector<std::string> header) : rows_{std::move(header)} {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string str() const {
    std::vector<std::size_t> w;
    for (const auto& r : rows_)
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (w.size() <= i) w.push_back(0);
        w[i] = std::max(w[i], r[i].size());
      }
    std::string out;
    for (std::size_t k = 0; k < rows_.size(); ++k) {
      std::string line;
      for (std::size_t i = 0; i < rows_[k].size(); ++i) {
        line += rows_[k][i];
        if (i + 1 < rows_[k].size()) line += std::string(w[i] - rows_[k][i].size() + 2, ' ');
      }
      out += line + "\n";
      if (k == 0) {
        std::size_t total = 0;
        for (auto x : w) total += x + 2;
        out += std::string(total > 2 ? total - 2 : total, '-') + "\n";
      }
    }
    return out;
  }

private:
  std::vector<std::vector<std::string>> rows_;
};

template <class C> std::string names_of(const std::vector<C>& cases) {
  std::string s;
  for (const auto& c : cases) s += (s.empty() ? "" : ", ") + c.name;
  return s.empty() ? "(none registered)" : s;
}

/// Cases selected by --case (all when empty); unknown names are an error.
template <class C> std::vector<const C*> select(const std::vector<C>& all, const std::vector<std::string>& wanted,
                                                const char* what) {
  std::vector<const C*> out;
  if (wanted.empty()) {
    for (const auto& c : all) out.push_back(&c);
    return out;
  }
  for (const auto& w : wanted) {
    const C* found = nullptr;
    for (const auto& c : all)
      if (c.name == w) found = &c;
    if (!found) throw core::InvalidInput(std::string("no ") + what + " case named '" + w + "'; available: " + names_of(all));
    out.push_back(found);
  }
  return out;
}

std::string strip_slash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}


/// Non-wave scenario types. Serial ones run on rank 0 only (other ranks have nothing to do);
/// each writes into `<dir>.partial` and the folder is renamed when complete.
void run_serial_or_parallel_scenario(const std::string& type, const core::config::Node& root,
                                     const std::string& dir, MPI_Comm comm, bool progress, bool resume,
                                     const std::string& file) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  if (type == "fwi") {  // collective: shots are distributed over the ranks; it writes atomically itself
    hybrid::fwi::run_fwi_scenario(root, dir, comm, progress, resume);
    if (rank == 0) spdlog::info("wrote {}/", dir);
    return;
  }
  if (type == "picking_train" || type == "picking_synthetics") {
    // Collective (synthetic events are spread over the ranks); rank 0 writes everything.
    if (resume) throw core::ConfigError(file, 0, "--resume", "scenario type " + type + " cannot be resumed");
    std::optional<core::fs::AtomicDir> atomic;
    if (rank == 0) atomic.emplace(dir);
    // Every rank works in rank 0's temporary folder (cross-validation folds save models there).
    std::string path = rank == 0 ? atomic->path().string() : dir;
    int len = static_cast<int>(path.size());
    MPI_Bcast(&len, 1, MPI_INT, 0, comm);
    path.resize(static_cast<std::size_t>(len));
    MPI_Bcast(path.data(), len, MPI_CHAR, 0, comm);
    if (rank == 0) spdlog::info("scenario type {}: writing into {}", type, path);
    if (type == "picking_train")
      hybrid::picking::run_picking_scenario(root, path, comm);
    else
      hybrid::picking::run_picking_synthetics(root, path, comm);
    core::mpi::idle_barrier(comm);  // rank 0 may train for many minutes: wait without spinning
    if (rank == 0) {
      atomic->commit();
      spdlog::info("wrote {}/", dir);
    }
    return;
  }
  if (resume) throw core::ConfigError(file, 0, "--resume", "scenario type " + type + " cannot be resumed");
  if (rank != 0) return;
  core::fs::AtomicDir atomic(dir);
  spdlog::info("scenario type {}: writing into {}", type, atomic.path().string());
  if (type == "lst_tomography") {
    hybrid::tomography::run_lst_scenario(root, atomic.path().string());
  } else if (type == "eew_network") {
    hybrid::eew::run_eew_network_scenario(root, atomic.path().string());
  } else if (type == "gmpe_compare") {
    hybrid::gmpe::run_gmpe_compare_scenario(root, atomic.path().string());
  } else if (type == "postseismic") {
    hybrid::geodesy::run_postseismic_scenario(root, atomic.path().string());
  } else {
    throw core::Error("internal: scenario type '" + type + "' has no runner");
  }
  atomic.commit();
  spdlog::info("wrote {}/", dir);
}

}  // namespace

std::vector<std::string> scenario_types() {
  return {"wave2d",      "lst_tomography", "fwi",           "gmpe_compare",
          "eew_network", "postseismic",    "picking_train", "picking_synthetics"};
}

int run_cli(int argc, char** argv, MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);

  CLI::App app{"hyseis " + core::version() + ": hybrid physics-ML seismology"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.set_version_flag("--version", core::version());

  auto* info = app.add_subcommand("info", "versions of hyseis and its libraries, enabled features");

  auto* run = app.add_subcommand("run", "run a scenario YAML file (see docs/scenario-format.md)");
  std::string scenario_file, out_dir;
  std::vector<std::string> overrides;
  bool no_progress = false;
  run->add_option("scenario", scenario_file, "scenario YAML file")->required();
  run->add_option("--out,-o", out_dir, "output directory (default runs/<scenario.name>)");
  run->add_option("--set,-s", overrides, "override a value: --set time.duration=2 (repeatable)")->allow_extra_args(false);
  run->add_flag("--no-progress", no_progress, "no progress bar / progress lines");
  bool resume = false;
  run->add_flag("--resume", resume, "continue an interrupted run from its checkpoints (scenario types that checkpoint: fwi)");

  auto* val = app.add_subcommand("validate", "run the validation cases and compare with their references");
  bool val_list = false, val_quick = false;
  std::vector<std::string> val_cases;
  std::string val_json, val_out, val_data;
  val->add_flag("--list", val_list, "list the cases and exit");
  val->add_option("--case", val_cases, "run only this case (repeatable)")->allow_extra_args(false);
  val->add_option("--json", val_json, "write the metrics as JSON to this file");
  val->add_option("--out", val_out, "folder for figures and traces");
  val->add_option("--data", val_data, "validation data root (default: $HYSEIS_VALIDATION_DATA or ../shared/validation)");
  val->add_flag("--quick", val_quick, "reduced variants where a case offers them");

  auto* bench = app.add_subcommand("bench", "throughput benchmarks against a baseline measured in the same run");
  bool bench_quick = false, bench_list = false;
  std::vector<std::string> bench_cases;
  std::string bench_json, bench_out;
  bench->add_flag("--list", bench_list, "list the cases and exit");
  bench->add_option("--case", bench_cases, "run only this case (repeatable)")->allow_extra_args(false);
  bench->add_option("--json", bench_json, "write the rows as JSON to this file");
  bench->add_option("--out", bench_out, "folder for figures");
  bench->add_flag("--quick", bench_quick, "small sizes (for tests)");

  GmpeArgs gmpe_args;
  auto* gmpe = add_gmpe_command(app, gmpe_args);
  PickArgs pick_args;
  auto* pick = add_pick_command(app, pick_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return rank == 0 ? app.exit(e) : 0;
  } catch (const CLI::CallForAllHelp& e) {
    return rank == 0 ? app.exit(e) : 0;
  } catch (const CLI::CallForVersion& e) {
    return rank == 0 ? app.exit(e) : 0;
  } catch (const CLI::ParseError& e) {
    if (rank == 0) std::cerr << "hyseis: error: " << e.what() << "\nRun 'hyseis --help' for usage.\n";
    return 2;
  }
  core::init_logging(rank, log_level);

  if (pick->parsed()) {
    if (rank != 0) return 0;
    return run_pick_command(pick_args);
  }

  if (gmpe->parsed()) {
    if (rank != 0) return 0;
    return run_gmpe_command(gmpe_args, std::cout);
  }

  if (info->parsed()) {
    const std::string text = info_text(comm);
    if (rank == 0) std::cout << text;
    return 0;
  }

  if (run->parsed()) {
    // One YAML, dispatched on scenario.type; each type's parser checks its own keys.
    const core::config::Document doc = core::config::load_file(scenario_file, overrides);
    const core::config::Node root = doc.root();
    root.require_map();
    const std::string type = root["scenario"].get_choice("type", scenario_types(), "wave2d");
    if (type == "wave2d") {
      if (resume) throw core::ConfigError(scenario_file, 0, "--resume", "scenario type wave2d cannot be resumed");
      const WaveScenario sc = parse_wave_scenario(doc);
      const std::string dir = strip_slash(out_dir.empty() ? "runs/" + sc.problem.name : out_dir);
      run_wave_scenario(sc, dir, comm, !no_progress);
      return 0;
    }
    const std::string dir =
        strip_slash(out_dir.empty() ? "runs/" + root["scenario"].get<std::string>("name") : out_dir);
    run_serial_or_parallel_scenario(type, root, dir, comm, !no_progress, resume, scenario_file);
    return 0;
  }

  if (val->parsed()) {
    const auto& all = validation::all_cases();
    if (val_list) {
      if (rank == 0) {
        Table t({"case", "reference", "description"});
        for (const auto& c : all) t.add({c.name, c.reference, c.description});
        std::cout << (all.empty() ? "no validation cases registered\n" : t.str());
      }
      return 0;
    }
    const auto cases = select(all, val_cases, "validation");
    validation::Options opt;
    opt.data_dir = val_data.empty() ? validation::default_data_dir() : val_data;
    opt.out_dir = val_out;
    opt.comm = comm;
    opt.quick = val_quick;
    Table table({"case", "metric", "value", "tolerance", "pass"});
    Json rows = Json::array();
    int failed = 0, passed = 0, skipped = 0;
    for (const auto* c : cases) {
      spdlog::info("validate: {} ({})", c->name, c->description);
      validation::CaseResult r;
      try {
        r = c->run(opt);
      } catch (const std::exception& e) {
        // One broken case must not hide the others' results: report it as failed and go on.
        ++failed;
        table.add({c->name, "(error)", "-", "-", std::string("FAIL: ") + e.what()});
        rows.push_back({{"case", c->name}, {"metric", "error"}, {"value", nullptr}, {"tolerance", nullptr},
                        {"passed", false}, {"note", e.what()}});
        continue;
      }
      if (r.skipped) {
        ++skipped;
        table.add({c->name, "(skipped)", "-", "-", r.skip_reason});
        continue;
      }
      if (r.metrics.empty()) {
        ++failed;
        table.add({c->name, "(no metrics)", "-", "-", "FAIL"});
        continue;
      }
      for (const auto& m : r.metrics) {
        if (m.comparison == "info") {  // reported only (e.g. wall time), never asserted
          table.add({c->name, m.metric, g(m.value), "-", "info"});
        } else {
          (m.passed ? passed : failed)++;
          table.add({c->name, m.metric, g(m.value), m.comparison + " " + g(m.tolerance), m.passed ? "pass" : "FAIL"});
        }
        rows.push_back({{"case", c->name},
                        {"metric", m.metric},
                        {"value", m.value},
                        {"tolerance", m.tolerance},
                        {"passed", m.passed},
                        {"comparison", m.comparison},
                        {"note", m.note}});
      }
    }
    if (rank == 0) {
      std::cout << (cases.empty() ? "no validation cases registered\n" : table.str());
      std::cout << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
      if (!val_json.empty()) core::json::write_atomic(val_json, rows);
    }
    return failed > 0 ? 1 : 0;
  }

  if (bench->parsed()) {
    const auto& all = bench::all_cases();
    if (bench_list) {
      if (rank == 0) {
        Table t({"case", "description"});
        for (const auto& c : all) t.add({c.name, c.description});
        std::cout << (all.empty() ? "no benchmark cases registered\n" : t.str());
      }
      return 0;
    }
    const auto cases = select(all, bench_cases, "benchmark");
    bench::Options opt;
    opt.quick = bench_quick;
    opt.out_dir = bench_out;
    Table table({"case", "metric", "value", "baseline", "ratio", "unit", "baseline is"});
    Json rows = Json::array();
    for (const auto* c : cases) {
      spdlog::info("bench: {} ({})", c->name, c->description);
      for (const auto& r : c->run(opt)) {
        table.add({c->name, r.metric, g(r.value), r.baseline != 0 ? g(r.baseline) : "-", r.baseline != 0 ? g(r.ratio) : "-",
                   r.unit, r.baseline_name});
        rows.push_back({{"case", c->name},
                        {"metric", r.metric},
                        {"value", r.value},
                        {"baseline", r.baseline},
                        {"ratio", r.ratio},
                        {"unit", r.unit},
                        {"baseline_name", r.baseline_name}});
      }
    }
    if (rank == 0) {
      std::cout << (cases.empty() ? "no benchmark cases registered\n" : table.str());
      if (!bench_json.empty()) core::json::write_atomic(bench_json, rows);
    }
    return 0;
  }
  return 2;
}

}  // namespace hyseis::scenarios
