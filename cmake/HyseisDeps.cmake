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

# --- LibTorch (Debian libtorch-dev 1.13, CPU) ------------------------------------
# hyseis_torch: torch headers as SYSTEM includes (no warning flood) + its libraries. Only the
# .cpp files of learning/ and hybrid/ include torch; public headers stay torch-free unless their
# name says so (…/nn/*.hpp), see docs/theory/nn.md.
find_package(Torch REQUIRED HINTS /usr/lib/x86_64-linux-gnu/cmake/Torch)
add_library(hyseis_torch INTERFACE)
target_include_directories(hyseis_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
target_link_libraries(hyseis_torch INTERFACE ${TORCH_LIBRARIES})
# TORCH_CXX_FLAGS carries -D_GLIBCXX_USE_CXX11_ABI=1 (Debian's default anyway).
separate_arguments(_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
target_compile_options(hyseis_torch INTERFACE ${_torch_flags})

# --- XGBoost (Debian libxgboost-dev 1.7, C API) -----------------------------------
find_path(XGBOOST_INCLUDE_DIR xgboost/c_api.h)
find_library(XGBOOST_LIBRARY xgboost)
if(NOT XGBOOST_INCLUDE_DIR OR NOT XGBOOST_LIBRARY)
  message(FATAL_ERROR "xgboost not found: install libxgboost-dev (scripts/install-deps.sh)")
endif()
add_library(hyseis_xgboost INTERFACE)
target_include_directories(hyseis_xgboost SYSTEM INTERFACE ${XGBOOST_INCLUDE_DIR})
target_link_libraries(hyseis_xgboost INTERFACE ${XGBOOST_LIBRARY})
