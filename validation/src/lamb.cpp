// 2D Lamb's problem reference (see docs/theory/lamb.md for the derivation).
//
// f-k response of the half-space z <= 0 (z up) to the surface traction sigma_zz(x, 0, t) =
// fz delta(x) s(t), Fourier convention u(k, w) = int int u(x, t) e^{-i k x + i w t} dx dt:
//   nu_a = sqrt(k^2 - w^2/vp^2), nu_b = sqrt(k^2 - w^2/vs^2)   (Re >= 0: decay as z -> -inf)
//   kappa = 2 k^2 - w^2/vs^2,  D = kappa^2 - 4 k^2 nu_a nu_b     (Rayleigh function)
//   u_z(k, 0, w) = -(w^2/vs^2) nu_a T(w) / (mu D)
//   u_x(k, 0, w) =  i k (kappa - 2 nu_a nu_b) T(w) / (mu D),     T(w) = fz s(w).
// Large |k| (fixed w):  u_z -> C_z T / |k|,  u_x -> -i C_x T / k,
//   C_z = 1 / (2 mu (1 - g^2)),  C_x = g^2 / (2 mu (1 - g^2)),  g = vs / vp
// (the static Flamant solution). We subtract the regularised asymptotes C_z T / sqrt(k^2+k0^2)
// and -i C_x T k / (k^2 + k0^2) inside the wavenumber sum and add back their exact inverse
// transforms (C_z T / pi) K0(k0 |x|) and (C_x T / 2) sign(x) exp(-k0 |x|).
#include "hyseis/validation/lamb.hpp"

#include <cmath>
#include <complex>

#include "hyseis/core/error.hpp"

namespace hyseis::validation::lamb {

using cd = std::complex<double>;

namespace {

cd sqrt_re_pos(cd z) {
  cd r = std::sqrt(z);
  if (r.real() < 0) r = -r;
  return r;
}

/// Ricker spectrum (convention s(w) = int s(t) e^{i w t} dt), analytic in complex w.
cd ricker_spectrum(const RickerSource& s, cd w) {
  const double a = M_PI * M_PI * s.f0 * s.f0;
  return s.amplitude * (w * w / (2.0 * a)) * std::sqrt(M_PI / a) * std::exp(-w * w / (4.0 * a)) *
         std::exp(cd(0, 1) * w * s.t_c);
}

double rayleigh_fn_deriv(const HalfSpace& m, double p) {
  const double ia2 = 1 / (m.vp * m.vp), ib2 = 1 / (m.vs * m.vs);
  const double a = std::sqrt(p * p - ia2), b = std::sqrt(p * p - ib2);
  return 8 * p * (2 * p * p - ib2) - 8 * p * a * b - 4 * p * p * (p * b / a + p * a / b);
}

void check(const HalfSpace& m) {
  HYSEIS_REQUIRE(m.vp > 0 && m.vs > 0 && m.rho > 0 && m.vs < m.vp / std::sqrt(2.0),
                 core::InvalidInput, "lamb: need vp, vs, rho > 0 and vs < vp/sqrt(2)");
}

}  // namespace

double rayleigh_velocity(const HalfSpace& m) {
  check(m);
  // R(p) for p > 1/vs: as a function of c = 1/p, root in (0, vs); bisection on c.
  double lo = 0.5 * m.vs, hi = m.vs * (1 - 1e-12);
  auto f = [&](double c) {
    const double r = c / m.vs, q = c / m.vp;
    return (2 - r * r) * (2 - r * r) - 4 * std::sqrt(1 - q * q) * std::sqrt(1 - r * r);
  };
  HYSEIS_REQUIRE(f(lo) * f(hi) < 0, core::NumericalError, "lamb: Rayleigh root not bracketed");
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (f(lo) * f(mid) <= 0) hi = mid; else lo = mid;
  }
  return 0.5 * (lo + hi);
}

void rayleigh_amplitudes(const HalfSpace& m, double& a_x, double& a_z) {
  const double cr = rayleigh_velocity(m);
  const double p = 1 / cr, mu = m.rho * m.vs * m.vs;
  const double ia2 = 1 / (m.vp * m.vp), ib2 = 1 / (m.vs * m.vs);
  const double a = std::sqrt(p * p - ia2), b = std::sqrt(p * p - ib2);
  const double dr = rayleigh_fn_deriv(m, p);
  a_z = a / (m.vs * m.vs * mu * dr);
  a_x = p * (2 * p * p - ib2 - 2 * a * b) / (mu * dr);
}

