#include "hyseis/hybrid/tomography/experiment.hpp"

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "hyseis/core/error.hpp"

namespace hyseis::hybrid::tomography {

using core::IoError;
namespace tt = physics::traveltime;

namespace {

std::vector<std::vector<double>> read_csv(const std::string& path, bool header) {
  std::ifstream in(path);
  HYSEIS_REQUIRE(in, IoError, "cannot open '" << path << "'");
  std::vector<std::vector<double>> rows;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (header && lineno == 1) continue;
    if (line.empty() || line == "\r") continue;
    std::vector<double> row;
    std::stringstream ss(line);
    std::string f;
    while (std::getline(ss, f, ',')) {
      char* end = nullptr;
      const double v = std::strtod(f.c_str(), &end);
      HYSEIS_REQUIRE(end != f.c_str(), IoError, path << ":" << lineno << ": not a number: '" << f << "'");
      row.push_back(v);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Eigen::VectorXd read_csv_matrix(const std::string& path, int nr, int nc) {
  const auto rows = read_csv(path, false);
  HYSEIS_REQUIRE(int(rows.size()) == nr, IoError, path << ": expected " << nr << " rows, got " << rows.size());
  Eigen::VectorXd v(std::size_t(nr) * nc);
  for (int r = 0; r < nr; ++r) {
    HYSEIS_REQUIRE(int(rows[r].size()) == nc, IoError,
                   path << ":" << r + 1 << ": expected " << nc << " columns, got " << rows[r].size());
    for (int c = 0; c < nc; ++c) v[std::size_t(r) * nc + c] = rows[r][c];
  }
  return v;
}

SparseMatrix read_reference_ray_matrix(const std::string& dir, int nx, int ny, int nrays) {
  const auto rows = read_csv(dir + "/geometry/A_triplets.csv", true);
  std::vector<Eigen::Triplet<double>> trip;
  for (const auto& r : rows) {
    HYSEIS_REQUIRE(r.size() == 4, IoError, "A_triplets.csv: expected 4 columns");
    // MATLAB: row = y index (1-based), column = x index.
    trip.emplace_back(int(r[0]) - 1, (int(r[1]) - 1) * nx + int(r[2]) - 1, r[3]);
  }
  SparseMatrix A(nrays, nx * ny);
  A.setFromTriplets(trip.begin(), trip.end());
  return A;
}

SharedExperiment load_shared_experiment(const std::string& dir) {
  SharedExperiment e;
  e.dir = dir;
  e.grid.nx = e.grid.ny = 100;
  e.grid.dx = e.grid.dy = 1;
  e.grid.x0 = e.grid.y0 = 1;  // pixel (r, c) covers [c, c+1) x [r, r+1) km (PROVENANCE)
  for (const auto& r : read_csv(dir + "/geometry/stations.csv", true)) {
    HYSEIS_REQUIRE(r.size() >= 3, IoError, dir << "/geometry/stations.csv: expected station,x_km,y_km");
    e.stations.push_back({r[1], r[2]});
  }
  const auto rays = read_csv(dir + "/geometry/rays.csv", true);
  for (const auto& r : rays) {
    HYSEIS_REQUIRE(r.size() >= 7, IoError, dir << "/geometry/rays.csv: expected ray,sta1,sta2,x1,y1,x2,y2,...");
    tt::Ray ray{{r[3], r[4]}, {r[5], r[6]}, int(r[1]) - 1, int(r[2]) - 1};
    e.rays.push_back(ray);
  }
  e.A = tt::straight_ray_matrix(e.grid, e.rays);
  const int n = e.grid.cells();
  e.truth = read_csv_matrix(dir + "/checkerboard_noise0/true_slowness_ch.csv", 100, 100);
  const auto tr = read_csv(dir + "/checkerboard_noise0/traveltimes_ch_noise0.csv", true);
  HYSEIS_REQUIRE(tr.size() == e.rays.size(), IoError,
                 "traveltimes_ch_noise0.csv: " << tr.size() << " rows for " << e.rays.size() << " rays");
  e.times.resize(Eigen::Index(tr.size()));
  for (std::size_t k = 0; k < tr.size(); ++k) {
    HYSEIS_REQUIRE(tr[k].size() >= 2 && std::isfinite(tr[k][1]), core::InvalidInput,
                   "traveltimes_ch_noise0.csv: ray " << k + 1 << " has no finite travel time");
    e.times[Eigen::Index(k)] = tr[k][1];
  }
  e.mask_vb = read_csv_matrix(dir + "/geometry/valid_mask_vb.csv", 100, 100);
  e.mask_hull = read_csv_matrix(dir + "/checkerboard_noise0_hullmask/valid_mask_vb_hull.csv", 100, 100);
  e.reference_maps["conventional"] = read_csv_matrix(dir + "/checkerboard_noise0/est_Conventional_ch_noise0.csv", 100, 100);
  e.reference_maps["lst"] = read_csv_matrix(dir + "/checkerboard_noise0/est_LST_DictLearn_ch_noise0.csv", 100, 100);
  e.reference_maps["lst_dct"] = read_csv_matrix(dir + "/checkerboard_noise0/est_LST_DCT_ch_noise0.csv", 100, 100);
  e.reference_maps["tv"] = read_csv_matrix(dir + "/checkerboard_noise0/est_TV_ch_noise0.csv", 100, 100);
  // Published in PROVENANCE.md (mask vb); recomputed from the maps as a check in the tests.
  e.reference_rmse = {{"lst", 38.71}, {"conventional", 59.46}, {"lst_dct", 57.79}, {"lst_haar", 60.83}, {"tv", 63.32}};
  HYSEIS_REQUIRE(e.truth.size() == n, IoError, "true model size");
  return e;
}

Eigen::VectorXd checkerboard_model(const Grid2D& g, double s_bg, double amp, int square, int shift) {
  Eigen::VectorXd s(g.cells());
  for (int iy = 0; iy < g.ny; ++iy)
    for (int ix = 0; ix < g.nx; ++ix) {
      const int a = (ix + shift) / square, b = (iy + shift) / square;
      s[g.index(ix, iy)] = s_bg + ((a + b) % 2 == 0 ? -amp : amp);
    }
  return s;
}

Eigen::VectorXd smooth_discontinuous_model(const Grid2D& g, double s_bg) {
  Eigen::VectorXd s(g.cells());
  const double Lx = g.nx * g.dx, Ly = g.ny * g.dy;
  for (int iy = 0; iy < g.ny; ++iy)
    for (int ix = 0; ix < g.nx; ++ix) {
      const double x = (ix + 0.5) * g.dx / Lx, y = (iy + 0.5) * g.dy / Ly;  // unit square
      double v = s_bg;
      // Smooth part: two Gaussian anomalies (slow and fast).
      v += 0.08 * std::exp(-((x - 0.32) * (x - 0.32) + (y - 0.62) * (y - 0.62)) / (2 * 0.09 * 0.09));
      v -= 0.06 * std::exp(-((x - 0.68) * (x - 0.68) + (y - 0.35) * (y - 0.35)) / (2 * 0.12 * 0.12));
      // Discontinuity: a step across an oblique fault line.
      if (y > 0.25 + 0.45 * x) v += 0.05;
      // Sharp-edged fast block.
      if (x > 0.55 && x < 0.75 && y > 0.65 && y < 0.8) v -= 0.08;
      s[g.index(ix, iy)] = v;
    }
  return s;
}

CaseOutcome run_case(const Grid2D& g, const SparseMatrix& A, const Eigen::VectorXd& truth, const Eigen::VectorXd& t,
                     const Eigen::VectorXd& mask, const ConventionalOptions& copt, const LstOptions& lopt) {
  CaseOutcome o;
  const double s0 = reference_slowness(A, t);
  o.conventional = conventional_inversion(g, A, t, s0, copt);
  o.lst = lst_inversion(g, A, t, s0, lopt);
  o.rmse_conventional = rmse_ms_per_km(o.conventional.slowness, truth, mask);
  o.rmse_lst = rmse_ms_per_km(o.lst.sparse, truth, mask);
  o.rmse_lst_global = rmse_ms_per_km(o.lst.global, truth, mask);
  return o;
}

}  // namespace hyseis::hybrid::tomography
