#pragma once
// Entry point of the 2D SEM wave solver. Light header: no deal.II here.
#include <mpi.h>

#include "hyseis/physics/wave/problem.hpp"

namespace hyseis::physics::wave {

/// Runs the problem on `comm` (parallel::distributed::Triangulation over the ranks).
/// Seismograms and snapshot are complete on rank 0 (and empty elsewhere may be allowed: they
/// are broadcast to all ranks so every rank returns the same RunResult).
/// Throws core::InvalidInput / core::NumericalError (CFL, NaN) / core::IoError.
/// Preconditions: MPI initialised and Kokkos initialised (Kokkos::ScopeGuard in main). libsc and
/// p4est are initialised (silently) by the first call unless deal.II's MPI_InitFinalize did it.
/// Collective over `comm`: every rank of `comm` must call it with the same problem.
RunResult run(const WaveProblem& problem, MPI_Comm comm, const ProgressFn& progress = {});

/// Ricker / Gaussian / Gaussian-derivative source time function value at t (see SourceOptions).
double source_time_function(const SourceOptions& src, double t);

}  // namespace hyseis::physics::wave
