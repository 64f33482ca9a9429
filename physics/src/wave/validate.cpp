// WaveProblem::validate(): every violated constraint names the field, the value and the rule.
#include <cmath>
#include <filesystem>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/wave/problem.hpp"
#include "medium.hpp"

namespace hyseis::physics::wave {

namespace {
[[noreturn]] void fail(const std::string& msg) { throw core::InvalidInput(msg); }

std::string str(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace

void WaveProblem::validate() const {
  const MeshOptions& m = mesh;
  if (!(std::isfinite(m.xmin) && std::isfinite(m.xmax) && m.xmin < m.xmax))
    fail("mesh: xmin < xmax required (xmin = " + str(m.xmin) + ", xmax = " + str(m.xmax) + ")");
  if (!(std::isfinite(m.zmin) && std::isfinite(m.zmax) && m.zmin < m.zmax))
    fail("mesh: zmin < zmax required (zmin = " + str(m.zmin) + ", zmax = " + str(m.zmax) + ")");
  if (m.nx < 1) fail("mesh.nx = " + std::to_string(m.nx) + " must be >= 1");
  if (m.nz < 1) fail("mesh.nz = " + std::to_string(m.nz) + " must be >= 1");
  if (m.degree < 1 || m.degree > 8)
    fail("mesh.degree = " + std::to_string(m.degree) + " must be in 1..8");
  if (m.refinements < 0 || m.refinements > 12)
    fail("mesh.refinements = " + std::to_string(m.refinements) + " must be in 0..12");

  const bool elastic = physics == Physics::elastic;
  if (medium.gridded) {
    const std::string& f = medium.gridded->file;
    if (f.empty()) fail("medium.gridded.file: empty file name");
    if (!std::filesystem::exists(f)) fail("medium.gridded.file: file '" + f + "' does not exist");
  } else {
    if (medium.layers.empty()) fail("medium.layers: at least one layer is required");
    for (std::size_t i = 0; i < medium.layers.size(); ++i) {
      const Layer& l = medium.layers[i];
      const std::string at = "medium.layers[" + std::to_string(i) + "]";
      if (!std::isfinite(l.z_top)) fail(at + ".z_top must be finite");
      if (!(std::isfinite(l.vp) && l.vp > 0)) fail(at + ".vp = " + str(l.vp) + " must be > 0");
      if (!(std::isfinite(l.rho) && l.rho > 0)) fail(at + ".rho = " + str(l.rho) + " must be > 0");
      if (elastic) {
        if (!(std::isfinite(l.vs) && l.vs > 0))
          fail(at + ".vs = " + str(l.vs) + " must be > 0 for elastic physics");
        if (!(l.vs < detail::kMaxVsOverVp * l.vp))
          fail(at + ".vs = " + str(l.vs) + " must be < vp*sqrt(3)/2 = " +
               str(detail::kMaxVsOverVp * l.vp) + " (Poisson ratio must lie in (-1, 0.5))");
      } else if (!(std::isfinite(l.vs) && l.vs >= 0)) {
        fail(at + ".vs = " + str(l.vs) + " must be >= 0");
      }
      if (i > 0 && !(l.z_top < medium.layers[i - 1].z_top))
        fail(at + ".z_top = " + str(l.z_top) + " must be below medium.layers[" +
             std::to_string(i - 1) + "].z_top = " + str(medium.layers[i - 1].z_top) +
             " (layers are given top to bottom)");
    }
  }

  const double tol = 1e-9 * std::max(m.xmax - m.xmin, m.zmax - m.zmin);
  auto inside = [&](double x, double z) {
    return std::isfinite(x) && std::isfinite(z) && x >= m.xmin - tol && x <= m.xmax + tol &&
           z >= m.zmin - tol && z <= m.zmax + tol;
  };
  if (sources.empty()) fail("sources: at least one source is required");
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const SourceOptions& s = sources[i];
    const std::string at = "sources[" + std::to_string(i) + "]";
    if (!inside(s.x, s.z))
      fail(at + " at (x = " + str(s.x) + ", z = " + str(s.z) + ") lies outside the domain [" +
           str(m.xmin) + ", " + str(m.xmax) + "] x [" + str(m.zmin) + ", " + str(m.zmax) + "]");
    if (!elastic && s.type != SourceType::pressure)
      fail(at + ".type: acoustic physics requires a pressure source");
    if (elastic && s.type == SourceType::pressure)
      fail(at + ".type: pressure sources need acoustic physics (use force or moment_tensor)");
    if (!(std::isfinite(s.f0) && s.f0 > 0)) fail(at + ".f0 = " + str(s.f0) + " must be > 0");
    if (!std::isfinite(s.time_shift)) fail(at + ".time_shift must be finite");
    if (!std::isfinite(s.amplitude)) fail(at + ".amplitude must be finite");
    if (!(std::isfinite(s.fx) && std::isfinite(s.fz) && std::isfinite(s.mxx) &&
          std::isfinite(s.mzz) && std::isfinite(s.mxz)))
      fail(at + ": force and moment components must be finite");
  }
  for (std::size_t i = 0; i < receivers.size(); ++i) {
    const Receiver& r = receivers[i];
    if (!inside(r.x, r.z))
      fail("receivers[" + std::to_string(i) + "] '" + r.name + "' at (x = " + str(r.x) +
           ", z = " + str(r.z) + ") lies outside the domain [" + str(m.xmin) + ", " +
           str(m.xmax) + "] x [" + str(m.zmin) + ", " + str(m.zmax) + "]");
  }
  if (elastic && record == RecordQuantity::pressure)
    fail("record: pressure can only be recorded with acoustic physics");

  if (!std::isfinite(time.t_start)) fail("time.t_start must be finite");
  if (!(std::isfinite(time.duration) && time.duration > 0))
    fail("time.duration = " + str(time.duration) + " must be > 0");
  if (!(std::isfinite(time.dt) && time.dt >= 0))
    fail("time.dt = " + str(time.dt) + " must be >= 0 (0 = from the CFL condition)");
  if (!(std::isfinite(time.cfl) && time.cfl > 0 && time.cfl <= 1))
    fail("time.cfl = " + str(time.cfl) + " must be in (0, 1]");
  if (time.energy_every < 0) fail("time.energy_every must be >= 0");

  if (snapshots.every < 0) fail("snapshots.every must be >= 0");
  if (snapshots.every > 0 && snapshots.vtu_prefix.empty())
    fail("snapshots.vtu_prefix must be set when snapshots.every > 0");
  if (snapshots.image_nx < 0 || snapshots.image_nz < 0)
    fail("snapshots.image_nx, image_nz must be >= 0");
}

}  // namespace hyseis::physics::wave
