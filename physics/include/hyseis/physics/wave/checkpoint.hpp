#pragma once
// Reversal schedules for adjoint time stepping: store_all and binomial checkpointing
// (Griewank's revolve: with c snapshots and r repetitions, beta(c, r) = C(c + r, c) steps can
// be reversed). Generic over the state: the caller supplies callbacks. No deal.II here.
#include <algorithm>
#include <functional>
#include <stdexcept>

namespace hyseis::physics::wave {

/// beta(c, r) = (c + r)! / (c! r!), saturated at 2^62.
inline long long binomial_beta(int c, int r) {
  long long b = 1;
  for (int i = 1; i <= r; ++i) {
    b = b * (c + i) / i;  // exact: b = C(c + i, i) after step i
    if (b > (1LL << 62)) return 1LL << 62;
  }
  return b;
}

struct ReversalStats {
  long long forward_steps = 0;  ///< advances made (first sweep + recomputation)
  int max_slots = 0;            ///< snapshots held at once, including the initial state
};

/// Callbacks of a reversal: the "current" state x_k of the time stepper.
struct ReversalCallbacks {
  std::function<void()> advance;           ///< current x_k -> x_{k+1}
  std::function<void(int)> store;          ///< snapshot slot <- current
  std::function<void(int)> restore;        ///< current <- snapshot slot
  std::function<void(int)> consume;        ///< called with k while the current state is x_k
};

/// Visits x_n, x_{n-1}, ..., x_0 (consume(k) with current = x_k) starting from current = x_0,
/// holding at most `snapshots` + 1 states in slots 0..snapshots (slot 0 = x_0). Binomial
/// schedule: the range [i, j] with s free slots first advances to m = j - min(j - i - 1,
/// beta(s, r)) ... (see docs/theory/adjoint.md), recursively; s >= n gives store-all.
inline ReversalStats binomial_reversal(int n, int snapshots, const ReversalCallbacks& cb) {
  if (n < 0 || snapshots < 0) throw std::invalid_argument("binomial_reversal: n and snapshots must be >= 0");
  ReversalStats st;
  int held = 1;
  st.max_slots = 1;
  cb.store(0);
  // reverse(i, j, s, slot_i): current = x_i, saved in slot_i; s free slots above slot_i.
  std::function<void(int, int, int, int)> reverse = [&](int i, int j, int s, int slot_i) {
    while (true) {
      if (j == i) {
        cb.consume(i);
        return;
      }
      const int l = j - i;
      if (s == 0) {
        for (int k = j; k > i; --k) {
          cb.restore(slot_i);
          for (int t = i; t < k; ++t) cb.advance();
          st.forward_steps += k - i;
          cb.consume(k);
        }
        cb.restore(slot_i);
        cb.consume(i);
        return;
      }
      // minimal r with beta(s + 1, r) >= l (s + 1 slots incl. slot_i); the right part
      // [m, j] is reversed with s slots (s - 1 free) and r repetitions: length <= beta(s, r).
      int r = 0;
      while (binomial_beta(s + 1, r) < l) ++r;
      const long long right = std::min<long long>(l - 1, binomial_beta(s, r) - 1);
      const int m = j - static_cast<int>(std::max<long long>(0, right));
      for (int t = i; t < m; ++t) cb.advance();
      st.forward_steps += m - i;
      const int slot_m = slot_i + 1;
      cb.store(slot_m);
      ++held;
      st.max_slots = std::max(st.max_slots, held);
      reverse(m, j, s - 1, slot_m);
      --held;
      cb.restore(slot_i);
      j = m - 1;  // then the left part [i, m - 1] with the same s
    }
  };
  reverse(0, n, snapshots, 0);
  return st;
}

}  // namespace hyseis::physics::wave
