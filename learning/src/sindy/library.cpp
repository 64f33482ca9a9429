// Candidate-term libraries: strong form (pointwise, from estimated derivatives) and weak form
// (test-function integrals, derivatives moved onto the test functions).
#include "hyseis/learning/sindy/library.hpp"

#include <algorithm>
#include <cmath>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::sindy {

using core::InvalidInput;

void LibraryOptions::validate() const {
  HYSEIS_REQUIRE(max_poly >= 0 && max_poly <= 8, InvalidInput, "LibraryOptions.max_poly must be in [0, 8], got " << max_poly);
  HYSEIS_REQUIRE(max_deriv >= 0 && max_deriv <= 8, InvalidInput,
                 "LibraryOptions.max_deriv must be in [0, 8], got " << max_deriv);
  for (const auto& e : extra) HYSEIS_REQUIRE(!e.name.empty(), InvalidInput, "LibraryOptions.extra: a term has no name");
}

std::vector<Monomial> monomials(const LibraryOptions& o) {
  std::vector<Monomial> out;
  for (int deg = 0; deg <= o.max_poly; ++deg) {
    if (!o.abs_factor) {
      out.push_back({deg, 0});
      continue;
    }
    for (int a = deg; a >= 0; --a) out.push_back({a, deg - a});
  }
  return out;
}

std::string monomial_name(const Monomial& m) {
  std::string s;
  if (m.a == 1) s += "u";
  else if (m.a > 1) s += "u^" + std::to_string(m.a);
  if (m.b == 1) s += "|u|";
  else if (m.b > 1) s += "|u|^" + std::to_string(m.b);
  return s;
}

std::string derivative_name(int d) { return d == 0 ? std::string() : "u_" + std::string(static_cast<std::size_t>(d), 'x'); }

namespace {
std::string product_name(const std::string& a, const std::string& b) {
  if (a.empty() && b.empty()) return "1";
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + " " + b;
}

template <class S>
S monomial_value(const S& u, const Monomial& m) {
  S v = S(1);
  for (int k = 0; k < m.a; ++k) v *= u;
  if (m.b > 0) {
    const double au = std::abs(u);
    v *= std::pow(au, m.b);
  }
  return v;
}
}  // namespace

std::vector<std::string> strong_term_names(const LibraryOptions& o) {
  std::vector<std::string> names;
  const auto mons = monomials(o);
  for (int d = 0; d <= o.max_deriv; ++d)
    for (const auto& m : mons) {
      if (d == 0 && m.degree() == 0 && !o.constant) continue;
      names.push_back(product_name(monomial_name(m), derivative_name(d)));
    }
  for (const auto& e : o.extra) names.push_back(e.name);
  return names;
}

void StrongFormOptions::validate() const {
  library.validate();
  dx.validate(library.max_deriv);
  dt.validate(1);
  HYSEIS_REQUIRE(trim_x >= -1 && trim_t >= -1, InvalidInput, "StrongFormOptions.trim_x/trim_t must be >= -1");
}

