// hyseis: the command-line program. MPI and Kokkos are initialised exactly once here; all
// errors end up in one place and become "hyseis: error: <message>" with exit code
// 2 for bad input (configuration, invalid model) and 1 for everything else.
#include <mpi.h>

#include <Kokkos_Core.hpp>
#include <cstring>
#include <vector>
#include <exception>
#include <iostream>

#include "cli.hpp"
#include "hyseis/core/error.hpp"

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int code = 0;
  {
    // ---- extra library initialisation --------------------------------------------------------
    // If the wave solver ever needs p4est/deal.II initialisation beyond MPI (e.g.
    // dealii::Utilities::MPI::MPI_InitFinalize semantics, sc_init/p4est_init), it goes HERE,
    // before Kokkos and before any Triangulation is built. At present plain MPI suffices (the
    // test executables use the same set-up).
    // -------------------------------------------------------------------------------------------
    // Kokkos sees only the --kokkos-* arguments (unprefixed ones such as --help would make it
    // print its own help), the command line parser only the rest.
    std::vector<char*> kokkos_args{argv[0]}, cli_args{argv[0]};
    for (int i = 1; i < argc; ++i)
      (std::strncmp(argv[i], "--kokkos-", 9) == 0 ? kokkos_args : cli_args).push_back(argv[i]);
    int kokkos_argc = static_cast<int>(kokkos_args.size());
    kokkos_args.push_back(nullptr);
    Kokkos::ScopeGuard kokkos(kokkos_argc, kokkos_args.data());
    std::string message;
    bool config_error = false;
    try {
      code = hyseis::scenarios::run_cli(static_cast<int>(cli_args.size()), cli_args.data(), MPI_COMM_WORLD);
    } catch (const hyseis::core::ConfigError& e) {
      code = 2, message = e.what(), config_error = true;
    } catch (const hyseis::core::InvalidInput& e) {
      code = 2, message = e.what();
    } catch (const std::exception& e) {
      code = 1, message = e.what();
    }
    if (!message.empty()) {
      // Input errors are raised identically on every rank: rank 0 reports them. Other errors may
      // be rank-specific, so every rank that has one reports it.
      if (rank == 0) std::cerr << "hyseis: error: " << message << std::endl;
      else if (code == 1) std::cerr << "hyseis: error (rank " << rank << "): " << message << std::endl;
      // A configuration error is raised while reading the YAML, identically on every rank, so
      // the ranks can finish together. Anything else may be rank-specific and the other ranks
      // may be waiting in a collective: end the whole job.
      if (size > 1 && !config_error) MPI_Abort(MPI_COMM_WORLD, code);
    }
  }
  MPI_Finalize();
  return code;
}
