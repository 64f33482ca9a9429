// Baseline of the sem_elastic_2d case: deal.II's own matrix-free elastic operator
// (MatrixFree + FEEvaluation<2, p, p+1, 2>) on FE_Q with GLL support points and QGaussLobatto
// quadrature (diagonal lumped mass), LinearAlgebra::distributed::Vector, the same central-
// difference scheme as hyseis, the same mesh and initial condition.
// Note: Debian's deal.II 9.4.1 is configured with vectorisation width 0, so VectorizedArray<double>
// has one lane here (MatrixFree then runs scalar); this is the deal.II a user of this stack gets.
#include <deal.II/base/quadrature_lib.h>
#include <deal.II/base/timer.h>
#include <deal.II/dofs/dof_handler.h>
#include <deal.II/fe/fe_q.h>
#include <deal.II/fe/fe_system.h>
#include <deal.II/fe/mapping_q1.h>
#include <deal.II/grid/grid_generator.h>
#include <deal.II/grid/tria.h>
#include <deal.II/lac/affine_constraints.h>
#include <deal.II/lac/la_parallel_vector.h>
#include <deal.II/matrix_free/fe_evaluation.h>
#include <deal.II/matrix_free/matrix_free.h>
#include <deal.II/numerics/vector_tools.h>

#include <chrono>
#include <functional>
#include <stdexcept>

#include "sem_elastic_common.hpp"

namespace hyseis::bench::detail {

namespace {
using namespace dealii;
using VectorType = LinearAlgebra::distributed::Vector<double>;

class InitialField : public Function<2> {
public:
  InitialField() : Function<2>(2) {}
  double value(const Point<2>& p, const unsigned int c) const override {
    double ux, uz;
    initial_displacement(p[0], p[1], ux, uz);
    return c == 0 ? ux : uz;
  }
};

template <int degree>
class ElasticMF {
public:
  ElasticMF(const MatrixFree<2, double>& mf, double lambda, double mu) : mf_(mf), lambda_(lambda), mu_(mu) {}

  void vmult(VectorType& dst, const VectorType& src) const {
    mf_.cell_loop(&ElasticMF::local_apply, this, dst, src, true);
  }

  void lumped_mass(VectorType& diag, double rho) const {
    VectorType dummy;
    mf_.initialize_dof_vector(dummy);
    const std::function<void(const MatrixFree<2, double>&, VectorType&, const VectorType&,
                             const std::pair<unsigned int, unsigned int>&)>
        worker = [rho](const MatrixFree<2, double>& data, VectorType& dst, const VectorType&,
              const std::pair<unsigned int, unsigned int>& range) {
          FEEvaluation<2, degree, degree + 1, 2, double> phi(data);
          Tensor<1, 2, VectorizedArray<double>> one;
          one[0] = rho;
          one[1] = rho;
          for (unsigned int cell = range.first; cell < range.second; ++cell) {
            phi.reinit(cell);
            for (unsigned int q = 0; q < phi.n_q_points; ++q) phi.submit_value(one, q);
            phi.integrate_scatter(EvaluationFlags::values, dst);
          }
        };
    mf_.cell_loop(worker, diag, dummy, true);
  }

private:
  void local_apply(const MatrixFree<2, double>& data, VectorType& dst, const VectorType& src,
                   const std::pair<unsigned int, unsigned int>& range) const {
    FEEvaluation<2, degree, degree + 1, 2, double> phi(data);
    for (unsigned int cell = range.first; cell < range.second; ++cell) {
      phi.reinit(cell);
      phi.gather_evaluate(src, EvaluationFlags::gradients);
      for (unsigned int q = 0; q < phi.n_q_points; ++q) {
        const auto eps = phi.get_symmetric_gradient(q);
        auto sigma = (2.0 * mu_) * eps;
        const auto ltr = lambda_ * trace(eps);
        for (unsigned int d = 0; d < 2; ++d) sigma[d][d] += ltr;
        phi.submit_symmetric_gradient(sigma, q);
      }
      phi.integrate_scatter(EvaluationFlags::gradients, dst);
    }
  }

