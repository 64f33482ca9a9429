#pragma once
// Candidate-term libraries and the linear systems u_t = Theta(u) xi of PDE discovery.
//
// Strong form (PDE-FIND): columns are monomials of the data factors times a spatial
// derivative of u, e.g. 1, u, u^2, u_x, u u_x, u^2 u_x, u_xx, ..., evaluated pointwise from
// estimated derivatives (finite differences or local polynomial fits).
//
// Weak form (integral / WSINDy-type, Messenger & Bortz 2021): the PDE is multiplied by
// compactly supported test functions phi(x, t) = (1 - s^2)^px (1 - r^2)^pt on space-time
// windows and integrated by parts, so that no derivative of the (noisy) data is needed:
//     -<phi_t, u> = sum_j xi_j (-1)^{d_j} <d^{d_j} phi / dx^{d_j}, f_j(u)>,
// with the library made of x-derivatives of monomials, d^d f(u) / dx^d. A column
// d/dx(u^p) / p is the strong-form term u^{p-1} u_x and is named so; the names of the other
// columns say which term they are ((u^2)_xx, ...).
#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hyseis/learning/sindy/derivatives.hpp"
#include "hyseis/learning/sindy/field.hpp"

namespace hyseis::learning::sindy {

/// A monomial u^a |u|^b (b only for complex data).
struct Monomial {
  int a = 0, b = 0;
  int degree() const { return a + b; }
};

/// A column f(x) * u with a known function of x (e.g. a potential V(x) = x^2 / 2).
struct ExtraTerm {
  std::string name;           // e.g. "(x^2/2) u"
  std::vector<double> fx;     // one value per grid x
};

struct LibraryOptions {
  int max_poly = 2;           // highest monomial degree P
  int max_deriv = 3;          // highest spatial derivative order D
  bool abs_factor = false;    // complex data: monomials in u and |u| (PDE-FIND's NLS library)
  bool constant = true;       // include the column "1"
  std::vector<ExtraTerm> extra;
  void validate() const;
};

/// Monomials of degree 0..max_poly in the order PDE-FIND builds them.
std::vector<Monomial> monomials(const LibraryOptions& o);
/// "u", "u^2", "u|u|^2", "" (degree 0).
std::string monomial_name(const Monomial& m);
/// "u_x", "u_xxx", "" (d = 0).
std::string derivative_name(int d);
/// Strong-form term names: for d in 0..D, for each monomial m: m * d^d u / dx^d
/// ("1" for the constant), then the extra terms.
std::vector<std::string> strong_term_names(const LibraryOptions& o);

template <class S>
using Mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using Vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

/// A regression problem lhs = theta * xi, with one named column per candidate term.
template <class S>
struct LinearSystem {
  Mat<S> theta;
  Vec<S> lhs;
  std::vector<std::string> names;
  std::size_t rows() const { return static_cast<std::size_t>(theta.rows()); }
};

struct StrongFormOptions {
  LibraryOptions library;
  DiffSpec dx, dt;            // differentiation along x and t
  bool smooth_u = false;      // PolyFit only: use the fitted (smoothed) u in the library
  int trim_x = -1;            // points dropped at each x edge (-1: the stencil half-width, 0 if periodic)
  int trim_t = -1;            // points dropped at each t edge (-1: the stencil half-width)
  std::size_t max_points = 0; // > 0: a random subset of that many interior points
  std::uint64_t seed = 0;     // for the subset
  void validate() const;
};

/// Builds the strong-form system u_t = Theta xi on the (trimmed, optionally subsampled) grid.
template <class S>
LinearSystem<S> build_strong_system(const Field<S>& f, const StrongFormOptions& o);

struct WeakFormOptions {
  int max_poly = 2;           // f(u) = u^a |u|^b, degree <= max_poly
  int max_deriv = 3;          // d^d/dx^d of each monomial, d <= max_deriv
  bool abs_factor = false;
  bool constant = true;
  std::vector<ExtraTerm> extra;   // f(x) u (no derivative)
  int half_width_x = 20;      // test-function support: 2*mx+1 grid points
  int half_width_t = 10;
  int power_x = 8;            // (1 - s^2)^px; must exceed max_deriv
  int power_t = 4;            // must exceed 1
  int stride_x = 5;           // spacing of the test-function centres (grid points)
  int stride_t = 2;
  void validate() const;
};

/// Weak-form term names (see the header comment).
std::vector<std::string> weak_term_names(const WeakFormOptions& o);

/// Builds the weak-form system: one row per test function. Periodic x lets windows wrap.
template <class S>
LinearSystem<S> build_weak_system(const Field<S>& f, const WeakFormOptions& o);

/// Values of d^k/ds^k (1 - s^2)^p at s = j / m, j = -m..m (for the weak form and its tests).
std::vector<double> bump_derivative(int p, int k, int m);

}  // namespace hyseis::learning::sindy
