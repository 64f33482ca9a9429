// Adjoint Newmark updates and the elastic material-derivative kernel (see adjoint_kernels.hpp).
#include "hyseis/solvers/adjoint_kernels.hpp"

#include "dispatch.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

#if defined(__GNUC__) || defined(__clang__)
#define HYSEIS_ADJ_RESTRICT __restrict__
#else
#define HYSEIS_ADJ_RESTRICT
#endif

namespace hyseis::solvers {

namespace {
constexpr bool kHostMemory = Kokkos::SpaceAccessibility<Kokkos::HostSpace, MemSpace>::accessible;

// As in time_update.cpp: the element-wise bodies take __restrict__ pointers and an index range;
// on host memory each work item is a chunk of kChunk entries, so the compiler vectorises the
// inner loop without runtime alias checks (which it gives up on beyond a handful of pointers);
// on device memory each work item is one entry (coalesced). The vectors must not alias.
constexpr std::size_t kChunk = kHostMemory ? 1024 : 1;
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

KOKKOS_INLINE_FUNCTION void correct_acc_range(std::size_t b, std::size_t e, double hdt,
                                              const double* HYSEIS_ADJ_RESTRICT m, double* HYSEIS_ADJ_RESTRICT ab,
                                              double* HYSEIS_ADJ_RESTRICT w, const double* HYSEIS_ADJ_RESTRICT a,
                                              double* HYSEIS_ADJ_RESTRICT gm, const double* HYSEIS_ADJ_RESTRICT vb) {
  for (std::size_t i = b; i < e; ++i) {
    const double wi = m[i] * (ab[i] + hdt * vb[i]);
    w[i] = wi;
    gm[i] += wi * a[i];
    ab[i] = 0.0;
  }
}
KOKKOS_INLINE_FUNCTION void correct_acc_damped_range(std::size_t b, std::size_t e, double hdt,
                                                     const double* HYSEIS_ADJ_RESTRICT m,
                                                     const double* HYSEIS_ADJ_RESTRICT c, double* HYSEIS_ADJ_RESTRICT vb,
                                                     double* HYSEIS_ADJ_RESTRICT ab, double* HYSEIS_ADJ_RESTRICT w,
                                                     const double* HYSEIS_ADJ_RESTRICT a,
                                                     const double* HYSEIS_ADJ_RESTRICT v, double* HYSEIS_ADJ_RESTRICT gm,
                                                     double* HYSEIS_ADJ_RESTRICT gc) {
  for (std::size_t i = b; i < e; ++i) {
    const double wi = m[i] * (ab[i] + hdt * vb[i]);
    w[i] = wi;
    gm[i] += wi * a[i];
    gc[i] += wi * v[i];
    vb[i] -= c[i] * wi;
    ab[i] = 0.0;
  }
}
KOKKOS_INLINE_FUNCTION void adj_predict_range(std::size_t b, std::size_t e, double dt, double hdt, double hdt2,
                                              const double* HYSEIS_ADJ_RESTRICT kw, double* HYSEIS_ADJ_RESTRICT ub,
                                              double* HYSEIS_ADJ_RESTRICT vb, double* HYSEIS_ADJ_RESTRICT ab) {
  for (std::size_t i = b; i < e; ++i) {
    const double u = ub[i] - kw[i];
    ub[i] = u;
    const double a = ab[i] + hdt * vb[i];
    vb[i] += dt * u;
    ab[i] = a + hdt2 * u;
  }
}
KOKKOS_INLINE_FUNCTION void fused_range(std::size_t b, std::size_t e, double dt, double hdt, double hdt2,
                                        const double* HYSEIS_ADJ_RESTRICT kw, const double* HYSEIS_ADJ_RESTRICT m,
                                        double* HYSEIS_ADJ_RESTRICT ub, double* HYSEIS_ADJ_RESTRICT vb,
                                        double* HYSEIS_ADJ_RESTRICT w, const double* HYSEIS_ADJ_RESTRICT a,
                                        double* HYSEIS_ADJ_RESTRICT gm) {
  for (std::size_t i = b; i < e; ++i) {
    // predict (step k+1), ab = 0 on entry
    const double u = ub[i] - kw[i];
    ub[i] = u;
    const double v0 = vb[i];
    const double a0 = 0.0 + hdt * v0;
    const double vb1 = v0 + dt * u;
    const double ab1 = a0 + hdt2 * u;
    // correct (step k), undamped part; ab = 0 on exit
    const double wi = m[i] * (ab1 + hdt * vb1);
    w[i] = wi;
    gm[i] += wi * a[i];
    vb[i] = vb1;
  }
}

void check_len(const char* who, const char* name, std::size_t got, std::size_t want) {
  if (got != want)
    throw std::invalid_argument(std::string("hyseis::solvers::") + who + ": " + name + " has " +
                                std::to_string(got) + " entries, expected " + std::to_string(want));
}
}  // namespace

void newmark_adjoint_correct(double dt, ConstVector inv_mass_eff, ConstVector damping, Vector vb,
                             Vector ab, Vector w) {
  const std::size_t n = ab.extent(0);
  check_len("newmark_adjoint_correct", "inv_mass_eff", inv_mass_eff.extent(0), n);
  check_len("newmark_adjoint_correct", "vb", vb.extent(0), n);
  check_len("newmark_adjoint_correct", "w", w.extent(0), n);
  const double hdt = 0.5 * dt;
  if (damping.extent(0) > 0) {
    check_len("newmark_adjoint_correct", "damping", damping.extent(0), n);
    Kokkos::parallel_for(
        "hyseis::wave::adjoint_correct", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t i) {
          const double a = ab(i) + hdt * vb(i);
          const double wi = inv_mass_eff(i) * a;
          w(i) = wi;
          vb(i) -= damping(i) * wi;
          ab(i) = 0.0;
        });
  } else {
    Kokkos::parallel_for(
        "hyseis::wave::adjoint_correct", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t i) {
          w(i) = inv_mass_eff(i) * (ab(i) + hdt * vb(i));
          ab(i) = 0.0;
        });
  }
}

