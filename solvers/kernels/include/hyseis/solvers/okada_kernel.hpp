#pragma once
// Okada (1985, 1992) elastic half-space dislocation solutions as pointwise Kokkos functions, and
// a named kernel that evaluates many stations x many rectangular patches.
// Depends only on Kokkos and the C++ standard library (see solvers/kernels/CMakeLists.txt).
//
// Formulas implemented here from the papers (docs/theory/okada.md):
//  - Okada, Y. (1985), Surface deformation due to shear and tensile faults in a half-space,
//    BSSA 75(4), 1135-1154: point and rectangular sources, surface (z = 0) displacement.
//  - Okada, Y. (1992), Internal deformation due to shear and tensile faults in a half-space,
//    BSSA 82(2), 1018-1040: point (DC3D0) and rectangular (DC3D) sources, displacement at any
//    depth, as u = u_A(x,y,z) - u_A(x,y,-z) + u_B(x,y,z) + z u_C(x,y,z).
// Displacement gradients are the exact derivatives of these closed forms, evaluated by
// forward-mode automatic differentiation (the Dual type below) of the same expressions: they are
// the analytic derivatives of Okada's Tables (to rounding), with the paper's singular-point rules
// applied to the same terms.
//
// Okada frame: x along strike, y horizontal to the left of strike (the fault dips towards -y),
// z up; the half-space is z <= 0. Slip (U1, U2, U3) = (strike-slip, dip-slip, tensile) is the
// motion of the hanging wall relative to the foot wall: U1 > 0 left-lateral, U2 > 0 reverse
// (thrust), U3 > 0 opening. alpha = (lambda + mu) / (lambda + 2 mu).
#include <Kokkos_Core.hpp>

#include <cmath>

