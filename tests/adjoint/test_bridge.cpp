// The LibTorch autograd bridges: a torch loss on the seismograms (eikonal travel times),
// backward through the adjoint, compared with central finite differences.
#include <gtest/gtest.h>
#include <torch/types.h>

#include <iostream>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/autograd/bridge_checks.hpp"
#include "hyseis/hybrid/autograd/wave_function.hpp"
#include "hyseis/physics/wave/gradient_checks.hpp"

namespace ha = hyseis::hybrid::autograd;
namespace pc = hyseis::physics::wave::checks;

TEST(AutogradBridge, WaveLossBackwardMatchesFiniteDifferences) {
  for (bool elastic : {false, true}) {
    const ha::BridgeCheck c = ha::check_wave_bridge(elastic, 6, MPI_COMM_WORLD);
    std::cout << "[bridge wave " << (elastic ? "elastic" : "acoustic") << "] cosine = " << c.cosine
              << " rel error = " << c.rel_error << "\n";
    EXPECT_GE(c.cosine, 0.999);
    EXPECT_LE(c.rel_error, 0.01);
  }
}

TEST(AutogradBridge, EikonalLossBackwardMatchesFiniteDifferences) {
  const ha::BridgeCheck c = ha::check_eikonal_bridge(8);
  std::cout << "[bridge eikonal] cosine = " << c.cosine << " rel error = " << c.rel_error << "\n";
  EXPECT_GE(c.cosine, 0.999);
  EXPECT_LE(c.rel_error, 0.01);
}

TEST(AutogradBridge, RejectsWrongTensors) {
  hyseis::physics::wave::Modeling mod(pc::small_problem(false), pc::small_grid(), MPI_COMM_WORLD);
  EXPECT_THROW(ha::wave_seismograms(mod, pc::small_shot(false), torch::ones({3}, torch::kFloat64)),
               hyseis::core::InvalidInput);
  EXPECT_THROW(ha::wave_seismograms(mod, pc::small_shot(false), torch::ones({15}, torch::kFloat32)),
               hyseis::core::InvalidInput);
}
