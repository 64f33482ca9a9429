// Sum-factorised 2D SEM stiffness operators (elastic, acoustic) on Kokkos Views.
//
// Design (details and numbers in docs/theory/sem-kernels.md):
//  - The kernels are templated on NP = p+1 (runtime degree 1..8 dispatches to a compile-time NP),
//    so every per-cell array is a fixed-size stack array and every loop has a compile-time trip
//    count.
//  - Cells are processed in batches of W cells ("lanes"), with the lane index innermost in all
//    per-cell arrays and in the geometry/material Views: the compiler vectorises across cells
//    (W = 8 doubles = one AVX-512 register) instead of across the short NP-long 1D loops. On a
//    device memory space (CUDA/HIP/SYCL) W = 1: one thread per cell, coalescing comes from
//    consecutive threads handling consecutive cells.
//  - Scatter: with Kokkos::Serial there is no race, plain `+=`; with any other execution space
//    the scatter uses Kokkos::atomic_add (chosen at compile time). We chose atomics over a cell
//    colouring because they keep the cell order (and hence cache reuse of shared nodes) and need
//    no extra data structure; on GPUs double atomics are native.
//  - Storage paths (KernelPath): general (per-point inverse Jacobian + jxw*material),
//    affine (per-cell inverse Jacobian, per-point jxw*material) and affine_const (per-cell
//    inverse Jacobian with det(J)*material folded in; w_i w_j applied in the kernel).
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "dispatch.hpp"
#include "hyseis/solvers/sem_kernels.hpp"

