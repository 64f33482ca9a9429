#pragma once
// Private: material model evaluation (layered or gridded HDF5) for the wave solver.
#include <vector>

#include "hyseis/physics/wave/problem.hpp"

namespace hyseis::physics::wave::detail {

struct Material {
  double vp = 0, vs = 0, rho = 0;
};

/// Evaluates vp, vs, rho at any point of the plane.
///  - layered: the layer i with z_top[i+1] < z <= z_top[i] (layers top to bottom); points above
///    the first top take the first layer, points below the last top the last layer.
///  - gridded: HDF5 datasets vp, vs, rho (nz x nx; row iz at z0 + iz dz, column ix at
///    x0 + ix dx), attributes x0, z0, dx, dz read from the file root "/" or, if absent there,
///    from the dataset "vp"; bilinear interpolation, clamped outside the grid. For acoustic
///    runs the dataset vs may be absent. Values are checked (vp > 0, rho > 0, elastic:
///    0 < vs < vp sqrt(3)/2) and a violation throws core::InvalidInput naming the grid cell.
class Medium {
public:
  Medium(const MediumOptions& options, Physics physics);
  Material at(double x, double z) const;

private:
  std::vector<Layer> layers_;
  bool gridded_ = false;
  int nx_ = 0, nz_ = 0;
  double x0_ = 0, z0_ = 0, dx_ = 1, dz_ = 1;
  std::vector<double> vp_, vs_, rho_;
};

/// Largest vs/vp of an admissible isotropic elastic material: Poisson ratio > -1
/// (3D bulk modulus lambda + 2 mu / 3 > 0) <=> vs < vp sqrt(3)/2.
constexpr double kMaxVsOverVp = 0.8660254037844386;

}  // namespace hyseis::physics::wave::detail
