#pragma once
// Kokkos compute core of the spectral-element wave solver (2D, tensor-product GLL basis).
// Depends only on Kokkos and the C++ standard library: no deal.II, PETSc or torch, so that this
// library compiles unchanged with a CUDA/HIP/OpenMP-enabled Kokkos.
//
// Conventions
//  - A mesh is a set of quadrilateral cells, each with (p+1)^2 GLL nodes in lexicographic order
//    q = j*(p+1) + i (i along the reference xi direction, j along eta).
//  - cell_nodes maps (cell, q) -> local scalar node index in [0, n_nodes).
//  - Acoustic vectors have n_nodes entries; elastic vectors have 2*n_nodes entries interleaved
//    (u_x of node k at 2k, u_z at 2k+1).
//  - Operators compute r = K u (r is overwritten), with
//      elastic:  (K u)_i = \int sigma(u) : grad(phi_i)  (isotropic: sigma = lambda tr(eps) I + 2 mu eps)
//      acoustic: (K p)_i = \int (1/rho) grad p . grad phi_i
//    evaluated with GLL quadrature on the GLL nodes (sum factorisation).
//  - Every kernel is named "hyseis::..." for profilers.
#include <Kokkos_Core.hpp>

#include <cstddef>
#include <vector>

namespace hyseis::solvers {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace = ExecSpace::memory_space;
using Vector = Kokkos::View<double*, MemSpace>;
using ConstVector = Kokkos::View<const double*, MemSpace>;
/// Unmanaged view over memory owned by someone else (e.g. a deal.II vector on the host).
using UnmanagedVector = Kokkos::View<double*, MemSpace, Kokkos::MemoryTraits<Kokkos::Unmanaged>>;

/// 1D Gauss-Lobatto-Legendre rule of degree p (p+1 points on [-1, 1]) and the derivative
/// matrix of its Lagrange basis: deriv[i*(p+1) + j] = l_j'(x_i).
struct Gll1D {
  int degree = 0;
  std::vector<double> points, weights, deriv;
};
Gll1D gll_rule(int degree);

/// Host-side description of a 2D SEM mesh (filled by physics/ from deal.II).
struct SemMeshHost2D {
  int degree = 4;
  int n_cells = 0;
  int n_nodes = 0;
  std::vector<int> cell_nodes;       // n_cells * (p+1)^2
  std::vector<double> inv_jacobian;  // n_cells * (p+1)^2 * 4: dxi/dx, dxi/dz, deta/dx, deta/dz
  std::vector<double> jxw;           // n_cells * (p+1)^2: det(J) * w_i * w_j
};

/// How an operator stores its geometry/material data (chosen at construction, see
/// docs/theory/sem-kernels.md):
///  - general:       per (cell, q) inverse Jacobian and jxw-premultiplied material;
///  - affine:        every cell has a constant Jacobian: 4 (elastic) / 3 (acoustic) entries per
///                   cell, material*jxw per (cell, q);
///  - affine_const:  affine and material constant per cell: a few numbers per cell, the GLL
///                   weights w_i w_j are applied inside the kernel.
enum class KernelPath { general = 0, affine = 1, affine_const = 2 };
const char* to_string(KernelPath p);

/// Construction options of the operators (defaults pick the fastest exact path).
struct OperatorOptions {
  bool detect_affine = true;         ///< allow the affine / affine_const paths
  bool detect_cell_constant = true;  ///< allow the affine_const path
  double rtol = 1e-12;               ///< relative tolerance of the constancy checks
};

/// Isotropic elastic stiffness operator; lambda and mu are given per (cell, q).
class ElasticOperator2D {
public:
  ElasticOperator2D(const SemMeshHost2D& mesh, const std::vector<double>& lambda,
                    const std::vector<double>& mu);
  ElasticOperator2D(const SemMeshHost2D& mesh, const std::vector<double>& lambda,
                    const std::vector<double>& mu, const OperatorOptions& options);
  ~ElasticOperator2D();
  ElasticOperator2D(ElasticOperator2D&&) noexcept;
  ElasticOperator2D& operator=(ElasticOperator2D&&) noexcept;
  /// r = K u; u and r have 2*n_nodes entries and must not alias (std::invalid_argument).
  void apply(ConstVector u, Vector r) const;
  int degree() const;
  int n_cells() const;
  int n_nodes() const;
  /// Storage path selected at construction.
  KernelPath path() const;
  /// Bytes held in MemSpace by the operator (connectivity + geometry + material).
  std::size_t memory_bytes() const;

private:
  struct Impl;
  Impl* impl_;
};

/// Acoustic (pressure) stiffness operator; inv_rho given per (cell, q).
class AcousticOperator2D {
public:
  AcousticOperator2D(const SemMeshHost2D& mesh, const std::vector<double>& inv_rho);
  AcousticOperator2D(const SemMeshHost2D& mesh, const std::vector<double>& inv_rho,
                     const OperatorOptions& options);
  ~AcousticOperator2D();
  AcousticOperator2D(AcousticOperator2D&&) noexcept;
  AcousticOperator2D& operator=(AcousticOperator2D&&) noexcept;
  /// r = K p; p and r have n_nodes entries and must not alias (std::invalid_argument).
  void apply(ConstVector p, Vector r) const;
  int degree() const;
  int n_cells() const;
  int n_nodes() const;
  KernelPath path() const;
  std::size_t memory_bytes() const;

private:
  struct Impl;
  Impl* impl_;
};

// ---- explicit time stepping (Newmark, beta = 0, gamma = 1/2: central difference) -------------
/// Predictor: u += dt v + dt^2/2 a ; v += dt/2 a.
void newmark_predict(double dt, Vector u, Vector v, ConstVector a);
/// Corrector: a = inv_mass * (f - r - damping * v) ; v += dt/2 a.
/// `damping` may be an empty view (no damping); all others have equal length.
void newmark_correct(double dt, ConstVector inv_mass, ConstVector f, ConstVector r,
                     ConstVector damping, Vector v, Vector a);
/// Fused corrector of step n and predictor of step n+1 in one pass over the vectors (same
/// arithmetic as newmark_correct followed by newmark_predict, ~30% less memory traffic):
///   a = inv_mass (f - r - damping v); v += dt/2 a; u += dt v + dt^2/2 a; v += dt/2 a.
/// A stepper then runs: predict once, then per step { r = K u; correct_predict }, and calls
/// newmark_correct instead on the last step (when v must be the full-step velocity).
void newmark_correct_predict(double dt, ConstVector inv_mass, ConstVector f, ConstVector r,
                             ConstVector damping, Vector u, Vector v, Vector a);
/// max |x_i| over the vector; returns NaN if any entry is not finite (NaN or +-inf).
double max_abs_or_nan(ConstVector x);

}  // namespace hyseis::solvers
