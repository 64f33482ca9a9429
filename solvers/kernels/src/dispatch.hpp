#pragma once
// Internal to solvers/kernels: compile-time dispatch on the number of GLL points per direction.
#include <type_traits>

namespace hyseis::solvers::detail {

/// Calls f(std::integral_constant<int, NP>{}) for np = NP in 2..9 (degrees 1..8) and returns
/// true; returns false (f not called) for any other np, so the caller reports the error.
template <class F>
bool dispatch_np(int np, F&& f) {
  switch (np) {
    case 2: f(std::integral_constant<int, 2>{}); return true;
    case 3: f(std::integral_constant<int, 3>{}); return true;
    case 4: f(std::integral_constant<int, 4>{}); return true;
    case 5: f(std::integral_constant<int, 5>{}); return true;
    case 6: f(std::integral_constant<int, 6>{}); return true;
    case 7: f(std::integral_constant<int, 7>{}); return true;
    case 8: f(std::integral_constant<int, 8>{}); return true;
    case 9: f(std::integral_constant<int, 9>{}); return true;
    default: return false;
  }
}

}  // namespace hyseis::solvers::detail