template <class S>
LinearSystem<S> build_strong_system(const Field<S>& f, const StrongFormOptions& o) {
  o.validate();
  f.validate();
  const auto& lib = o.library;
  for (const auto& e : lib.extra)
    HYSEIS_REQUIRE(e.fx.size() == f.nx(), InvalidInput,
                   "extra term '" << e.name << "' has " << e.fx.size() << " values, the grid " << f.nx());
  const int D = lib.max_deriv;
  const std::vector<S> ut = diff_t(f, 1, o.dt);
  std::vector<std::vector<S>> ders(static_cast<std::size_t>(D) + 1);
  ders[0] = (o.smooth_u && o.dx.method == DiffMethod::PolyFit) ? diff_x(f, 0, o.dx) : f.u;
  int hw = 0;
  for (int d = 1; d <= D; ++d) {
    ders[d] = diff_x(f, d, o.dx);
    hw = std::max(hw, o.dx.half_width(d));
  }
  if (o.smooth_u) hw = std::max(hw, o.dx.half_width(0));
  const int nx = static_cast<int>(f.nx()), nt = static_cast<int>(f.nt());
  const int tx = o.trim_x >= 0 ? o.trim_x : (f.periodic_x ? 0 : hw);
  const int tt = o.trim_t >= 0 ? o.trim_t : o.dt.half_width(1);
  HYSEIS_REQUIRE(nx > 2 * tx && nt > 2 * tt, InvalidInput,
                 "build_strong_system: trimming " << tx << " (x) and " << tt << " (t) points per edge leaves no data on a "
                                                  << nx << "x" << nt << " grid");
  std::vector<std::size_t> pts;
  for (int n = tt; n < nt - tt; ++n)
    for (int i = tx; i < nx - tx; ++i) pts.push_back(static_cast<std::size_t>(n) * f.nx() + static_cast<std::size_t>(i));
  if (o.max_points > 0 && o.max_points < pts.size()) {
    const auto perm = permutation(pts.size(), o.seed);
    std::vector<std::size_t> sub(o.max_points);
    for (std::size_t k = 0; k < o.max_points; ++k) sub[k] = pts[perm[k]];
    std::sort(sub.begin(), sub.end());
    pts.swap(sub);
  }
  const auto mons = monomials(lib);
  LinearSystem<S> sys;
  sys.names = strong_term_names(lib);
  const auto N = static_cast<Eigen::Index>(pts.size());
  sys.theta.resize(N, static_cast<Eigen::Index>(sys.names.size()));
  sys.lhs.resize(N);
  for (Eigen::Index r = 0; r < N; ++r) {
    const std::size_t k = pts[static_cast<std::size_t>(r)];
    sys.lhs(r) = ut[k];
    const S u = ders[0][k];
    Eigen::Index c = 0;
    for (int d = 0; d <= D; ++d)
      for (const auto& m : mons) {
        if (d == 0 && m.degree() == 0 && !lib.constant) continue;
        sys.theta(r, c++) = monomial_value(u, m) * (d == 0 ? S(1) : ders[d][k]);
      }
    for (const auto& e : lib.extra) sys.theta(r, c++) = e.fx[k % f.nx()] * u;
  }
  return sys;
}

// ------------------------------------------------------------------------------------------
// Weak form

void WeakFormOptions::validate() const {
  LibraryOptions l;
  l.max_poly = max_poly;
  l.max_deriv = max_deriv;
  l.extra = extra;
  l.validate();
  HYSEIS_REQUIRE(half_width_x >= 2 && half_width_t >= 2, InvalidInput,
                 "WeakFormOptions.half_width_x/t must be >= 2, got " << half_width_x << ", " << half_width_t);
  HYSEIS_REQUIRE(power_x > max_deriv, InvalidInput,
                 "WeakFormOptions.power_x (" << power_x << ") must exceed max_deriv (" << max_deriv
                                              << ") so that integration by parts leaves no boundary terms");
  HYSEIS_REQUIRE(power_t > 1, InvalidInput, "WeakFormOptions.power_t must be > 1, got " << power_t);
  HYSEIS_REQUIRE(stride_x >= 1 && stride_t >= 1, InvalidInput, "WeakFormOptions.stride_x/t must be >= 1");
}

