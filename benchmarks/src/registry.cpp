#include "hyseis/bench/bench.hpp"

namespace hyseis::bench {

namespace detail {
std::vector<Row> sem_elastic_2d(const Options& opt);
std::vector<Row> sparse_coding_vs_sklearn(const Options& opt);
std::vector<Row> eew_network_latency(const Options& opt);
}

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = {
      {"sem_elastic_2d",
       "explicit elastic SEM step (degree 4, homogeneous square, free surface): hyseis Kokkos "
       "kernels vs deal.II MatrixFree, point updates per second and memory",
       &detail::sem_elastic_2d},
      {"sparse_coding_vs_sklearn", "dictionary learning (K-SVD) + batch OMP on one patch set vs scikit-learn (MiniBatchDictionaryLearning, orthogonal_mp) at equal error; ratio = speed-up", &detail::sparse_coding_vs_sklearn},
      {"eew_network_latency", "EEW server latency (DBSCAN + confirmation + location + Pd magnitude) for 1e3..1e5 phones; cell-list vs brute-force DBSCAN in the same run, identical clusters checked; ratio = speed-up", &detail::eew_network_latency},
  };
  return cases;
}

}  // namespace hyseis::bench
