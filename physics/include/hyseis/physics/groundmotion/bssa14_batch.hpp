#pragma once
// Batch (structure-of-arrays) evaluation of BSSA14 for many site-source pairs and one IMT: the
// coefficient row is looked up once, inputs are validated in one pass, and the per-pair loop is
// branch-light so that the compiler can vectorise what libm allows. Same equations and results
// as BSSA14::evaluate (global model, no basin term, mechanism from rake, exact table periods);
// tests/gmpe_ml checks agreement to 1e-12.
#include <cstddef>

#include "hyseis/physics/groundmotion/bssa14.hpp"

namespace hyseis::physics::groundmotion {

/// Inputs, n entries each (SoA). Units as in Rupture / Site.
struct BSSA14BatchInput {
  const double* mag = nullptr;
  const double* rake = nullptr;
  const double* rjb = nullptr;
  const double* vs30 = nullptr;
  std::size_t n = 0;
};

/// Outputs, n entries each; any pointer may be null (not computed).
struct BSSA14BatchOutput {
  double* ln_median = nullptr;
  double* tau = nullptr;
  double* phi = nullptr;
  double* sigma = nullptr;
};

/// Throws core::InvalidInput for an IMT without an exact table row, options other than the
/// global model without basin term (basin != none or period_policy interpolate with a non-row
/// period), or invalid input (naming the first offending index and value).
void bssa14_batch(const BSSA14BatchInput& in, const Imt& imt, const BSSA14BatchOutput& out,
                  const BSSA14Options& options = {});

}  // namespace hyseis::physics::groundmotion
