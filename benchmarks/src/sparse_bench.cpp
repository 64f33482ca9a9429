// sparse_coding_vs_sklearn: dictionary learning + sparse coding on one patch set, hyseis (K-SVD
// with batch OMP, Cholesky-updated) against scikit-learn (MiniBatchDictionaryLearning,
// orthogonal_mp with a precomputed Gram matrix) run as a subprocess in the same bench run.
//
// Patch set: all overlapping p x p patches (stride 1) of a synthetic slowness map — a checkerboard
// (the LST experiment's model) plus a smooth Gaussian anomaly plus 1 % noise — with each patch's
// mean removed and the whole set scaled to unit standard deviation. Both sides see the same file.
//
// Fairness: same atoms K, same sparsity T, one core each (OMP_NUM_THREADS=1 etc. for Python; our
// code is single-threaded), times measured around the computation only (no I/O, no interpreter
// start-up). Sparse coding: both code every patch with T atoms in the *same* dictionary (the one
// scikit-learn learned), the same algorithm, so the errors agree to rounding. Dictionary
// learning: scikit-learn runs a fixed number of epochs; we time K-SVD with the smallest number of
// sweeps whose T-sparse OMP reconstruction error is <= scikit-learn's (equal target error). Both
// errors are reported. Ratios are speed-ups: baseline time / hyseis time.
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "hyseis/bench/bench.hpp"
#include "hyseis/learning/sparse/ksvd.hpp"
#include "hyseis/solvers/omp.hpp"

