// Google Benchmark of the SEM operators alone (no time stepping): r = K u on a structured mesh.
// Reports GLL points per second as the "items" rate.
#include <Kokkos_Core.hpp>
#include <benchmark/benchmark.h>

#include "../src/structured_mesh.hpp"

namespace {
using namespace hyseis::solvers;

void BM_ElasticApply(benchmark::State& st) {
  const int degree = static_cast<int>(st.range(0)), cells = static_cast<int>(st.range(1));
  const bool general = st.range(2) != 0;
  std::vector<double> x, z;
  const auto mesh = hyseis::bench::detail::structured_mesh(cells, degree, x, z);
  const std::size_t npts = mesh.jxw.size();
  OperatorOptions o;
  o.detect_affine = !general;
  ElasticOperator2D op(mesh, std::vector<double>(npts, 2.0), std::vector<double>(npts, 1.0), o);
  Vector u("u", 2 * mesh.n_nodes), r("r", 2 * mesh.n_nodes);
  Kokkos::deep_copy(u, 1e-3);
  for (auto _ : st) {
    op.apply(u, r);
    Kokkos::fence();
  }
  st.SetItemsProcessed(st.iterations() * static_cast<long>(mesh.n_nodes));
  st.SetLabel(to_string(op.path()));
}

void BM_AcousticApply(benchmark::State& st) {
  const int degree = static_cast<int>(st.range(0)), cells = static_cast<int>(st.range(1));
  std::vector<double> x, z;
  const auto mesh = hyseis::bench::detail::structured_mesh(cells, degree, x, z);
  AcousticOperator2D op(mesh, std::vector<double>(mesh.jxw.size(), 1.0));
  Vector u("u", mesh.n_nodes), r("r", mesh.n_nodes);
  Kokkos::deep_copy(u, 1e-3);
  for (auto _ : st) {
    op.apply(u, r);
    Kokkos::fence();
  }
  st.SetItemsProcessed(st.iterations() * static_cast<long>(mesh.n_nodes));
  st.SetLabel(to_string(op.path()));
}
// Newmark passes over 2 * points entries (elastic vectors); mode 0: predict, 1: correct,
// 2: fused correct+predict.
void BM_Newmark(benchmark::State& st) {
  const std::size_t points = static_cast<std::size_t>(st.range(0)), n = 2 * points;
  const int mode = static_cast<int>(st.range(1));
  Vector u("u", n), v("v", n), a("a", n), r("r", n), f("f", n), m("m", n), none;
  Kokkos::deep_copy(u, 1.0);
  Kokkos::deep_copy(m, 1.0);
  Kokkos::deep_copy(r, 1e-3);
  for (auto _ : st) {
    if (mode == 0) newmark_predict(1e-3, u, v, a);
    if (mode == 1) newmark_correct(1e-3, m, f, r, none, v, a);
    if (mode == 2) newmark_correct_predict(1e-3, m, f, r, none, u, v, a);
    Kokkos::fence();
  }
  st.SetItemsProcessed(st.iterations() * static_cast<long>(points));
  st.SetLabel(mode == 0 ? "predict" : mode == 1 ? "correct" : "correct_predict");
}
}  // namespace

BENCHMARK(BM_Newmark)->Args({10201, 0})->Args({10201, 1})->Args({10201, 2})->Args({1002001, 0})->Args({1002001, 1})->Args({1002001, 2});
BENCHMARK(BM_ElasticApply)->Args({4, 79, 0})->Args({4, 79, 1})->Args({4, 250, 0})->Args({2, 158, 0})->Args({6, 53, 0})->Args({8, 40, 0});
BENCHMARK(BM_AcousticApply)->Args({4, 79, 0})->Args({4, 250, 0});

int main(int argc, char** argv) {
  Kokkos::ScopeGuard kokkos(argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
