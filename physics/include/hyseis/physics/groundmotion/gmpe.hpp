#pragma once
// Ground-motion models (GMPEs): common types.
//
// A GMPE maps an earthquake rupture, a site and the source-to-site distances to the
// log-normal distribution of one intensity measure (IMT):
//     ln Y ~ N(ln_median, sigma^2),   sigma^2 = tau^2 + phi^2,
// with tau the between-event (inter-event) and phi the within-event (intra-event) standard
// deviation, all in natural-log units. Units of Y: g for PGA and SA (5 % damped pseudo-spectral
// acceleration, RotD50), cm/s for PGV. Distances in km, depths/widths in km, Vs30 in m/s,
// Z1.0 in metres. See docs/theory/gmpe.md.
//
// Pure C++ (no deal.II / torch): these functions are cheap and are called per scenario, per site.
#include <limits>
#include <string>
#include <vector>

namespace hyseis::physics::groundmotion {

/// Rupture parameters. Angles in degrees (Aki & Richards rake convention), lengths in km.
struct Rupture {
  double mag = 6.0;         ///< moment magnitude
  double rake = 0.0;        ///< [-180, 180]
  double dip = 90.0;        ///< (0, 90]
  double ztor = 0.0;        ///< depth to top of rupture (km, >= 0)
  double width = 0.0;       ///< down-dip width (km, >= 0; not used by BSSA14/CY14)
  double hypo_depth = 0.0;  ///< hypocentral depth (km, >= 0; not used by BSSA14/CY14)
};

/// Site parameters and source-to-site distances (km).
struct Site {
  double rjb = 0.0;   ///< Joyner-Boore distance (>= 0)
  double rrup = 0.0;  ///< rupture distance (>= 0)
  double rx = 0.0;    ///< horizontal distance from the top edge, perpendicular to strike (signed; > 0 on the hanging wall)
  double ry0 = 0.0;   ///< horizontal distance off the end of the rupture, parallel to strike (>= 0)
  double vs30 = 760.0;          ///< time-averaged shear-wave velocity of the top 30 m (m/s, > 0)
  bool vs30_measured = false;   ///< true: measured Vs30; false: inferred
  /// Depth to Vs = 1 km/s (metres). NaN: unknown, the model's Vs30-conditional mean is used
  /// (CY14: Delta Z1.0 = 0; BSSA14 has no basin term in the implemented form).
  double z1pt0 = std::numeric_limits<double>::quiet_NaN();
};

/// Intensity measure type.
struct Imt {
  enum class Kind { PGA, PGV, SA };
  Kind kind = Kind::PGA;
  double period = 0.0;  ///< oscillator period (s) for SA; 0 for PGA/PGV

  static Imt pga() { return {Kind::PGA, 0.0}; }
  static Imt pgv() { return {Kind::PGV, 0.0}; }
  /// SA(T), 5 % damping; throws core::InvalidInput for T <= 0.
  static Imt sa(double period);
  /// "PGA", "PGV", "SA(0.2)".
  std::string name() const;
};

/// Distribution of ln Y for one IMT (natural-log units).
struct GmpeResult {
  double ln_median = 0.0;  ///< ln of the median (g or cm/s)
  double tau = 0.0;        ///< between-event standard deviation
  double phi = 0.0;        ///< within-event standard deviation
  double sigma = 0.0;      ///< total standard deviation, sqrt(tau^2 + phi^2)
};

/// What to do for an SA period that is not a row of the model's coefficient table.
enum class PeriodPolicy {
  exact,        ///< throw core::InvalidInput (the default: no silent extrapolation of a model)
  interpolate,  ///< inside the table's period range: coefficients interpolated linearly in
                ///< ln(T) between the bracketing periods (as OpenQuake's CoeffsTable); outside: throw
};

/// Interface of a GMPE. Implementations are immutable and thread-safe.
class Gmpe {
public:
  virtual ~Gmpe() = default;
  virtual std::string name() const = 0;
  /// Median and standard deviations of ln Y. Throws core::InvalidInput for invalid input
  /// (negative distance, Vs30 <= 0, dip outside (0, 90], unsupported IMT or period).
  virtual GmpeResult evaluate(const Rupture& rup, const Site& site, const Imt& imt) const = 0;
  /// SA periods of the coefficient table (s), ascending.
  virtual std::vector<double> periods() const = 0;
  /// Whether evaluate() accepts this IMT under the model's period policy.
  virtual bool supports(const Imt& imt) const = 0;
};

}  // namespace hyseis::physics::groundmotion
