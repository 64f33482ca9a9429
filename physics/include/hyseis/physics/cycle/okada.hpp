#pragma once
// Okada (1985, 1992) static deformation of a homogeneous isotropic elastic half-space due to
// point and rectangular dislocations: displacement and its 9 gradients.
//
//   Okada, Y. (1985), Surface deformation due to shear and tensile faults in a half-space,
//     BSSA 75(4), 1135-1154.                            -> okada1985_surface(), okada85_*()
//   Okada, Y. (1992), Internal deformation due to shear and tensile faults in a half-space,
//     BSSA 82(2), 1018-1040.                            -> okada1992(), dc3d(), dc3d0()
//
// Conventions (docs/theory/okada.md):
//  - Global frame east, north, up (metres or any consistent length unit); the half-space is
//    up <= 0; depths are positive down.
//  - Strike clockwise from north; the fault dips to the right of the strike direction
//    (Aki & Richards), dip in [-90, 90] degrees (negative dips as in Okada 1985 Table 2 case 4).
//  - Slip = motion of the hanging wall relative to the foot wall, in the fault plane:
//    strike > 0 left-lateral, dip > 0 reverse (hanging wall up-dip), tensile > 0 opening.
//    For a point source the same three components are potencies (slip x area = moment / mu).
//  - Output: u = (u_e, u_n, u_u) in the unit of slip, grad(i, j) = d u_i / d x_j with
//    x = (east, north, up), row-major in a std::array<double, 9>.
//  - Singular points (a station on a fault edge, or at a point source): `singular` is set and
//    u = grad = 0, as Okada's codes do; such a station does not throw.
// Gradients are exact (forward-mode differentiation of the closed forms), see the theory note.
#include <array>
#include <cstddef>
#include <vector>

namespace hyseis::physics::cycle {

/// Homogeneous isotropic elastic half-space (Lame parameters; only their ratio matters).
struct HalfSpace {
  double lambda = 1.0;
  double mu = 1.0;
  /// alpha = (lambda + mu) / (lambda + 2 mu), Okada's medium constant.
  double alpha() const;
  double poisson_ratio() const;
  static HalfSpace from_poisson_ratio(double nu, double mu = 1.0);
  /// Throws core::InvalidInput unless mu > 0 and the bulk modulus lambda + 2/3 mu > 0.
  void validate() const;
};

/// Slip (rectangular fault) or potency (point source) components.
struct Slip {
  double strike = 0.0;   ///< > 0 left-lateral
  double dip = 0.0;      ///< > 0 reverse (thrust)
  double tensile = 0.0;  ///< > 0 opening
};

/// Which point of the rectangle (east, north, depth) refers to.
enum class FaultReference {
  centroid,        ///< centre of the rectangle
  okada85_corner,  ///< Okada (1985): the deeper (down-dip) edge at along-strike position 0; the
                   ///< fault spans [0, L] along strike and [0, W] up-dip from there
  top_center,      ///< midpoint of the upper (up-dip) edge
};

struct RectangularFault {
  double east = 0.0, north = 0.0;  ///< horizontal position of the reference point
  double depth = 0.0;              ///< depth of the reference point (> 0 down)
  double strike_deg = 0.0;
  double dip_deg = 90.0;
  double length = 0.0;             ///< along strike
  double width = 0.0;              ///< along dip
  FaultReference reference = FaultReference::centroid;
  Slip slip;
  /// Throws core::InvalidInput (naming the field) for non-finite values, length/width <= 0,
  /// |dip| > 90 or any part of the rectangle above the free surface.
  void validate() const;
};

struct PointSource {
  double east = 0.0, north = 0.0, depth = 0.0;  ///< depth > 0
  double strike_deg = 0.0;
  double dip_deg = 90.0;
  Slip potency;
  void validate() const;
};

/// Station coordinates as arrays (struct of arrays); up <= 0 (0 = free surface).
struct Stations {
  std::vector<double> east, north, up;
  std::size_t size() const { return east.size(); }
  void push_back(double e, double n, double u) {
    east.push_back(e);
    north.push_back(n);
    up.push_back(u);
  }
  /// Equal lengths, finite values, up <= 0 (and up == 0 if `surface_only`).
  void validate(bool surface_only = false) const;
};

struct Deformation {
  std::array<double, 3> u{};
  std::array<double, 9> grad{};   ///< row-major d u_i / d x_j
  bool singular = false;
  double g(int i, int j) const { return grad[3 * i + j]; }
};

/// Stress from the gradient (Hooke): sigma = lambda tr(e) I + 2 mu e, e = (grad u + grad u^T)/2;
/// returned as (xx, yy, zz, xy, xz, yz) in the frame of `d` (units of mu x slip / length).
std::array<double, 6> stress(const HalfSpace& medium, const Deformation& d);

// ---- global-frame API ---------------------------------------------------------------------
/// Okada (1985) surface deformation (stations must have up == 0). The horizontal derivatives are
/// those of the paper's closed forms; the vertical ones follow from the traction-free surface.
std::vector<Deformation> okada1985_surface(const HalfSpace& medium, const RectangularFault& fault,
                                           const Stations& stations);
std::vector<Deformation> okada1985_surface(const HalfSpace& medium, const PointSource& source,
                                           const Stations& stations);
/// Okada (1992) deformation at any depth (DC3D / DC3D0).
std::vector<Deformation> okada1992(const HalfSpace& medium, const RectangularFault& fault, const Stations& stations);
std::vector<Deformation> okada1992(const HalfSpace& medium, const PointSource& source, const Stations& stations);

/// Sum of the Okada (1992) deformation of many rectangular patches at many stations, evaluated by
/// the Kokkos kernel "hyseis::cycle::okada_dc3d_sum" (one thread per station). A station that is a
/// singular point of some patch skips that patch and is flagged `singular`. Needs Kokkos to be
/// initialised (core::Error otherwise); the other functions run on the host without it.
std::vector<Deformation> okada1992_sum(const HalfSpace& medium, const std::vector<RectangularFault>& faults,
                                       const Stations& stations);

// ---- Okada-frame API (the papers' inputs: x along strike, y to the left, z up) -------------
/// DC3D: reference point at (0, 0, -depth), fault over al1 <= xi <= al2, aw1 <= eta <= aw2.
Deformation dc3d(double alpha, double x, double y, double z, double depth, double dip_deg, double al1, double al2,
                 double aw1, double aw2, const Slip& slip);
/// DC3D0: point source at (0, 0, -depth) with potencies.
Deformation dc3d0(double alpha, double x, double y, double z, double depth, double dip_deg, const Slip& potency);
/// Okada (1985) rectangle at the surface: reference (deeper) corner at depth d, fault [0,L]x[0,W].
Deformation okada85_rect(double alpha, double x, double y, double d, double dip_deg, double length, double width,
                         const Slip& slip);
/// Okada (1985) point source at the surface, source depth d.
Deformation okada85_point(double alpha, double x, double y, double d, double dip_deg, const Slip& potency);

}  // namespace hyseis::physics::cycle
