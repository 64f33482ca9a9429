// Finite-difference (Fornberg) and local-polynomial-fit differentiation on uniform grids.
#include "hyseis/learning/sindy/derivatives.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <map>
#include <mutex>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::sindy {

using core::InvalidInput;

std::vector<double> fd_weights(int m, const std::vector<double>& z) {
  const int n = static_cast<int>(z.size()) - 1;
  HYSEIS_REQUIRE(m >= 0 && n >= m, InvalidInput,
                 "fd_weights: derivative order " << m << " needs more than " << m << " points, got " << z.size());
  // Fornberg (1988), "Generation of finite difference formulas on arbitrarily spaced grids".
  std::vector<std::vector<double>> c(n + 1, std::vector<double>(m + 1, 0.0));
  double c1 = 1.0, c4 = z[0];
  c[0][0] = 1.0;
  for (int i = 1; i <= n; ++i) {
    const int mn = std::min(i, m);
    double c2 = 1.0;
    const double c5 = c4;
    c4 = z[i];
    for (int j = 0; j < i; ++j) {
      const double c3 = z[i] - z[j];
      HYSEIS_REQUIRE(c3 != 0, InvalidInput, "fd_weights: repeated offset " << z[i]);
      c2 *= c3;
      if (j == i - 1) {
        for (int k = mn; k >= 1; --k) c[i][k] = c1 * (k * c[i - 1][k - 1] - c5 * c[i - 1][k]) / c2;
        c[i][0] = -c1 * c5 * c[i - 1][0] / c2;
      }
      for (int k = mn; k >= 1; --k) c[j][k] = (c4 * c[j][k] - k * c[j][k - 1]) / c3;
      c[j][0] = c4 * c[j][0] / c3;
    }
    c1 = c2;
  }
  std::vector<double> w(n + 1);
  for (int i = 0; i <= n; ++i) w[i] = c[i][m];
  return w;
}

std::vector<double> poly_fit_weights(int m, int degree, const std::vector<double>& offsets) {
  const int n = static_cast<int>(offsets.size());
  HYSEIS_REQUIRE(degree >= m && m >= 0 && n > degree, InvalidInput,
                 "poly_fit_weights: need degree (" << degree << ") >= derivative order (" << m
                                                   << ") and more points (" << n << ") than the degree");
  // Scaled local coordinate s = offset / L keeps the Vandermonde matrix well conditioned;
  // the least-squares fit itself is basis independent (Chebyshev or monomials).
  double L = 0;
  for (double o : offsets) L = std::max(L, std::abs(o));
  Eigen::MatrixXd V(n, degree + 1);
  for (int i = 0; i < n; ++i) {
    double p = 1, s = offsets[i] / L;
    for (int k = 0; k <= degree; ++k, p *= s) V(i, k) = p;
  }
  // Row m of the pseudo-inverse: coefficient c_m of s^m; d^m/dx^m at 0 = m! c_m / L^m.
  const Eigen::MatrixXd pinv = V.completeOrthogonalDecomposition().pseudoInverse();
  double fact = 1;
  for (int k = 2; k <= m; ++k) fact *= k;
  const double scale = fact / std::pow(L, m);
  std::vector<double> w(n);
  for (int i = 0; i < n; ++i) w[i] = scale * pinv(m, i);
  return w;
}

void DiffSpec::validate(int max_order) const {
  if (method == DiffMethod::FiniteDifference) {
    HYSEIS_REQUIRE(fd_accuracy >= 2 && fd_accuracy % 2 == 0, InvalidInput,
                   "DiffSpec.fd_accuracy must be even and >= 2, got " << fd_accuracy);
  } else {
    HYSEIS_REQUIRE(poly_degree >= max_order, InvalidInput,
                   "DiffSpec.poly_degree (" << poly_degree << ") must be >= the derivative order " << max_order);
    HYSEIS_REQUIRE(2 * poly_half_width + 1 > poly_degree, InvalidInput,
                   "DiffSpec.poly_half_width (" << poly_half_width << ") gives " << 2 * poly_half_width + 1
                                                << " points, need more than poly_degree = " << poly_degree);
  }
}

int DiffSpec::half_width(int m) const {
  if (method == DiffMethod::PolyFit) return poly_half_width;
  if (m == 0) return 0;
  const int npts = 2 * ((m + 1) / 2) - 1 + fd_accuracy;   // centred stencil size
  return (npts - 1) / 2;
}

