#pragma once
// Numerical differentiation for PDE discovery on uniform grids: finite differences of any
// even accuracy order (Fornberg weights), and local least-squares polynomial fits on sliding
// windows (the "polynomial interpolation" of PDE-FIND: fitting a degree-q polynomial to
// 2w+1 neighbours and differentiating it at the centre; on a uniform grid this is a fixed
// linear filter, i.e. a Savitzky-Golay differentiator, independent of the polynomial basis).
#include <cstddef>
#include <vector>

#include "hyseis/learning/sindy/field.hpp"

namespace hyseis::learning::sindy {

/// Fornberg (1988) weights of the `m`-th derivative at 0 from samples at `offsets`
/// (any distinct points, in the same unit as the derivative). Requires offsets.size() > m.
std::vector<double> fd_weights(int m, const std::vector<double>& offsets);

/// Weights of the `m`-th derivative at the centre offset 0 of a least-squares polynomial of
/// degree `degree` fitted to the samples at integer `offsets` (unit spacing).
/// Requires degree >= m and offsets.size() > degree.
std::vector<double> poly_fit_weights(int m, int degree, const std::vector<double>& offsets);

enum class DiffMethod { FiniteDifference, PolyFit };

/// How to differentiate along one axis.
struct DiffSpec {
  DiffMethod method = DiffMethod::FiniteDifference;
  int fd_accuracy = 2;       // even, >= 2 (FiniteDifference)
  int poly_degree = 4;       // PolyFit: degree of the local polynomial (>= derivative order)
  int poly_half_width = 5;   // PolyFit: window of 2w+1 points
  /// Throws core::InvalidInput naming the field and the constraint.
  void validate(int max_order) const;
  /// Half-width of the centred stencil for derivative order m (points needed on each side).
  int half_width(int m) const;
};

/// Derivative of order m (m = 0: the value itself, smoothed for PolyFit) of the n samples
/// y[0], y[stride], ... with spacing h. Non-periodic lines use off-centred stencils of the
/// same size near the ends (those points are usually trimmed by the caller); periodic lines wrap.
template <class S>
void diff_line(const S* y, std::ptrdiff_t stride, std::size_t n, double h, int m, const DiffSpec& spec,
               bool periodic, S* out, std::ptrdiff_t out_stride);

/// Convenience: derivative of a contiguous vector.
template <class S>
std::vector<S> diff(const std::vector<S>& y, double h, int m, const DiffSpec& spec, bool periodic = false);

/// d^m u / dx^m of a field (same layout as f.u).
template <class S>
std::vector<S> diff_x(const Field<S>& f, int m, const DiffSpec& spec);
/// d^m u / dt^m of a field (same layout as f.u); time is never periodic.
template <class S>
std::vector<S> diff_t(const Field<S>& f, int m, const DiffSpec& spec);

}  // namespace hyseis::learning::sindy