namespace hyseis::solvers {

namespace {

// ---- compile-time configuration -----------------------------------------------------------
// Host builds with GCC/Clang: a batch of 8 cells is one "pack" (GCC vector extension, lowered to
// one AVX-512 register, two AVX2 or four SSE registers), which makes the vectorisation across
// cells independent of the auto-vectoriser's mood. Device builds: one cell per thread (W = 1).
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDA_ARCH__) && \
    !defined(__HIP_DEVICE_COMPILE__) && !defined(__SYCL_DEVICE_ONLY__)
#define HYSEIS_KERNELS_VECTOR_EXT 1
#else
#define HYSEIS_KERNELS_VECTOR_EXT 0
#endif

constexpr bool kHostMemory = Kokkos::SpaceAccessibility<Kokkos::HostSpace, MemSpace>::accessible;

// HYSEIS_KERNELS_PORTABLE_PATH (CMake option of the standalone build) forces the code path a
// GPU build takes (one cell per thread, atomic scatter, zero-filled r) on the host, so that
// path is tested on machines without a GPU.
#if defined(HYSEIS_KERNELS_PORTABLE_PATH)
constexpr int kLanes = 1;
constexpr bool kAtomicScatter = true;
#else
constexpr int kLanes = (kHostMemory && HYSEIS_KERNELS_VECTOR_EXT) ? 8 : 1;
#if defined(KOKKOS_ENABLE_SERIAL)
constexpr bool kAtomicScatter = !std::is_same_v<ExecSpace, Kokkos::Serial>;
#else
constexpr bool kAtomicScatter = true;
#endif
#endif

template <int W>
struct PackOf;
template <>
struct PackOf<1> {
  using type = double;
};
#if HYSEIS_KERNELS_VECTOR_EXT
template <>
struct PackOf<8> {
  typedef double type __attribute__((vector_size(64)));
};
#endif

template <class P>
KOKKOS_FORCEINLINE_FUNCTION P load_pack(const double* p) {
  if constexpr (std::is_same_v<P, double>) {
    return *p;
  } else {
    P v;
    __builtin_memcpy(&v, p, sizeof(P));
    return v;
  }
}
template <class P>
KOKKOS_FORCEINLINE_FUNCTION void store_pack(double* p, const P& v) {
  if constexpr (std::is_same_v<P, double>)
    *p = v;
  else
    __builtin_memcpy(p, &v, sizeof(P));
}

using IntView = Kokkos::View<int*, MemSpace>;
using ConstIntView = Kokkos::View<const int*, MemSpace>;
using RealView = Kokkos::View<double*, MemSpace>;
using ConstRealView = Kokkos::View<const double*, MemSpace>;

template <bool Atomic>
KOKKOS_FORCEINLINE_FUNCTION void scatter_add(double* p, double v) {
  if constexpr (Atomic)
    Kokkos::atomic_add(p, v);
  else
    *p += v;
}

template <class T>
RealView to_device(const std::vector<T>& h, const char* label) {
  RealView d(Kokkos::view_alloc(std::string(label), Kokkos::WithoutInitializing), h.size());
  auto m = Kokkos::create_mirror_view(d);
  for (std::size_t i = 0; i < h.size(); ++i) m(i) = static_cast<double>(h[i]);
  Kokkos::deep_copy(d, m);
  return d;
}

IntView to_device_int(const std::vector<int>& h, const char* label) {
  IntView d(Kokkos::view_alloc(std::string(label), Kokkos::WithoutInitializing), h.size());
  auto m = Kokkos::create_mirror_view(d);
  for (std::size_t i = 0; i < h.size(); ++i) m(i) = h[i];
  Kokkos::deep_copy(d, m);
  return d;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument("hyseis::solvers::" + where + ": " + what);
}

// Validates sizes and node indices of a host mesh, returns NP.
int check_mesh(const SemMeshHost2D& m, const char* who) {
  if (m.degree < 1 || m.degree > 8)
    fail(who, "degree must be in 1..8 (got " + std::to_string(m.degree) + ")");
  if (m.n_cells < 0 || m.n_nodes < 0) fail(who, "negative n_cells or n_nodes");
  const int np = m.degree + 1;
  const std::size_t nq = static_cast<std::size_t>(np) * np;
  const std::size_t nc = static_cast<std::size_t>(m.n_cells);
  if (m.cell_nodes.size() != nc * nq)
    fail(who, "cell_nodes has " + std::to_string(m.cell_nodes.size()) + " entries, expected " +
                  std::to_string(nc * nq));
  if (m.inv_jacobian.size() != nc * nq * 4)
    fail(who, "inv_jacobian has " + std::to_string(m.inv_jacobian.size()) + " entries, expected " +
                  std::to_string(nc * nq * 4));
  if (m.jxw.size() != nc * nq)
    fail(who, "jxw has " + std::to_string(m.jxw.size()) + " entries, expected " +
                  std::to_string(nc * nq));
  for (std::size_t i = 0; i < m.cell_nodes.size(); ++i)
    if (m.cell_nodes[i] < 0 || m.cell_nodes[i] >= m.n_nodes)
      fail(who, "cell_nodes[" + std::to_string(i) + "] = " + std::to_string(m.cell_nodes[i]) +
                    " outside [0, " + std::to_string(m.n_nodes) + ")");
  return np;
}

void check_field(const std::vector<double>& f, const SemMeshHost2D& m, const char* who,
                 const char* name) {
  const std::size_t n = static_cast<std::size_t>(m.n_cells) * (m.degree + 1) * (m.degree + 1);
  if (f.size() != n)
    fail(who, std::string(name) + " has " + std::to_string(f.size()) + " entries, expected " +
                  std::to_string(n) + " (one per cell and GLL point)");
}

bool close(double a, double b, double scale, double rtol) { return std::abs(a - b) <= rtol * scale; }

// Cell c has a constant Jacobian (and jxw / (w_i w_j) constant) at all its GLL points.
bool cell_is_affine(const SemMeshHost2D& m, const std::vector<double>& w, int c, double rtol) {
  const int np = m.degree + 1, nq = np * np;
  const double* ij = m.inv_jacobian.data() + static_cast<std::size_t>(c) * nq * 4;
  const double* jw = m.jxw.data() + static_cast<std::size_t>(c) * nq;
  double s = 0;
  for (int k = 0; k < 4; ++k) s = std::max(s, std::abs(ij[k]));
  const double det0 = jw[0] / (w[0] * w[0]);
  for (int q = 0; q < nq; ++q) {
    for (int k = 0; k < 4; ++k)
      if (!close(ij[4 * q + k], ij[k], s, rtol)) return false;
    const double det = jw[q] / (w[q % np] * w[q / np]);
    if (!close(det, det0, std::abs(det0), rtol)) return false;
  }
  return true;
}

bool cell_is_constant(const std::vector<double>& f, int c, int nq, double rtol) {
  const double* v = f.data() + static_cast<std::size_t>(c) * nq;
  for (int q = 1; q < nq; ++q)
    if (!close(v[q], v[0], std::abs(v[0]), rtol)) return false;
  return true;
}

// Batched connectivity: nodes[(b*NQ + q)*W + l] for cell b*W + l; padded lanes point at node 0
// and have zero coefficients (their scatter is skipped).
std::vector<int> batch_nodes(const SemMeshHost2D& m, int W) {
  const int np = m.degree + 1, nq = np * np;
  const int nb = (m.n_cells + W - 1) / W;
  std::vector<int> out(static_cast<std::size_t>(nb) * nq * W, 0);
  for (int c = 0; c < m.n_cells; ++c) {
    const int b = c / W, l = c % W;
    for (int q = 0; q < nq; ++q)
      out[(static_cast<std::size_t>(b) * nq + q) * W + l] =
          m.cell_nodes[static_cast<std::size_t>(c) * nq + q];
  }
  return out;
}

// Degree dispatch: calls f(std::integral_constant<int, NP>{}).
template <class F>
void dispatch_np(int np, F&& f) {
  if (!detail::dispatch_np(np, f)) fail("dispatch", "unsupported number of points per direction " + std::to_string(np));
}

// ---- scatter ---------------------------------------------------------------------------------
// Serial: plain stores/adds; `first` (one byte per (batch, q), bit l = lane l) marks the first
// write to a node in the kernel's own execution order, which stores instead of adding, so r
// needs no zero-fill pass. Other execution spaces: r is zero-filled and updated atomically.
// NC interleaved components per node (elastic: 2, acoustic: 1); vals[c][q] is component c.
template <int NQ, int W, int NC, bool Atomic, class P>
KOKKOS_FORCEINLINE_FUNCTION void scatter(double* rp, const int* nb, const unsigned char* first,
                                         int lanes, const P (&vals)[NC][NQ]) {
  for (int q = 0; q < NQ; ++q) {
    double tmp[NC][W];
    for (int c = 0; c < NC; ++c) store_pack(tmp[c], vals[c][q]);
    const unsigned f = first ? first[q] : 0u;
    auto put = [&](int l) {
      double* dst = rp + NC * nb[q * W + l];
      if constexpr (Atomic) {
        for (int c = 0; c < NC; ++c) Kokkos::atomic_add(dst + c, tmp[c][l]);
      } else {
        // first touch: store (select, not multiply, so stale NaN/inf in r cannot leak in)
        const bool store = (f >> l) & 1u;
        for (int c = 0; c < NC; ++c) dst[c] = (store ? 0.0 : dst[c]) + tmp[c][l];
      }
    };
    if (lanes == W) {
      for (int l = 0; l < W; ++l) put(l);
    } else {
      for (int l = 0; l < lanes; ++l) put(l);
    }
  }
}

#if HYSEIS_KERNELS_VECTOR_EXT && defined(__GNUC__) && !defined(__clang__) && !defined(HYSEIS_KERNELS_NO_PAIR)
// Elastic, 8 lanes, GCC: move (u_x, u_z) pairs with 16-byte loads/stores and (de)interleave them
// with two shuffles, instead of 16 scalar loads/stores per point.
typedef double Pair2 __attribute__((vector_size(16)));
using Pack8 = PackOf<8>::type;
typedef long long Mask8 __attribute__((vector_size(64)));

template <int NQ>
inline void gather_pairs(const double* up, const int* nb, Pack8 (&vals)[2][NQ]) {
  for (int q = 0; q < NQ; ++q) {
    Pack8 lo, hi;  // lo = (x0 z0 x1 z1 x2 z2 x3 z3), hi = lanes 4..7
    Pair2 pr[8];
    for (int l = 0; l < 8; ++l) __builtin_memcpy(&pr[l], up + 2 * nb[q * 8 + l], 16);
    lo = Pack8{pr[0][0], pr[0][1], pr[1][0], pr[1][1], pr[2][0], pr[2][1], pr[3][0], pr[3][1]};
    hi = Pack8{pr[4][0], pr[4][1], pr[5][0], pr[5][1], pr[6][0], pr[6][1], pr[7][0], pr[7][1]};
    vals[0][q] = __builtin_shuffle(lo, hi, Mask8{0, 2, 4, 6, 8, 10, 12, 14});
    vals[1][q] = __builtin_shuffle(lo, hi, Mask8{1, 3, 5, 7, 9, 11, 13, 15});
  }
}

template <int NQ>
inline void scatter_pairs(double* rp, const int* nb, const unsigned char* first, const Pack8 (&vals)[2][NQ]) {
  for (int q = 0; q < NQ; ++q) {
    const Pack8 lo = __builtin_shuffle(vals[0][q], vals[1][q], Mask8{0, 8, 1, 9, 2, 10, 3, 11});
    const Pack8 hi = __builtin_shuffle(vals[0][q], vals[1][q], Mask8{4, 12, 5, 13, 6, 14, 7, 15});
    const unsigned f = first ? first[q] : 0u;
    for (int l = 0; l < 8; ++l) {
      double* dst = rp + 2 * nb[q * 8 + l];
      const Pack8& src = l < 4 ? lo : hi;
      const int o = 2 * (l & 3);
      Pair2 add = Pair2{src[o], src[o + 1]};
      Pair2 old;
      __builtin_memcpy(&old, dst, 16);
      const Pair2 res = ((f >> l) & 1u) ? add : old + add;
      __builtin_memcpy(dst, &res, 16);
    }
  }
}
#define HYSEIS_KERNELS_PAIR_GATHER 1
#else
#define HYSEIS_KERNELS_PAIR_GATHER 0
#endif

template <int NQ, int W, int NC, class P>
KOKKOS_FORCEINLINE_FUNCTION void gather(const double* up, const int* nb, P (&vals)[NC][NQ]) {
  for (int q = 0; q < NQ; ++q) {
    double tmp[NC][W];
    for (int l = 0; l < W; ++l) {
      const double* src = up + NC * nb[q * W + l];
      for (int c = 0; c < NC; ++c) tmp[c][l] = src[c];
    }
    for (int c = 0; c < NC; ++c) vals[c][q] = load_pack<P>(tmp[c]);
  }
}

// Reference gradients of NC fields by sum factorisation: gxi = D along i, get = D along j.
template <int NP, int NC, class P>
KOKKOS_FORCEINLINE_FUNCTION void ref_gradients(const double (&D)[NP][NP], P (&u)[NC][NP * NP],
                                               P (&gxi)[NC][NP * NP], P (&get)[NC][NP * NP]) {
  for (int j = 0; j < NP; ++j)
    for (int i = 0; i < NP; ++i)
      for (int c = 0; c < NC; ++c) {
        P sx{}, se{};
        for (int k = 0; k < NP; ++k) {
          sx += D[i][k] * u[c][j * NP + k];
          se += D[j][k] * u[c][k * NP + i];
        }
        gxi[c][j * NP + i] = sx;
        get[c][j * NP + i] = se;
      }
}

// Transposed: out(j,i) = sum_k D[k][i] fxi(j,k) + sum_k D[k][j] fet(k,i).
template <int NP, int NC, class P>
KOKKOS_FORCEINLINE_FUNCTION void ref_divergence(const double (&D)[NP][NP], P (&fxi)[NC][NP * NP],
                                                P (&fet)[NC][NP * NP], P (&out)[NC][NP * NP]) {
  for (int j = 0; j < NP; ++j)
    for (int i = 0; i < NP; ++i)
      for (int c = 0; c < NC; ++c) {
        P s{};
        for (int k = 0; k < NP; ++k) s += D[k][i] * fxi[c][j * NP + k] + D[k][j] * fet[c][k * NP + i];
        out[c][j * NP + i] = s;
      }
}

// ---- elastic kernel -------------------------------------------------------------------------
template <int NP, int W, KernelPath PATH, bool Atomic>
struct ElasticApply {
  using P = typename PackOf<W>::type;
  ConstIntView nodes;
  Kokkos::View<const unsigned char*, MemSpace> first;  // empty: r was zero-filled
  ConstRealView geo;      // per-point data (general: 6, affine: 2 per point and lane)
  ConstRealView cellgeo;  // per-cell data (affine: 4, affine_const: 6 per lane)
  ConstRealView d1, w1;
  ConstVector u;
  Vector r;
  int n_cells;