void newmark_adjoint_correct_accumulate(double dt, ConstVector inv_mass_eff, ConstVector damping, Vector vb,
                                        Vector ab, Vector w, ConstVector a, ConstVector v, Vector gm, Vector gc) {
  const std::size_t n = ab.extent(0);
  const char* who = "newmark_adjoint_correct_accumulate";
  check_len(who, "inv_mass_eff", inv_mass_eff.extent(0), n);
  check_len(who, "vb", vb.extent(0), n);
  check_len(who, "w", w.extent(0), n);
  check_len(who, "a", a.extent(0), n);
  check_len(who, "gm", gm.extent(0), n);
  const double hdt = 0.5 * dt;
  if (damping.extent(0) > 0) {
    check_len(who, "damping", damping.extent(0), n);
    check_len(who, "v", v.extent(0), n);
    check_len(who, "gc", gc.extent(0), n);
    const double* m = inv_mass_eff.data();
    const double* c = damping.data();
    const double* ap = a.data();
    const double* vp = v.data();
    double *vbp = vb.data(), *abp = ab.data(), *wp = w.data(), *gmp = gm.data(), *gcp = gc.data();
    for_ranges("hyseis::wave::adjoint_correct_accumulate", n, KOKKOS_LAMBDA(std::size_t b, std::size_t e) {
      correct_acc_damped_range(b, e, hdt, m, c, vbp, abp, wp, ap, vp, gmp, gcp);
    });
  } else {
    const double* m = inv_mass_eff.data();
    const double* ap = a.data();
    const double* vbp = vb.data();
    double *abp = ab.data(), *wp = w.data(), *gmp = gm.data();
    for_ranges("hyseis::wave::adjoint_correct_accumulate", n, KOKKOS_LAMBDA(std::size_t b, std::size_t e) {
      correct_acc_range(b, e, hdt, m, abp, wp, ap, gmp, vbp);
    });
  }
}

