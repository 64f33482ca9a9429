#pragma once
// Verification of the adjoint wave modeling on small problems, shared by tests/adjoint and the
// validation cases (docs/theory/adjoint.md): dot-product test of the linearised pair (jvp, vjp),
// Taylor test of the misfit gradient, adjoint vs central finite differences, and
// binomial-vs-store-all checkpointing. No deal.II here.
#include <mpi.h>

#include <string>
#include <vector>

#include "hyseis/physics/wave/modeling.hpp"

namespace hyseis::physics::wave::checks {

/// 800 m x 400 m box, free top, Stacey elsewhere, 8 x 4 cells of degree 4, 5 receivers.
WaveProblem small_problem(bool elastic);
SourceOptions small_shot(bool elastic);
/// Grid over the box with nx x nz nodes.
ModelGrid small_grid(int nx = 5, int nz = 3);
/// A smooth model on the grid plus a Gaussian bump of `bump` m/s at (450, -220).
std::vector<double> smooth_model(const ModelGrid& g, bool elastic, double bump = 0);

struct GradientCheckReport {
  double dot_product_rel = 0;          ///< |<J dm, dd> - <dm, J^T dd>| / |<J dm, dd>|
  std::vector<double> taylor_slopes;   ///< log2 of successive remainder ratios (-> 2)
  double fd_cosine = 0;                ///< adjoint vs central FD over random directions
  double fd_rel_error = 0;             ///< || g_adj - g_fd || / || g_fd || over those directions
  double misfit = 0;
  int n_steps = 0;
};

/// All three checks for one physics and misfit; `directions` random FD directions.
GradientCheckReport check_gradient(bool elastic, MisfitType type, int directions, MPI_Comm comm);

struct CheckpointReport {
  double max_rel_difference = 0;  ///< max |g_binomial - g_store_all| / max |g_store_all|
  double memory_store_all_mib = 0, memory_binomial_mib = 0;
  long long steps_store_all = 0, steps_binomial = 0;
  int n_steps = 0, snapshots = 0;
};
CheckpointReport check_checkpointing(bool elastic, int snapshots, MPI_Comm comm);

}  // namespace hyseis::physics::wave::checks
