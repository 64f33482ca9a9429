#pragma once
// Kokkos kernels of the discrete adjoint of the explicit Newmark (central-difference) stepping
// and of the material-derivative action of the elastic stiffness (docs/theory/adjoint.md).
// Only Kokkos and the standard library, like sem_kernels.hpp.
//
// Forward step n -> n+1 (sem_kernels.hpp): predict { u += dt v + dt^2/2 a; v += dt/2 a },
// r = K u, correct { a = W (f - r - C v); v += dt/2 a } with the effective inverse mass
// W = (M + dt/2 C)^-1. Its transpose, applied in reverse order to the adjoint state
// (ub, vb, ab), is
//   adjoint_correct:  ab += dt/2 vb; w = W ab; vb -= C w; ab = 0        (w = adjoint of f)
//   r = K w  (the same stiffness kernel: K is symmetric)
//   adjoint_predict:  ub -= r; ab += dt/2 vb; vb += dt ub; ab += dt^2/2 ub.
#include <vector>

#include "hyseis/solvers/sem_kernels.hpp"

namespace hyseis::solvers {

/// ab += dt/2 vb; w = inv_mass_eff * ab; vb -= damping * w (damping may be empty); ab = 0.
void newmark_adjoint_correct(double dt, ConstVector inv_mass_eff, ConstVector damping, Vector vb,
                             Vector ab, Vector w);
/// newmark_adjoint_correct fused with the material accumulators of the mass and damping:
/// ab += dt/2 vb; w = inv_mass_eff ab; gm += w .* a; gc += w .* v (if damping is non-empty);
/// vb -= damping w; ab = 0 (one pass over the vectors).
void newmark_adjoint_correct_accumulate(double dt, ConstVector inv_mass_eff, ConstVector damping, Vector vb,
                                        Vector ab, Vector w, ConstVector a, ConstVector v, Vector gm, Vector gc);
/// ub -= kw; ab += dt/2 vb; vb += dt ub; ab += dt^2/2 ub.
void newmark_adjoint_predict(double dt, ConstVector kw, Vector ub, Vector vb, Vector ab);
/// newmark_adjoint_predict (of step k+1) fused with newmark_adjoint_correct_accumulate (of step
/// k) on the undamped part, one pass instead of two, the same arithmetic in the same order:
///   ub -= kw; vb += dt ub; w = inv_mass_eff (dt/2 vb_old + dt^2/2 ub + dt/2 vb); gm += w .* a.
/// Preconditions: ab == 0 on entry (the corrector leaves it 0 and nothing is injected into vb
/// or ab in between: the adjoint of displacement data goes into ub, which the corrector does not
/// read); ab stays 0 and is not passed. The Stacey part follows with adjoint_damping.
void newmark_adjoint_predict_correct_accumulate(double dt, ConstVector kw, ConstVector inv_mass_eff, Vector ub,
                                                Vector vb, Vector w, ConstVector a, Vector gm);
/// The damped entries of the adjoint corrector: for j < idx.size(), i = idx(j):
///   gc(i) += w(i) v_i;  vb(i) -= damping(i) w(i),   v_i = v(j) if v_compact else v(i).
/// (With the fused kernel above: bitwise equal to newmark_adjoint_correct_accumulate where the
/// damping is non-zero; its damping accumulator elsewhere is never read.)
void adjoint_damping(Kokkos::View<const int*, MemSpace> idx, ConstVector damping, ConstVector v, bool v_compact,
                     ConstVector w, Vector vb, Vector gc);
/// g += x .* y (element-wise product accumulation).
void accumulate_product(ConstVector x, ConstVector y, Vector g);

/// Material-derivative action of the isotropic elastic stiffness: for every (cell, q),
///   g_lambda[c, q] += scale * jxw div(w) div(u),   g_mu[c, q] += scale * 2 jxw eps(w) : eps(u),
/// so that w^T (dK/dlambda_{c,q}) u = jxw div(w) div(u) etc. (K is linear in lambda, mu:
/// w^T K u = sum_{c,q} lambda g_lambda + mu g_mu). Uses the general (per-point Jacobian) path.
class ElasticMaterialGradient2D {
public:
  explicit ElasticMaterialGradient2D(const SemMeshHost2D& mesh);
  ~ElasticMaterialGradient2D();
  ElasticMaterialGradient2D(const ElasticMaterialGradient2D&) = delete;
  ElasticMaterialGradient2D& operator=(const ElasticMaterialGradient2D&) = delete;
  /// u, w: 2*n_nodes interleaved; g_lambda, g_mu: n_cells*(p+1)^2.
  void accumulate(ConstVector u, ConstVector w, double scale, Vector g_lambda, Vector g_mu) const;

  /// The same accumulation into accumulators in the kernel's own batch layout (cells in batches
  /// of `lanes()`, the lane index innermost: [batch][q][lane]), where the per-point products
  /// vectorise across cells as in the stiffness kernels; the per-point values are bitwise those
  /// of accumulate(). Accumulators: n_lane_points() entries, zero-initialised by the caller.
  void accumulate_lanes(ConstVector u, ConstVector w, double scale, Vector g_lambda, Vector g_mu) const;
  /// Lane-layout accumulator -> (cell, q) layout: points[c*nq + q] += lanes[...].
  void lanes_to_points(ConstVector lanes, Vector points) const;
  std::size_t n_lane_points() const;

private:
  struct Impl;
  Impl* impl_;
};

}  // namespace hyseis::solvers