void newmark_adjoint_predict(double dt, ConstVector kw, Vector ub, Vector vb, Vector ab) {
  const std::size_t n = ub.extent(0);
  check_len("newmark_adjoint_predict", "kw", kw.extent(0), n);
  check_len("newmark_adjoint_predict", "vb", vb.extent(0), n);
  check_len("newmark_adjoint_predict", "ab", ab.extent(0), n);
  const double hdt = 0.5 * dt, hdt2 = 0.5 * dt * dt;
  const double* kwp = kw.data();
  double *ubp = ub.data(), *vbp = vb.data(), *abp = ab.data();
  for_ranges("hyseis::wave::adjoint_predict", n, KOKKOS_LAMBDA(std::size_t b, std::size_t e) {
    adj_predict_range(b, e, dt, hdt, hdt2, kwp, ubp, vbp, abp);
  });
}

void newmark_adjoint_predict_correct_accumulate(double dt, ConstVector kw, ConstVector inv_mass_eff, Vector ub,
                                                Vector vb, Vector w, ConstVector a, Vector gm) {
  const std::size_t n = ub.extent(0);
  const char* who = "newmark_adjoint_predict_correct_accumulate";
  check_len(who, "kw", kw.extent(0), n);
  check_len(who, "inv_mass_eff", inv_mass_eff.extent(0), n);
  check_len(who, "vb", vb.extent(0), n);
  check_len(who, "w", w.extent(0), n);
  check_len(who, "a", a.extent(0), n);
  check_len(who, "gm", gm.extent(0), n);
  const double hdt = 0.5 * dt, hdt2 = 0.5 * dt * dt;
  const double *kwp = kw.data(), *m = inv_mass_eff.data(), *ap = a.data();
  double *ubp = ub.data(), *vbp = vb.data(), *wp = w.data(), *gmp = gm.data();
  for_ranges("hyseis::wave::adjoint_predict_correct_accumulate", n, KOKKOS_LAMBDA(std::size_t b, std::size_t e) {
    fused_range(b, e, dt, hdt, hdt2, kwp, m, ubp, vbp, wp, ap, gmp);
  });
}

void adjoint_damping(Kokkos::View<const int*, MemSpace> idx, ConstVector damping, ConstVector v, bool v_compact,
                     ConstVector w, Vector vb, Vector gc) {
  const std::size_t nd = idx.extent(0), n = vb.extent(0);
  check_len("adjoint_damping", "damping", damping.extent(0), n);
  check_len("adjoint_damping", "w", w.extent(0), n);
  check_len("adjoint_damping", "gc", gc.extent(0), n);
  check_len("adjoint_damping", "v", v.extent(0), v_compact ? nd : n);
  Kokkos::parallel_for(
      "hyseis::wave::adjoint_damping", Kokkos::RangePolicy<ExecSpace>(0, nd), KOKKOS_LAMBDA(const std::size_t j) {
        const int i = idx(j);
        const double wi = w(i);
        gc(i) += wi * v(v_compact ? j : static_cast<std::size_t>(i));
        vb(i) -= damping(i) * wi;
      });
}

void accumulate_product(ConstVector x, ConstVector y, Vector g) {
  const std::size_t n = g.extent(0);
  check_len("accumulate_product", "x", x.extent(0), n);
  check_len("accumulate_product", "y", y.extent(0), n);
  Kokkos::parallel_for(
      "hyseis::wave::accumulate_product", Kokkos::RangePolicy<ExecSpace>(0, n),
      KOKKOS_LAMBDA(const std::size_t i) { g(i) += x(i) * y(i); });
}