  KOKKOS_INLINE_FUNCTION void operator()(const int b) const {
    constexpr int NQ = NP * NP;
    double D[NP][NP], w[NP];
    for (int i = 0; i < NP; ++i) {
      w[i] = w1(i);
      for (int k = 0; k < NP; ++k) D[i][k] = d1(i * NP + k);
    }
    const int* nb = nodes.data() + static_cast<std::size_t>(b) * NQ * W;

    P uu[2][NQ];
#if HYSEIS_KERNELS_PAIR_GATHER
    if constexpr (W == 8)
      gather_pairs<NQ>(u.data(), nb, uu);
    else
#endif
      gather<NQ, W, 2>(u.data(), nb, uu);
    P gxi[2][NQ], get[2][NQ];
    ref_gradients<NP, 2>(D, uu, gxi, get);

    // Pointwise: physical gradient, stress, flux F_{c,r} = jxw * sum_a sigma_{ca} dxi_r/dx_a.
    // (affine_const has no per-point data: geo is empty and g is never dereferenced)
    const double* g = PATH == KernelPath::affine_const
                          ? nullptr
                          : geo.data() + static_cast<std::size_t>(b) * NQ * (PATH == KernelPath::general ? 6 : 2) * W;
    P a{}, bb{}, c{}, d{}, L0{}, M0{};
    if constexpr (PATH != KernelPath::general) {
      const double* cp = cellgeo.data() + static_cast<std::size_t>(b) * (PATH == KernelPath::affine ? 4 : 6) * W;
      a = load_pack<P>(cp);
      bb = load_pack<P>(cp + W);
      c = load_pack<P>(cp + 2 * W);
      d = load_pack<P>(cp + 3 * W);
      if constexpr (PATH == KernelPath::affine_const) {
        L0 = load_pack<P>(cp + 4 * W);
        M0 = load_pack<P>(cp + 5 * W);
      }
    }
    for (int q = 0; q < NQ; ++q) {
      P L, M;
      if constexpr (PATH == KernelPath::general) {
        const double* gp = g + q * 6 * W;
        a = load_pack<P>(gp);
        bb = load_pack<P>(gp + W);
        c = load_pack<P>(gp + 2 * W);
        d = load_pack<P>(gp + 3 * W);
        L = load_pack<P>(gp + 4 * W);
        M = load_pack<P>(gp + 5 * W);
      } else if constexpr (PATH == KernelPath::affine) {
        L = load_pack<P>(g + q * 2 * W);
        M = load_pack<P>(g + q * 2 * W + W);
      } else {
        const double wq = w[q % NP] * w[q / NP];
        L = L0 * wq;
        M = M0 * wq;
      }
      const P uxx = gxi[0][q] * a + get[0][q] * c;   // d u_x / dx
      const P uxz = gxi[0][q] * bb + get[0][q] * d;  // d u_x / dz
      const P uzx = gxi[1][q] * a + get[1][q] * c;
      const P uzz = gxi[1][q] * bb + get[1][q] * d;
      const P ltr = L * (uxx + uzz);
      const P m2 = M + M;
      const P sxx = ltr + m2 * uxx;
      const P szz = ltr + m2 * uzz;
      const P sxz = M * (uxz + uzx);
      gxi[0][q] = sxx * a + sxz * bb;  // F_{x,xi}
      get[0][q] = sxx * c + sxz * d;   // F_{x,eta}
      gxi[1][q] = sxz * a + szz * bb;  // F_{z,xi}
      get[1][q] = sxz * c + szz * d;   // F_{z,eta}
    }

    ref_divergence<NP, 2>(D, gxi, get, uu);
    const int lanes = (b + 1) * W <= n_cells ? W : n_cells - b * W;
    const unsigned char* f = first.extent(0) ? first.data() + static_cast<std::size_t>(b) * NQ : nullptr;
#if HYSEIS_KERNELS_PAIR_GATHER
    if constexpr (W == 8 && !Atomic) {
      if (lanes == W) {
        scatter_pairs<NQ>(r.data(), nb, f, uu);
        return;
      }
    }
#endif
    scatter<NQ, W, 2, Atomic>(r.data(), nb, f, lanes, uu);
  }
};

// ---- acoustic kernel ------------------------------------------------------------------------
template <int NP, int W, KernelPath PATH, bool Atomic>
struct AcousticApply {
  using P = typename PackOf<W>::type;
  ConstIntView nodes;
  Kokkos::View<const unsigned char*, MemSpace> first;
  ConstRealView geo;      // general: 3 per point (G00, G01, G11); affine: 1 per point
  ConstRealView cellgeo;  // affine / affine_const: 3 per cell
  ConstRealView d1, w1;
  ConstVector u;
  Vector r;
  int n_cells;

