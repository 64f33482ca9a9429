#pragma once
// Finite-difference checks of the LibTorch autograd bridges (torch-free header), shared by
// tests/adjoint and the validation cases: a LibTorch loss on the bridge's output, backward,
// compared with central finite differences of the same loss along random directions.
#include <mpi.h>

namespace hyseis::hybrid::autograd {

struct BridgeCheck {
  double cosine = 0;     ///< cosine(adjoint directional derivatives, FD ones)
  double rel_error = 0;  ///< || adjoint - FD || / || FD ||
  int directions = 0;
  double loss = 0;
};

/// WaveFunction on the small acoustic/elastic problem of physics/wave/gradient_checks.hpp;
/// loss = MSE(s/scale, d/scale) + 0.1 mean(tanh(s/scale)^2).
BridgeCheck check_wave_bridge(bool elastic, int directions, MPI_Comm comm);

/// EikonalFunction on a 31 x 21 grid; loss = 1e4 sum (T - T_obs)^2 + sum exp(10 T).
BridgeCheck check_eikonal_bridge(int directions);

}  // namespace hyseis::hybrid::autograd