struct ElasticMaterialGradient2D::Impl {
  int n1 = 0, nq = 0, n_cells = 0, n_nodes = 0;
  Kokkos::View<int*, MemSpace> cell_nodes;
  Kokkos::View<double*, MemSpace> inv_jac, jxw, deriv;
  bool affine = false;                      // inverse Jacobian constant per cell
  Kokkos::View<double*, MemSpace> cell_jac;  // affine: 4 per cell
  // batch ("lane") layout: [batch][q][lane] (jac: affine [batch][4][lane], general
  // [batch][q][4][lane]); padding lanes repeat the batch's first cell with jxw = 0
  int n_batches = 0;
  Kokkos::View<int*, MemSpace> l_nodes;
  Kokkos::View<double*, MemSpace> l_jxw, l_jac;
};

namespace {
// Cells per work item of the batch-layout material kernel: on host memory with GCC/Clang a
// batch of 8 cells is one "pack" (GCC vector extension: one AVX-512 register, two AVX2, four
// SSE), as in the stiffness kernels (sem_operators.cpp), so the per-point work vectorises across
// cells whatever the auto-vectoriser does; on a device one cell per work item (plain doubles).
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDA_ARCH__) && !defined(__HIP_DEVICE_COMPILE__) && \
    !defined(__SYCL_DEVICE_ONLY__)
#define HYSEIS_MATGRAD_VECTOR_EXT 1
#else
#define HYSEIS_MATGRAD_VECTOR_EXT 0
#endif
constexpr int kMatLanes = (kHostMemory && HYSEIS_MATGRAD_VECTOR_EXT) ? 8 : 1;
template <int W>
struct MatPack {
  using type = double;
};
#if HYSEIS_MATGRAD_VECTOR_EXT
template <>
struct MatPack<8> {
  typedef double type __attribute__((vector_size(64)));
};
#endif
template <class P>
KOKKOS_FORCEINLINE_FUNCTION P mat_load(const double* p) {
  if constexpr (std::is_same_v<P, double>) {
    return *p;
  } else {
    P v;
    __builtin_memcpy(&v, p, sizeof(P));
    return v;
  }
}
template <class P>
KOKKOS_FORCEINLINE_FUNCTION void mat_store(double* p, const P& v) {
  if constexpr (std::is_same_v<P, double>)
    *p = v;
  else
    __builtin_memcpy(p, &v, sizeof(P));
}

template <class T>
Kokkos::View<T*, MemSpace> to_device(const char* name, const std::vector<T>& v) {
  Kokkos::View<T*, MemSpace> d(std::string(name), v.size());
  auto h = Kokkos::create_mirror_view(d);
  for (std::size_t i = 0; i < v.size(); ++i) h(i) = v[i];
  Kokkos::deep_copy(d, h);
  return d;
}
}  // namespace

