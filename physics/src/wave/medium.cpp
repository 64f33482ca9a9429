#include "medium.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/core/hdf5.hpp"

namespace hyseis::physics::wave::detail {

namespace {
double attribute(const std::string& file, const std::string& name) {
  try {
    return core::h5::read_attribute(file, "/", name);
  } catch (const core::IoError&) {
    return core::h5::read_attribute(file, "vp", name);
  }
}
}  // namespace

Medium::Medium(const MediumOptions& options, Physics physics) {
  if (!options.gridded) {
    layers_ = options.layers;
    if (layers_.empty()) throw core::InvalidInput("medium.layers: at least one layer is required");
    return;
  }
  gridded_ = true;
  const std::string& file = options.gridded->file;
  const auto vp = core::h5::read_dataset(file, "vp");
  const auto rho = core::h5::read_dataset(file, "rho");
  HYSEIS_REQUIRE(vp.shape.size() == 2 && vp.shape[0] >= 1 && vp.shape[1] >= 1, core::IoError,
                 "gridded model " << file << ": dataset vp must be 2-D (nz x nx)");
  HYSEIS_REQUIRE(rho.shape == vp.shape, core::IoError,
                 "gridded model " << file << ": dataset rho must have the shape of vp");
  nz_ = static_cast<int>(vp.shape[0]);
  nx_ = static_cast<int>(vp.shape[1]);
  vp_ = vp.data;
  rho_ = rho.data;
  if (physics == Physics::elastic || core::h5::has_object(file, "vs")) {
    const auto vs = core::h5::read_dataset(file, "vs");
    HYSEIS_REQUIRE(vs.shape == vp.shape, core::IoError,
                   "gridded model " << file << ": dataset vs must have the shape of vp");
    vs_ = vs.data;
  } else {
    vs_.assign(vp_.size(), 0.0);
  }
  x0_ = attribute(file, "x0");
  z0_ = attribute(file, "z0");
  dx_ = attribute(file, "dx");
  dz_ = attribute(file, "dz");
  HYSEIS_REQUIRE(dx_ > 0 && dz_ > 0, core::InvalidInput,
                 "gridded model " << file << ": attributes dx, dz must be > 0 (got " << dx_ << ", "
                                  << dz_ << ")");
  for (std::size_t k = 0; k < vp_.size(); ++k) {
    const int iz = static_cast<int>(k) / nx_, ix = static_cast<int>(k) % nx_;
    HYSEIS_REQUIRE(std::isfinite(vp_[k]) && vp_[k] > 0, core::InvalidInput,
                   "gridded model " << file << ": vp[" << iz << "][" << ix << "] = " << vp_[k]
                                    << " must be > 0");
    HYSEIS_REQUIRE(std::isfinite(rho_[k]) && rho_[k] > 0, core::InvalidInput,
                   "gridded model " << file << ": rho[" << iz << "][" << ix << "] = " << rho_[k]
                                    << " must be > 0");
    if (physics == Physics::elastic) {
      HYSEIS_REQUIRE(vs_[k] > 0 && vs_[k] < kMaxVsOverVp * vp_[k], core::InvalidInput,
                     "gridded model " << file << ": vs[" << iz << "][" << ix << "] = " << vs_[k]
                                      << " must satisfy 0 < vs < vp*sqrt(3)/2 (vp = " << vp_[k]
                                      << "; Poisson ratio in (-1, 0.5))");
    }
  }
}

Material Medium::at(double x, double z) const {
  if (!gridded_) {
    std::size_t idx = 0;
    for (std::size_t i = 1; i < layers_.size(); ++i)
      if (z <= layers_[i].z_top) idx = i;
    const Layer& l = layers_[idx];
    return {l.vp, l.vs, l.rho};
  }
  auto locate = [](double s, int n, int& i0, double& t) {
    if (n == 1) { i0 = 0; t = 0; return; }
    s = std::clamp(s, 0.0, static_cast<double>(n - 1));
    i0 = std::min(static_cast<int>(std::floor(s)), n - 2);
    t = s - i0;
  };
  int ix, iz;
  double tx, tz;
  locate((x - x0_) / dx_, nx_, ix, tx);
  locate((z - z0_) / dz_, nz_, iz, tz);
  const int ix1 = nx_ == 1 ? ix : ix + 1, iz1 = nz_ == 1 ? iz : iz + 1;
  auto interp = [&](const std::vector<double>& f) {
    const double f00 = f[iz * nx_ + ix], f10 = f[iz * nx_ + ix1];
    const double f01 = f[iz1 * nx_ + ix], f11 = f[iz1 * nx_ + ix1];
    return (1 - tz) * ((1 - tx) * f00 + tx * f10) + tz * ((1 - tx) * f01 + tx * f11);
  };
  return {interp(vp_), interp(vs_), interp(rho_)};
}

}  // namespace hyseis::physics::wave::detail
