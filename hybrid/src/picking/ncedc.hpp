#pragma once
// Internal: PhaseNet's NCEDC traces (shared/validation/phasenet_ncedc_picks/phasenet_ncedc_154.h5)
// as Z, N, E channels. Traces 0-99 may be trained on; 100-153 are the test split.
#include <cstddef>
#include <string>
#include <vector>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"

namespace hyseis::hybrid::picking::detail {

struct Ncedc {
  std::string file;
  std::size_t n = 0, samples = 0;
  std::vector<double> w;            // file layout (n, samples, 3), components E, N, Z
  std::vector<double> itp, its;
  /// Channels Z, N, E of trace i, samples [a, a + len).
  std::vector<std::vector<double>> zne(std::size_t i, std::size_t a, std::size_t len) const {
    HYSEIS_REQUIRE(i < n && a + len <= samples, core::InvalidInput,
                   file << ": trace " << i << " window [" << a << ", " << a + len << ") out of range");
    std::vector<std::vector<double>> c(3, std::vector<double>(len));
    for (std::size_t k = 0; k < len; ++k) {
      const double* s = &w[(i * samples + a + k) * 3];
      c[0][k] = s[2];
      c[1][k] = s[1];
      c[2][k] = s[0];
    }
    return c;
  }
  /// True when the horizontals are all zero (the 7 single-component records).
  bool single_component(std::size_t i) const {
    for (std::size_t k = 0; k < samples; ++k)
      if (w[(i * samples + k) * 3] != 0 || w[(i * samples + k) * 3 + 1] != 0) return false;
    return true;
  }
};

inline Ncedc read_ncedc(const std::string& file) {
  Ncedc d;
  d.file = file;
  const auto w = core::h5::read_dataset(file, "waveforms");
  const auto itp = core::h5::read_dataset(file, "itp");
  const auto its = core::h5::read_dataset(file, "its");
  if (w.shape.size() != 3 || w.shape[2] != 3 || itp.data.size() != w.shape[0] || its.data.size() != w.shape[0])
    throw core::IoError(file + ": expected waveforms (n, samples, 3), itp (n) and its (n)");
  d.n = w.shape[0];
  d.samples = w.shape[1];
  d.w = w.data;
  d.itp = itp.data;
  d.its = its.data;
  return d;
}

}  // namespace hyseis::hybrid::picking::detail
