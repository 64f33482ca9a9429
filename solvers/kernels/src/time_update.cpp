// Explicit Newmark (beta = 0, gamma = 1/2) updates and the NaN-aware max-norm, as named Kokkos
// kernels over flat Views.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "hyseis/solvers/sem_kernels.hpp"

namespace hyseis::solvers {

namespace {
void check_len(const char* who, const char* name, std::size_t got, std::size_t want) {
  if (got != want)
    throw std::invalid_argument(std::string("hyseis::solvers::") + who + ": " + name + " has " +
                                std::to_string(got) + " entries, expected " + std::to_string(want));
}
}  // namespace

void newmark_predict(double dt, Vector u, Vector v, ConstVector a) {
  const std::size_t n = u.extent(0);
  check_len("newmark_predict", "v", v.extent(0), n);
  check_len("newmark_predict", "a", a.extent(0), n);
  const double half_dt = 0.5 * dt, half_dt2 = 0.5 * dt * dt;
  double* up = u.data();
  double* vp = v.data();
  const double* ap = a.data();
  Kokkos::parallel_for(
      "hyseis::sem::newmark_predict", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t i) {
        const double ai = ap[i];
        up[i] += dt * vp[i] + half_dt2 * ai;
        vp[i] += half_dt * ai;
      });
}

void newmark_correct(double dt, ConstVector inv_mass, ConstVector f, ConstVector r,
                     ConstVector damping, Vector v, Vector a) {
  const std::size_t n = v.extent(0);
  check_len("newmark_correct", "inv_mass", inv_mass.extent(0), n);
  check_len("newmark_correct", "f", f.extent(0), n);
  check_len("newmark_correct", "r", r.extent(0), n);
  check_len("newmark_correct", "a", a.extent(0), n);
  const double half_dt = 0.5 * dt;
  const double* mp = inv_mass.data();
  const double* fp = f.data();
  const double* rp = r.data();
  double* vp = v.data();
  double* ap = a.data();
  if (damping.extent(0) == 0) {
    Kokkos::parallel_for(
        "hyseis::sem::newmark_correct", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t i) {
          const double ai = mp[i] * (fp[i] - rp[i]);
          ap[i] = ai;
          vp[i] += half_dt * ai;
        });
  } else {
    check_len("newmark_correct", "damping", damping.extent(0), n);
    const double* cp = damping.data();
    // The damping force uses the predicted (half-step) velocity v^{n+1/2}: explicit and
    // first-order accurate in the damping term, the usual choice of explicit SEM codes.
    Kokkos::parallel_for(
        "hyseis::sem::newmark_correct_damped", Kokkos::RangePolicy<ExecSpace>(0, n),
        KOKKOS_LAMBDA(const std::size_t i) {
          const double ai = mp[i] * (fp[i] - rp[i] - cp[i] * vp[i]);
          ap[i] = ai;
          vp[i] += half_dt * ai;
        });
  }
}

void newmark_correct_predict(double dt, ConstVector inv_mass, ConstVector f, ConstVector r,
                             ConstVector damping, Vector u, Vector v, Vector a) {
  const std::size_t n = v.extent(0);
  check_len("newmark_correct_predict", "inv_mass", inv_mass.extent(0), n);
  check_len("newmark_correct_predict", "f", f.extent(0), n);
  check_len("newmark_correct_predict", "r", r.extent(0), n);
  check_len("newmark_correct_predict", "u", u.extent(0), n);
  check_len("newmark_correct_predict", "a", a.extent(0), n);
  const double half_dt = 0.5 * dt, half_dt2 = 0.5 * dt * dt;
  const double* mp = inv_mass.data();
  const double* fp = f.data();
  const double* rp = r.data();
  double* up = u.data();
  double* vp = v.data();
  double* ap = a.data();
  if (damping.extent(0) == 0) {
    Kokkos::parallel_for(
        "hyseis::sem::newmark_correct_predict", Kokkos::RangePolicy<ExecSpace>(0, n),
        KOKKOS_LAMBDA(const std::size_t i) {
          const double ai = mp[i] * (fp[i] - rp[i]);
          ap[i] = ai;
          const double vi = vp[i] + half_dt * ai;  // corrected v^{n+1}
          up[i] += dt * vi + half_dt2 * ai;         // predicted u^{n+2}
          vp[i] = vi + half_dt * ai;                // predicted v^{n+3/2}
        });
  } else {
    check_len("newmark_correct_predict", "damping", damping.extent(0), n);
    const double* cp = damping.data();
    Kokkos::parallel_for(
        "hyseis::sem::newmark_correct_predict_damped", Kokkos::RangePolicy<ExecSpace>(0, n),
        KOKKOS_LAMBDA(const std::size_t i) {
          const double ai = mp[i] * (fp[i] - rp[i] - cp[i] * vp[i]);
          ap[i] = ai;
          const double vi = vp[i] + half_dt * ai;
          up[i] += dt * vi + half_dt2 * ai;
          vp[i] = vi + half_dt * ai;
        });
  }
}

double max_abs_or_nan(ConstVector x) {
  if (x.extent(0) == 0) return 0.0;
  const double* xp = x.data();
  double m = 0.0;
  Kokkos::parallel_reduce(
      "hyseis::sem::max_abs_or_nan", Kokkos::RangePolicy<ExecSpace>(0, x.extent(0)),
      KOKKOS_LAMBDA(const std::size_t i, double& acc) {
        const double xi = xp[i];
        // Non-finite entries (NaN fails every comparison) map to +inf.
        const double ai = (xi <= 1.7976931348623157e308 && xi >= -1.7976931348623157e308)
                              ? (xi < 0 ? -xi : xi)
                              : HUGE_VAL;
        if (ai > acc) acc = ai;
      },
      Kokkos::Max<double>(m));
  if (std::isinf(m)) return std::numeric_limits<double>::quiet_NaN();
  return m;
}

}  // namespace hyseis::solvers
