// GoogleTest main of the standalone kernel build (only Kokkos + GTest, no MPI): initialises
// Kokkos once for all tests, like tests/common/main.cpp does in the full build.
#include <Kokkos_Core.hpp>
#include <gtest/gtest.h>

int main(int argc, char** argv) {
  int result = 0;
  {
    Kokkos::ScopeGuard kokkos(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    result = RUN_ALL_TESTS();
  }
  return result;
}
