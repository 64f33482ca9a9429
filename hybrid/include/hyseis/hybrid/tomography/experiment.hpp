#pragma once
// The LST checkerboard experiment (Bianco & Gerstoft 2018, Fig. 7 set-up) on the geometry of
// shared/validation/lst_checkerboard: 100 x 100 grid of 1 km cells, 64 stations, all 2016
// station-pair straight rays; checkerboard and smooth + discontinuous models; conventional and
// LST inversions; RMSE in ms/km over the reference mask. Also the scenario runner behind
// `hyseis run scenarios/lst_checkerboard.yaml` (scenario type lst_tomography).
#include <Eigen/Core>

#include <map>
#include <string>
#include <vector>

#include "hyseis/core/config.hpp"
#include "hyseis/hybrid/tomography/inversion.hpp"

namespace hyseis::hybrid::tomography {

/// A matrix CSV (rows x cols numbers, comma separated) as a row-major vector. Throws
/// core::IoError naming the file and the line on a wrong shape or a non-number.
Eigen::VectorXd read_csv_matrix(const std::string& path, int rows, int cols);

struct SharedExperiment {
  Grid2D grid;                                   // 100 x 100, origin (1, 1) km, 1 km cells (reference convention)
  std::vector<physics::traveltime::Point2> stations;
  std::vector<physics::traveltime::Ray> rays;    // station pairs, order of rays.csv
  SparseMatrix A;                                // exact ray-cell lengths
  Eigen::VectorXd truth;                         // checkerboard slowness (s/km), cell iy*nx+ix
  Eigen::VectorXd times;                         // the reference code's noise-free travel times (s)
  Eigen::VectorXd mask_vb, mask_hull;            // RMSE masks (1 inside)
  std::map<std::string, Eigen::VectorXd> reference_maps;  // "conventional", "lst" (authors' estimates)
  std::map<std::string, double> reference_rmse;           // ms/km over mask_vb, from PROVENANCE
  std::string dir;
};

/// Reads <dir>/geometry and <dir>/checkerboard_noise0 (dir: .../lst_checkerboard). Throws
/// core::IoError (missing/ill-shaped files) or core::InvalidInput (stations outside the grid,
/// NaN travel times, duplicate rays).
SharedExperiment load_shared_experiment(const std::string& dir);

/// The reference code's sampled ray matrix (geometry/A_triplets.csv) in our cell order.
SparseMatrix read_reference_ray_matrix(const std::string& dir, int nx, int ny, int rays);

/// Second model: smooth Gaussian anomalies plus a straight discontinuity (fault-like step) and a
/// sharp-edged block, background s_bg (s/km).
Eigen::VectorXd smooth_discontinuous_model(const Grid2D& grid, double s_bg = 0.4);

/// Checkerboard as in the reference: background s_bg, +-amp in squares of `square` cells,
/// shifted by `shift` cells.
Eigen::VectorXd checkerboard_model(const Grid2D& grid, double s_bg = 0.4, double amp = 0.1, int square = 10,
                                   int shift = 2);

/// One inversion case: conventional and LST on the same data.
struct CaseOutcome {
  std::string model;
  double noise = 0;             // noise std as a fraction of the mean travel time
  double noise_std_s = 0;
  ConventionalResult conventional;
  LstResult lst;
  double rmse_conventional = 0, rmse_lst = 0, rmse_lst_global = 0;  // ms/km over the mask
};

CaseOutcome run_case(const Grid2D& grid, const SparseMatrix& A, const Eigen::VectorXd& truth, const Eigen::VectorXd& t,
                     const Eigen::VectorXd& mask, const ConventionalOptions& copt, const LstOptions& lopt);

/// Runs the scenario described by `root` (keys: scenario, data, models, noise, conventional,
/// lst, output; see scenarios/lst_checkerboard.yaml and docs/tutorials/lst_checkerboard.md) and
/// writes tomography.h5, summary.json, rmse_table.txt and PNG figures into out_dir (which must
/// exist). Configuration errors are core::ConfigError located at the offending key.
void run_lst_scenario(const core::config::Node& root, const std::string& out_dir);

}  // namespace hyseis::hybrid::tomography