  KOKKOS_INLINE_FUNCTION void operator()(const int b) const {
    constexpr int NQ = NP * NP;
    double D[NP][NP], w[NP];
    for (int i = 0; i < NP; ++i) {
      w[i] = w1(i);
      for (int k = 0; k < NP; ++k) D[i][k] = d1(i * NP + k);
    }
    const int* nb = nodes.data() + static_cast<std::size_t>(b) * NQ * W;
    P pl[1][NQ];
    gather<NQ, W, 1>(u.data(), nb, pl);
    P pxi[1][NQ], pet[1][NQ];
    ref_gradients<NP, 1>(D, pl, pxi, pet);

    const double* g = PATH == KernelPath::affine_const
                          ? nullptr
                          : geo.data() + static_cast<std::size_t>(b) * NQ * (PATH == KernelPath::general ? 3 : 1) * W;
    P c00{}, c01{}, c11{};
    if constexpr (PATH != KernelPath::general) {
      const double* cp = cellgeo.data() + static_cast<std::size_t>(b) * 3 * W;
      c00 = load_pack<P>(cp);
      c01 = load_pack<P>(cp + W);
      c11 = load_pack<P>(cp + 2 * W);
    }
    for (int q = 0; q < NQ; ++q) {
      P g00, g01, g11;
      if constexpr (PATH == KernelPath::general) {
        g00 = load_pack<P>(g + q * 3 * W);
        g01 = load_pack<P>(g + q * 3 * W + W);
        g11 = load_pack<P>(g + q * 3 * W + 2 * W);
      } else if constexpr (PATH == KernelPath::affine) {
        const P s = load_pack<P>(g + q * W);
        g00 = c00 * s; g01 = c01 * s; g11 = c11 * s;
      } else {
        const double s = w[q % NP] * w[q / NP];
        g00 = c00 * s; g01 = c01 * s; g11 = c11 * s;
      }
      const P fx = g00 * pxi[0][q] + g01 * pet[0][q];
      const P fe = g01 * pxi[0][q] + g11 * pet[0][q];
      pxi[0][q] = fx;
      pet[0][q] = fe;
    }
    ref_divergence<NP, 1>(D, pxi, pet, pl);
    const int lanes = (b + 1) * W <= n_cells ? W : n_cells - b * W;
    const unsigned char* f = first.extent(0) ? first.data() + static_cast<std::size_t>(b) * NQ : nullptr;
    scatter<NQ, W, 1, Atomic>(r.data(), nb, f, lanes, pl);
  }
};

// Common data of both operators.
struct OperatorData {
  int degree = 0, n_cells = 0, n_nodes = 0, n_batches = 0;
  KernelPath path = KernelPath::general;
  IntView nodes;
  Kokkos::View<unsigned char*, MemSpace> first;  // first-touch bits (non-atomic scatter only)
  RealView geo, cellgeo, d1, w1;
  std::size_t bytes() const {
    return nodes.span() * sizeof(int) + first.span() +
           (geo.span() + cellgeo.span() + d1.span() + w1.span()) * sizeof(double);
  }
};

void init_common(OperatorData& o, const SemMeshHost2D& m) {
  o.degree = m.degree;
  o.n_cells = m.n_cells;
  o.n_nodes = m.n_nodes;
  o.n_batches = (m.n_cells + kLanes - 1) / kLanes;
  const Gll1D rule = gll_rule(m.degree);
  o.d1 = to_device(rule.deriv, "hyseis::sem::deriv");
  o.w1 = to_device(rule.weights, "hyseis::sem::weights");
  const std::vector<int> bn = batch_nodes(m, kLanes);
  o.nodes = to_device_int(bn, "hyseis::sem::cell_nodes");
  if constexpr (!kAtomicScatter) {
    // First-touch bits in the kernel's scatter order (batch, q, lane); only used if every node
    // is touched by some cell (otherwise untouched entries of r would keep stale values).
    const int nq = (m.degree + 1) * (m.degree + 1), W = kLanes;
    std::vector<unsigned char> bits(static_cast<std::size_t>(o.n_batches) * nq, 0);
    std::vector<char> seen(m.n_nodes, 0);
    int n_seen = 0;
    for (int b = 0; b < o.n_batches; ++b)
      for (int q = 0; q < nq; ++q)
        for (int l = 0; l < W && b * W + l < m.n_cells; ++l) {
          const int n = bn[(static_cast<std::size_t>(b) * nq + q) * W + l];
          if (!seen[n]) {
            seen[n] = 1;
            ++n_seen;
            bits[static_cast<std::size_t>(b) * nq + q] |= static_cast<unsigned char>(1u << l);
          }
        }
    if (n_seen == m.n_nodes) {
      o.first = Kokkos::View<unsigned char*, MemSpace>("hyseis::sem::first_touch", bits.size());
      auto h = Kokkos::create_mirror_view(o.first);
      for (std::size_t i = 0; i < bits.size(); ++i) h(i) = bits[i];
      Kokkos::deep_copy(o.first, h);
    }
  }
}

// Picks the path: affine_const if every cell is affine with cell-constant fields, affine if
// every cell is affine, general otherwise.
KernelPath choose_path(const SemMeshHost2D& m, const std::vector<const std::vector<double>*>& fields,
                       const OperatorOptions& opt) {
  if (!opt.detect_affine) return KernelPath::general;
  const Gll1D rule = gll_rule(m.degree);
  const int nq = (m.degree + 1) * (m.degree + 1);
  bool all_const = opt.detect_cell_constant;
  for (int c = 0; c < m.n_cells; ++c) {
    if (!cell_is_affine(m, rule.weights, c, opt.rtol)) return KernelPath::general;
    if (all_const)
      for (const auto* f : fields)
        if (!cell_is_constant(*f, c, nq, opt.rtol)) all_const = false;
  }
  return all_const ? KernelPath::affine_const : KernelPath::affine;
}

}  // namespace