  const MatrixFree<2, double>& mf_;
  double lambda_, mu_;
};

template <int degree>
RunResult run(const ElasticProblem& p, int check_steps, double target_seconds, bool fused) {
  Triangulation<2> tria;
  GridGenerator::subdivided_hyper_cube(tria, p.cells_1d, 0.0, 1.0);
  FESystem<2> fe(FE_Q<2>(QGaussLobatto<1>(degree + 1)), 2);
  DoFHandler<2> dof(tria);
  dof.distribute_dofs(fe);
  AffineConstraints<double> constraints;
  constraints.close();
  MappingQ1<2> mapping;
  typename MatrixFree<2, double>::AdditionalData ad;
  ad.tasks_parallel_scheme = MatrixFree<2, double>::AdditionalData::none;
  ad.mapping_update_flags = update_gradients | update_JxW_values | update_values;
  MatrixFree<2, double> mf;
  mf.reinit(mapping, dof, constraints, QGaussLobatto<1>(degree + 1), ad);
  ElasticMF<degree> op(mf, p.lambda, p.mu);

  VectorType u, v, a, r, f, inv_mass;
  for (auto* x : {&u, &v, &a, &r, &f, &inv_mass}) mf.initialize_dof_vector(*x);
  op.lumped_mass(inv_mass, p.rho);
  for (auto& m : inv_mass) m = 1.0 / m;

  RunResult res;
  res.n_points = dof.n_dofs() / 2;
  res.op_bytes = mf.memory_consumption();
  res.bytes = res.op_bytes + 6 * u.memory_consumption();

  VectorTools::interpolate(mapping, dof, InitialField(), u);
  op.vmult(r, u);
  res.ku_norm = r.l2_norm();
  const double dt = p.dt();
  const unsigned int n = u.locally_owned_size();
  double* up = u.begin();
  double* vp = v.begin();
  double* ap = a.begin();
  const double* rp = r.begin();
  const double* fp = f.begin();
  const double* mp = inv_mass.begin();
  // Same two vector passes as hyseis' newmark_predict / newmark_correct.
  auto step = [&]() {
    const double hdt = 0.5 * dt, hdt2 = 0.5 * dt * dt;
    for (unsigned int i = 0; i < n; ++i) {
      up[i] += dt * vp[i] + hdt2 * ap[i];
      vp[i] += hdt * ap[i];
    }
    op.vmult(r, u);
    for (unsigned int i = 0; i < n; ++i) {
      const double ai = mp[i] * (fp[i] - rp[i]);
      ap[i] = ai;
      vp[i] += hdt * ai;
    }
  };
  // fused: r = K u, then corrector of this step + predictor of the next in one pass
  auto step_fused = [&]() {
    const double hdt = 0.5 * dt, hdt2 = 0.5 * dt * dt;
    op.vmult(r, u);
    for (unsigned int i = 0; i < n; ++i) {
      const double ai = mp[i] * (fp[i] - rp[i]);
      ap[i] = ai;
      const double vi = vp[i] + hdt * ai;
      up[i] += dt * vi + hdt2 * ai;
      vp[i] = vi + hdt * ai;
    }
  };
  // a0 = M^-1 (f - K u0)
  for (unsigned int i = 0; i < n; ++i) ap[i] = mp[i] * (fp[i] - rp[i]);
  for (int s = 0; s < check_steps; ++s) step();
  res.u_norm_after = u.l2_norm();

  if (fused) {  // enter the fused sequence with one predictor
    const double hdt = 0.5 * dt, hdt2 = 0.5 * dt * dt;
    for (unsigned int i = 0; i < n; ++i) {
      up[i] += dt * vp[i] + hdt2 * ap[i];
      vp[i] += hdt * ap[i];
    }
  }
  auto any_step = [&]() { fused ? step_fused() : step(); };
  long steps = 0;
  res.seconds_per_step = time_per_step([&]() { any_step(); }, target_seconds, steps);
  res.timed_steps = steps;
  if (!std::isfinite(u.l2_norm())) throw std::runtime_error("deal.II baseline: solution not finite");
  return res;
}
}  // namespace

RunResult run_dealii_elastic(const ElasticProblem& p, int check_steps, double target_seconds, bool fused) {
  switch (p.degree) {
    case 2: return run<2>(p, check_steps, target_seconds, fused);
    case 4: return run<4>(p, check_steps, target_seconds, fused);
    case 6: return run<6>(p, check_steps, target_seconds, fused);
    default: throw std::invalid_argument("deal.II baseline: degree must be 2, 4 or 6");
  }
}

}  // namespace hyseis::bench::detail
