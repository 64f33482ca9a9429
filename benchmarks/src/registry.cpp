#include "hyseis/bench/bench.hpp"

namespace hyseis::bench {

namespace detail {
std::vector<Row> sem_elastic_2d(const Options& opt);
std::vector<Row> sparse_coding_vs_sklearn(const Options& opt);
std::vector<Row> eew_network_latency(const Options& opt);
std::vector<Row> gmpe_bssa14_vectorised(const Options& opt);
std::vector<Row> gradient_vs_forward(const Options& opt);
std::vector<Row> okada_kokkos_vs_scalar(const Options& opt);
std::vector<Row> cycle_fe_per_cycle(const Options& opt);
std::vector<Row> surrogate_vs_fe(const Options& opt);
std::vector<Row> picking_station_day(const Options& opt);
std::vector<Row> template_matching_vs_direct(const Options& opt);
std::vector<Row> fast_vs_all_pairs(const Options& opt);
}

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = {
      {"sem_elastic_2d",
       "explicit elastic SEM step (degree 4, homogeneous square, free surface): hyseis Kokkos "
       "kernels vs deal.II MatrixFree, point updates per second and memory",
       &detail::sem_elastic_2d},
      {"sparse_coding_vs_sklearn", "dictionary learning (K-SVD) + batch OMP on one patch set vs scikit-learn (MiniBatchDictionaryLearning, orthogonal_mp) at equal error; ratio = speed-up", &detail::sparse_coding_vs_sklearn},
      {"eew_network_latency", "EEW processing of one 1 s packet for 1e3..1e5 sensors: streaming MyShake features, batched classifier, cell-list DBSCAN, confirmation, location, Pd magnitude vs per-sensor features/classifier calls and brute-force DBSCAN in the same run (identical results checked); ratio = speed-up", &detail::eew_network_latency},
      {"gmpe_bssa14_vectorised", "BSSA14 median + sigma for 1e6 site-source pairs: batch SoA evaluator vs a scalar loop over the per-record API in the same run (agreement checked); ratio = speed-up", &detail::gmpe_bssa14_vectorised},
      {"gradient_vs_forward", "one misfit gradient (forward + discrete adjoint) vs one forward on the same model, acoustic and elastic; memory store_all vs binomial checkpointing", &detail::gradient_vs_forward},
      {"okada_kokkos_vs_scalar", "Okada 1992 stations x patches: Kokkos okada1992_sum vs a scalar per-patch loop; ratio = speed-up", &detail::okada_kokkos_vs_scalar},
      {"cycle_fe_per_cycle", "viscoelastic FE earthquake-cycle model (validation configuration): seconds per cycle", &detail::cycle_fe_per_cycle},
      {"surrogate_vs_fe", "viscoelastic-cycle NN surrogate vs the FE solver for the same 1600 surface outputs of one parameter set; ratio = speed-up", &detail::surrogate_vs_fe},
      {"picking_station_day", "one station-day (3 x 100 Hz) MiniSEED in -> picks out with a default-size PhaseNet on one thread (untrained weights: timing only), and STA/LTA on the same data", &detail::picking_station_day},
      {"template_matching_vs_direct", "normalised cross-correlation of a template over continuous data: FFT vs direct time-domain sum in the same run (agreement checked); ratio = speed-up", &detail::template_matching_vs_direct},
      {"fast_vs_all_pairs", "FAST-style fingerprint + LSH similarity search vs brute-force all-pairs correlation on the same synthetic data, with the recall of each; ratio = speed-up", &detail::fast_vs_all_pairs},
  };
  return cases;
}

}  // namespace hyseis::bench
