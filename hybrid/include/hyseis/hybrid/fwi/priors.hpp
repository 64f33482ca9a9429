#pragma once
// Regularisation terms ("priors") of full-waveform inversion on a gridded model, all behind one
// interface: value and gradient with respect to the model (node values on a ModelGrid-like
// nx x nz grid, m[k*nx + i]). Every prior works on the scaled model u = scale * m (scale = 1e-3
// turns m/s into km/s), averages over nodes, and is multiplied by its weight lambda, so weights
// are comparable between grids. Formulas: docs/theory/fwi.md ("Priors").
//   Tikhonov  : lambda/2 * mean_nodes( (D_x u)^2 + (D_z u)^2 )           D = forward difference * h
//   TV        : lambda   * mean_nodes( sqrt((D_x u)^2 + (D_z u)^2 + eps^2) - eps )
//   Dictionary: lambda/2 * mean_nodes( (u - t)^2 ),  t = patch-averaged sparse approximation of
//               the iterate in a dictionary learned (K-SVD) from its own overlapping patches,
//               refreshed every `update_every` iterations (Zhu, Liu & McClellan 2017).
// D_x u at node (i, k) is u(i+1, k) - u(i, k) (0 on the last column), likewise D_z.
#include <Eigen/Core>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hyseis::hybrid::fwi {

struct PriorGrid {
  int nx = 0, nz = 0;
  int size() const { return nx * nz; }
};

class Prior {
 public:
  virtual ~Prior() = default;
  virtual std::string name() const = 0;
  /// R(m); when grad is non-null it is resized and overwritten with dR/dm.
  virtual double value_gradient(const Eigen::VectorXd& m, Eigen::VectorXd* grad) const = 0;
  /// Called by the driver after each completed iteration `iteration` (1-based) of a stage; returns
  /// true when R itself changed (its value and gradient must be recomputed).
  virtual bool refresh(const Eigen::VectorXd& m, int iteration) {
    (void)m;
    (void)iteration;
    return false;
  }
  /// Called once at the start of every stage with the current model.
  virtual void start_stage(const Eigen::VectorXd& m) { (void)m; }
  /// Internal state for exact resume (dictionary and target); empty for stateless priors.
  virtual std::vector<double> state() const { return {}; }
  virtual void set_state(const std::vector<double>& s) { (void)s; }
};

class NoPrior final : public Prior {
 public:
  std::string name() const override { return "none"; }
  double value_gradient(const Eigen::VectorXd& m, Eigen::VectorXd* grad) const override;
};

class TikhonovPrior final : public Prior {
 public:
  TikhonovPrior(PriorGrid g, double lambda, double scale = 1e-3);
  std::string name() const override { return "tikhonov"; }
  double value_gradient(const Eigen::VectorXd& m, Eigen::VectorXd* grad) const override;

 private:
  PriorGrid g_;
  double lambda_, scale_;
};

class TotalVariationPrior final : public Prior {
 public:
  /// eps (in scaled units, e.g. km/s) smooths |grad u| near 0.
  TotalVariationPrior(PriorGrid g, double lambda, double eps, double scale = 1e-3);
  std::string name() const override { return "tv"; }
  double value_gradient(const Eigen::VectorXd& m, Eigen::VectorXd* grad) const override;

 private:
  PriorGrid g_;
  double lambda_, eps_, scale_;
};

struct DictionaryPriorOptions {
  double lambda = 1;
  int patch = 8;                // patch side (nodes)
  int stride = 2;               // patch step (<= patch); the last row/column of patches is added
  int atoms = 64;
  int sparsity = 2;             // OMP atoms per patch besides the patch mean
  int ksvd_iterations_initial = 10;
  int ksvd_iterations = 2;      // warm-started sweeps per refresh
  int update_every = 1;         // refresh the target every k iterations
  std::uint64_t seed = 1;
  double scale = 1e-3;
  void validate(const PriorGrid& g) const;  // throws core::InvalidInput naming the field
};

/// Learned dictionary prior: quadratic penalty towards the sparse approximation t of the iterate.
class DictionaryPrior final : public Prior {
 public:
  DictionaryPrior(PriorGrid g, DictionaryPriorOptions opt);
  std::string name() const override { return "dictionary"; }
  double value_gradient(const Eigen::VectorXd& m, Eigen::VectorXd* grad) const override;
  bool refresh(const Eigen::VectorXd& m, int iteration) override;
  void start_stage(const Eigen::VectorXd& m) override;
  std::vector<double> state() const override;
  void set_state(const std::vector<double>& s) override;

  /// Learns / updates the dictionary from the patches of m and sets the target t (in m's units).
  void update_target(const Eigen::VectorXd& m);
  /// Patch-averaged sparse approximation of m in the current dictionary (no learning).
  Eigen::VectorXd approximate(const Eigen::VectorXd& m) const;
  const Eigen::MatrixXd& dictionary() const { return D_; }
  const Eigen::VectorXd& target() const { return t_; }  // in m's units

 private:
  Eigen::MatrixXd patches(const Eigen::VectorXd& u, Eigen::VectorXd& means) const;
  Eigen::VectorXd assemble(const Eigen::MatrixXd& P, const Eigen::VectorXd& means) const;
  PriorGrid g_;
  DictionaryPriorOptions opt_;
  std::vector<int> px_, pz_;  // patch origins
  Eigen::MatrixXd D_;
  Eigen::VectorXd t_;
};

}  // namespace hyseis::hybrid::fwi