ElasticMaterialGradient2D::ElasticMaterialGradient2D(const SemMeshHost2D& mesh) : impl_(new Impl) {
  Impl& o = *impl_;
  o.n1 = mesh.degree + 1;
  o.nq = o.n1 * o.n1;
  o.n_cells = mesh.n_cells;
  o.n_nodes = mesh.n_nodes;
  const std::size_t npts = static_cast<std::size_t>(o.n_cells) * o.nq;
  if (mesh.cell_nodes.size() != npts || mesh.jxw.size() != npts || mesh.inv_jacobian.size() != 4 * npts) {
    delete impl_;
    throw std::invalid_argument("hyseis::solvers::ElasticMaterialGradient2D: mesh arrays have inconsistent sizes");
  }
  o.cell_nodes = to_device("hyseis::matgrad::cell_nodes", mesh.cell_nodes);
  // Affine cells (constant inverse Jacobian, to 1e-12 relative): 4 numbers per cell instead of
  // 4 per point (a quarter of this kernel's memory traffic on the general path).
  o.affine = true;
  std::vector<double> cj(4 * static_cast<std::size_t>(o.n_cells));
  for (int c = 0; c < o.n_cells && o.affine; ++c) {
    const double* J0 = &mesh.inv_jacobian[4 * static_cast<std::size_t>(c) * o.nq];
    const double scale = std::abs(J0[0]) + std::abs(J0[1]) + std::abs(J0[2]) + std::abs(J0[3]);
    for (int q = 1; q < o.nq && o.affine; ++q)
      for (int e = 0; e < 4; ++e)
        if (std::abs(J0[4 * q + e] - J0[e]) > 1e-12 * scale) o.affine = false;
    for (int e = 0; e < 4; ++e) cj[4 * c + e] = J0[e];
  }
  if (o.affine)
    o.cell_jac = to_device("hyseis::matgrad::cell_jac", cj);
  else
    o.inv_jac = to_device("hyseis::matgrad::inv_jac", mesh.inv_jacobian);
  o.jxw = to_device("hyseis::matgrad::jxw", mesh.jxw);
  {
    constexpr int L = kMatLanes;
    const int nq = o.nq;
    o.n_batches = (o.n_cells + L - 1) / L;
    const std::size_t nlp = static_cast<std::size_t>(o.n_batches) * nq * L;
    std::vector<int> ln(nlp);
    std::vector<double> lj(nlp, 0.0), lJ(o.affine ? 4 * static_cast<std::size_t>(o.n_batches) * L : 4 * nlp, 0.0);
    for (int bt = 0; bt < o.n_batches; ++bt)
      for (int l = 0; l < L; ++l) {
        const int c = bt * L + l, cc = c < o.n_cells ? c : bt * L;
        const bool real = c < o.n_cells;
        for (int q = 0; q < nq; ++q) {
          const std::size_t pq = static_cast<std::size_t>(cc) * nq + q, at = (static_cast<std::size_t>(bt) * nq + q) * L + l;
          ln[at] = mesh.cell_nodes[pq];
          lj[at] = real ? mesh.jxw[pq] : 0.0;
          if (!o.affine)
            for (int e = 0; e < 4; ++e)
              lJ[((static_cast<std::size_t>(bt) * nq + q) * 4 + e) * L + l] = mesh.inv_jacobian[4 * pq + e];
        }
        if (o.affine)
          for (int e = 0; e < 4; ++e) lJ[(static_cast<std::size_t>(bt) * 4 + e) * L + l] = cj[4 * static_cast<std::size_t>(cc) + e];
      }
    o.l_nodes = to_device("hyseis::matgrad::lane_nodes", ln);
    o.l_jxw = to_device("hyseis::matgrad::lane_jxw", lj);
    o.l_jac = to_device("hyseis::matgrad::lane_jac", lJ);
  }
  o.deriv = to_device("hyseis::matgrad::deriv", gll_rule(mesh.degree).deriv);
}

ElasticMaterialGradient2D::~ElasticMaterialGradient2D() { delete impl_; }

