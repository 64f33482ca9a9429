#pragma once
// Structured SEM mesh of the unit square used by the benchmarks (hyseis side).
#include <vector>

#include "hyseis/solvers/sem_kernels.hpp"

namespace hyseis::bench::detail {

namespace solvers = hyseis::solvers;

/// Structured SEM mesh of [0,1]^2 (row-major cells and nodes).
inline solvers::SemMeshHost2D structured_mesh(int cells_1d, int degree, std::vector<double>& x,
                                       std::vector<double>& z) {
  const solvers::Gll1D rule = solvers::gll_rule(degree);
  const int np = degree + 1, nq = np * np, ng = degree * cells_1d + 1;
  const double h = 1.0 / cells_1d;
  solvers::SemMeshHost2D m;
  m.degree = degree;
  m.n_cells = cells_1d * cells_1d;
  m.n_nodes = ng * ng;
  m.cell_nodes.resize(static_cast<std::size_t>(m.n_cells) * nq);
  m.inv_jacobian.resize(static_cast<std::size_t>(m.n_cells) * nq * 4);
  m.jxw.resize(static_cast<std::size_t>(m.n_cells) * nq);
  x.assign(m.n_nodes, 0.0);
  z.assign(m.n_nodes, 0.0);
  for (int cz = 0; cz < cells_1d; ++cz)
    for (int cx = 0; cx < cells_1d; ++cx) {
      const std::size_t c = static_cast<std::size_t>(cz) * cells_1d + cx;
      for (int j = 0; j < np; ++j)
        for (int i = 0; i < np; ++i) {
          const int q = j * np + i;
          const int node = (cz * degree + j) * ng + cx * degree + i;
          m.cell_nodes[c * nq + q] = node;
          x[node] = (cx + 0.5 * (rule.points[i] + 1.0)) * h;
          z[node] = (cz + 0.5 * (rule.points[j] + 1.0)) * h;
          double* ij = &m.inv_jacobian[(c * nq + q) * 4];
          ij[0] = 2.0 / h; ij[1] = 0.0; ij[2] = 0.0; ij[3] = 2.0 / h;
          m.jxw[c * nq + q] = 0.25 * h * h * rule.weights[i] * rule.weights[j];
        }
    }
  return m;
}

}  // namespace hyseis::bench::detail
