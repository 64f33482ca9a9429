#pragma once
// Helpers of the kernel tests: structured meshes with an arbitrary smooth (isoparametric)
// distortion, host<->View copies and naive dense reference operators. Independent of the
// sum-factorised code: Lagrange derivatives are computed here from their product formula.
#include <array>
#include <cmath>
#include <functional>
#include <random>
#include <vector>

#include "hyseis/solvers/sem_kernels.hpp"

namespace hyseis::solvers::test {

/// l_j'(x_i) by the product formula (no barycentric / Legendre identities).
inline std::vector<double> lagrange_deriv_naive(const std::vector<double>& x) {
  const int n = static_cast<int>(x.size());
  std::vector<double> d(n * n, 0.0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double s = 0.0;
      for (int m = 0; m < n; ++m) {
        if (m == j) continue;
        double prod = 1.0 / (x[j] - x[m]);
        for (int k = 0; k < n; ++k) {
          if (k == j || k == m) continue;
          prod *= (x[i] - x[k]) / (x[j] - x[k]);
        }
        s += prod;
      }
      d[i * n + j] = s;
    }
  return d;
}

struct TestMesh {
  SemMeshHost2D mesh;
  std::vector<double> x, z;  // node coordinates
};

using Map2D = std::function<std::array<double, 2>(double, double)>;

/// nx x nz cells on [0,1]^2 mapped by `map`; nodes placed at mapped GLL positions, Jacobian from
/// the isoparametric map of degree p (so x and z themselves are in the discrete space).
inline TestMesh make_mesh(int p, int nx, int nz, const Map2D& map) {
  const Gll1D rule = gll_rule(p);
  const std::vector<double> D = lagrange_deriv_naive(rule.points);
  const int np = p + 1, nq = np * np, ngx = p * nx + 1, ngz = p * nz + 1;
  TestMesh t;
  SemMeshHost2D& m = t.mesh;
  m.degree = p;
  m.n_cells = nx * nz;
  m.n_nodes = ngx * ngz;
  t.x.resize(m.n_nodes);
  t.z.resize(m.n_nodes);
  for (int cz = 0; cz < nz; ++cz)
    for (int cx = 0; cx < nx; ++cx)
      for (int j = 0; j < np; ++j)
        for (int i = 0; i < np; ++i) {
          const double X = (cx + 0.5 * (rule.points[i] + 1.0)) / nx;
          const double Z = (cz + 0.5 * (rule.points[j] + 1.0)) / nz;
          const int node = (cz * p + j) * ngx + cx * p + i;
          const auto xz = map(X, Z);
          t.x[node] = xz[0];
          t.z[node] = xz[1];
        }
  for (int cz = 0; cz < nz; ++cz)
    for (int cx = 0; cx < nx; ++cx) {
      const int c = cz * nx + cx;
      for (int q = 0; q < nq; ++q) m.cell_nodes.push_back((cz * p + q / np) * ngx + cx * p + q % np);
      for (int qj = 0; qj < np; ++qj)
        for (int qi = 0; qi < np; ++qi) {
          double xxi = 0, xet = 0, zxi = 0, zet = 0;
          for (int k = 0; k < np; ++k) {
            const int nxi = m.cell_nodes[c * nq + qj * np + k];  // along xi
            const int net = m.cell_nodes[c * nq + k * np + qi];  // along eta
            xxi += D[qi * np + k] * t.x[nxi];
            zxi += D[qi * np + k] * t.z[nxi];
            xet += D[qj * np + k] * t.x[net];
            zet += D[qj * np + k] * t.z[net];
          }
          const double det = xxi * zet - xet * zxi;
          // inverse of [[x_xi, x_eta],[z_xi, z_eta]]: rows (dxi/dx, dxi/dz), (deta/dx, deta/dz)
          m.inv_jacobian.push_back(zet / det);
          m.inv_jacobian.push_back(-xet / det);
          m.inv_jacobian.push_back(-zxi / det);
          m.inv_jacobian.push_back(xxi / det);
          m.jxw.push_back(det * rule.weights[qi] * rule.weights[qj]);
        }
    }
  return t;
}

inline Map2D distorted_map() {
  return [](double X, double Z) -> std::array<double, 2> {
    return {X + 0.07 * std::sin(2.0 * M_PI * X) * std::sin(M_PI * Z) + 0.15 * Z * Z,
            Z + 0.06 * std::sin(M_PI * X) * std::cos(1.5 * M_PI * Z) + 0.1 * X * X};
  };
}
inline Map2D affine_map() {
  return [](double X, double Z) -> std::array<double, 2> {
    return {1.3 * X + 0.4 * Z + 0.2, -0.25 * X + 0.9 * Z - 1.0};
  };
}

inline std::vector<double> random_vector(std::size_t n, double lo, double hi, unsigned seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

inline Vector to_view(const std::vector<double>& h) {
  Vector v("hyseis::test::vec", h.size());
  auto m = Kokkos::create_mirror_view(v);
  for (std::size_t i = 0; i < h.size(); ++i) m(i) = h[i];
  Kokkos::deep_copy(v, m);
  return v;
}

inline std::vector<double> to_host(ConstVector v) {
  auto m = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  return std::vector<double>(m.data(), m.data() + m.extent(0));
}

/// Dense reference: K[(a,c),(b,d)] = sum_q jxw C_{cedf} dphi_a/dx_e dphi_b/dx_f (n_comp = 2), or
/// sum_q jxw inv_rho grad phi_a . grad phi_b (n_comp = 1, coefficient in `lambda`).
inline std::vector<double> dense_reference(const SemMeshHost2D& m, const std::vector<double>& lambda,
                                           const std::vector<double>* mu) {
  const Gll1D rule = gll_rule(m.degree);
  const std::vector<double> D = lagrange_deriv_naive(rule.points);
  const int np = m.degree + 1, nq = np * np;
  const int nc = mu ? 2 : 1;
  const std::size_t n = static_cast<std::size_t>(nc) * m.n_nodes;
  std::vector<double> K(n * n, 0.0);
  // 1D Lagrange values at the points (computed, not assumed to be Kronecker deltas).
  std::vector<double> L(np * np);
  for (int i = 0; i < np; ++i)
    for (int j = 0; j < np; ++j) {
      double v = 1.0;
      for (int k = 0; k < np; ++k)
        if (k != j) v *= (rule.points[i] - rule.points[k]) / (rule.points[j] - rule.points[k]);
      L[i * np + j] = v;
    }
  std::vector<double> gx(nq), gz(nq);
  for (int c = 0; c < m.n_cells; ++c)
    for (int q = 0; q < nq; ++q) {
      const int qi = q % np, qj = q / np;
      const std::size_t cq = static_cast<std::size_t>(c) * nq + q;
      const double* ij = &m.inv_jacobian[cq * 4];
      for (int a = 0; a < nq; ++a) {
        const int ai = a % np, aj = a / np;
        const double dxi = D[qi * np + ai] * L[qj * np + aj];
        const double deta = L[qi * np + ai] * D[qj * np + aj];
        gx[a] = dxi * ij[0] + deta * ij[2];
        gz[a] = dxi * ij[1] + deta * ij[3];
      }
      const double w = m.jxw[cq];
      for (int a = 0; a < nq; ++a)
        for (int b = 0; b < nq; ++b) {
          const double ga[2] = {gx[a], gz[a]}, gb[2] = {gx[b], gz[b]};
          const int na = m.cell_nodes[static_cast<std::size_t>(c) * nq + a];
          const int nb = m.cell_nodes[static_cast<std::size_t>(c) * nq + b];
          if (!mu) {
            K[na * n + nb] += w * lambda[cq] * (ga[0] * gb[0] + ga[1] * gb[1]);
            continue;
          }
          const double lam = lambda[cq], mm = (*mu)[cq];
          for (int cc = 0; cc < 2; ++cc)
            for (int dd = 0; dd < 2; ++dd) {
              double s = 0.0;
              for (int e = 0; e < 2; ++e)
                for (int f = 0; f < 2; ++f) {
                  const double C = lam * (cc == e) * (dd == f) +
                                   mm * ((cc == dd) * (e == f) + (cc == f) * (e == dd));
                  s += C * ga[e] * gb[f];
                }
              K[(2 * na + cc) * n + 2 * nb + dd] += w * s;
            }
        }
    }
  return K;
}

inline std::vector<double> matvec(const std::vector<double>& K, const std::vector<double>& u) {
  const std::size_t n = u.size();
  std::vector<double> r(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < n; ++j) s += K[i * n + j] * u[j];
    r[i] = s;
  }
  return r;
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}
inline double max_abs(const std::vector<double>& a) {
  double s = 0;
  for (double x : a) s = std::max(s, std::abs(x));
  return s;
}
inline double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s = std::max(s, std::abs(a[i] - b[i]));
  return s;
}

}  // namespace hyseis::solvers::test
