#pragma once
// The `hyseis` command line (CLI11). main() owns MPI/Kokkos and the top-level error handling;
// everything else lives here so that tests can drive the subcommands.
#include <mpi.h>

#include <string>
#include <vector>

namespace hyseis::scenarios {

/// Parses argv and runs the subcommand; returns the process exit code. Throws core::Error
/// subclasses for configuration / input / I/O / numerical failures.
int run_cli(int argc, char** argv, MPI_Comm comm);

/// Every `scenario.type` that `hyseis run` accepts (wave2d is the default).
std::vector<std::string> scenario_types();

/// Text of `hyseis info`: versions of hyseis and its libraries, features, MPI size.
std::string info_text(MPI_Comm comm);

}  // namespace hyseis::scenarios
