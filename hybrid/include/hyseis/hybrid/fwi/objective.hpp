#pragma once
// The data term of FWI as a sum over shots, and its evaluation with the shots distributed over
// MPI ranks. A ShotObjective knows how to compute one shot's misfit and gradient; it does not
// know about ranks. evaluate_shots() gives shot s to rank s % size, gathers every shot's
// misfit and gradient into a [shot][param] buffer (MPI_Allreduce of disjoint rows, so the sums are
// exact), and adds the shots in shot order on every rank: the result is bit-for-bit the same for
// any number of ranks.
#include <Eigen/Core>
#include <mpi.h>

#include <vector>

namespace hyseis::hybrid::fwi {

class ShotObjective {
 public:
  virtual ~ShotObjective() = default;
  virtual int n_params() const = 0;
  virtual int n_shots() const = 0;
  /// Number of frequency stages (>= 1) and the switch between them (called on every rank).
  virtual int n_stages() const { return 1; }
  virtual void set_stage(int stage) { (void)stage; }
  /// Misfit of one shot at model m; its gradient (n_params values) into g.
  virtual double misfit_gradient(const Eigen::VectorXd& m, int shot, Eigen::VectorXd& g) = 0;
};

struct ShotsEvaluation {
  double misfit = 0;
  Eigen::VectorXd gradient;
  std::vector<double> shot_misfits;
};

/// Sum over all shots, identical on every rank of comm (collective).
ShotsEvaluation evaluate_shots(ShotObjective& obj, const Eigen::VectorXd& m, MPI_Comm comm);

}  // namespace hyseis::hybrid::fwi
