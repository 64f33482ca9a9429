#include "hyseis/hybrid/fwi/modeling_shots.hpp"

#include <algorithm>
#include <cmath>

#include "hyseis/core/error.hpp"
#include "hyseis/solvers/signal.hpp"

namespace hyseis::hybrid::fwi {

namespace pw = physics::wave;
namespace sig = solvers::signal;

void check_observed(const pw::Seismograms& d, std::size_t n_receivers, int n_samples, double t_start, double dt,
                    const std::string& what) {
  HYSEIS_REQUIRE(d.data.size() == n_receivers, core::InvalidInput,
                 what << ": " << d.data.size() << " receivers, the acquisition has " << n_receivers);
  HYSEIS_REQUIRE(int(d.time.size()) == n_samples, core::InvalidInput,
                 what << ": " << d.time.size() << " time samples, the modelling produces " << n_samples << " (dt = " << dt
                      << " s)");
  for (int n = 0; n < n_samples; ++n)
    HYSEIS_REQUIRE(std::abs(d.time[std::size_t(n)] - (t_start + n * dt)) <= 1e-6 * dt, core::InvalidInput,
                   what << ": sample " << n << " is at t = " << d.time[std::size_t(n)] << " s, the modelling samples at "
                        << t_start + n * dt << " s (dt = " << dt << " s)");
  for (std::size_t r = 0; r < n_receivers; ++r) {
    HYSEIS_REQUIRE(d.data[r].size() == 1, core::InvalidInput,
                   what << ": receiver " << r << " has " << d.data[r].size() << " components, acoustic data have 1 (p)");
    HYSEIS_REQUIRE(int(d.data[r][0].size()) == n_samples, core::InvalidInput,
                   what << ": receiver " << r << " has " << d.data[r][0].size() << " samples, expected " << n_samples);
    for (int n = 0; n < n_samples; ++n)
      HYSEIS_REQUIRE(std::isfinite(d.data[r][0][std::size_t(n)]), core::InvalidInput,
                     what << ": NaN/Inf at receiver " << r << ", sample " << n);
  }
}

ModelingShots::ModelingShots(const pw::WaveProblem& base, const pw::ModelGrid& grid, std::vector<pw::SourceOptions> shots,
                             std::vector<pw::Seismograms> observed, std::vector<StageFilter> stages,
                             const std::string& what, double rho, pw::AdjointOptions adjoint)
    : shots_(std::move(shots)), observed_(std::move(observed)), stages_(std::move(stages)) {
  HYSEIS_REQUIRE(base.physics == pw::Physics::acoustic, core::InvalidInput, "fwi: only acoustic FWI is supported");
  HYSEIS_REQUIRE(!shots_.empty(), core::InvalidInput, "fwi: no shots");
  HYSEIS_REQUIRE(observed_.size() == shots_.size(), core::InvalidInput,
                 what << ": " << observed_.size() << " shot gathers for " << shots_.size() << " shots");
  HYSEIS_REQUIRE(!stages_.empty(), core::InvalidInput, "fwi: no frequency stages");
  modeling_ = std::make_unique<pw::Modeling>(base, grid, MPI_COMM_SELF, adjoint, rho);
  dt_ = modeling_->dt();
  HYSEIS_REQUIRE(dt_ > 0, core::InvalidInput,
                 "fwi: the time step must be fixed before the inversion (give time.dt or a construction medium)");
  const int ns = modeling_->n_steps() + 1;
  for (std::size_t s = 0; s < shots_.size(); ++s)
    check_observed(observed_[s], base.receivers.size(), ns, base.time.t_start, dt_,
                   what + " (shot " + std::to_string(s) + ")");
  const double nyq = 0.5 / dt_;
  for (std::size_t k = 0; k < stages_.size(); ++k)
    HYSEIS_REQUIRE(stages_[k].fmax_hz == 0 || (stages_[k].fmax_hz > 0 && stages_[k].fmax_hz < nyq), core::InvalidInput,
                   "fwi: stage " << k << " fmax = " << stages_[k].fmax_hz << " Hz must be 0 (full band) or in (0, "
                                 << nyq << ") Hz");
}

ModelingShots::~ModelingShots() = default;

int ModelingShots::n_params() const { return modeling_->n_params(); }

namespace {
double trapezoid_energy(const std::vector<double>& x, double dt) {
  double e = 0;
  for (std::size_t n = 0; n < x.size(); ++n) e += (n == 0 || n + 1 == x.size() ? 0.5 : 1.0) * x[n] * x[n];
  return 0.5 * e * dt;
}
}  // namespace

void ModelingShots::set_stage(int stage) {
  HYSEIS_REQUIRE(stage >= 0 && stage < n_stages(), core::InvalidInput, "fwi: stage " << stage << " out of range");
  stage_ = stage;
  obs_f_ = observed_;
  const StageFilter& f = stages_[std::size_t(stage)];
  energy_ = 0;
  for (auto& d : obs_f_)
    for (auto& rec : d.data) {
      if (f.fmax_hz > 0) rec[0] = sig::sosfilt(sig::butterworth_lowpass(f.order, f.fmax_hz, 1.0 / dt_), rec[0]);
      energy_ += trapezoid_energy(rec[0], dt_);
    }
  HYSEIS_REQUIRE(energy_ > 0, core::InvalidInput, "fwi: the observed data of stage " << stage << " are all zero");
}

double ModelingShots::misfit_gradient(const Eigen::VectorXd& m, int shot, Eigen::VectorXd& g) {
  HYSEIS_REQUIRE(stage_ >= 0, core::InvalidInput, "fwi: set_stage() was not called");
  const std::vector<double> params(m.data(), m.data() + m.size());
  const StageFilter& f = stages_[std::size_t(stage_)];
  const pw::SourceOptions& so = shots_[std::size_t(shot)];
  const pw::Seismograms& obs = obs_f_[std::size_t(shot)];
  if (f.fmax_hz == 0) {
    const pw::GradientResult r = modeling_->gradient(params, so, obs, pw::MisfitType::l2);
    g = Eigen::Map<const Eigen::VectorXd>(r.gradient.data(), Eigen::Index(r.gradient.size())) / energy_;
    return r.misfit / energy_;
  }
  const sig::Sos sos = sig::butterworth_lowpass(f.order, f.fmax_hz, 1.0 / dt_);
  // One forward run: the synthetics are filtered into the cotangent inside the modeling call,
  // whose forward sweep is also the recording sweep of the adjoint.
  double J = 0;
  auto cotangent = [&](const pw::Seismograms& syn) {
    J = 0;
    std::vector<std::vector<std::vector<double>>> cot(syn.data.size());
    for (std::size_t r = 0; r < syn.data.size(); ++r) {
      const std::vector<double> hs = sig::sosfilt(sos, syn.data[r][0]);
      std::vector<double> res(hs.size());
      const std::size_t ns = hs.size();
      for (std::size_t n = 0; n < ns; ++n) {
        res[n] = hs[n] - obs.data[r][0][n];
        const double w = (n == 0 || n + 1 == ns) ? 0.5 : 1.0;
        J += 0.5 * w * dt_ * res[n] * res[n];
        res[n] *= w * dt_;
      }
      std::reverse(res.begin(), res.end());  // H^T v = R H R v
      std::vector<double> ht = sig::sosfilt(sos, res);
      std::reverse(ht.begin(), ht.end());
      cot[r] = {std::move(ht)};
    }
    return cot;
  };
  const std::vector<double> grad = modeling_->vjp_with_forward(params, so, cotangent);
  g = Eigen::Map<const Eigen::VectorXd>(grad.data(), Eigen::Index(grad.size())) / energy_;
  return J / energy_;
}

}  // namespace hyseis::hybrid::fwi
