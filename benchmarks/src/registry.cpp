#include "hyseis/bench/bench.hpp"

namespace hyseis::bench {

namespace detail {
std::vector<Row> sem_elastic_2d(const Options& opt);
std::vector<Row> sparse_coding_vs_sklearn(const Options& opt);
std::vector<Row> eew_network_latency(const Options& opt);
std::vector<Row> gmpe_bssa14_vectorised(const Options& opt);
std::vector<Row> gradient_vs_forward(const Options& opt);
}

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = {
      {"sem_elastic_2d",
       "explicit elastic SEM step (degree 4, homogeneous square, free surface): hyseis Kokkos "
       "kernels vs deal.II MatrixFree, point updates per second and memory",
       &detail::sem_elastic_2d},
      {"sparse_coding_vs_sklearn", "dictionary learning (K-SVD) + batch OMP on one patch set vs scikit-learn (MiniBatchDictionaryLearning, orthogonal_mp) at equal error; ratio = speed-up", &detail::sparse_coding_vs_sklearn},
      {"eew_network_latency", "EEW server latency (DBSCAN + confirmation + location + Pd magnitude) for 1e3..1e5 phones; cell-list vs brute-force DBSCAN in the same run, identical clusters checked; ratio = speed-up", &detail::eew_network_latency},
      {"gmpe_bssa14_vectorised", "BSSA14 median + sigma for 1e6 site-source pairs: batch SoA evaluator vs a scalar loop over the per-record API in the same run (agreement checked); ratio = speed-up", &detail::gmpe_bssa14_vectorised},
      {"gradient_vs_forward", "one misfit gradient (forward + discrete adjoint) vs one forward on the same model, acoustic and elastic; memory store_all vs binomial checkpointing", &detail::gradient_vs_forward},
  };
  return cases;
}

}  // namespace hyseis::bench