std::vector<double> bump_derivative(int p, int k, int m) {
  HYSEIS_REQUIRE(p >= 0 && k >= 0 && m >= 1, InvalidInput, "bump_derivative: need p >= 0, k >= 0, m >= 1");
  // (1 - s^2)^p = sum_i C(p,i) (-1)^i s^{2i}; differentiate the coefficients k times.
  std::vector<double> c(static_cast<std::size_t>(2 * p + 1), 0.0);
  double binom = 1;
  for (int i = 0; i <= p; ++i) {
    c[static_cast<std::size_t>(2 * i)] = (i % 2 ? -binom : binom);
    binom = binom * (p - i) / (i + 1);
  }
  for (int r = 0; r < k; ++r) {
    if (c.size() <= 1) {
      c.assign(1, 0.0);
      break;
    }
    std::vector<double> dc(c.size() - 1);
    for (std::size_t j = 1; j < c.size(); ++j) dc[j - 1] = static_cast<double>(j) * c[j];
    c.swap(dc);
  }
  std::vector<double> v(static_cast<std::size_t>(2 * m + 1));
  for (int j = -m; j <= m; ++j) {
    const double s = static_cast<double>(j) / m;
    double acc = 0;
    for (std::size_t q = c.size(); q-- > 0;) acc = acc * s + c[q];
    v[static_cast<std::size_t>(j + m)] = acc;
  }
  return v;
}

namespace {
struct WeakColumn {
  Monomial mono;
  int d = 0;
  double scale = 1;
  int extra = -1;     // index into extra terms (f(x) u), -1 otherwise
  std::string name;
};

std::vector<WeakColumn> weak_columns(const WeakFormOptions& o) {
  LibraryOptions l;
  l.max_poly = o.max_poly;
  l.abs_factor = o.abs_factor;
  std::vector<WeakColumn> cols;
  const auto mons = monomials(l);
  for (int d = 0; d <= o.max_deriv; ++d)
    for (const auto& m : mons) {
      WeakColumn c;
      c.mono = m;
      c.d = d;
      if (m.degree() == 0) {
        if (d > 0 || !o.constant) continue;   // derivatives of a constant vanish
        c.name = "1";
      } else if (d == 0) {
        c.name = monomial_name(m);
      } else if (m.b == 0 && m.a == 1) {
        c.name = derivative_name(d);
      } else if (d == 1 && m.b == 0) {
        // d/dx(u^a) / a = u^{a-1} u_x: named as the strong-form term
        c.scale = 1.0 / m.a;
        c.name = product_name(monomial_name({m.a - 1, 0}), "u_x");
      } else {
        c.name = "(" + monomial_name(m) + ")_" + std::string(static_cast<std::size_t>(d), 'x');
      }
      cols.push_back(c);
    }
  for (std::size_t e = 0; e < o.extra.size(); ++e) {
    WeakColumn c;
    c.extra = static_cast<int>(e);
    c.name = o.extra[e].name;
    cols.push_back(c);
  }
  return cols;
}
}  // namespace

std::vector<std::string> weak_term_names(const WeakFormOptions& o) {
  std::vector<std::string> n;
  for (const auto& c : weak_columns(o)) n.push_back(c.name);
  return n;
}