const char* to_string(KernelPath p) {
  switch (p) {
    case KernelPath::general: return "general";
    case KernelPath::affine: return "affine";
    case KernelPath::affine_const: return "affine_const";
  }
  return "unknown";
}

// =============================================================================================
struct ElasticOperator2D::Impl : OperatorData {};

ElasticOperator2D::ElasticOperator2D(const SemMeshHost2D& mesh, const std::vector<double>& lambda,
                                     const std::vector<double>& mu)
    : ElasticOperator2D(mesh, lambda, mu, OperatorOptions{}) {}

ElasticOperator2D::ElasticOperator2D(const SemMeshHost2D& m, const std::vector<double>& lambda,
                                     const std::vector<double>& mu, const OperatorOptions& opt)
    : impl_(new Impl) {
  try {
    const int np = check_mesh(m, "ElasticOperator2D");
    check_field(lambda, m, "ElasticOperator2D", "lambda");
    check_field(mu, m, "ElasticOperator2D", "mu");
    init_common(*impl_, m);
    const int nq = np * np, W = kLanes, nb = impl_->n_batches;
    const Gll1D rule = gll_rule(m.degree);
    impl_->path = choose_path(m, {&lambda, &mu}, opt);
    std::vector<double> geo, cellgeo;
    auto pt = [&](int c, int q) { return static_cast<std::size_t>(c) * nq + q; };
    switch (impl_->path) {
      case KernelPath::general:
        geo.assign(static_cast<std::size_t>(nb) * nq * 6 * W, 0.0);
        for (int c = 0; c < m.n_cells; ++c)
          for (int q = 0; q < nq; ++q) {
            double* gp = geo.data() + (static_cast<std::size_t>(c / W) * nq + q) * 6 * W + c % W;
            for (int k = 0; k < 4; ++k) gp[k * W] = m.inv_jacobian[pt(c, q) * 4 + k];
            gp[4 * W] = lambda[pt(c, q)] * m.jxw[pt(c, q)];
            gp[5 * W] = mu[pt(c, q)] * m.jxw[pt(c, q)];
          }
        break;
      case KernelPath::affine:
        geo.assign(static_cast<std::size_t>(nb) * nq * 2 * W, 0.0);
        cellgeo.assign(static_cast<std::size_t>(nb) * 4 * W, 0.0);
        for (int c = 0; c < m.n_cells; ++c) {
          for (int k = 0; k < 4; ++k)
            cellgeo[(static_cast<std::size_t>(c / W) * 4 + k) * W + c % W] = m.inv_jacobian[pt(c, 0) * 4 + k];
          for (int q = 0; q < nq; ++q) {
            double* gp = geo.data() + (static_cast<std::size_t>(c / W) * nq + q) * 2 * W + c % W;
            gp[0] = lambda[pt(c, q)] * m.jxw[pt(c, q)];
            gp[W] = mu[pt(c, q)] * m.jxw[pt(c, q)];
          }
        }
        break;
      case KernelPath::affine_const:
        cellgeo.assign(static_cast<std::size_t>(nb) * 6 * W, 0.0);
        for (int c = 0; c < m.n_cells; ++c) {
          double* cp = cellgeo.data() + static_cast<std::size_t>(c / W) * 6 * W + c % W;
          for (int k = 0; k < 4; ++k) cp[k * W] = m.inv_jacobian[pt(c, 0) * 4 + k];
          const double det = m.jxw[pt(c, 0)] / (rule.weights[0] * rule.weights[0]);
          cp[4 * W] = lambda[pt(c, 0)] * det;
          cp[5 * W] = mu[pt(c, 0)] * det;
        }
        break;
    }
    impl_->geo = to_device(geo, "hyseis::sem::elastic_geo");
    impl_->cellgeo = to_device(cellgeo, "hyseis::sem::elastic_cellgeo");
  } catch (...) {
    delete impl_;
    throw;
  }
}

