#pragma once
// Internal checks of the wave solver's conventions, exposed for tests. No deal.II here.
#include <array>
#include <vector>

namespace hyseis::physics::wave::detail {

/// The node numbering the solver hands to the Kokkos kernels (q = j*(p+1) + i, i along x)
/// as seen from deal.II: `quadrature_points` are QGaussLobatto<2>(p+1) points in deal.II's
/// order (the order FEValues uses), `support_points` are FE_Q(QGaussLobatto<1>(p+1)) unit
/// support points permuted with the solver's lexicographic -> hierarchic map. Both must equal
/// ((1+x_i)/2, (1+x_j)/2) with x the 1D GLL points on [-1, 1].
struct GllNumbering {
  std::vector<std::array<double, 2>> quadrature_points;
  std::vector<std::array<double, 2>> support_points;
};
GllNumbering gll_numbering(int degree);

}  // namespace hyseis::physics::wave::detail
