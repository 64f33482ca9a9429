#pragma once
// Verification of the Okada implementation against external check values and identities, shared
// by tests/cycle and the validation cases (validation/src/okada_cases.cpp).
// Reference files (../shared/validation/okada_reference, see its PROVENANCE.md):
//  - okada1985_table2_finite_fault.csv: Okada (1985) Table 2, cases 2-4, 4 significant digits;
//  - okada_hdef_regression_values.csv: 17-digit values of mherman09/Hdef's Okada (1992) code.
#include <string>
#include <vector>

namespace hyseis::physics::cycle {

/// One compared number.
struct CheckValue {
  std::string id;         ///< "<case>/<dislocation>/<method>/<quantity>"
  double reference = 0;
  double computed = 0;
  double tolerance = 0;   ///< absolute tolerance on |computed - reference|
  bool passed() const;
  double error() const;
};

/// Okada (1985) Table 2 (cases 2-4, z = 0): every row evaluated with three implementations,
/// "okada85" (the 1985 surface formulas), "dc3d" (Okada 1992 at z = 0) and "kernel" (the Kokkos
/// many-patch kernel, global frame, strike 90 so that east/north = Okada x/y). Tolerance: half a
/// unit in the 4th digit, 5e-4 |ref| + 1e-12; for a tabulated 0: 1e-12 x the row's largest value.
/// Throws core::IoError if the file is missing or malformed.
std::vector<CheckValue> okada1985_table2_checks(const std::string& csv_path);

/// Hdef regression values (tolerance 1e-10 |ref|): surface point source (Okada 1985 case 1, with
/// "okada85" and "dc3d0"), surface rectangle (case 2, "okada85" and "dc3d") and the internal rows
/// at depth 13 ("dc3d0", "dc3d") with the mapping of PROVENANCE.md (Z = -13; rectangle centred at
/// the origin at depth 7: AL = +-3.25, AW = +-1.6). `include_internal` = false leaves those out.
std::vector<CheckValue> okada_hdef_checks(const std::string& csv_path, bool include_internal = true);

/// Free-surface identities at z = 0 from the Okada (1992) gradients (DC3D and DC3D0) over a fixed
/// set of geometries (dips 90, 70, 35, 0.1, -60; stations around and above the source):
///   du_x/dz + du_z/dx = 0, du_y/dz + du_z/dy = 0, lambda (e_xx+e_yy+e_zz) + 2 mu e_zz = 0,
/// each residual divided by the largest gradient entry at that station.
struct IdentityResiduals {
  double shear_xz = 0, shear_yz = 0, normal_zz = 0;
  int n_evaluations = 0;
};
IdentityResiduals free_surface_identity_residuals(double lambda, double mu);

}  // namespace hyseis::physics::cycle
