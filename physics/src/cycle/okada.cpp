// Okada (1985, 1992) half-space dislocations: input checks, frame changes and the host API over
// the pointwise Kokkos functions of hyseis_kernels (solvers/kernels/.../okada_kernel.hpp).
#include "hyseis/physics/cycle/okada.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "hyseis/core/error.hpp"
#include "hyseis/solvers/okada_kernel.hpp"

namespace hyseis::physics::cycle {

namespace ok = hyseis::solvers::okada;
using core::InvalidInput;

namespace {

bool finite(double v) { return std::isfinite(v); }

void require_finite(double v, const char* what) {
  HYSEIS_REQUIRE(finite(v), InvalidInput, "okada: " << what << " must be finite (got " << v << ")");
}

void check_alpha(double alpha) {
  HYSEIS_REQUIRE(finite(alpha) && alpha > 0.0 && alpha < 1.0, InvalidInput,
                 "okada: alpha = (lambda+mu)/(lambda+2mu) must lie in (0, 1) (got " << alpha << ")");
}

void check_dip(double dip_deg) {
  require_finite(dip_deg, "dip_deg");
  HYSEIS_REQUIRE(dip_deg >= -90.0 && dip_deg <= 90.0, InvalidInput,
                 "okada: dip_deg must lie in [-90, 90] (got " << dip_deg << ")");
}

/// Tolerance for "at or below the surface" tests.
double surface_tol(double scale) { return 1e-12 * std::max(1.0, std::abs(scale)); }

/// The rectangle in DC3D terms (reference point, extents about it).
struct Dc3dGeometry {
  double east, north, depth, al1, al2, aw1, aw2;
};

Dc3dGeometry geometry(const RectangularFault& f) {
  Dc3dGeometry g{f.east, f.north, f.depth, 0, 0, 0, 0};
  switch (f.reference) {
    case FaultReference::centroid:
      g.al1 = -0.5 * f.length;
      g.al2 = 0.5 * f.length;
      g.aw1 = -0.5 * f.width;
      g.aw2 = 0.5 * f.width;
      break;
    case FaultReference::okada85_corner:
      g.al2 = f.length;
      g.aw2 = f.width;
      break;
    case FaultReference::top_center:
      g.al1 = -0.5 * f.length;
      g.al2 = 0.5 * f.length;
      g.aw1 = -f.width;
      break;
  }
  return g;
}

/// Shallowest depth of the rectangle.
double top_depth(double depth, double aw1, double aw2, double dip_deg) {
  const ok::DipTrig t = ok::dip_trig(dip_deg);
  return depth - std::max(aw1 * t.sd, aw2 * t.sd);
}

void check_rect_inputs(double depth, double dip_deg, double al1, double al2, double aw1, double aw2, const Slip& s) {
  require_finite(depth, "depth");
  check_dip(dip_deg);
  require_finite(al1, "al1");
  require_finite(al2, "al2");
  require_finite(aw1, "aw1");
  require_finite(aw2, "aw2");
  HYSEIS_REQUIRE(al2 > al1, InvalidInput, "okada: fault length must be > 0 (al1 = " << al1 << ", al2 = " << al2 << ")");
  HYSEIS_REQUIRE(aw2 > aw1, InvalidInput, "okada: fault width must be > 0 (aw1 = " << aw1 << ", aw2 = " << aw2 << ")");
  const double top = top_depth(depth, aw1, aw2, dip_deg);
  HYSEIS_REQUIRE(top >= -surface_tol(depth), InvalidInput,
                 "okada: the fault reaches above the free surface (top edge depth " << top << " < 0)");
  require_finite(s.strike, "slip.strike");
  require_finite(s.dip, "slip.dip");
  require_finite(s.tensile, "slip.tensile");
}

void check_station_z(double z, bool surface_only) {
  require_finite(z, "station up/z");
  if (surface_only)
    HYSEIS_REQUIRE(z == 0.0, InvalidInput, "okada (1985): stations must lie on the free surface, up = 0 (got " << z << ")");
  else
    HYSEIS_REQUIRE(z <= 0.0, InvalidInput, "okada: stations must lie in the half-space, up <= 0 (got " << z << ")");
}

Deformation to_deformation(const ok::Result& r) {
  Deformation d;
  d.singular = r.status != 0;
  for (int i = 0; i < 3; ++i) {
    d.u[i] = r.u[i];
    for (int j = 0; j < 3; ++j) d.grad[3 * i + j] = r.g[i][j];
  }
  return d;
}

Deformation to_enu(const ok::Result& r, double strike_deg) {
  constexpr double deg = 3.14159265358979323846 / 180.0;
  double u[3], g[3][3];
  ok::rotate_to_enu(r, std::sin(strike_deg * deg), std::cos(strike_deg * deg), u, g);
  Deformation d;
  d.singular = r.status != 0;
  for (int i = 0; i < 3; ++i) {
    d.u[i] = u[i];
    for (int j = 0; j < 3; ++j) d.grad[3 * i + j] = g[i][j];
  }
  return d;
}

/// Station (e, n) in the Okada frame of a source at (e0, n0) with the given strike.
void to_local(double e, double n, double e0, double n0, double strike_deg, double& x, double& y) {
  constexpr double deg = 3.14159265358979323846 / 180.0;
  const double ss = std::sin(strike_deg * deg), cs = std::cos(strike_deg * deg);
  const double de = e - e0, dn = n - n0;
  x = de * ss + dn * cs;
  y = -de * cs + dn * ss;
}

/// Evaluates `f(x, y, z)` (an Okada-frame ok::Result) at every station, in the frame of a source
/// at (e0, n0) with the given strike, and rotates the results to east/north/up.
template <class F>
std::vector<Deformation> at_stations(const Stations& st, double e0, double n0, double strike_deg, F&& f) {
  std::vector<Deformation> out(st.size());
  for (std::size_t i = 0; i < st.size(); ++i) {
    double x, y;
    to_local(st.east[i], st.north[i], e0, n0, strike_deg, x, y);
    out[i] = to_enu(f(x, y, st.up[i]), strike_deg);
  }
  return out;
}

}  // namespace

// ---- medium, geometry ---------------------------------------------------------------------
double HalfSpace::alpha() const { return (lambda + mu) / (lambda + 2.0 * mu); }
double HalfSpace::poisson_ratio() const { return 0.5 * lambda / (lambda + mu); }
HalfSpace HalfSpace::from_poisson_ratio(double nu, double mu) {
  HYSEIS_REQUIRE(finite(nu) && nu > -1.0 && nu < 0.5, InvalidInput,
                 "okada: Poisson ratio must lie in (-1, 0.5) (got " << nu << ")");
  HalfSpace h;
  h.mu = mu;
  h.lambda = 2.0 * mu * nu / (1.0 - 2.0 * nu);
  return h;
}
void HalfSpace::validate() const {
  require_finite(lambda, "lambda");
  require_finite(mu, "mu");
  HYSEIS_REQUIRE(mu > 0.0, InvalidInput, "okada: mu must be > 0 (got " << mu << ")");
  HYSEIS_REQUIRE(lambda + 2.0 / 3.0 * mu > 0.0, InvalidInput,
                 "okada: the bulk modulus lambda + 2/3 mu must be > 0 (lambda = " << lambda << ", mu = " << mu << ")");
}

void RectangularFault::validate() const {
  require_finite(east, "fault.east");
  require_finite(north, "fault.north");
  require_finite(strike_deg, "fault.strike_deg");
  require_finite(length, "fault.length");
  require_finite(width, "fault.width");
  HYSEIS_REQUIRE(length > 0.0, InvalidInput, "okada: fault.length must be > 0 (got " << length << ")");
  HYSEIS_REQUIRE(width > 0.0, InvalidInput, "okada: fault.width must be > 0 (got " << width << ")");
  const Dc3dGeometry g = geometry(*this);
  check_rect_inputs(g.depth, dip_deg, g.al1, g.al2, g.aw1, g.aw2, slip);
}

void PointSource::validate() const {
  require_finite(east, "source.east");
  require_finite(north, "source.north");
  require_finite(depth, "source.depth");
  require_finite(strike_deg, "source.strike_deg");
  check_dip(dip_deg);
  HYSEIS_REQUIRE(depth > 0.0, InvalidInput, "okada: point source depth must be > 0 (got " << depth << ")");
  require_finite(potency.strike, "potency.strike");
  require_finite(potency.dip, "potency.dip");
  require_finite(potency.tensile, "potency.tensile");
}

void Stations::validate(bool surface_only) const {
  HYSEIS_REQUIRE(north.size() == east.size() && up.size() == east.size(), InvalidInput,
                 "okada: station arrays differ in length (east " << east.size() << ", north " << north.size()
                                                                 << ", up " << up.size() << ")");
  for (std::size_t i = 0; i < east.size(); ++i) {
    HYSEIS_REQUIRE(finite(east[i]) && finite(north[i]), InvalidInput, "okada: station " << i << " has a non-finite coordinate");
    check_station_z(up[i], surface_only);
  }
}

std::array<double, 6> stress(const HalfSpace& medium, const Deformation& d) {
  const double tr = d.g(0, 0) + d.g(1, 1) + d.g(2, 2);
  const double l = medium.lambda, m = medium.mu;
  return {{l * tr + 2 * m * d.g(0, 0), l * tr + 2 * m * d.g(1, 1), l * tr + 2 * m * d.g(2, 2),
           m * (d.g(0, 1) + d.g(1, 0)), m * (d.g(0, 2) + d.g(2, 0)), m * (d.g(1, 2) + d.g(2, 1))}};
}

// ---- Okada frame ---------------------------------------------------------------------------
Deformation dc3d(double alpha, double x, double y, double z, double depth, double dip_deg, double al1, double al2,
                 double aw1, double aw2, const Slip& slip) {
  check_alpha(alpha);
  require_finite(x, "x");
  require_finite(y, "y");
  check_station_z(z, false);
  check_rect_inputs(depth, dip_deg, al1, al2, aw1, aw2, slip);
  return to_deformation(ok::dc3d(alpha, x, y, z, depth, ok::dip_trig(dip_deg), al1, al2, aw1, aw2, slip.strike,
                                 slip.dip, slip.tensile));
}

Deformation dc3d0(double alpha, double x, double y, double z, double depth, double dip_deg, const Slip& p) {
  check_alpha(alpha);
  require_finite(x, "x");
  require_finite(y, "y");
  check_station_z(z, false);
  PointSource s;
  s.depth = depth;
  s.dip_deg = dip_deg;
  s.potency = p;
  s.validate();
  return to_deformation(ok::dc3d0(alpha, x, y, z, depth, ok::dip_trig(dip_deg), p.strike, p.dip, p.tensile));
}

Deformation okada85_rect(double alpha, double x, double y, double d, double dip_deg, double length, double width,
                         const Slip& slip) {
  check_alpha(alpha);
  require_finite(x, "x");
  require_finite(y, "y");
  check_rect_inputs(d, dip_deg, 0.0, length, 0.0, width, slip);
  return to_deformation(
      ok::okada85_rect(alpha, x, y, d, ok::dip_trig(dip_deg), length, width, slip.strike, slip.dip, slip.tensile));
}

Deformation okada85_point(double alpha, double x, double y, double d, double dip_deg, const Slip& p) {
  check_alpha(alpha);
  require_finite(x, "x");
  require_finite(y, "y");
  PointSource s;
  s.depth = d;
  s.dip_deg = dip_deg;
  s.potency = p;
  s.validate();
  const ok::Result r = ok::okada85_point(alpha, x, y, d, ok::dip_trig(dip_deg), p.strike, p.dip, p.tensile);
  return to_deformation(r);
}

// ---- global frame --------------------------------------------------------------------------
std::vector<Deformation> okada1985_surface(const HalfSpace& medium, const RectangularFault& fault,
                                           const Stations& stations) {
  medium.validate();
  fault.validate();
  stations.validate(true);
  // Okada (1985) is written for the deeper corner (al1, aw1): along strike al1, up-dip aw1, i.e.
  // horizontal offset aw1 cos(dip) and depth depth - aw1 sin(dip).
  const Dc3dGeometry g = geometry(fault);
  const ok::DipTrig t = ok::dip_trig(fault.dip_deg);
  const double alpha = medium.alpha(), dc = g.depth - g.aw1 * t.sd;
  return at_stations(stations, g.east, g.north, fault.strike_deg, [&](double x, double y, double) {
    return ok::okada85_rect(alpha, x - g.al1, y - g.aw1 * t.cd, dc, t, g.al2 - g.al1, g.aw2 - g.aw1, fault.slip.strike,
                            fault.slip.dip, fault.slip.tensile);
  });
}

std::vector<Deformation> okada1985_surface(const HalfSpace& medium, const PointSource& source,
                                           const Stations& stations) {
  medium.validate();
  source.validate();
  stations.validate(true);
  const ok::DipTrig t = ok::dip_trig(source.dip_deg);
  const double alpha = medium.alpha();
  const Slip& p = source.potency;
  return at_stations(stations, source.east, source.north, source.strike_deg, [&](double x, double y, double) {
    return ok::okada85_point(alpha, x, y, source.depth, t, p.strike, p.dip, p.tensile);
  });
}

std::vector<Deformation> okada1992(const HalfSpace& medium, const RectangularFault& fault, const Stations& stations) {
  medium.validate();
  fault.validate();
  stations.validate(false);
  const Dc3dGeometry g = geometry(fault);
  const ok::DipTrig t = ok::dip_trig(fault.dip_deg);
  const double alpha = medium.alpha();
  return at_stations(stations, g.east, g.north, fault.strike_deg, [&](double x, double y, double z) {
    return ok::dc3d(alpha, x, y, z, g.depth, t, g.al1, g.al2, g.aw1, g.aw2, fault.slip.strike, fault.slip.dip,
                    fault.slip.tensile);
  });
}

std::vector<Deformation> okada1992(const HalfSpace& medium, const PointSource& source, const Stations& stations) {
  medium.validate();
  source.validate();
  stations.validate(false);
  const ok::DipTrig t = ok::dip_trig(source.dip_deg);
  const double alpha = medium.alpha();
  const Slip& p = source.potency;
  return at_stations(stations, source.east, source.north, source.strike_deg, [&](double x, double y, double z) {
    return ok::dc3d0(alpha, x, y, z, source.depth, t, p.strike, p.dip, p.tensile);
  });
}

std::vector<Deformation> okada1992_sum(const HalfSpace& medium, const std::vector<RectangularFault>& faults,
                                       const Stations& stations) {
  medium.validate();
  stations.validate(false);
  for (const auto& f : faults) f.validate();
  HYSEIS_REQUIRE(Kokkos::is_initialized(), core::Error,
                 "okada1992_sum: Kokkos is not initialised (create a Kokkos::ScopeGuard in main)");
  const std::size_t n_p = faults.size(), n_s = stations.size();
  ok::PatchTable patches("hyseis::cycle::okada_patches", n_p);
  ok::StationTable st("hyseis::cycle::okada_stations", n_s);
  ok::DeformationTable out("hyseis::cycle::okada_out", n_s);
  ok::SingularCount singular("hyseis::cycle::okada_singular", n_s);
  auto hp = Kokkos::create_mirror_view(patches);
  auto hs = Kokkos::create_mirror_view(st);
  constexpr double deg = 3.14159265358979323846 / 180.0;
  for (std::size_t p = 0; p < n_p; ++p) {
    const RectangularFault& f = faults[p];
    const Dc3dGeometry g = geometry(f);
    const ok::DipTrig t = ok::dip_trig(f.dip_deg);
    hp(p, ok::kEast) = g.east;
    hp(p, ok::kNorth) = g.north;
    hp(p, ok::kDepth) = g.depth;
    hp(p, ok::kSinStrike) = std::sin(f.strike_deg * deg);
    hp(p, ok::kCosStrike) = std::cos(f.strike_deg * deg);
    hp(p, ok::kSinDip) = t.sd;
    hp(p, ok::kCosDip) = t.cd;
    hp(p, ok::kAl1) = g.al1;
    hp(p, ok::kAl2) = g.al2;
    hp(p, ok::kAw1) = g.aw1;
    hp(p, ok::kAw2) = g.aw2;
    hp(p, ok::kSlipStrike) = f.slip.strike;
    hp(p, ok::kSlipDip) = f.slip.dip;
    hp(p, ok::kSlipTensile) = f.slip.tensile;
  }
  for (std::size_t s = 0; s < n_s; ++s) {
    hs(s, 0) = stations.east[s];
    hs(s, 1) = stations.north[s];
    hs(s, 2) = stations.up[s];
  }
  Kokkos::deep_copy(patches, hp);
  Kokkos::deep_copy(st, hs);
  ok::okada_dc3d_sum(medium.alpha(), patches, st, out, singular);
  auto ho = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
  auto hsg = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), singular);
  std::vector<Deformation> res(n_s);
  for (std::size_t s = 0; s < n_s; ++s) {
    for (int i = 0; i < 3; ++i) res[s].u[i] = ho(s, i);
    for (int k = 0; k < 9; ++k) res[s].grad[k] = ho(s, 3 + k);
    res[s].singular = hsg(s) != 0;
  }
  return res;
}

}  // namespace hyseis::physics::cycle