ElasticOperator2D::~ElasticOperator2D() { delete impl_; }
ElasticOperator2D::ElasticOperator2D(ElasticOperator2D&& o) noexcept : impl_(o.impl_) { o.impl_ = nullptr; }
ElasticOperator2D& ElasticOperator2D::operator=(ElasticOperator2D&& o) noexcept {
  if (this != &o) {
    delete impl_;
    impl_ = o.impl_;
    o.impl_ = nullptr;
  }
  return *this;
}
int ElasticOperator2D::degree() const { return impl_->degree; }
int ElasticOperator2D::n_cells() const { return impl_->n_cells; }
int ElasticOperator2D::n_nodes() const { return impl_->n_nodes; }
KernelPath ElasticOperator2D::path() const { return impl_->path; }
std::size_t ElasticOperator2D::memory_bytes() const { return impl_->bytes(); }

void ElasticOperator2D::apply(ConstVector u, Vector r) const {
  const Impl& o = *impl_;
  const std::size_t n = 2 * static_cast<std::size_t>(o.n_nodes);
  if (u.extent(0) != n || r.extent(0) != n)
    fail("ElasticOperator2D::apply", "u and r need 2*n_nodes = " + std::to_string(n) +
                                         " entries (got " + std::to_string(u.extent(0)) + ", " +
                                         std::to_string(r.extent(0)) + ")");
  if (n > 0 && u.data() == r.data()) fail("ElasticOperator2D::apply", "input and output must be different Views");
  if (o.first.extent(0) == 0 || o.n_cells == 0) Kokkos::deep_copy(r, 0.0);
  dispatch_np(o.degree + 1, [&](auto npc) {
    constexpr int NP = decltype(npc)::value;
    auto run = [&](auto pc) {
      constexpr KernelPath P = decltype(pc)::value;
      ElasticApply<NP, kLanes, P, kAtomicScatter> k{o.nodes, o.first, o.geo, o.cellgeo, o.d1, o.w1, u, r, o.n_cells};
      Kokkos::parallel_for("hyseis::sem::elastic_apply", Kokkos::RangePolicy<ExecSpace>(0, o.n_batches), k);
    };
    switch (o.path) {
      case KernelPath::general: run(std::integral_constant<KernelPath, KernelPath::general>{}); break;
      case KernelPath::affine: run(std::integral_constant<KernelPath, KernelPath::affine>{}); break;
      case KernelPath::affine_const: run(std::integral_constant<KernelPath, KernelPath::affine_const>{}); break;
    }
  });
}

