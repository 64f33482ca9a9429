// Named Kokkos kernel: Okada (1992) DC3D deformation summed over many rectangular patches at
// many stations (see okada_kernel.hpp). One thread per station loops over the patches, so no
// atomics are needed and the result does not depend on the backend's thread count.
#include "hyseis/solvers/okada_kernel.hpp"

namespace hyseis::solvers::okada {

void okada_dc3d_sum(double alpha, PatchTable patches, StationTable stations, DeformationTable out,
                    SingularCount singular) {
  const int n_patches = static_cast<int>(patches.extent(0));
  const int n_stations = static_cast<int>(stations.extent(0));
  Kokkos::parallel_for(
      "hyseis::cycle::okada_dc3d_sum", Kokkos::RangePolicy<ExecSpace>(0, n_stations), KOKKOS_LAMBDA(const int s) {
        double acc[12];
        for (int k = 0; k < 12; ++k) acc[k] = 0;
        int n_singular = 0;
        const double se = stations(s, 0), sn = stations(s, 1), su = stations(s, 2);
        for (int p = 0; p < n_patches; ++p) {
          const double ss = patches(p, kSinStrike), cs = patches(p, kCosStrike);
          const double de = se - patches(p, kEast), dn = sn - patches(p, kNorth);
          const double x = de * ss + dn * cs;     // along strike
          const double y = -de * cs + dn * ss;    // left of strike
          DipTrig t;
          t.sd = patches(p, kSinDip);
          t.cd = patches(p, kCosDip);
          const Result r = dc3d(alpha, x, y, su, patches(p, kDepth), t, patches(p, kAl1), patches(p, kAl2),
                                patches(p, kAw1), patches(p, kAw2), patches(p, kSlipStrike), patches(p, kSlipDip),
                                patches(p, kSlipTensile));
          if (r.status != 0) {
            ++n_singular;
            continue;
          }
          double u[3], g[3][3];
          rotate_to_enu(r, ss, cs, u, g);
          for (int i = 0; i < 3; ++i) {
            acc[i] += u[i];
            for (int j = 0; j < 3; ++j) acc[3 + 3 * i + j] += g[i][j];
          }
        }
        for (int k = 0; k < 12; ++k) out(s, k) = acc[k];
        singular(s) = n_singular;
      });
}

}  // namespace hyseis::solvers::okada