namespace {
/// The material-derivative kernel for N1 = p + 1 points per direction (compile-time loops).
template <int N1, bool Affine>
void material_gradient(int n_cells, const Kokkos::View<int*, MemSpace>& cn, const Kokkos::View<double*, MemSpace>& ij,
                       const Kokkos::View<double*, MemSpace>& jxw, const Kokkos::View<double*, MemSpace>& Dv,
                       ConstVector u, ConstVector w, double scale, Vector g_lambda, Vector g_mu) {
  constexpr int NQ = N1 * N1;
  // On host memory a work item is a batch of kB cells in structure-of-arrays layout (the
  // innermost loops run over the batch and vectorise); on a device kB = 1 (one cell per item).
  constexpr int kB = kHostMemory ? 8 : 1;
  const int n_batches = (n_cells + kB - 1) / kB;
  // Gather u and w of the cells' nodes once, then the reference derivatives by the 1D
  // derivative matrix (sum factorisation) on the local copies.
  Kokkos::parallel_for(
      "hyseis::wave::elastic_material_gradient", Kokkos::RangePolicy<ExecSpace>(0, n_batches),
      KOKKOS_LAMBDA(const int bt) {
        const int c0 = bt * kB;
        const int nb = c0 + kB <= n_cells ? kB : n_cells - c0;
        double D[N1][N1];
        for (int a = 0; a < N1; ++a)
          for (int b = 0; b < N1; ++b) D[a][b] = Dv(a * N1 + b);
        double ux[NQ][kB], uz[NQ][kB], wx[NQ][kB], wz[NQ][kB];
        for (int q = 0; q < NQ; ++q)
          for (int b = 0; b < kB; ++b) {
            const int cc = c0 + (b < nb ? b : 0);
            const int k = cn(static_cast<std::size_t>(cc) * NQ + q);
            ux[q][b] = u(2 * k);
            uz[q][b] = u(2 * k + 1);
            wx[q][b] = w(2 * k);
            wz[q][b] = w(2 * k + 1);
          }
        for (int qj = 0; qj < N1; ++qj)
          for (int qi = 0; qi < N1; ++qi) {
            const int q = qj * N1 + qi;
            double ux_r[kB] = {}, ux_s[kB] = {}, uz_r[kB] = {}, uz_s[kB] = {};
            double wx_r[kB] = {}, wx_s[kB] = {}, wz_r[kB] = {}, wz_s[kB] = {};
            for (int m = 0; m < N1; ++m) {
              const double a = D[qi][m], bb = D[qj][m];
              const int kx = qj * N1 + m, ke = m * N1 + qi;
              for (int b = 0; b < kB; ++b) {
                ux_r[b] += a * ux[kx][b];
                uz_r[b] += a * uz[kx][b];
                wx_r[b] += a * wx[kx][b];
                wz_r[b] += a * wz[kx][b];
                ux_s[b] += bb * ux[ke][b];
                uz_s[b] += bb * uz[ke][b];
                wx_s[b] += bb * wx[ke][b];
                wz_s[b] += bb * wz[ke][b];
              }
            }
            for (int b = 0; b < nb; ++b) {
              const std::size_t pq = static_cast<std::size_t>(c0 + b) * NQ + q;
              // affine: ij holds 4 numbers per cell; general: per point
              const std::size_t jo = Affine ? static_cast<std::size_t>(c0 + b) * 4 : pq * 4;
              const double J00 = ij(jo), J01 = ij(jo + 1), J10 = ij(jo + 2), J11 = ij(jo + 3);
              // physical gradients d(comp)/dx_i = sum_d dref_d * inv[d][i]
              const double uxx = ux_r[b] * J00 + ux_s[b] * J10, uxz = ux_r[b] * J01 + ux_s[b] * J11;
              const double uzx = uz_r[b] * J00 + uz_s[b] * J10, uzz = uz_r[b] * J01 + uz_s[b] * J11;
              const double wxx = wx_r[b] * J00 + wx_s[b] * J10, wxz = wx_r[b] * J01 + wx_s[b] * J11;
              const double wzx = wz_r[b] * J00 + wz_s[b] * J10, wzz = wz_r[b] * J01 + wz_s[b] * J11;
              const double divu = uxx + uzz, divw = wxx + wzz;
              const double eu = 0.5 * (uxz + uzx), ew = 0.5 * (wxz + wzx);
              const double epsprod = uxx * wxx + uzz * wzz + 2 * eu * ew;
              const double s = scale * jxw(pq);
              g_lambda(pq) += s * divu * divw;
              g_mu(pq) += s * 2 * epsprod;
            }
          }
      });
}

/// material_gradient in the lane layout: every lane of a batch is processed (padding lanes
/// have jxw = 0), the accumulators are contiguous across lanes.
template <int N1, bool Affine>
void material_gradient_lanes(int n_batches, const Kokkos::View<int*, MemSpace>& ln,
                             const Kokkos::View<double*, MemSpace>& lJ, const Kokkos::View<double*, MemSpace>& ljxw,
                             const Kokkos::View<double*, MemSpace>& Dv, ConstVector u, ConstVector w, double scale,
                             Vector g_lambda, Vector g_mu) {
  constexpr int NQ = N1 * N1;
  constexpr int kB = kMatLanes;
  using P = typename MatPack<kB>::type;
  Kokkos::parallel_for(
      "hyseis::wave::elastic_material_gradient_lanes", Kokkos::RangePolicy<ExecSpace>(0, n_batches),
      KOKKOS_LAMBDA(const int bt) {
        double D[N1][N1];
        for (int a = 0; a < N1; ++a)
          for (int b = 0; b < N1; ++b) D[a][b] = Dv(a * N1 + b);
        P ux[NQ], uz[NQ], wx[NQ], wz[NQ];
        const std::size_t base = static_cast<std::size_t>(bt) * NQ * kB;
        for (int q = 0; q < NQ; ++q) {
          double t[4][kB];
          for (int b = 0; b < kB; ++b) {
            const int k = ln(base + q * kB + b);
            t[0][b] = u(2 * k);
            t[1][b] = u(2 * k + 1);
            t[2][b] = w(2 * k);
            t[3][b] = w(2 * k + 1);
          }
          ux[q] = mat_load<P>(t[0]);
          uz[q] = mat_load<P>(t[1]);
          wx[q] = mat_load<P>(t[2]);
          wz[q] = mat_load<P>(t[3]);
        }
        P J00{}, J01{}, J10{}, J11{};
        if (Affine) {
          const std::size_t jo = static_cast<std::size_t>(bt) * 4 * kB;
          J00 = mat_load<P>(&lJ(jo));
          J01 = mat_load<P>(&lJ(jo + kB));
          J10 = mat_load<P>(&lJ(jo + 2 * kB));
          J11 = mat_load<P>(&lJ(jo + 3 * kB));
        }
        for (int qj = 0; qj < N1; ++qj)
          for (int qi = 0; qi < N1; ++qi) {
            const int q = qj * N1 + qi;
            P ux_r{}, ux_s{}, uz_r{}, uz_s{}, wx_r{}, wx_s{}, wz_r{}, wz_s{};
            for (int m = 0; m < N1; ++m) {
              const double a = D[qi][m], bb = D[qj][m];
              const int kx = qj * N1 + m, ke = m * N1 + qi;
              ux_r += a * ux[kx];
              uz_r += a * uz[kx];
              wx_r += a * wx[kx];
              wz_r += a * wz[kx];
              ux_s += bb * ux[ke];
              uz_s += bb * uz[ke];
              wx_s += bb * wx[ke];
              wz_s += bb * wz[ke];
            }
            if (!Affine) {
              const std::size_t jo = ((static_cast<std::size_t>(bt) * NQ + q) * 4) * kB;
              J00 = mat_load<P>(&lJ(jo));
              J01 = mat_load<P>(&lJ(jo + kB));
              J10 = mat_load<P>(&lJ(jo + 2 * kB));
              J11 = mat_load<P>(&lJ(jo + 3 * kB));
            }
            const std::size_t at = base + static_cast<std::size_t>(q) * kB;
            const P uxx = ux_r * J00 + ux_s * J10, uxz = ux_r * J01 + ux_s * J11;
            const P uzx = uz_r * J00 + uz_s * J10, uzz = uz_r * J01 + uz_s * J11;
            const P wxx = wx_r * J00 + wx_s * J10, wxz = wx_r * J01 + wx_s * J11;
            const P wzx = wz_r * J00 + wz_s * J10, wzz = wz_r * J01 + wz_s * J11;
            const P divu = uxx + uzz, divw = wxx + wzz;
            const P eu = 0.5 * (uxz + uzx), ew = 0.5 * (wxz + wzx);
            const P epsprod = uxx * wxx + uzz * wzz + 2.0 * eu * ew;
            const P sc = scale * mat_load<P>(&ljxw(at));
            mat_store(&g_lambda(at), mat_load<P>(&g_lambda(at)) + sc * divu * divw);
            mat_store(&g_mu(at), mat_load<P>(&g_mu(at)) + sc * 2.0 * epsprod);
          }
      });
}
}  // namespace

