// `hyseis info`. The only translation unit of the CLI that includes deal.II's configuration.
#include <Kokkos_Core.hpp>
#include <deal.II/base/config.h>
#include <petscversion.h>
#include <png.h>
#include <yaml-cpp/yaml.h>

#include <CLI/Version.hpp>
#include <Eigen/Core>
#include <nlohmann/json.hpp>
#include <sstream>
#include <spdlog/version.h>

#include "cli.hpp"
#include "hyseis/core/hdf5.hpp"
#include "hyseis/core/plot.hpp"
#include "hyseis/core/version.hpp"

#include "hyseis/learning/nn/info.hpp"

#ifndef HYSEIS_YAML_CPP_VERSION
#define HYSEIS_YAML_CPP_VERSION "unknown"
#endif

namespace hyseis::scenarios {

namespace {
const char* yes(bool b) { return b ? "yes" : "no"; }
}  // namespace

std::string info_text(MPI_Comm comm) {
  std::ostringstream os;
  int size = 1, major = 0, minor = 0, len = 0;
  MPI_Comm_size(comm, &size);
  MPI_Get_version(&major, &minor);
  char lib[MPI_MAX_LIBRARY_VERSION_STRING] = {0};
  MPI_Get_library_version(lib, &len);
  std::string mpi_lib(lib, static_cast<std::size_t>(len));
  if (auto cut = mpi_lib.find_first_of(",\r\n"); cut != std::string::npos) mpi_lib.resize(cut);
  while (!mpi_lib.empty() && (mpi_lib.back() == ' ' || mpi_lib.back() == ',')) mpi_lib.pop_back();

  auto row = [&](const std::string& k, const std::string& v) {
    os << "  " << k << std::string(k.size() < 22 ? 22 - k.size() : 1, ' ') << v << "\n";
  };
  os << "hyseis " << core::version() << " — hybrid physics-ML seismology\n\n";
  os << "libraries\n";
  bool dealii_mpi = false, dealii_p4est = false, dealii_petsc = false, dealii_trilinos = false, dealii_hdf5 = false,
       dealii_kokkos = false;
#ifdef DEAL_II_WITH_MPI
  dealii_mpi = true;
#endif
#ifdef DEAL_II_WITH_P4EST
  dealii_p4est = true;
#endif
#ifdef DEAL_II_WITH_PETSC
  dealii_petsc = true;
#endif
#ifdef DEAL_II_WITH_TRILINOS
  dealii_trilinos = true;
#endif
#ifdef DEAL_II_WITH_HDF5
  dealii_hdf5 = true;
#endif
#ifdef DEAL_II_WITH_KOKKOS
  dealii_kokkos = true;
#endif
  row("deal.II", std::string(DEAL_II_PACKAGE_VERSION) + "  (MPI " + yes(dealii_mpi) + ", p4est " +
                     yes(dealii_p4est) + ", PETSc " + yes(dealii_petsc) + ", Trilinos " + yes(dealii_trilinos) +
                     ", HDF5 " + yes(dealii_hdf5) + ", Kokkos " + yes(dealii_kokkos) + ")");
  row("PETSc", std::to_string(PETSC_VERSION_MAJOR) + "." + std::to_string(PETSC_VERSION_MINOR) + "." +
                   std::to_string(PETSC_VERSION_SUBMINOR));
  {
    std::ostringstream k;
    k << KOKKOS_VERSION / 10000 << "." << KOKKOS_VERSION / 100 % 100 << "." << KOKKOS_VERSION % 100
      << "  (default execution space: " << Kokkos::DefaultExecutionSpace::name()
      << ", concurrency " << Kokkos::DefaultExecutionSpace().concurrency() << ")";
    row("Kokkos", k.str());
  }
  row("LibTorch", learning::nn::torch_info());
  row("XGBoost", learning::nn::xgboost_info());
  row("HDF5", core::h5::library_version());
  row("MPI", "standard " + std::to_string(major) + "." + std::to_string(minor) + ", " + mpi_lib);
  row("Eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                   std::to_string(EIGEN_MINOR_VERSION));
  row("yaml-cpp", HYSEIS_YAML_CPP_VERSION);
  row("nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." + std::to_string(NLOHMANN_JSON_VERSION_MINOR) +
                           "." + std::to_string(NLOHMANN_JSON_VERSION_PATCH));
  row("spdlog", std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) + "." +
                    std::to_string(SPDLOG_VER_PATCH));
  row("CLI11", CLI11_VERSION);
  row("libpng", core::plot::libpng_version());
  os << "\nruntime\n";
  row("MPI ranks", std::to_string(size));
  os << "\nfeatures\n";
  row("run", "scenario types wave2d (2D spectral elements, elastic/acoustic, layered or HDF5-gridded media), lst_tomography (travel-time tomography with a learned sparse prior), fwi (full-waveform inversion with priors, --resume), gmpe_compare, picking_train, picking_synthetics, eew_network, postseismic");
  row("gmpe", "evaluate bssa14, cy14, stochastic or a trained GMPE for one scenario or a CSV of them");
  row("validate", "validation cases against analytic / reference seismograms");
  row("bench", "throughput against a baseline in the same run");
  return os.str();
}

}  // namespace hyseis::scenarios