// =============================================================================================
struct AcousticOperator2D::Impl : OperatorData {};

AcousticOperator2D::AcousticOperator2D(const SemMeshHost2D& mesh, const std::vector<double>& inv_rho)
    : AcousticOperator2D(mesh, inv_rho, OperatorOptions{}) {}

AcousticOperator2D::AcousticOperator2D(const SemMeshHost2D& m, const std::vector<double>& inv_rho,
                                       const OperatorOptions& opt)
    : impl_(new Impl) {
  try {
    const int np = check_mesh(m, "AcousticOperator2D");
    check_field(inv_rho, m, "AcousticOperator2D", "inv_rho");
    init_common(*impl_, m);
    const int nq = np * np, W = kLanes, nb = impl_->n_batches;
    const Gll1D rule = gll_rule(m.degree);
    impl_->path = choose_path(m, {&inv_rho}, opt);
    std::vector<double> geo, cellgeo;
    auto pt = [&](int c, int q) { return static_cast<std::size_t>(c) * nq + q; };
    // G = invJ invJ^T (symmetric, 3 entries) with invJ rows (dxi/dx, dxi/dz), (deta/dx, deta/dz).
    auto metric = [&](int c, int q, double s, double* out, int stride) {
      const double* ij = m.inv_jacobian.data() + pt(c, q) * 4;
      out[0] = s * (ij[0] * ij[0] + ij[1] * ij[1]);
      out[stride] = s * (ij[0] * ij[2] + ij[1] * ij[3]);
      out[2 * stride] = s * (ij[2] * ij[2] + ij[3] * ij[3]);
    };
    switch (impl_->path) {
      case KernelPath::general:
        geo.assign(static_cast<std::size_t>(nb) * nq * 3 * W, 0.0);
        for (int c = 0; c < m.n_cells; ++c)
          for (int q = 0; q < nq; ++q)
            metric(c, q, inv_rho[pt(c, q)] * m.jxw[pt(c, q)],
                   geo.data() + (static_cast<std::size_t>(c / W) * nq + q) * 3 * W + c % W, W);
        break;
      case KernelPath::affine:
        geo.assign(static_cast<std::size_t>(nb) * nq * W, 0.0);
        cellgeo.assign(static_cast<std::size_t>(nb) * 3 * W, 0.0);
        for (int c = 0; c < m.n_cells; ++c) {
          metric(c, 0, 1.0, cellgeo.data() + static_cast<std::size_t>(c / W) * 3 * W + c % W, W);
          for (int q = 0; q < nq; ++q)
            geo[(static_cast<std::size_t>(c / W) * nq + q) * W + c % W] = inv_rho[pt(c, q)] * m.jxw[pt(c, q)];
        }
        break;
      case KernelPath::affine_const:
        cellgeo.assign(static_cast<std::size_t>(nb) * 3 * W, 0.0);
        for (int c = 0; c < m.n_cells; ++c) {
          const double det = m.jxw[pt(c, 0)] / (rule.weights[0] * rule.weights[0]);
          metric(c, 0, inv_rho[pt(c, 0)] * det,
                 cellgeo.data() + static_cast<std::size_t>(c / W) * 3 * W + c % W, W);
        }
        break;
    }
    impl_->geo = to_device(geo, "hyseis::sem::acoustic_geo");
    impl_->cellgeo = to_device(cellgeo, "hyseis::sem::acoustic_cellgeo");
  } catch (...) {
    delete impl_;
    throw;
  }
}