std::size_t ElasticMaterialGradient2D::n_lane_points() const {
  return static_cast<std::size_t>(impl_->n_batches) * impl_->nq * kMatLanes;
}

void ElasticMaterialGradient2D::accumulate_lanes(ConstVector u, ConstVector w, double scale, Vector g_lambda,
                                                 Vector g_mu) const {
  const Impl& o = *impl_;
  const char* who = "ElasticMaterialGradient2D::accumulate_lanes";
  check_len(who, "u", u.extent(0), 2 * static_cast<std::size_t>(o.n_nodes));
  check_len(who, "w", w.extent(0), 2 * static_cast<std::size_t>(o.n_nodes));
  check_len(who, "g_lambda", g_lambda.extent(0), n_lane_points());
  check_len(who, "g_mu", g_mu.extent(0), n_lane_points());
  const bool ok = detail::dispatch_np(o.n1, [&](auto np) {
    constexpr int N = decltype(np)::value;
    if (o.affine)
      material_gradient_lanes<N, true>(o.n_batches, o.l_nodes, o.l_jac, o.l_jxw, o.deriv, u, w, scale, g_lambda, g_mu);
    else
      material_gradient_lanes<N, false>(o.n_batches, o.l_nodes, o.l_jac, o.l_jxw, o.deriv, u, w, scale, g_lambda, g_mu);
  });
  if (!ok) throw std::invalid_argument("hyseis::solvers::ElasticMaterialGradient2D: degree must be in 1..8");
}