namespace {

/// Stencil (first offset, weights) for position i of a line of n points.
struct Stencil {
  int first = 0;
  std::vector<double> w;
};

std::vector<double> offsets_from(int a, int b) {
  std::vector<double> o;
  for (int k = a; k <= b; ++k) o.push_back(k);
  return o;
}

std::vector<double> weights(const DiffSpec& s, int m, const std::vector<double>& off) {
  if (s.method == DiffMethod::FiniteDifference) return fd_weights(m, off);
  return poly_fit_weights(m, s.poly_degree, off);
}

/// Cached centred weights (a small table: keyed by method, order and parameters).
const std::vector<double>& centred(const DiffSpec& s, int m) {
  static std::mutex mu;
  static std::map<std::tuple<int, int, int, int, int>, std::vector<double>> cache;
  const auto key = std::make_tuple(static_cast<int>(s.method), m, s.fd_accuracy, s.poly_degree, s.poly_half_width);
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(key);
  if (it == cache.end()) {
    const int r = s.half_width(m);
    it = cache.emplace(key, weights(s, m, offsets_from(-r, r))).first;
  }
  return it->second;
}

}  // namespace

template <class S>
void diff_line(const S* y, std::ptrdiff_t stride, std::size_t n, double h, int m, const DiffSpec& spec, bool periodic,
               S* out, std::ptrdiff_t out_stride) {
  spec.validate(m);
  HYSEIS_REQUIRE(h > 0, InvalidInput, "diff_line: spacing must be > 0, got " << h);
  if (m == 0 && spec.method == DiffMethod::FiniteDifference) {
    for (std::size_t i = 0; i < n; ++i) out[i * out_stride] = y[i * stride];
    return;
  }
  const int r = spec.half_width(m);
  // Non-periodic ends: an off-centred stencil; finite differences get one extra point there
  // so the accuracy order is kept for even derivatives.
  const int size = (spec.method == DiffMethod::FiniteDifference && !periodic) ? std::max(2 * r + 1, m + spec.fd_accuracy)
                                                                              : 2 * r + 1;
  HYSEIS_REQUIRE(static_cast<std::size_t>(size) <= n, InvalidInput,
                 "diff_line: stencil of " << size << " points for derivative order " << m << " on a line of " << n
                                          << " points");
  const double scale = 1.0 / std::pow(h, m);
  const auto& wc = centred(spec, m);
  const int ni = static_cast<int>(n);
  std::map<int, std::vector<double>> edge;   // off-centred stencils by first offset
  for (int i = 0; i < ni; ++i) {
    S acc = S(0);
    if (periodic || (i - r >= 0 && i + r < ni)) {
      for (int k = -r; k <= r; ++k) {
        int j = i + k;
        if (j < 0) j += ni;
        if (j >= ni) j -= ni;
        acc += wc[k + r] * y[static_cast<std::ptrdiff_t>(j) * stride];
      }
    } else {
      const int first = std::clamp(i - size / 2, 0, ni - size);
      auto it = edge.find(first - i);
      if (it == edge.end()) it = edge.emplace(first - i, weights(spec, m, offsets_from(first - i, first - i + size - 1))).first;
      for (int k = 0; k < size; ++k) acc += it->second[k] * y[static_cast<std::ptrdiff_t>(first + k) * stride];
    }
    out[static_cast<std::ptrdiff_t>(i) * out_stride] = acc * scale;
  }
}

template <class S>
std::vector<S> diff(const std::vector<S>& y, double h, int m, const DiffSpec& spec, bool periodic) {
  std::vector<S> out(y.size());
  diff_line(y.data(), 1, y.size(), h, m, spec, periodic, out.data(), 1);
  return out;
}

template <class S>
std::vector<S> diff_x(const Field<S>& f, int m, const DiffSpec& spec) {
  std::vector<S> out(f.u.size());
  const std::size_t nx = f.nx();
  for (std::size_t n = 0; n < f.nt(); ++n)
    diff_line(f.u.data() + n * nx, 1, nx, f.dx(), m, spec, f.periodic_x, out.data() + n * nx, 1);
  return out;
}

template <class S>
std::vector<S> diff_t(const Field<S>& f, int m, const DiffSpec& spec) {
  std::vector<S> out(f.u.size());
  const std::size_t nx = f.nx();
  for (std::size_t i = 0; i < nx; ++i)
    diff_line(f.u.data() + i, static_cast<std::ptrdiff_t>(nx), f.nt(), f.dt(), m, spec, false, out.data() + i,
              static_cast<std::ptrdiff_t>(nx));
  return out;
}

#define HYSEIS_SINDY_INST(S)                                                                                      \
  template void diff_line(const S*, std::ptrdiff_t, std::size_t, double, int, const DiffSpec&, bool, S*,          \
                          std::ptrdiff_t);                                                                        \
  template std::vector<S> diff(const std::vector<S>&, double, int, const DiffSpec&, bool);                        \
  template std::vector<S> diff_x(const Field<S>&, int, const DiffSpec&);                                          \
  template std::vector<S> diff_t(const Field<S>&, int, const DiffSpec&);
HYSEIS_SINDY_INST(double)
HYSEIS_SINDY_INST(cplx)
#undef HYSEIS_SINDY_INST

}  // namespace hyseis::learning::sindy
