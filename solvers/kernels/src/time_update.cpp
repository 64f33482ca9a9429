// Explicit Newmark (beta = 0, gamma = 1/2) updates and the NaN-aware max-norm, as named Kokkos
// kernels over flat Views.
//
// The element-wise bodies take __restrict__ pointers and an index range: on host memory spaces
// each Kokkos work item is a chunk of kChunk entries (the compiler then vectorises the inner
// loop without runtime alias checks, which it gives up on for 5-6 pointers); on device memory
// spaces each work item is a single entry (coalesced).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "hyseis/solvers/sem_kernels.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define HYSEIS_RESTRICT __restrict__
#else
#define HYSEIS_RESTRICT
#endif

namespace hyseis::solvers {

namespace {
void check_len(const char* who, const char* name, std::size_t got, std::size_t want) {
  if (got != want)
    throw std::invalid_argument(std::string("hyseis::solvers::") + who + ": " + name + " has " +
                                std::to_string(got) + " entries, expected " + std::to_string(want));
}

constexpr bool kHostMemory = Kokkos::SpaceAccessibility<Kokkos::HostSpace, MemSpace>::accessible;
constexpr std::size_t kChunk = kHostMemory ? 1024 : 1;

/// Runs body(begin, end) over [0, n) in chunks of kChunk as the named kernel `name`.
template <class Body>
void for_ranges(const char* name, std::size_t n, const Body& body) {
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  Kokkos::parallel_for(
      name, Kokkos::RangePolicy<ExecSpace>(0, chunks), KOKKOS_LAMBDA(const std::size_t c) {
        const std::size_t b = c * kChunk;
        const std::size_t e = b + kChunk < n ? b + kChunk : n;
        body(b, e);
      });
}

KOKKOS_INLINE_FUNCTION void predict_range(std::size_t b, std::size_t e, double dt, double* HYSEIS_RESTRICT u,
                                          double* HYSEIS_RESTRICT v, const double* HYSEIS_RESTRICT a) {
  const double hdt = 0.5 * dt, hdt2 = 0.5 * dt * dt;
  for (std::size_t i = b; i < e; ++i) {
    const double ai = a[i];
    u[i] += dt * v[i] + hdt2 * ai;
    v[i] += hdt * ai;
  }
}

// damped == false: c is not read.
template <bool damped>
KOKKOS_INLINE_FUNCTION void correct_range(std::size_t b, std::size_t e, double dt, const double* HYSEIS_RESTRICT m,
                                          const double* HYSEIS_RESTRICT f, const double* HYSEIS_RESTRICT r,
                                          const double* HYSEIS_RESTRICT c, double* HYSEIS_RESTRICT v,
                                          double* HYSEIS_RESTRICT a) {
  const double hdt = 0.5 * dt;
  for (std::size_t i = b; i < e; ++i) {
    // The damping force uses the predicted (half-step) velocity v^{n+1/2}: explicit and first-
    // order accurate in the damping term, the usual choice of explicit SEM codes.
    const double ai = damped ? m[i] * (f[i] - r[i] - c[i] * v[i]) : m[i] * (f[i] - r[i]);
    a[i] = ai;
    v[i] += hdt * ai;
  }
}

template <bool damped>
KOKKOS_INLINE_FUNCTION void correct_predict_range(std::size_t b, std::size_t e, double dt,
                                                  const double* HYSEIS_RESTRICT m, const double* HYSEIS_RESTRICT f,
                                                  const double* HYSEIS_RESTRICT r, const double* HYSEIS_RESTRICT c,
                                                  double* HYSEIS_RESTRICT u, double* HYSEIS_RESTRICT v,
                                                  double* HYSEIS_RESTRICT a) {
  const double hdt = 0.5 * dt, hdt2 = 0.5 * dt * dt;
  for (std::size_t i = b; i < e; ++i) {
    const double ai = damped ? m[i] * (f[i] - r[i] - c[i] * v[i]) : m[i] * (f[i] - r[i]);
    a[i] = ai;
    const double vi = v[i] + hdt * ai;  // corrected v^{n+1}
    u[i] += dt * vi + hdt2 * ai;        // predicted u^{n+2}
    v[i] = vi + hdt * ai;               // predicted v^{n+3/2}
  }
}
}  // namespace

void newmark_predict(double dt, Vector u, Vector v, ConstVector a) {
  const std::size_t n = u.extent(0);
  check_len("newmark_predict", "v", v.extent(0), n);
  check_len("newmark_predict", "a", a.extent(0), n);
  double* up = u.data();
  double* vp = v.data();
  const double* ap = a.data();
  for_ranges("hyseis::sem::newmark_predict", n, KOKKOS_LAMBDA(std::size_t b, std::size_t e) {
    predict_range(b, e, dt, up, vp, ap);
  });
}

void newmark_correct(double dt, ConstVector inv_mass, ConstVector f, ConstVector r,
                     ConstVector damping, Vector v, Vector a) {
  const std::size_t n = v.extent(0);
  check_len("newmark_correct", "inv_mass", inv_mass.extent(0), n);
  check_len("newmark_correct", "f", f.extent(0), n);
  check_len("newmark_correct", "r", r.extent(0), n);
  check_len("newmark_correct", "a", a.extent(0), n);
  const double* mp = inv_mass.data();
  const double* fp = f.data();
  const double* rp = r.data();
  double* vp = v.data();
  double* ap = a.data();
  if (damping.extent(0) == 0) {
    for_ranges("hyseis::sem::newmark_correct", n, KOKKOS_LAMBDA(std::size_t b, std::size_t e) {
      correct_range<false>(b, e, dt, mp, fp, rp, nullptr, vp, ap);
    });
  } else {
    check_len("newmark_correct", "damping", damping.extent(0), n);
    const double* cp = damping.data();
    for_ranges("hyseis::sem::newmark_correct_damped", n, KOKKOS_LAMBDA(std::size_t b, std::size_t e) {
      correct_range<true>(b, e, dt, mp, fp, rp, cp, vp, ap);
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
  const double* mp = inv_mass.data();
  const double* fp = f.data();
  const double* rp = r.data();
  double* up = u.data();
  double* vp = v.data();
  double* ap = a.data();
  if (damping.extent(0) == 0) {
    for_ranges("hyseis::sem::newmark_correct_predict", n, KOKKOS_LAMBDA(std::size_t b, std::size_t e) {
      correct_predict_range<false>(b, e, dt, mp, fp, rp, nullptr, up, vp, ap);
    });
  } else {
    check_len("newmark_correct_predict", "damping", damping.extent(0), n);
    const double* cp = damping.data();
    for_ranges("hyseis::sem::newmark_correct_predict_damped", n, KOKKOS_LAMBDA(std::size_t b, std::size_t e) {
      correct_predict_range<true>(b, e, dt, mp, fp, rp, cp, up, vp, ap);
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