void ElasticMaterialGradient2D::lanes_to_points(ConstVector lanes, Vector points) const {
  const Impl& o = *impl_;
  check_len("ElasticMaterialGradient2D::lanes_to_points", "lanes", lanes.extent(0), n_lane_points());
  check_len("ElasticMaterialGradient2D::lanes_to_points", "points", points.extent(0),
            static_cast<std::size_t>(o.n_cells) * o.nq);
  const int nq = o.nq, n_cells = o.n_cells;
  constexpr int L = kMatLanes;
  Kokkos::parallel_for(
      "hyseis::wave::material_gradient_lanes_to_points", Kokkos::RangePolicy<ExecSpace>(0, static_cast<std::size_t>(n_cells) * nq),
      KOKKOS_LAMBDA(const std::size_t pq) {
        const std::size_t c = pq / nq, q = pq % nq;
        points(pq) += lanes(((c / L) * nq + q) * L + c % L);
      });
}

void ElasticMaterialGradient2D::accumulate(ConstVector u, ConstVector w, double scale, Vector g_lambda,
                                           Vector g_mu) const {
  const Impl& o = *impl_;
  const std::size_t npts = static_cast<std::size_t>(o.n_cells) * o.nq;
  check_len("ElasticMaterialGradient2D::accumulate", "u", u.extent(0), 2 * static_cast<std::size_t>(o.n_nodes));
  check_len("ElasticMaterialGradient2D::accumulate", "w", w.extent(0), 2 * static_cast<std::size_t>(o.n_nodes));
  check_len("ElasticMaterialGradient2D::accumulate", "g_lambda", g_lambda.extent(0), npts);
  check_len("ElasticMaterialGradient2D::accumulate", "g_mu", g_mu.extent(0), npts);
  const bool ok = detail::dispatch_np(o.n1, [&](auto np) {
    constexpr int N = decltype(np)::value;
    if (o.affine)
      material_gradient<N, true>(o.n_cells, o.cell_nodes, o.cell_jac, o.jxw, o.deriv, u, w, scale, g_lambda, g_mu);
    else
      material_gradient<N, false>(o.n_cells, o.cell_nodes, o.inv_jac, o.jxw, o.deriv, u, w, scale, g_lambda, g_mu);
  });
  if (!ok) throw std::invalid_argument("hyseis::solvers::ElasticMaterialGradient2D: degree must be in 1..8");
}

}  // namespace hyseis::solvers
