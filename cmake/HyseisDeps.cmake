# Third-party targets for hyseis (all from Debian 12 packages).
find_package(PkgConfig REQUIRED)
find_package(MPI REQUIRED COMPONENTS C CXX)
find_package(Threads REQUIRED)

# --- Kokkos (Trilinos 13.2 copy; Serial backend) -----------------------------
find_package(Kokkos REQUIRED)
if(TARGET Kokkos::kokkos)
  set_target_properties(Kokkos::kokkos PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${Kokkos_INCLUDE_DIRS}")
endif()

# --- deal.II as a clean INTERFACE target ---------------------------------------
include(${DEAL_II_TARGET_CONFIG})
add_library(hyseis_dealii INTERFACE)
target_include_directories(hyseis_dealii SYSTEM INTERFACE ${DEAL_II_INCLUDE_DIRS})
set(_dealii_flags ${DEAL_II_CXX_FLAGS} ${DEAL_II_CXX_FLAGS_RELEASE})
separate_arguments(_dealii_flags)
list(FILTER _dealii_flags EXCLUDE REGEX "^-std=")
list(FILTER _dealii_flags EXCLUDE REGEX "^-pedantic$")
target_compile_options(hyseis_dealii INTERFACE ${_dealii_flags})
target_compile_definitions(hyseis_dealii INTERFACE ${DEAL_II_USER_DEFINITIONS} ${DEAL_II_USER_DEFINITIONS_RELEASE})
set(_dealii_ld ${DEAL_II_LINKER_FLAGS} ${DEAL_II_LINKER_FLAGS_RELEASE})
separate_arguments(_dealii_ld)
target_link_options(hyseis_dealii INTERFACE ${_dealii_ld})
target_link_libraries(hyseis_dealii INTERFACE ${DEAL_II_TARGET_RELEASE} MPI::MPI_CXX)

# --- PETSc -----------------------------------------------------------------------
pkg_check_modules(PETSC REQUIRED IMPORTED_TARGET PETSc)

# --- HDF5 (the openmpi build deal.II and PETSc use) ---------------------------
pkg_check_modules(HDF5 REQUIRED IMPORTED_TARGET hdf5-openmpi)
pkg_check_modules(MSEED REQUIRED IMPORTED_TARGET mseed)  # libmseed-dev (2.x): MiniSEED input

# --- small libraries -----------------------------------------------------------
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(PNG REQUIRED)
find_package(Eigen3 REQUIRED NO_MODULE)
find_package(GTest REQUIRED)
find_package(benchmark QUIET)

# --- native flags for the hot kernels -------------------------------------------
set(HYSEIS_KERNEL_FLAGS "")
if(HYSEIS_NATIVE)
  include(CheckCXXCompilerFlag)
  check_cxx_compiler_flag("-march=native" HYSEIS_HAS_MARCH_NATIVE)
  if(HYSEIS_HAS_MARCH_NATIVE)
    set(HYSEIS_KERNEL_FLAGS -march=native)
  endif()
endif()
