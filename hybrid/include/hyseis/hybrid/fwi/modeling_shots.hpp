#pragma once
// The FWI data term on the differentiable SEM (physics/wave/modeling.hpp): acoustic vp on a
// ModelGrid, one Modeling per rank on MPI_COMM_SELF, L2 waveform misfit with multiscale
// frequency continuation.
//
// Stage k low-pass filters both synthetics and observations with the same causal Butterworth
// filter h_k (solvers/signal.hpp). As the wave equation is linear and time-invariant in the
// source, h_k * d_syn(m; s) = d_syn(m; h_k * s): this is exactly modelling with the low-pass
// filtered source wavelet, compared with the equally filtered data. The misfit of a shot is
//   J_s = 1/2 sum_r sum_n w_n dt (h*(d_syn - d_obs))_rn^2 / E_k,   E_k = sum_s 1/2 sum w_n dt (h*d_obs)^2
// (trapezoid weights w_n, normalised by the energy of all filtered observations, so J = 1/2 at
// m = 0 data and the prior weights mean the same in every stage). Its gradient is
// Modeling::vjp with the cotangent H^T (w dt r) / E_k, H^T = time reversal . H . time reversal;
// for an unfiltered stage (fmax = 0) Modeling::gradient is used directly (same formula).
#include <memory>
#include <vector>

#include "hyseis/hybrid/fwi/objective.hpp"
#include "hyseis/physics/wave/modeling.hpp"
#include "hyseis/physics/wave/problem.hpp"

namespace hyseis::hybrid::fwi {

struct StageFilter {
  double fmax_hz = 0;  // low-pass corner; 0 = no filter (full band)
  int order = 4;       // Butterworth order
};

class ModelingShots final : public ShotObjective {
 public:
  /// `base`: acoustic problem fixing mesh, boundaries, receivers, time (see Modeling). `observed`
  /// holds one Seismograms per shot, checked against the acquisition (receivers, one pressure
  /// component, samples and sampling, finite values): core::InvalidInput naming `what` (e.g. the
  /// file), the shot, receiver and sample.
  ModelingShots(const physics::wave::WaveProblem& base, const physics::wave::ModelGrid& grid,
                std::vector<physics::wave::SourceOptions> shots, std::vector<physics::wave::Seismograms> observed,
                std::vector<StageFilter> stages, const std::string& what = "observed data", double rho = 1000.0,
                physics::wave::AdjointOptions adjoint = {physics::wave::CheckpointMode::store_all, 0});
  ~ModelingShots() override;
  int n_params() const override;
  int n_shots() const override { return int(shots_.size()); }
  int n_stages() const override { return int(stages_.size()); }
  void set_stage(int stage) override;
  double misfit_gradient(const Eigen::VectorXd& m, int shot, Eigen::VectorXd& g) override;

  /// Filtered observations of the current stage (for plots) and the stage normaliser E_k.
  const std::vector<physics::wave::Seismograms>& filtered_observed() const { return obs_f_; }
  double normaliser() const { return energy_; }
  physics::wave::Modeling& modeling() { return *modeling_; }

 private:
  std::unique_ptr<physics::wave::Modeling> modeling_;
  std::vector<physics::wave::SourceOptions> shots_;
  std::vector<physics::wave::Seismograms> observed_, obs_f_;
  std::vector<StageFilter> stages_;
  int stage_ = -1;
  double energy_ = 1, dt_ = 0;
};

/// Checks that `d` matches the acquisition of `base` (receiver count, one component, n_samples
/// samples at t_start + n dt) and holds only finite values. Throws core::InvalidInput naming `what`.
void check_observed(const physics::wave::Seismograms& d, std::size_t n_receivers, int n_samples, double t_start,
                    double dt, const std::string& what);

}  // namespace hyseis::hybrid::fwi
