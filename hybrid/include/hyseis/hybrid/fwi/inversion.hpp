#pragma once
// The FWI loop: data term (ShotObjective, shots over MPI ranks) + prior, minimised by L-BFGS-B
// (solvers/lbfgs) over the stages of a multiscale continuation, with bounds on the model,
// diagonal preconditioning as a change of variables, prior refreshes between iterations, and a
// checkpoint of the whole state after every iteration so that an interrupted inversion resumes
// to the bit-identical result. See docs/theory/fwi.md.
#include <Eigen/Core>
#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

#include "hyseis/hybrid/fwi/objective.hpp"
#include "hyseis/hybrid/fwi/priors.hpp"
#include "hyseis/solvers/lbfgs.hpp"

namespace hyseis::hybrid::fwi {

struct InversionOptions {
  std::vector<int> stage_iterations{10};  // L-BFGS iterations per stage (size = objective's n_stages())
  double lower = 0, upper = 1e30;         // bounds on every model value
  /// Diagonal preconditioner p (size n_params, > 0; empty = ones). The optimiser works on
  /// x = m / (c p): its gradient is c p * dJ/dm and a gradient step changes m by c^2 p^2 dJ/dm.
  Eigen::VectorXd preconditioner;
  /// c is chosen at the first evaluation so that the first (steepest-descent) step of L-BFGS-B,
  /// of unit length in x, changes no model value by more than initial_step (model units).
  double initial_step = 50;
  solvers::LbfgsbOptions lbfgs;           // max_iterations is overridden per stage
  /// Start each stage after the first with the L-BFGS curvature pairs of the previous one (the
  /// objective changes with the filter, its curvature much less): the first step of a stage is
  /// then a quasi-Newton step instead of a short steepest-descent one.
  bool carry_memory = true;
  std::string checkpoint_file;            // HDF5, written by rank 0 after every iteration ("" = none)
  bool resume = false;                    // continue from checkpoint_file if it exists
  void validate(int n_params, int n_stages) const;  // core::InvalidInput naming the field
};

struct IterationRecord {
  int stage = 0, iteration = 0;       // iteration within the stage (0 = stage start)
  double data_misfit = 0, prior = 0, total = 0;
  double model_rmse = 0;              // against `truth` when given, else 0
  int evaluations = 0;                // cumulative objective evaluations
  double seconds = 0;                 // wall time since the start of the inversion (this process)
};

struct InversionResult {
  Eigen::VectorXd model;
  std::vector<IterationRecord> history;
  std::vector<std::string> stage_status;
  bool resumed = false;
};

/// Called on every rank after each record (stage starts and iterations).
using IterationFn = std::function<void(const IterationRecord&, const Eigen::VectorXd& model)>;

/// Runs the inversion from m0 (collective over comm; all ranks return the same result).
InversionResult invert(ShotObjective& data, Prior& prior, const Eigen::VectorXd& m0, const InversionOptions& opt,
                       MPI_Comm comm, const Eigen::VectorXd& truth = {}, const IterationFn& on_iteration = {});

}  // namespace hyseis::hybrid::fwi
