#pragma once
// MPI helpers shared by the collective scenarios.
#include <mpi.h>

#include <chrono>
#include <thread>

namespace hyseis::core::mpi {

/// A barrier that sleeps while it waits (MPI_Ibarrier polled every `poll_ms`). Open MPI's
/// MPI_Barrier spins: a rank that finished its share early (e.g. synthetic events) would take
/// a whole core from the rank still working (e.g. training on rank 0).
inline void idle_barrier(MPI_Comm comm, int poll_ms = 20) {
  MPI_Request req;
  MPI_Ibarrier(comm, &req);
  int done = 0;
  MPI_Test(&req, &done, MPI_STATUS_IGNORE);
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
  }
}

}  // namespace hyseis::core::mpi