namespace hyseis::solvers::okada {

// ------------------------------------------------------------------------------------------
// Forward-mode dual number with the three partial derivatives d/dx, d/dy, d/dz.
// ------------------------------------------------------------------------------------------
struct Dual {
  double v = 0;
  double d[3] = {0, 0, 0};
};

KOKKOS_INLINE_FUNCTION Dual constant(double v) {
  Dual r;
  r.v = v;
  return r;
}
KOKKOS_INLINE_FUNCTION Dual variable(double v, int i) {
  Dual r;
  r.v = v;
  r.d[i] = 1.0;
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator+(const Dual& a, const Dual& b) {
  Dual r;
  r.v = a.v + b.v;
  for (int i = 0; i < 3; ++i) r.d[i] = a.d[i] + b.d[i];
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator-(const Dual& a, const Dual& b) {
  Dual r;
  r.v = a.v - b.v;
  for (int i = 0; i < 3; ++i) r.d[i] = a.d[i] - b.d[i];
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator-(const Dual& a) {
  Dual r;
  r.v = -a.v;
  for (int i = 0; i < 3; ++i) r.d[i] = -a.d[i];
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator*(const Dual& a, const Dual& b) {
  Dual r;
  r.v = a.v * b.v;
  for (int i = 0; i < 3; ++i) r.d[i] = a.d[i] * b.v + a.v * b.d[i];
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator/(const Dual& a, const Dual& b) {
  Dual r;
  const double ib = 1.0 / b.v;
  r.v = a.v * ib;
  for (int i = 0; i < 3; ++i) r.d[i] = (a.d[i] - r.v * b.d[i]) * ib;
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator+(const Dual& a, double b) {
  Dual r = a;
  r.v += b;
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator+(double a, const Dual& b) { return b + a; }
KOKKOS_INLINE_FUNCTION Dual operator-(const Dual& a, double b) {
  Dual r = a;
  r.v -= b;
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator-(double a, const Dual& b) {
  Dual r = -b;
  r.v += a;
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator*(const Dual& a, double b) {
  Dual r;
  r.v = a.v * b;
  for (int i = 0; i < 3; ++i) r.d[i] = a.d[i] * b;
  return r;
}
KOKKOS_INLINE_FUNCTION Dual operator*(double a, const Dual& b) { return b * a; }
KOKKOS_INLINE_FUNCTION Dual operator/(const Dual& a, double b) { return a * (1.0 / b); }
KOKKOS_INLINE_FUNCTION Dual operator/(double a, const Dual& b) {
  Dual r;
  r.v = a / b.v;
  const double f = -r.v / b.v;
  for (int i = 0; i < 3; ++i) r.d[i] = f * b.d[i];
  return r;
}
/// sqrt; the derivative is set to 0 at 0 (only reached where the paper's singular rules make
/// the multiplying terms vanish).
KOKKOS_INLINE_FUNCTION Dual sqrt(const Dual& a) {
  Dual r;
  r.v = ::sqrt(a.v);
  const double f = r.v > 0 ? 0.5 / r.v : 0.0;
  for (int i = 0; i < 3; ++i) r.d[i] = f * a.d[i];
  return r;
}
KOKKOS_INLINE_FUNCTION Dual log(const Dual& a) {
  Dual r;
  r.v = ::log(a.v);
  const double f = 1.0 / a.v;
  for (int i = 0; i < 3; ++i) r.d[i] = f * a.d[i];
  return r;
}
/// atan(num/den), taken as 0 where den = 0 (Okada's rule for theta at q = 0 and for the
/// I4/I5 arctangent at xi = 0); the derivative is that of the smooth branch,
/// (den dnum - num dden) / (num^2 + den^2).
KOKKOS_INLINE_FUNCTION Dual atan_ratio(const Dual& num, const Dual& den) {
  Dual r;
  r.v = den.v == 0.0 ? 0.0 : ::atan(num.v / den.v);
  const double n2 = num.v * num.v + den.v * den.v;
  const double f = n2 > 0 ? 1.0 / n2 : 0.0;
  for (int i = 0; i < 3; ++i) r.d[i] = f * (den.v * num.d[i] - num.v * den.d[i]);
  return r;
}

// ------------------------------------------------------------------------------------------
// Results
// ------------------------------------------------------------------------------------------
/// Displacement and gradient g[i][j] = d u_i / d x_j (x, y, z of the frame used), plus a status:
/// 0 = regular, 1 = singular point (station on a fault edge / at the point source): all zero.
struct Result {
  double u[3] = {0, 0, 0};
  double g[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  int status = 0;
};

KOKKOS_INLINE_FUNCTION void clear(Result& r) {
  for (int i = 0; i < 3; ++i) {
    r.u[i] = 0;
    for (int j = 0; j < 3; ++j) r.g[i][j] = 0;
  }
}

/// sin/cos of the dip; |cos(dip)| below 1e-6 is taken as exactly 0 (sin = +-1), so that the
/// paper's cos(dip) = 0 formulas are used for vertical faults (as in Okada 1985, 1992).
struct DipTrig {
  double sd = 0, cd = 1;
};
KOKKOS_INLINE_FUNCTION DipTrig dip_trig(double dip_deg) {
  constexpr double deg = 3.14159265358979323846 / 180.0;
  DipTrig t;
  t.sd = ::sin(dip_deg * deg);
  t.cd = ::cos(dip_deg * deg);
  if (::fabs(t.cd) < 1e-6) {
    t.cd = 0.0;
    t.sd = t.sd > 0 ? 1.0 : -1.0;
  }
  return t;
}

namespace detail {

constexpr double inv_two_pi = 0.15915494309189533577;  // 1 / (2 pi)

/// Snap |v| < tol to exactly 0 (value only; the derivatives are kept), as in Okada's codes, so
/// that the singular-point rules apply to values that are zero up to rounding.
KOKKOS_INLINE_FUNCTION void snap(Dual& a, double tol) {
  if (::fabs(a.v) < tol) a.v = 0.0;
}

/// R + s for s = xi or eta, written without cancellation when s < 0:
/// R + s = (R^2 - s^2) / (R - s) = rest2 / (R - s).
KOKKOS_INLINE_FUNCTION Dual r_plus(const Dual& R, const Dual& s, const Dual& rest2) {
  if (s.v >= 0) return R + s;
  return rest2 / (R - s);
}

/// Chinnery corner quantities of Okada (1992), eq. (24)-(26) notation.
struct Corner {
  Dual xi, et, q, R, yb, db, X11, X32, Y11, Y32, ln_rxi, ln_ret, th;
};

/// For s = xi (or eta) with rest2 = R^2 - s^2: s11 = 1/(R(R+s)), s32 = (2R+s)/(R^3 (R+s)^2) and
/// ln(R+s); where R + s = 0 (rest2 = 0, s < 0) Okada's rule s11 = s32 = 0, ln(R+s) -> -ln(R-s).
KOKKOS_INLINE_FUNCTION void r_terms(const Dual& R, const Dual& s, const Dual& rest2, Dual& s11, Dual& s32, Dual& ln_rs) {
  if (s.v < 0 && rest2.v == 0.0) {
    s11 = constant(0);
    s32 = constant(0);
    ln_rs = -log(R - s);
  } else {
    const Dual rs = r_plus(R, s, rest2);
    s11 = 1.0 / (R * rs);
    s32 = (2.0 * R + s) * s11 * s11 / R;
    ln_rs = log(rs);
  }
}

KOKKOS_INLINE_FUNCTION Corner corner(const Dual& xi, const Dual& et, const Dual& q, double sd, double cd) {
  Corner c;
  c.xi = xi;
  c.et = et;
  c.q = q;
  const Dual xi2 = xi * xi, et2 = et * et, q2 = q * q;
  c.R = sqrt(xi2 + et2 + q2);
  c.yb = et * cd + q * sd;   // y~
  c.db = et * sd - q * cd;   // d~
  // R + xi = 0 (q = 0, eta = 0, xi < 0): X11 = X32 = 0 and ln(R + xi) -> -ln(R - xi);
  // R + eta = 0 (q = 0, xi = 0, eta < 0): the same for Y11, Y32 and ln(R + eta).
  r_terms(c.R, xi, et2 + q2, c.X11, c.X32, c.ln_rxi);
  r_terms(c.R, et, xi2 + q2, c.Y11, c.Y32, c.ln_ret);
  // theta = atan(xi eta / (q R)), 0 at q = 0.
  c.th = atan_ratio(xi * et, q * c.R);
  return c;
}

/// Okada (1992) Table 6, part A (infinite-medium term), components in the fault frame
/// (1 = strike, 2, 3 rotated by the dip); slip (s1, s2, s3).
KOKKOS_INLINE_FUNCTION void part_a(double alpha, const Corner& c, double s1, double s2, double s3, Dual out[3]) {
  const double a1 = 0.5 * (1.0 - alpha), a2 = 0.5 * alpha;
  const Dual q2 = c.q * c.q;
  for (int i = 0; i < 3; ++i) out[i] = constant(0);
  if (s1 != 0) {
    out[0] = out[0] + s1 * (0.5 * c.th + a2 * c.xi * c.q * c.Y11);
    out[1] = out[1] + s1 * (a2 * c.q / c.R);
    out[2] = out[2] + s1 * (a1 * c.ln_ret - a2 * q2 * c.Y11);
  }
  if (s2 != 0) {
    out[0] = out[0] + s2 * (a2 * c.q / c.R);
    out[1] = out[1] + s2 * (0.5 * c.th + a2 * c.et * c.q * c.X11);
    out[2] = out[2] + s2 * (a1 * c.ln_rxi - a2 * q2 * c.X11);
  }
  if (s3 != 0) {
    out[0] = out[0] + s3 * (-a1 * c.ln_ret - a2 * q2 * c.Y11);
    out[1] = out[1] + s3 * (-a1 * c.ln_rxi - a2 * q2 * c.X11);
    out[2] = out[2] + s3 * (0.5 * c.th - a2 * c.q * (c.et * c.X11 + c.xi * c.Y11));
  }
}

/// Okada (1992) Table 6, parts B (surface-deformation related) and C (depth-dependent).
KOKKOS_INLINE_FUNCTION void part_bc(double alpha, const Corner& c, const Dual& z, double sd, double cd,
                                    double s1, double s2, double s3, Dual B[3], Dual C[3]) {
  const double a = (1.0 - alpha) / alpha, om = 1.0 - alpha;
  const Dual q2 = c.q * c.q;
  const Dual rd = c.R + c.db;
  const Dual ln_rd = log(rd);
  Dual I3, I4;
  if (cd != 0.0) {
    const Dual X = sqrt(c.xi * c.xi + q2);
    I3 = c.yb / (cd * rd) - (c.ln_ret - sd * ln_rd) / (cd * cd);
    I4 = (sd / cd) * c.xi / rd +
         (2.0 / (cd * cd)) * atan_ratio(c.et * (X + c.q * cd) + X * (c.R + X) * sd, c.xi * (c.R + X) * cd);
  } else {
    I3 = 0.5 * (c.et / rd + c.yb * c.q / (rd * rd) - c.ln_ret);
    I4 = 0.5 * c.xi * c.yb / (rd * rd);
  }
  const Dual I1 = -(c.xi / rd) * cd - I4 * sd;
  const Dual I2 = ln_rd + I3 * sd;
  const Dual R3 = c.R * c.R * c.R;
  const Dual cb = c.db + z;                 // c~ = d~ + z
  const Dual h = c.q * cd - z;
  const Dual Z32 = sd / R3 - h * c.Y32;
  for (int i = 0; i < 3; ++i) {
    B[i] = constant(0);
    C[i] = constant(0);
  }
  if (s1 != 0) {
    B[0] = B[0] + s1 * (-c.xi * c.q * c.Y11 - c.th - a * I1 * sd);
    B[1] = B[1] + s1 * (-c.q / c.R + a * (c.yb / rd) * sd);
    B[2] = B[2] + s1 * (q2 * c.Y11 - a * I2 * sd);
    C[0] = C[0] + s1 * (om * c.xi * c.Y11 * cd - alpha * c.xi * c.q * Z32);
    C[1] = C[1] + s1 * (om * (cd / c.R + 2.0 * c.q * c.Y11 * sd) - alpha * cb * c.q / R3);
    C[2] = C[2] + s1 * (om * c.q * c.Y11 * cd - alpha * (cb * c.et / R3 - z * c.Y11 + c.xi * c.xi * Z32));
  }
  if (s2 != 0) {
    B[0] = B[0] + s2 * (-c.q / c.R + a * I3 * sd * cd);
    B[1] = B[1] + s2 * (-c.et * c.q * c.X11 - c.th - a * (c.xi / rd) * sd * cd);
    B[2] = B[2] + s2 * (q2 * c.X11 + a * I4 * sd * cd);
    C[0] = C[0] + s2 * (om * cd / c.R - c.q * c.Y11 * sd - alpha * cb * c.q / R3);
    C[1] = C[1] + s2 * (om * c.yb * c.X11 - alpha * cb * c.et * c.q * c.X32);
    C[2] = C[2] + s2 * (-c.db * c.X11 - c.xi * c.Y11 * sd - alpha * cb * (c.X11 - q2 * c.X32));
  }
  if (s3 != 0) {
    B[0] = B[0] + s3 * (q2 * c.Y11 - a * I3 * sd * sd);
    B[1] = B[1] + s3 * (q2 * c.X11 + a * (c.xi / rd) * sd * sd);
    B[2] = B[2] + s3 * (c.q * (c.et * c.X11 + c.xi * c.Y11) - c.th - a * I4 * sd * sd);
    C[0] = C[0] + s3 * (-om * (sd / c.R + c.q * c.Y11 * cd) - alpha * (z * c.Y11 - q2 * Z32));
    C[1] = C[1] + s3 * (om * 2.0 * c.xi * c.Y11 * sd + c.db * c.X11 - alpha * cb * (c.X11 - q2 * c.X32));
    C[2] = C[2] + s3 * (om * (c.yb * c.X11 + c.xi * c.Y11 * cd) + alpha * c.q * (cb * c.et * c.X32 + c.xi * Z32));
  }
}

KOKKOS_INLINE_FUNCTION void store(const Dual u[3], double scale, Result& r) {
  for (int i = 0; i < 3; ++i) {
    r.u[i] = scale * u[i].v;
    for (int j = 0; j < 3; ++j) r.g[i][j] = scale * u[i].d[j];
  }
}

}  // namespace detail

/// Okada (1992) DC3D: displacement and gradients at (x, y, z), z <= 0, due to a rectangular
/// dislocation with its reference point at (0, 0, -depth), spanning al1 <= xi' <= al2 along
/// strike and aw1 <= eta' <= aw2 up-dip; slip (s1, s2, s3) = (strike, dip, tensile).
/// Station on a fault edge (the paper's singular case): status 1 and zeros.
KOKKOS_INLINE_FUNCTION Result dc3d(double alpha, double x, double y, double z, double depth, DipTrig t,
                                   double al1, double al2, double aw1, double aw2, double s1, double s2,
                                   double s3) {
  Result res;
  const double sd = t.sd, cd = t.cd;
  const double scale = ::fabs(depth) + ::fabs(al2 - al1) + ::fabs(aw2 - aw1) + ::fabs(x) + ::fabs(y) + ::fabs(z);
  const double tol = 1e-13 * (scale > 0 ? scale : 1.0);
  const Dual X = variable(x, 0), Y = variable(y, 1), Z = variable(z, 2);
  const double al[2] = {al1, al2}, aw[2] = {aw1, aw2};
  Dual A_real[3], A_img[3], B[3], C[3];
  for (int i = 0; i < 3; ++i) A_real[i] = A_img[i] = B[i] = C[i] = constant(0);
  // image-source geometry (d = c - z) first: also used for the singularity test
  for (int pass = 0; pass < 2; ++pass) {
    const Dual zz = pass == 0 ? Z : -Z;      // pass 0: u_A(x,y,z), B, C; pass 1: u_A(x,y,-z)
    const Dual d = depth - zz;
    const Dual p = Y * cd + d * sd;
    Dual q = Y * sd - d * cd;
    detail::snap(q, tol);
    Dual xi[2], et[2];
    for (int k = 0; k < 2; ++k) {
      xi[k] = X - al[k];
      et[k] = p - aw[k];
      detail::snap(xi[k], tol);
      detail::snap(et[k], tol);
    }
    if (pass == 1 && q.v == 0.0 &&
        ((xi[0].v * xi[1].v <= 0 && et[0].v * et[1].v == 0) || (et[0].v * et[1].v <= 0 && xi[0].v * xi[1].v == 0))) {
      res.status = 1;   // on a fault edge or corner of the real source
      return res;
    }
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 2; ++k) {
        const double sgn = (j == k) ? 1.0 : -1.0;
        const detail::Corner c = detail::corner(xi[j], et[k], q, sd, cd);
        Dual a[3];
        detail::part_a(alpha, c, s1, s2, s3, a);
        if (pass == 0) {
          Dual b[3], cc[3];
          detail::part_bc(alpha, c, Z, sd, cd, s1, s2, s3, b, cc);
          for (int i = 0; i < 3; ++i) {
            A_img[i] = A_img[i] + sgn * a[i];
            B[i] = B[i] + sgn * b[i];
            C[i] = C[i] + sgn * cc[i];
          }
        } else {
          for (int i = 0; i < 3; ++i) A_real[i] = A_real[i] + sgn * a[i];
        }
      }
  }
  // u = u_A(x,y,z) - u_A(x,y,-z) + u_B + z u_C, rotated from the fault frame.
  Dual F[3], u[3];
  for (int i = 0; i < 3; ++i) F[i] = A_img[i] - A_real[i] + B[i];
  u[0] = F[0] + Z * C[0];
  u[1] = (F[1] + Z * C[1]) * cd - (F[2] + Z * C[2]) * sd;
  u[2] = (F[1] - Z * C[1]) * sd + (F[2] - Z * C[2]) * cd;
  detail::store(u, detail::inv_two_pi, res);
  return res;
}

namespace detail {

/// Okada (1992) Table 2 (point source), parts A, B, C for potencies (p1, p2, p3); the source
/// at depth c, observation depth through d = c - z.
KOKKOS_INLINE_FUNCTION void point_a(double alpha, const Dual& x, const Dual& y, const Dual& d, double sd, double cd,
                                    double p1, double p2, double p3, Dual out[3]) {
  const double a1 = 0.5 * (1.0 - alpha), a2 = 0.5 * alpha;
  const Dual p = y * cd + d * sd, q = y * sd - d * cd;
  const Dual s = p * sd + q * cd, t = p * cd - q * sd;
  const Dual R2 = x * x + y * y + d * d;
  const Dual R = sqrt(R2);
  const Dual R3 = R * R2, R5 = R3 * R2;
  for (int i = 0; i < 3; ++i) out[i] = constant(0);
  if (p1 != 0) {
    out[0] = out[0] + p1 * (a1 * q / R3 + a2 * 3.0 * x * x * q / R5);
    out[1] = out[1] + p1 * (a1 * x / R3 * sd + a2 * 3.0 * x * y * q / R5);
    out[2] = out[2] + p1 * (-a1 * x / R3 * cd + a2 * 3.0 * x * d * q / R5);
  }
  if (p2 != 0) {
    out[0] = out[0] + p2 * (a2 * 3.0 * x * p * q / R5);
    out[1] = out[1] + p2 * (a1 * s / R3 + a2 * 3.0 * y * p * q / R5);
    out[2] = out[2] + p2 * (-a1 * t / R3 + a2 * 3.0 * d * p * q / R5);
  }
  if (p3 != 0) {
    out[0] = out[0] + p3 * (a1 * x / R3 - a2 * 3.0 * x * q * q / R5);
    out[1] = out[1] + p3 * (a1 * t / R3 - a2 * 3.0 * y * q * q / R5);
    out[2] = out[2] + p3 * (a1 * s / R3 - a2 * 3.0 * d * q * q / R5);
  }
}

KOKKOS_INLINE_FUNCTION void point_bc(double alpha, const Dual& x, const Dual& y, const Dual& z, double c,
                                     double sd, double cd, double p1, double p2, double p3, Dual B[3], Dual C[3]) {
  const double a = (1.0 - alpha) / alpha, om = 1.0 - alpha;
  const Dual d = c - z;
  const Dual p = y * cd + d * sd, q = y * sd - d * cd;
  const Dual s = p * sd + q * cd, t = p * cd - q * sd;
  const Dual R2 = x * x + y * y + d * d;
  const Dual R = sqrt(R2);
  const Dual R3 = R * R2, R5 = R3 * R2, R7 = R5 * R2;
  const Dual A3 = 1.0 - 3.0 * x * x / R2, A5 = 1.0 - 5.0 * x * x / R2;
  const Dual Rd = R + d;
  const Dual Rd2 = Rd * Rd, Rd3 = Rd2 * Rd;
  const Dual I1 = y * (1.0 / (R * Rd2) - x * x * (3.0 * R + d) / (R3 * Rd3));
  const Dual I2 = x * (1.0 / (R * Rd2) - y * y * (3.0 * R + d) / (R3 * Rd3));
  const Dual I3 = x / R3 - I2;
  const Dual I4 = -x * y * (2.0 * R + d) / (R3 * Rd2);
  const Dual I5 = 1.0 / (R * Rd) - x * x * (2.0 * R + d) / (R3 * Rd2);
  const double c2d = cd * cd - sd * sd, s2d = 2.0 * sd * cd;
  for (int i = 0; i < 3; ++i) {
    B[i] = constant(0);
    C[i] = constant(0);
  }
  if (p1 != 0) {
    B[0] = B[0] + p1 * (-3.0 * x * x * q / R5 - a * I1 * sd);
    B[1] = B[1] + p1 * (-3.0 * x * y * q / R5 - a * I2 * sd);
    B[2] = B[2] + p1 * (-3.0 * c * x * q / R5 - a * I4 * sd);
    C[0] = C[0] + p1 * (-om * A3 / R3 * cd + alpha * 3.0 * c * q / R5 * A5);
    C[1] = C[1] + p1 * (om * 3.0 * x * y / R5 * cd + alpha * 3.0 * c * x / R5 * (sd - 5.0 * y * q / R2));
    C[2] = C[2] + p1 * (-om * 3.0 * x * y / R5 * sd + alpha * 3.0 * c * x / R5 * (cd + 5.0 * d * q / R2));
  }
  if (p2 != 0) {
    B[0] = B[0] + p2 * (-3.0 * x * p * q / R5 + a * I3 * sd * cd);
    B[1] = B[1] + p2 * (-3.0 * y * p * q / R5 + a * I1 * sd * cd);
    B[2] = B[2] + p2 * (-3.0 * c * p * q / R5 + a * I5 * sd * cd);
    C[0] = C[0] + p2 * (om * 3.0 * x * t / R5 - alpha * 15.0 * c * x * p * q / R7);
    C[1] = C[1] + p2 * (-om / R3 * (c2d - 3.0 * y * t / R2) + alpha * 3.0 * c / R5 * (s - 5.0 * y * p * q / R2));
    C[2] = C[2] + p2 * (-om * A3 / R3 * sd * cd + alpha * 3.0 * c / R5 * (t + 5.0 * d * p * q / R2));
  }
  if (p3 != 0) {
    B[0] = B[0] + p3 * (3.0 * x * q * q / R5 - a * I3 * sd * sd);
    B[1] = B[1] + p3 * (3.0 * y * q * q / R5 - a * I1 * sd * sd);
    B[2] = B[2] + p3 * (3.0 * c * q * q / R5 - a * I5 * sd * sd);
    C[0] = C[0] + p3 * (-om * 3.0 * x * s / R5 + alpha * 15.0 * c * x * q * q / R7 - alpha * 3.0 * x * z / R5);
    C[1] = C[1] + p3 * (om / R3 * (s2d - 3.0 * y * s / R2) + alpha * 3.0 * c / R5 * (t - y + 5.0 * y * q * q / R2) -
                        alpha * 3.0 * y * z / R5);
    C[2] = C[2] + p3 * (-om / R3 * (1.0 - A3 * sd * sd) - alpha * 3.0 * c / R5 * (s - d + 5.0 * d * q * q / R2) +
                        alpha * 3.0 * d * z / R5);
  }
}

}  // namespace detail

/// Okada (1992) DC3D0: point source at (0, 0, -depth) with potencies (p1, p2, p3) = slip x area
/// (moment / mu) for strike-slip, dip-slip and tensile; observation at (x, y, z), z <= 0.
/// At the source point itself: status 1 and zeros.
KOKKOS_INLINE_FUNCTION Result dc3d0(double alpha, double x, double y, double z, double depth, DipTrig t, double p1,
                                    double p2, double p3) {
  Result res;
  const double r2 = x * x + y * y + (depth + z) * (depth + z);
  const double scale = ::fabs(depth) + ::fabs(x) + ::fabs(y) + ::fabs(z);
  if (r2 <= 1e-26 * scale * scale) {
    res.status = 1;
    return res;
  }
  const Dual X = variable(x, 0), Y = variable(y, 1), Z = variable(z, 2);
  Dual A_img[3], A_real[3], B[3], C[3];
  detail::point_a(alpha, X, Y, depth - Z, t.sd, t.cd, p1, p2, p3, A_img);
  detail::point_a(alpha, X, Y, depth + Z, t.sd, t.cd, p1, p2, p3, A_real);
  detail::point_bc(alpha, X, Y, Z, depth, t.sd, t.cd, p1, p2, p3, B, C);
  Dual u[3];
  for (int i = 0; i < 3; ++i) u[i] = A_img[i] - A_real[i] + B[i] + Z * C[i];
  detail::store(u, detail::inv_two_pi, res);
  return res;
}

/// Free-surface z-derivatives from the horizontal ones (traction-free at z = 0):
/// du_x/dz = -du_z/dx, du_y/dz = -du_z/dy, du_z/dz = -(lambda/(lambda+2mu)) (du_x/dx + du_y/dy),
/// with lambda/(lambda+2mu) = 2 alpha - 1.
KOKKOS_INLINE_FUNCTION void fill_surface_z_derivatives(double alpha, Result& r) {
  r.g[0][2] = -r.g[2][0];
  r.g[1][2] = -r.g[2][1];
  r.g[2][2] = -(2.0 * alpha - 1.0) * (r.g[0][0] + r.g[1][1]);
}

/// Okada (1985) point source, surface displacement (section 2, eqs. 25-27 of the paper) and
/// horizontal gradients; source at depth d, potencies (p1, p2, p3). z-derivatives are filled from
/// the traction-free condition.
KOKKOS_INLINE_FUNCTION Result okada85_point(double alpha, double x, double y, double d, DipTrig t, double p1,
                                            double p2, double p3) {
  Result res;
  const double sd = t.sd, cd = t.cd;
  const double a = (1.0 - alpha) / alpha;   // mu / (lambda + mu)
  const Dual X = variable(x, 0), Y = variable(y, 1);
  const Dual p = Y * cd + d * sd, q = Y * sd - d * cd;
  const Dual R2 = X * X + Y * Y + d * d;
  const Dual R = sqrt(R2);
  const Dual R3 = R * R2, R5 = R3 * R2;
  const Dual Rd = R + d, Rd2 = Rd * Rd, Rd3 = Rd2 * Rd;
  const Dual I1 = a * Y * (1.0 / (R * Rd2) - X * X * (3.0 * R + d) / (R3 * Rd3));
  const Dual I2 = a * X * (1.0 / (R * Rd2) - Y * Y * (3.0 * R + d) / (R3 * Rd3));
  const Dual I3 = a * X / R3 - I2;
  const Dual I4 = a * (-X * Y * (2.0 * R + d) / (R3 * Rd2));
  const Dual I5 = a * (1.0 / (R * Rd) - X * X * (2.0 * R + d) / (R3 * Rd2));
  Dual u[3];
  for (int i = 0; i < 3; ++i) u[i] = constant(0);
  if (p1 != 0) {
    u[0] = u[0] - p1 * (3.0 * X * X * q / R5 + I1 * sd);
    u[1] = u[1] - p1 * (3.0 * X * Y * q / R5 + I2 * sd);
    u[2] = u[2] - p1 * (3.0 * X * d * q / R5 + I4 * sd);
  }
  if (p2 != 0) {
    u[0] = u[0] - p2 * (3.0 * X * p * q / R5 - I3 * sd * cd);
    u[1] = u[1] - p2 * (3.0 * Y * p * q / R5 - I1 * sd * cd);
    u[2] = u[2] - p2 * (3.0 * d * p * q / R5 - I5 * sd * cd);
  }
  if (p3 != 0) {
    u[0] = u[0] + p3 * (3.0 * X * q * q / R5 - I3 * sd * sd);
    u[1] = u[1] + p3 * (3.0 * Y * q * q / R5 - I1 * sd * sd);
    u[2] = u[2] + p3 * (3.0 * d * q * q / R5 - I5 * sd * sd);
  }
  detail::store(u, detail::inv_two_pi, res);
  fill_surface_z_derivatives(alpha, res);
  return res;
}

/// Okada (1985) rectangular source, surface displacement (section 3, eqs. 25-30 and the I-terms
/// of eq. 28/29, with the cos(dip) = 0 forms) and horizontal gradients. Reference point (the
/// deeper corner at along-strike position 0) at depth d; the fault spans 0 <= xi' <= L along
/// strike and 0 <= eta' <= W up-dip. z-derivatives are filled from the traction-free condition.
/// Station on an edge of a surface-breaking fault: status 1 and zeros.
KOKKOS_INLINE_FUNCTION Result okada85_rect(double alpha, double x, double y, double d, DipTrig t, double L, double W,
                                           double s1, double s2, double s3) {
  Result res;
  const double sd = t.sd, cd = t.cd;
  const double a = (1.0 - alpha) / alpha;
  const double scale = ::fabs(d) + ::fabs(L) + ::fabs(W) + ::fabs(x) + ::fabs(y);
  const double tol = 1e-13 * (scale > 0 ? scale : 1.0);
  const Dual X = variable(x, 0), Y = variable(y, 1);
  const Dual p = Y * cd + d * sd;
  Dual q = Y * sd - d * cd;
  detail::snap(q, tol);
  Dual xi[2] = {X, X - L}, et[2] = {p, p - W};
  for (int k = 0; k < 2; ++k) {
    detail::snap(xi[k], tol);
    detail::snap(et[k], tol);
  }
  if (q.v == 0.0 &&
      ((xi[0].v * xi[1].v <= 0 && et[0].v * et[1].v == 0) || (et[0].v * et[1].v <= 0 && xi[0].v * xi[1].v == 0))) {
    res.status = 1;
    return res;
  }
  Dual u[3];
  for (int i = 0; i < 3; ++i) u[i] = constant(0);
  for (int j = 0; j < 2; ++j)
    for (int k = 0; k < 2; ++k) {
      const double sgn = (j == k) ? 1.0 : -1.0;
      const detail::Corner c = detail::corner(xi[j], et[k], q, sd, cd);
      const Dual rd = c.R + c.db;
      Dual I1, I2, I3, I4, I5;
      if (cd != 0.0) {
        const Dual Xc = sqrt(c.xi * c.xi + q * q);
        I5 = a * (2.0 / cd) *
             atan_ratio(c.et * (Xc + q * cd) + Xc * (c.R + Xc) * sd, c.xi * (c.R + Xc) * cd);
        I4 = a / cd * (log(rd) - sd * c.ln_ret);
        I3 = a * (1.0 / cd * c.yb / rd - c.ln_ret) + sd / cd * I4;
        I1 = a * (-1.0 / cd * c.xi / rd) - sd / cd * I5;
      } else {
        I1 = -0.5 * a * c.xi * q / (rd * rd);
        I3 = 0.5 * a * (c.et / rd + c.yb * q / (rd * rd) - c.ln_ret);
        I4 = -a * q / rd;
        I5 = -a * c.xi * sd / rd;
      }
      I2 = a * (-c.ln_ret) - I3;
      const Dual qY11 = q * c.Y11, qX11 = q * c.X11;
      Dual v[3];
      for (int i = 0; i < 3; ++i) v[i] = constant(0);
      if (s1 != 0) {
        // y~ q Y11 + q cos/(R + eta) = q cos/R + q^2 sin Y11 and
        // d~ q Y11 + q sin/(R + eta) = q sin/R - q^2 cos Y11 (identical; regular where R + eta = 0,
        // so that the derivatives stay exact when the rule Y11 := 0 applies)
        v[0] = v[0] - s1 * (c.xi * qY11 + c.th + I1 * sd);
        v[1] = v[1] - s1 * (q * cd / c.R + q * qY11 * sd + I2 * sd);
        v[2] = v[2] - s1 * (q * sd / c.R - q * qY11 * cd + I4 * sd);
      }
      if (s2 != 0) {
        v[0] = v[0] - s2 * (q / c.R - I3 * sd * cd);
        v[1] = v[1] - s2 * (c.yb * qX11 + cd * c.th - I1 * sd * cd);
        v[2] = v[2] - s2 * (c.db * qX11 + sd * c.th - I5 * sd * cd);
      }
      if (s3 != 0) {
        v[0] = v[0] + s3 * (q * qY11 - I3 * sd * sd);
        v[1] = v[1] + s3 * (-c.db * qX11 - sd * (c.xi * qY11 - c.th) - I1 * sd * sd);
        v[2] = v[2] + s3 * (c.yb * qX11 + cd * (c.xi * qY11 - c.th) - I5 * sd * sd);
      }
      for (int i = 0; i < 3; ++i) u[i] = u[i] + sgn * v[i];
    }
  detail::store(u, detail::inv_two_pi, res);
  fill_surface_z_derivatives(alpha, res);
  return res;
}

// ------------------------------------------------------------------------------------------
// Many stations x many patches (named Kokkos kernel, okada_kernel.cpp)
// ------------------------------------------------------------------------------------------
using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace = ExecSpace::memory_space;

/// Columns of a patch table (one row per rectangular patch, global frame east/north/up):
/// reference point (east, north, depth > 0 down), sin/cos of strike (clockwise from north),
/// sin/cos of dip (cos snapped as in dip_trig), extent al1, al2 (along strike), aw1, aw2 (up dip)
/// about the reference point, slip (strike, dip, tensile).
enum PatchColumn : int {
  kEast = 0, kNorth, kDepth, kSinStrike, kCosStrike, kSinDip, kCosDip, kAl1, kAl2, kAw1, kAw2,
  kSlipStrike, kSlipDip, kSlipTensile, kPatchColumns
};
using PatchTable = Kokkos::View<double* [kPatchColumns], MemSpace>;
/// Stations: (east, north, up) with up <= 0.
using StationTable = Kokkos::View<double* [3], MemSpace>;
/// Output per station: u_e, u_n, u_u, then the 9 gradients d u_i / d x_j row-major (i, j in e,n,u).
using DeformationTable = Kokkos::View<double* [12], MemSpace>;
/// Per station: number of patches for which the station was a singular point (skipped).
using SingularCount = Kokkos::View<int*, MemSpace>;

/// out(s, :) = sum over patches of the DC3D deformation at station s ("hyseis::cycle::okada_dc3d_sum").
void okada_dc3d_sum(double alpha, PatchTable patches, StationTable stations, DeformationTable out,
                    SingularCount singular);

/// Rotates an Okada-frame result into east/north/up for a patch of strike (sin, cos):
/// x = strike direction (sin s, cos s), y = (-cos s, sin s), z = up.
KOKKOS_INLINE_FUNCTION void rotate_to_enu(const Result& r, double ss, double cs, double u[3], double g[3][3]) {
  const double Q[3][3] = {{ss, -cs, 0.0}, {cs, ss, 0.0}, {0.0, 0.0, 1.0}};   // columns: x, y, z axes in ENU
  for (int i = 0; i < 3; ++i) {
    u[i] = 0;
    for (int k = 0; k < 3; ++k) u[i] += Q[i][k] * r.u[k];
  }
  double tmp[3][3];
  for (int i = 0; i < 3; ++i)
    for (int l = 0; l < 3; ++l) {
      tmp[i][l] = 0;
      for (int k = 0; k < 3; ++k) tmp[i][l] += Q[i][k] * r.g[k][l];
    }
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      g[i][j] = 0;
      for (int l = 0; l < 3; ++l) g[i][j] += tmp[i][l] * Q[j][l];
    }
}

}  // namespace hyseis::solvers::okada