namespace hyseis::bench::detail {

namespace {

namespace fs = std::filesystem;
const char* kCase = "sparse_coding_vs_sklearn";

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

/// Mean-removed, unit-std patches (n x N, column-major = row-major N x n on disk).
Eigen::MatrixXd synthetic_patches(int nx, int p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  Eigen::VectorXd f(nx * nx);
  for (int iy = 0; iy < nx; ++iy)
    for (int ix = 0; ix < nx; ++ix) {
      const double x = ix + 0.5, y = iy + 0.5;
      const double sq = std::sin(M_PI * (x + 2) / 10) * std::sin(M_PI * (y + 2) / 10);
      f[iy * nx + ix] = 0.4 + 0.1 * (sq >= 0 ? 1 : -1) +
                        0.05 * std::exp(-((x - 0.3 * nx) * (x - 0.3 * nx) + (y - 0.6 * nx) * (y - 0.6 * nx)) / 200) +
                        0.005 * g(rng);
    }
  const int m = nx - p + 1;
  Eigen::MatrixXd P(p * p, m * m);
  for (int oy = 0; oy < m; ++oy)
    for (int ox = 0; ox < m; ++ox)
      for (int j = 0; j < p; ++j)
        for (int i = 0; i < p; ++i) P(j * p + i, oy * m + ox) = f[(oy + j) * nx + ox + i];
  P.rowwise() -= P.colwise().mean();
  P /= std::sqrt(P.squaredNorm() / double(P.size()));
  return P;
}

double rms(const Eigen::MatrixXd& R) { return std::sqrt(R.squaredNorm() / double(R.size())); }

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

fs::path script_path() {
  if (const char* e = std::getenv("HYSEIS_SKLEARN_BENCH_SCRIPT")) return e;
  return fs::path(__FILE__).parent_path().parent_path() / "tools" / "sklearn_sparse_bench.py";
}

}  // namespace

std::vector<Row> sparse_coding_vs_sklearn(const Options& opt) {
  // Full: 100 x 100 map, 10 x 10 patches (8281 signals of dimension 100), K = 150, T = 3.
  const int nx = opt.quick ? 40 : 100, p = opt.quick ? 8 : 10, K = opt.quick ? 64 : 150, T = 3;
  const int epochs = opt.quick ? 1 : 2, batch = 256, max_sweeps = 40;
  const double alpha = 1.0;  // lasso weight of MiniBatchDictionaryLearning's fit (unit-std data)
  const std::uint64_t seed = 0;
  const Eigen::MatrixXd Y = synthetic_patches(nx, p, 11);
  const int n = int(Y.rows()), N = int(Y.cols());
  const std::string tag = "_N" + std::to_string(N) + "_n" + std::to_string(n) + "_K" + std::to_string(K) +
                          "_T" + std::to_string(T);
  std::vector<Row> rows;

  // ---- scikit-learn (subprocess) --------------------------------------------------------------
  std::string base = "scikit-learn";
  std::string why;  // reason the baseline is missing
  double sk_fit = 0, sk_omp = 0, sk_rmse = 0;
  Eigen::MatrixXd Dsk;
  const std::string python = std::getenv("HYSEIS_PYTHON") ? std::getenv("HYSEIS_PYTHON") : "/usr/bin/python3";
  const fs::path script = script_path();
  const fs::path tmp = fs::temp_directory_path() /
                       ("hyseis_sparse_bench_" + std::to_string(std::random_device{}()));
  fs::create_directories(tmp);
  if (!fs::exists(python)) {
    why = "python3 not found at " + python;
  } else if (!fs::exists(script)) {
    why = "script not found: " + script.string();
  } else {
    {
      std::ofstream out(tmp / "patches.bin", std::ios::binary);
      out.write(reinterpret_cast<const char*>(Y.data()), std::streamsize(sizeof(double) * Y.size()));
    }
    std::ostringstream cmd;
    cmd << "OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 " << shell_quote(python) << " "
        << shell_quote(script.string()) << " " << shell_quote((tmp / "patches.bin").string()) << " " << N << " " << n
        << " " << K << " " << T << " " << epochs << " " << alpha << " " << batch << " " << seed << " "
        << shell_quote((tmp / "dict.bin").string()) << " > " << shell_quote((tmp / "out.json").string()) << " 2> "
        << shell_quote((tmp / "err.txt").string());
    const int rc = std::system(cmd.str().c_str());
    std::ifstream js(tmp / "out.json");
    std::string line, last;
    while (std::getline(js, line))
      if (!line.empty()) last = line;
    if (rc != 0 || last.empty()) {
      std::ifstream es(tmp / "err.txt");
      std::string e, l;
      while (std::getline(es, l)) e = l;  // last line (e.g. "ModuleNotFoundError: No module named 'sklearn'")
      why = "scikit-learn run failed (" + (e.empty() ? "exit " + std::to_string(rc) : e) + ")";
    } else {
      const auto j = nlohmann::json::parse(last);
      sk_fit = j.at("fit_seconds").get<double>();
      sk_omp = j.at("omp_seconds").get<double>();
      sk_rmse = j.at("rmse").get<double>();
      base = "scikit-learn " + j.at("sklearn").get<std::string>();
      Dsk.resize(n, K);  // K x n row-major on disk = n x K column-major
      std::ifstream in(tmp / "dict.bin", std::ios::binary);
      in.read(reinterpret_cast<char*>(Dsk.data()), std::streamsize(sizeof(double) * Dsk.size()));
      if (!in) why = "scikit-learn dictionary file unreadable";
    }
  }
  std::error_code ec;
  fs::remove_all(tmp, ec);
  const bool have_sk = why.empty();
  if (!have_sk) base = "none: " + why;

  // ---- sparse coding: batch OMP in the same dictionary -----------------------------------------
  Eigen::MatrixXd D = have_sk ? Dsk : learning::sparse::initial_dictionary(Y, K, seed);
  solvers::normalize_columns(D);
  solvers::OmpOptions oo;
  oo.sparsity = T;
  double t_omp = 1e300;
  solvers::SparseCodes codes;
  for (int r = 0; r < 3; ++r) {
    const double t0 = now();
    codes = solvers::omp(D, Y, oo);
    t_omp = std::min(t_omp, now() - t0);
  }
  const double omp_rmse = rms(Y - codes.reconstruct(D));
  rows.push_back({kCase, "sparse_coding_seconds" + tag, t_omp, sk_omp, have_sk ? sk_omp / t_omp : 0.0, "s", base});
  rows.push_back({kCase, "sparse_coding_rmse" + tag, omp_rmse, sk_rmse * have_sk,
                  have_sk ? omp_rmse / sk_rmse : 0.0, "1", base});

  // ---- dictionary learning: K-SVD to scikit-learn's error ---------------------------------------
  learning::sparse::KsvdOptions ko;
  ko.atoms = K;
  ko.sparsity = T;
  ko.seed = seed + 1;
  ko.exact_update = false;  // approximate K-SVD (Rubinstein et al. 2008): one power step per atom
  ko.iterations = max_sweeps;
  const auto probe = learning::sparse::ksvd(Y, ko);
  int sweeps = max_sweeps;
  if (have_sk)
    for (int s = 0; s < int(probe.rmse.size()); ++s)
      if (probe.rmse[s] <= sk_rmse) {
        sweeps = s;
        break;
      }
  if (!have_sk) sweeps = std::min(10, max_sweeps);
  ko.iterations = sweeps;
  const double t0 = now();
  const auto kr = learning::sparse::ksvd(Y, ko);
  const double t_dl = now() - t0;
  const double dl_rmse = kr.rmse.back();
  rows.push_back({kCase, "dict_learning_seconds" + tag, t_dl, sk_fit, have_sk ? sk_fit / t_dl : 0.0, "s", base});
  rows.push_back({kCase, "dict_learning_rmse" + tag, dl_rmse, sk_rmse * have_sk, have_sk ? dl_rmse / sk_rmse : 0.0,
                  "1", base});
  rows.push_back({kCase, "dict_learning_ksvd_sweeps_vs_epochs", double(sweeps), have_sk ? double(epochs) : 0.0, 0.0,
                  "1", base});
  // Total (learning + coding of all patches).
  const double tot = t_dl + t_omp, sktot = sk_fit + sk_omp;
  rows.push_back({kCase, "total_seconds" + tag, tot, sktot, have_sk ? sktot / tot : 0.0, "s", base});
  return rows;
}

}  // namespace hyseis::bench::detail