template <class S>
LinearSystem<S> build_weak_system(const Field<S>& f, const WeakFormOptions& o) {
  o.validate();
  f.validate();
  for (const auto& e : o.extra)
    HYSEIS_REQUIRE(e.fx.size() == f.nx(), InvalidInput,
                   "extra term '" << e.name << "' has " << e.fx.size() << " values, the grid " << f.nx());
  const int nx = static_cast<int>(f.nx()), nt = static_cast<int>(f.nt());
  const int mx = o.half_width_x, mt = o.half_width_t;
  HYSEIS_REQUIRE(2 * mt + 1 <= nt && 2 * mx + 1 <= nx, InvalidInput,
                 "build_weak_system: test functions of " << 2 * mx + 1 << "x" << 2 * mt + 1 << " points do not fit the "
                                                         << nx << "x" << nt << " grid");
  std::vector<int> cx, ct;
  if (f.periodic_x)
    for (int i = 0; i < nx; i += o.stride_x) cx.push_back(i);
  else
    for (int i = mx; i + mx < nx; i += o.stride_x) cx.push_back(i);
  for (int n = mt; n + mt < nt; n += o.stride_t) ct.push_back(n);
  const auto ncx = cx.size(), nct = ct.size();
  const double dx = f.dx(), dt = f.dt();

  // 1-D test-function weights in physical units (the common factor dx*dt is dropped).
  std::vector<std::vector<double>> wx(static_cast<std::size_t>(o.max_deriv) + 1);
  for (int d = 0; d <= o.max_deriv; ++d) {
    wx[d] = bump_derivative(o.power_x, d, mx);
    const double s = std::pow(-1.0 / (mx * dx), d);   // (-1)^d from the integration by parts
    for (auto& w : wx[d]) w *= s;
  }
  const std::vector<double> wt0 = bump_derivative(o.power_t, 0, mt);
  std::vector<double> wt1 = bump_derivative(o.power_t, 1, mt);
  for (auto& w : wt1) w *= -1.0 / (mt * dt);          // -phi_t

  auto xi = [&](int i) {
    if (i < 0) i += nx;
    if (i >= nx) i -= nx;
    return i;
  };
  // <w_x (x) w_t, g> at every centre: convolve along x (all times), then along t.
  auto integrate = [&](const std::vector<S>& g, const std::vector<double>& wxk, const std::vector<double>& wtk,
                       Eigen::Ref<Vec<S>> out) {
    std::vector<S> a(static_cast<std::size_t>(nt) * ncx);
    for (int n = 0; n < nt; ++n)
      for (std::size_t k = 0; k < ncx; ++k) {
        S acc = S(0);
        const S* row = g.data() + static_cast<std::size_t>(n) * f.nx();
        for (int j = -mx; j <= mx; ++j) acc += wxk[j + mx] * row[xi(cx[k] + j)];
        a[static_cast<std::size_t>(n) * ncx + k] = acc;
      }
    for (std::size_t q = 0; q < nct; ++q)
      for (std::size_t k = 0; k < ncx; ++k) {
        S acc = S(0);
        for (int j = -mt; j <= mt; ++j) acc += wtk[j + mt] * a[static_cast<std::size_t>(ct[q] + j) * ncx + k];
        out(static_cast<Eigen::Index>(q * ncx + k)) = acc;
      }
  };

  const auto cols = weak_columns(o);
  LinearSystem<S> sys;
  const auto N = static_cast<Eigen::Index>(ncx * nct);
  sys.theta.resize(N, static_cast<Eigen::Index>(cols.size()));
  sys.lhs.resize(N);
  for (const auto& c : cols) sys.names.push_back(c.name);
  integrate(f.u, wx[0], wt1, sys.lhs);
  // Group columns by monomial so that each f(u) is evaluated once.
  std::vector<S> g(f.u.size());
  for (std::size_t c = 0; c < cols.size(); ++c) {
    const auto& col = cols[c];
    if (col.extra >= 0) {
      const auto& fx = o.extra[static_cast<std::size_t>(col.extra)].fx;
      for (std::size_t k = 0; k < g.size(); ++k) g[k] = fx[k % f.nx()] * f.u[k];
    } else {
      for (std::size_t k = 0; k < g.size(); ++k) g[k] = monomial_value(f.u[k], col.mono);
    }
    integrate(g, wx[static_cast<std::size_t>(col.extra >= 0 ? 0 : col.d)], wt0, sys.theta.col(static_cast<Eigen::Index>(c)));
    if (col.scale != 1) sys.theta.col(static_cast<Eigen::Index>(c)) *= S(col.scale);
  }
  return sys;
}

template LinearSystem<double> build_strong_system(const Field<double>&, const StrongFormOptions&);
template LinearSystem<cplx> build_strong_system(const Field<cplx>&, const StrongFormOptions&);
template LinearSystem<double> build_weak_system(const Field<double>&, const WeakFormOptions&);
template LinearSystem<cplx> build_weak_system(const Field<cplx>&, const WeakFormOptions&);

}  // namespace hyseis::learning::sindy