AcousticOperator2D::~AcousticOperator2D() { delete impl_; }
AcousticOperator2D::AcousticOperator2D(AcousticOperator2D&& o) noexcept : impl_(o.impl_) { o.impl_ = nullptr; }
AcousticOperator2D& AcousticOperator2D::operator=(AcousticOperator2D&& o) noexcept {
  if (this != &o) {
    delete impl_;
    impl_ = o.impl_;
    o.impl_ = nullptr;
  }
  return *this;
}
int AcousticOperator2D::degree() const { return impl_->degree; }
int AcousticOperator2D::n_cells() const { return impl_->n_cells; }
int AcousticOperator2D::n_nodes() const { return impl_->n_nodes; }
KernelPath AcousticOperator2D::path() const { return impl_->path; }
std::size_t AcousticOperator2D::memory_bytes() const { return impl_->bytes(); }

void AcousticOperator2D::apply(ConstVector p, Vector r) const {
  const Impl& o = *impl_;
  const std::size_t n = static_cast<std::size_t>(o.n_nodes);
  if (p.extent(0) != n || r.extent(0) != n)
    fail("AcousticOperator2D::apply", "p and r need n_nodes = " + std::to_string(n) +
                                          " entries (got " + std::to_string(p.extent(0)) + ", " +
                                          std::to_string(r.extent(0)) + ")");
  if (n > 0 && p.data() == r.data()) fail("AcousticOperator2D::apply", "input and output must be different Views");
  if (o.first.extent(0) == 0 || o.n_cells == 0) Kokkos::deep_copy(r, 0.0);
  dispatch_np(o.degree + 1, [&](auto npc) {
    constexpr int NP = decltype(npc)::value;
    auto run = [&](auto pc) {
      constexpr KernelPath P = decltype(pc)::value;
      AcousticApply<NP, kLanes, P, kAtomicScatter> k{o.nodes, o.first, o.geo, o.cellgeo, o.d1, o.w1, p, r, o.n_cells};
      Kokkos::parallel_for("hyseis::sem::acoustic_apply", Kokkos::RangePolicy<ExecSpace>(0, o.n_batches), k);
    };
    switch (o.path) {
      case KernelPath::general: run(std::integral_constant<KernelPath, KernelPath::general>{}); break;
      case KernelPath::affine: run(std::integral_constant<KernelPath, KernelPath::affine>{}); break;
      case KernelPath::affine_const: run(std::integral_constant<KernelPath, KernelPath::affine_const>{}); break;
    }
  });
}

}  // namespace hyseis::solvers
