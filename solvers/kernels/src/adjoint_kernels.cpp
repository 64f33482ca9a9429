// Adjoint Newmark updates and the elastic material-derivative kernel (see adjoint_kernels.hpp).
#include "hyseis/solvers/adjoint_kernels.hpp"

#include <stdexcept>
#include <string>

namespace hyseis::solvers {

namespace {
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

void newmark_adjoint_predict(double dt, ConstVector kw, Vector ub, Vector vb, Vector ab) {
  const std::size_t n = ub.extent(0);
  check_len("newmark_adjoint_predict", "kw", kw.extent(0), n);
  check_len("newmark_adjoint_predict", "vb", vb.extent(0), n);
  check_len("newmark_adjoint_predict", "ab", ab.extent(0), n);
  const double hdt = 0.5 * dt, hdt2 = 0.5 * dt * dt;
  Kokkos::parallel_for(
      "hyseis::wave::adjoint_predict", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::size_t i) {
        const double u = ub(i) - kw(i);
        ub(i) = u;
        const double a = ab(i) + hdt * vb(i);
        vb(i) += dt * u;
        ab(i) = a + hdt2 * u;
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
};

namespace {
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
  o.inv_jac = to_device("hyseis::matgrad::inv_jac", mesh.inv_jacobian);
  o.jxw = to_device("hyseis::matgrad::jxw", mesh.jxw);
  o.deriv = to_device("hyseis::matgrad::deriv", gll_rule(mesh.degree).deriv);
}

ElasticMaterialGradient2D::~ElasticMaterialGradient2D() { delete impl_; }

void ElasticMaterialGradient2D::accumulate(ConstVector u, ConstVector w, double scale, Vector g_lambda,
                                           Vector g_mu) const {
  const Impl& o = *impl_;
  const std::size_t npts = static_cast<std::size_t>(o.n_cells) * o.nq;
  check_len("ElasticMaterialGradient2D::accumulate", "u", u.extent(0), 2 * static_cast<std::size_t>(o.n_nodes));
  check_len("ElasticMaterialGradient2D::accumulate", "w", w.extent(0), 2 * static_cast<std::size_t>(o.n_nodes));
  check_len("ElasticMaterialGradient2D::accumulate", "g_lambda", g_lambda.extent(0), npts);
  check_len("ElasticMaterialGradient2D::accumulate", "g_mu", g_mu.extent(0), npts);
  const int n1 = o.n1, nq = o.nq;
  const auto cn = o.cell_nodes;
  const auto ij = o.inv_jac;
  const auto jxw = o.jxw;
  const auto D = o.deriv;
  Kokkos::parallel_for(
      "hyseis::wave::elastic_material_gradient", Kokkos::RangePolicy<ExecSpace>(0, npts),
      KOKKOS_LAMBDA(const std::size_t pq) {
        const std::size_t c = pq / nq;
        const int q = static_cast<int>(pq % nq);
        const int qi = q % n1, qj = q / n1;
        // reference derivatives d/dxi, d/deta of both components of u and w at node q
        double du[2][2] = {{0, 0}, {0, 0}}, dw[2][2] = {{0, 0}, {0, 0}};  // [comp][ref dir]
        for (int m = 0; m < n1; ++m) {
          const double dxi = D(qi * n1 + m), deta = D(qj * n1 + m);
          const int kx = cn(c * nq + qj * n1 + m), ke = cn(c * nq + m * n1 + qi);
          for (int comp = 0; comp < 2; ++comp) {
            du[comp][0] += dxi * u(2 * kx + comp);
            du[comp][1] += deta * u(2 * ke + comp);
            dw[comp][0] += dxi * w(2 * kx + comp);
            dw[comp][1] += deta * w(2 * ke + comp);
          }
        }
        // physical gradients G[comp][i] = sum_d dref[comp][d] * inv[d][i]
        const double* J = &ij(pq * 4);
        double gu[2][2], gw[2][2];
        for (int comp = 0; comp < 2; ++comp)
          for (int i = 0; i < 2; ++i) {
            gu[comp][i] = du[comp][0] * J[0 * 2 + i] + du[comp][1] * J[1 * 2 + i];
            gw[comp][i] = dw[comp][0] * J[0 * 2 + i] + dw[comp][1] * J[1 * 2 + i];
          }
        const double divu = gu[0][0] + gu[1][1], divw = gw[0][0] + gw[1][1];
        const double exz_u = 0.5 * (gu[0][1] + gu[1][0]), exz_w = 0.5 * (gw[0][1] + gw[1][0]);
        const double epsprod = gu[0][0] * gw[0][0] + gu[1][1] * gw[1][1] + 2 * exz_u * exz_w;
        const double s = scale * jxw(pq);
        g_lambda(pq) += s * divu * divw;
        g_mu(pq) += s * 2 * epsprod;
      });
}

}  // namespace hyseis::solvers