SurfaceTraces rayleigh_pole_contribution(const HalfSpace& m, const RickerSource& s, double x,
                                         const std::vector<double>& t) {
  double ax = 0, az = 0;
  rayleigh_amplitudes(m, ax, az);
  const double cr = rayleigh_velocity(m);
  const double sx = x >= 0 ? 1.0 : -1.0;
  const double ax_abs = std::abs(x);
  const double fmax = 6 * s.f0;
  const int nw = 4000;
  const double dw = 2 * M_PI * fmax / nw;
  SurfaceTraces out;
  out.ux.assign(t.size(), 0.0);
  out.uz.assign(t.size(), 0.0);
  for (int j = 1; j <= nw; ++j) {  // integrand vanishes at w = 0 and (to 1e-15) at fmax
    const double w = j * dw;
    const cd T = s.fz * ricker_spectrum(s, w);
    const cd ph = std::exp(cd(0, 1) * w * ax_abs / cr);
    const cd ux = -ax * T * ph * sx;
    const cd uz = cd(0, -1) * az * T * ph;
    for (std::size_t n = 0; n < t.size(); ++n) {
      const cd e = std::exp(cd(0, -1) * w * t[n]);
      out.ux[n] += (ux * e).real() * dw / M_PI;
      out.uz[n] += (uz * e).real() * dw / M_PI;
    }
  }
  return out;
}

SurfaceTraces surface_displacement_dwn(const HalfSpace& m, const RickerSource& s, double x,
                                       const std::vector<double>& t, const DwnOptions& opt) {
  check(m);
  HYSEIS_REQUIRE(x != 0.0, core::InvalidInput, "lamb: receiver offset must be non-zero");
  double tmax = 0;
  for (double v : t) tmax = std::max(tmax, v);
  HYSEIS_REQUIRE(tmax > 0, core::InvalidInput, "lamb: need positive times");
  const double T = opt.period > 0 ? opt.period : 4 * tmax;
  const double eps = opt.eps > 0 ? opt.eps : 6.0 / T;
  const double fmax = opt.fmax > 0 ? opt.fmax : 5 * s.f0;
  const double L = opt.spacing > 0 ? opt.spacing : std::max(4 * m.vp * T, 8 * std::abs(x));
  const double kmax = opt.kmax > 0 ? opt.kmax : 30 * 2 * M_PI * fmax / m.vs;
  const double mu = m.rho * m.vs * m.vs;
  const double g2 = (m.vs * m.vs) / (m.vp * m.vp);
  const double cz = 1 / (2 * mu * (1 - g2)), cx = g2 / (2 * mu * (1 - g2));
  const double k0 = 2 * M_PI * s.f0 / m.vs;
  const double dk = 2 * M_PI / L;
  const long nk = static_cast<long>(std::ceil(kmax / dk));
  const double dw = 2 * M_PI / T;
  const int nw = static_cast<int>(std::ceil(2 * M_PI * fmax / dw));
  const double ia2 = 1 / (m.vp * m.vp), ib2 = 1 / (m.vs * m.vs);
  const double ax = std::abs(x), sx = x > 0 ? 1.0 : -1.0;
  const double addz = std::cyl_bessel_k(0.0, k0 * ax) / M_PI;
  const double addx = 0.5 * sx * std::exp(-k0 * ax);

  // precompute cos/sin(k_n x)
  std::vector<double> ck(nk + 1), sk(nk + 1);
  for (long n = 0; n <= nk; ++n) {
    ck[n] = std::cos(n * dk * x);
    sk[n] = std::sin(n * dk * x);
  }
  std::vector<cd> uzw(nw + 1), uxw(nw + 1);
  for (int j = 0; j <= nw; ++j) {
    const cd w(j * dw, eps);
    const cd w2 = w * w;
    const cd Tw = s.fz * ricker_spectrum(s, w);
    cd sum_z = 0, sum_x = 0;
    for (long n = 0; n <= nk; ++n) {
      const double k = n * dk;
      const cd na = sqrt_re_pos(k * k - w2 * ia2);
      const cd nb = sqrt_re_pos(k * k - w2 * ib2);
      const cd kap = 2 * k * k - w2 * ib2;
      const cd D = kap * kap - 4 * k * k * na * nb;
      // per unit T: kernels minus asymptotes
      const cd gz = -(w2 * ib2) * na / (mu * D) - cz / std::sqrt(k * k + k0 * k0);
      const double wgt = (n == 0) ? 1.0 : 2.0;
      sum_z += wgt * gz * ck[n];
      if (n > 0) {
        const cd hx = cd(0, 1) * k * (kap - 2.0 * na * nb) / (mu * D) - cd(0, -1) * cx * k / (k * k + k0 * k0);
        sum_x += cd(0, 2) * hx * sk[n];
      }
    }
    uzw[j] = Tw * (sum_z * dk / (2 * M_PI) + cz * addz);
    uxw[j] = Tw * (sum_x * dk / (2 * M_PI) + cx * addx);
  }
  SurfaceTraces out;
  out.ux.assign(t.size(), 0.0);
  out.uz.assign(t.size(), 0.0);
  for (std::size_t i = 0; i < t.size(); ++i) {
    cd az = 0.5 * uzw[0], axx = 0.5 * uxw[0];
    for (int j = 1; j <= nw; ++j) {
      const cd e = std::exp(cd(0, -1) * (j * dw) * t[i]);
      az += uzw[j] * e;
      axx += uxw[j] * e;
    }
    const double damp = std::exp(eps * t[i]) * dw / M_PI;
    out.uz[i] = az.real() * damp;
    out.ux[i] = axx.real() * damp;
  }
  return out;
}

}  // namespace hyseis::validation::lamb
