#pragma once
// Reversal schedules for adjoint time stepping: store_all and binomial checkpointing
// (Griewank's revolve: with c snapshots and r repetitions, beta(c, r) = C(c + r, c) steps can
// be reversed). Generic over the state: the caller supplies callbacks. No deal.II here.
#include <algorithm>
#include <functional>
#include <stdexcept>
#include <vector>

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

namespace detail {
/// Split of the range [i, j] with s free slots: the state m at which the next snapshot goes.
inline int binomial_split(int i, int j, int s) {
  const int l = j - i;
  // minimal r with beta(s + 1, r) >= l (s + 1 slots incl. the one of x_i); the right part
  // [m, j] is reversed with s slots (s - 1 free) and r repetitions: length <= beta(s, r).
  int r = 0;
  while (binomial_beta(s + 1, r) < l) ++r;
  const long long right = std::min<long long>(l - 1, binomial_beta(s, r) - 1);
  return j - static_cast<int>(std::max<long long>(0, right));
}
}  // namespace detail

/// The states the binomial schedule stores during its first sweep from x_0 (slot k + 1 holds
/// x_{chain[k]}). A recording forward sweep that stores them lets binomial_reversal start
/// with `first_sweep_done` = true.
inline std::vector<int> binomial_first_chain(int n, int snapshots) {
  std::vector<int> chain;
  int i = 0, s = snapshots;
  while (n > i && s > 0) {
    i = detail::binomial_split(i, n, s);
    chain.push_back(i);
    --s;
  }
  return chain;
}

/// Visits x_n, x_{n-1}, ..., x_0 (consume(k) with current = x_k) starting from current = x_0,
/// holding at most `snapshots` + 1 states in slots 0..snapshots (slot 0 = x_0). Binomial
/// schedule: the range [i, j] with s free slots first advances to detail::binomial_split(i, j,
/// s), stores it, reverses the right part with s - 1 free slots, then the left part with s
/// (docs/theory/adjoint.md); s >= n gives store-all.
/// first_sweep_done: slot 0 and the slots of binomial_first_chain(n, snapshots) are already
/// filled and the current state is x_n (a recording sweep did it): those advances are skipped.
inline ReversalStats binomial_reversal(int n, int snapshots, const ReversalCallbacks& cb,
                                       bool first_sweep_done = false) {
  if (n < 0 || snapshots < 0) throw std::invalid_argument("binomial_reversal: n and snapshots must be >= 0");
  ReversalStats st;
  int held = 1;
  st.max_slots = 1;
  bool skipping = first_sweep_done;  // true while descending the pre-stored first chain
  if (!first_sweep_done) cb.store(0);
  // reverse(i, j, s, slot_i): current = x_i, saved in slot_i; s free slots above slot_i.
  std::function<void(int, int, int, int)> reverse = [&](int i, int j, int s, int slot_i) {
    while (true) {
      if (j == i) {
        skipping = false;  // (current is x_n when the chain reaches n)
        cb.consume(i);
        return;
      }
      if (s == 0) {
        skipping = false;
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
      const int m = detail::binomial_split(i, j, s);
      const int slot_m = slot_i + 1;
      if (!skipping) {
        for (int t = i; t < m; ++t) cb.advance();
        st.forward_steps += m - i;
        cb.store(slot_m);
      }
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
