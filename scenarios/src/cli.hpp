#pragma once
// The `hyseis` command line (CLI11). main() owns MPI/Kokkos and the top-level error handling;
// everything else lives here so that tests can drive the subcommands.
#include <mpi.h>

#include <string>

namespace hyseis::scenarios {

/// Parses argv and runs the subcommand; returns the process exit code. Throws core::Error
/// subclasses for configuration / input / I/O / numerical failures.
int run_cli(int argc, char** argv, MPI_Comm comm);

/// Text of `hyseis info`: versions of hyseis and its libraries, features, MPI size.
std::string info_text(MPI_Comm comm);

}  // namespace hyseis::scenarios
