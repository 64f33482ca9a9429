// STRidge and TrainSTRidge (Rudy et al. 2017, Algorithms 1 and 2 of the supplement).
#include "hyseis/learning/sindy/stridge.hpp"

#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::sindy {

using core::InvalidInput;

void StridgeOptions::validate() const {
  HYSEIS_REQUIRE(lambda >= 0 && std::isfinite(lambda), InvalidInput, "StridgeOptions.lambda must be >= 0, got " << lambda);
  HYSEIS_REQUIRE(max_iter >= 1, InvalidInput, "StridgeOptions.max_iter must be >= 1, got " << max_iter);
}

void TrainOptions::validate() const {
  stridge.validate();
  HYSEIS_REQUIRE(train_fraction > 0 && train_fraction < 1, InvalidInput,
                 "TrainOptions.train_fraction must be in (0, 1), got " << train_fraction);
  HYSEIS_REQUIRE(d_tol >= 0 && std::isfinite(d_tol), InvalidInput, "TrainOptions.d_tol must be >= 0, got " << d_tol);
  HYSEIS_REQUIRE(max_tol_iter >= 1, InvalidInput, "TrainOptions.max_tol_iter must be >= 1, got " << max_tol_iter);
}

namespace {

template <class S>
Vec<S> lstsq(const Mat<S>& X, const Vec<S>& y) {
  return X.colPivHouseholderQr().solve(y);
}

template <class S>
Mat<S> columns(const Mat<S>& X, const std::vector<Eigen::Index>& idx) {
  Mat<S> out(X.rows(), static_cast<Eigen::Index>(idx.size()));
  for (std::size_t k = 0; k < idx.size(); ++k) out.col(static_cast<Eigen::Index>(k)) = X.col(idx[k]);
  return out;
}

/// Ridge solve on the columns `idx` from the Gram matrix G = X^H X and b = X^H y.
template <class S>
Vec<S> ridge(const Mat<S>& G, const Vec<S>& b, const std::vector<Eigen::Index>& idx, double lam) {
  const auto k = static_cast<Eigen::Index>(idx.size());
  Mat<S> A(k, k);
  Vec<S> r(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    r(i) = b(idx[i]);
    for (Eigen::Index j = 0; j < k; ++j) A(i, j) = G(idx[i], idx[j]);
    A(i, i) += S(lam);
  }
  return A.colPivHouseholderQr().solve(r);
}

template <class S>
std::size_t nnz(const std::vector<S>& w) {
  return static_cast<std::size_t>(std::count_if(w.begin(), w.end(), [](const S& v) { return v != S(0); }));
}

}  // namespace

namespace {

/// Normalisation and normal equations of one regression problem, computed once and reused by
/// every tolerance of the search.
template <class S>
struct Prepared {
  const Mat<S>* X0 = nullptr;
  const Vec<S>* y = nullptr;
  Eigen::VectorXd mreg;     // 1 / column norm (0 for an all-zero column)
  Mat<S> G;                 // normalised Gram matrix
  Vec<S> b;                 // normalised X^H y
};

template <class S>
Prepared<S> prepare(const Mat<S>& X0, const Vec<S>& y, const StridgeOptions& o) {
  HYSEIS_REQUIRE(X0.rows() == y.rows() && X0.rows() > 0, InvalidInput,
                 "stridge: theta has " << X0.rows() << " rows, lhs " << y.rows());
  Prepared<S> p;
  p.X0 = &X0;
  p.y = &y;
  const Eigen::Index d = X0.cols();
  p.mreg = Eigen::VectorXd::Ones(d);
  if (o.normalize)
    for (Eigen::Index i = 0; i < d; ++i) {
      const double nrm = X0.col(i).norm();
      p.mreg(i) = nrm > 0 ? 1.0 / nrm : 0.0;
    }
  const Vec<S> m = p.mreg.template cast<S>();
  p.G = m.asDiagonal() * (X0.adjoint() * X0) * m.asDiagonal();
  p.b = m.asDiagonal() * (X0.adjoint() * y);
  return p;
}

template <class S>
std::vector<S> stridge_prepared(const Prepared<S>& p, double tol, const StridgeOptions& o) {
  const Eigen::Index d = p.G.cols();
  std::vector<Eigen::Index> all(static_cast<std::size_t>(d));
  for (Eigen::Index i = 0; i < d; ++i) all[static_cast<std::size_t>(i)] = i;
  // lambda = 0: least squares through the normal equations (well posed after normalisation).
  Vec<S> w = ridge(p.G, p.b, all, o.lambda);
  std::vector<Eigen::Index> big = all;
  std::size_t num_relevant = static_cast<std::size_t>(d);
  for (int j = 0; j < o.max_iter; ++j) {
    std::vector<Eigen::Index> nb;
    for (Eigen::Index i = 0; i < d; ++i)
      if (std::abs(w(i)) >= tol && p.mreg(i) != 0) nb.push_back(i);
    if (nb.size() == num_relevant) break;
    num_relevant = nb.size();
    if (nb.empty()) {
      // As the authors' code: nothing above the threshold on the first pass returns the dense
      // ridge estimate (which the l0 penalty then rejects); later, keep the previous support.
      if (j == 0) {
        std::vector<S> out(static_cast<std::size_t>(d));
        for (Eigen::Index i = 0; i < d; ++i) out[static_cast<std::size_t>(i)] = w(i) * p.mreg(i);
        return out;
      }
      break;
    }
    big = nb;
    const Vec<S> wb = ridge(p.G, p.b, big, o.lambda);
    w.setZero();
    for (std::size_t k = 0; k < big.size(); ++k) w(big[k]) = wb(static_cast<Eigen::Index>(k));
  }
  // Unregularised least squares on the support, on the original columns (QR, not normal equations).
  std::vector<S> out(static_cast<std::size_t>(d), S(0));
  if (!big.empty()) {
    const Vec<S> wb = lstsq<S>(columns<S>(*p.X0, big), *p.y);
    for (std::size_t k = 0; k < big.size(); ++k) out[static_cast<std::size_t>(big[k])] = wb(static_cast<Eigen::Index>(k));
  }
  return out;
}

}  // namespace

template <class S>
std::vector<S> stridge(const Mat<S>& X0, const Vec<S>& y, double tol, const StridgeOptions& o) {
  o.validate();
  return stridge_prepared(prepare(X0, y, o), tol, o);
}

template <class S>
std::vector<std::size_t> SparseModel<S>::support() const {
  std::vector<std::size_t> s;
  for (std::size_t i = 0; i < coef.size(); ++i)
    if (coef[i] != S(0)) s.push_back(i);
  return s;
}

template <class S>
S SparseModel<S>::coefficient(const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return coef[i];
  throw InvalidInput("SparseModel: no term named '" + name + "' in the library");
}

namespace {
std::string fmt(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}
std::string fmt(const cplx& v) {
  std::ostringstream os;
  os.precision(6);
  if (v.real() != 0) os << "(" << v.real() << (v.imag() >= 0 ? "+" : "") << v.imag() << "i)";
  else os << v.imag() << "i";
  return os.str();
}
}  // namespace

template <class S>
std::string SparseModel<S>::equation() const {
  std::string s = "u_t =";
  bool any = false;
  for (std::size_t i : support()) {
    s += (any ? " + " : " ") + fmt(coef[i]) + " " + names[i];
    any = true;
  }
  if (!any) s += " 0";
  return s;
}

template <class S>
SparseModel<S> train_stridge(const LinearSystem<S>& sys, const TrainOptions& o) {
  o.validate();
  const auto n = static_cast<std::size_t>(sys.theta.rows());
  const auto d = sys.theta.cols();
  HYSEIS_REQUIRE(n >= 4 && static_cast<Eigen::Index>(n) == sys.lhs.rows() && d > 0, InvalidInput,
                 "train_stridge: need >= 4 rows and matching lhs, got " << n << " rows, " << sys.lhs.rows() << " lhs, "
                                                                         << d << " columns");
  HYSEIS_REQUIRE(sys.names.size() == static_cast<std::size_t>(d), InvalidInput,
                 "train_stridge: " << sys.names.size() << " names for " << d << " columns");
  // Random train/test split of the rows.
  const auto perm = permutation(n, o.seed);
  const std::size_t ntr = std::max<std::size_t>(1, std::min(n - 1, static_cast<std::size_t>(o.train_fraction * n)));
  std::vector<std::size_t> tr(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(ntr));
  std::vector<std::size_t> te(perm.begin() + static_cast<std::ptrdiff_t>(ntr), perm.end());
  std::sort(tr.begin(), tr.end());
  std::sort(te.begin(), te.end());
  auto rows = [&](const std::vector<std::size_t>& idx, Mat<S>& R, Vec<S>& y) {
    R.resize(static_cast<Eigen::Index>(idx.size()), d);
    y.resize(static_cast<Eigen::Index>(idx.size()));
    for (std::size_t k = 0; k < idx.size(); ++k) {
      R.row(static_cast<Eigen::Index>(k)) = sys.theta.row(static_cast<Eigen::Index>(idx[k]));
      y(static_cast<Eigen::Index>(k)) = sys.lhs(static_cast<Eigen::Index>(idx[k]));
    }
  };
  Mat<S> Rtr, Rte;
  Vec<S> ytr, yte;
  rows(tr, Rtr, ytr);
  rows(te, Rte, yte);

  double l0 = o.l0_penalty;
  if (l0 < 0) {
    // cond(Theta) from the triangular factor of a QR (cheap for tall matrices).
    Eigen::HouseholderQR<Mat<S>> qr(sys.theta);
    const Mat<S> Rf = qr.matrixQR().topRows(d).template triangularView<Eigen::Upper>();
    const Eigen::VectorXd sv = Eigen::JacobiSVD<Mat<S>>(Rf).singularValues();
    const double cond = sv(sv.size() - 1) > 0 ? sv(0) / sv(sv.size() - 1) : 1e300;
    l0 = 1e-3 * cond;
  }
  auto error = [&](const std::vector<S>& w) {
    Vec<S> wv(d);
    for (Eigen::Index i = 0; i < d; ++i) wv(i) = w[static_cast<std::size_t>(i)];
    return (yte - Rte * wv).norm() + l0 * static_cast<double>(nnz(w));
  };
  std::vector<S> w_best(static_cast<std::size_t>(d));
  {
    const Vec<S> w0 = lstsq<S>(Rtr, ytr);
    for (Eigen::Index i = 0; i < d; ++i) w_best[static_cast<std::size_t>(i)] = w0(i);
  }
  double err_best = error(w_best), tol_best = 0;
  double d_tol = o.d_tol;
  if (d_tol <= 0) {
    // 1 % of the largest normalised least-squares coefficient.
    double mx = 0;
    for (Eigen::Index i = 0; i < d; ++i) mx = std::max(mx, std::abs(w_best[static_cast<std::size_t>(i)]) * Rtr.col(i).norm());
    d_tol = 0.01 * mx;
  }
  double tol = d_tol;
  const Prepared<S> ptr = prepare(Rtr, ytr, o.stridge);
  for (int it = 0; it < o.max_tol_iter; ++it) {
    const auto w = stridge_prepared(ptr, tol, o.stridge);
    const double err = error(w);
    if (err <= err_best) {
      err_best = err;
      w_best = w;
      tol_best = tol;
      tol += d_tol;
    } else {
      tol = std::max(0.0, tol - 2 * d_tol);
      d_tol = 2 * d_tol / (o.max_tol_iter - it);
      tol += d_tol;
    }
  }
  SparseModel<S> m;
  m.names = sys.names;
  m.tolerance = tol_best;
  m.test_error = err_best;
  // Final coefficients: least squares on all rows over the support chosen on the training rows.
  // (Re-thresholding all rows with tol_best would be fragile: the search pushes the tolerance
  // up to the edge of the smallest kept coefficient.)
  std::vector<Eigen::Index> supp;
  for (Eigen::Index i = 0; i < d; ++i)
    if (w_best[static_cast<std::size_t>(i)] != S(0)) supp.push_back(i);
  m.coef.assign(static_cast<std::size_t>(d), S(0));
  if (!supp.empty()) {
    const Vec<S> w = lstsq<S>(columns<S>(sys.theta, supp), sys.lhs);
    for (std::size_t k = 0; k < supp.size(); ++k) m.coef[static_cast<std::size_t>(supp[k])] = w(static_cast<Eigen::Index>(k));
  }
  return m;
}

template <class S>
SparseModel<S> fit_support(const LinearSystem<S>& sys, const std::vector<std::string>& support) {
  std::vector<Eigen::Index> idx;
  for (const auto& s : support) {
    auto it = std::find(sys.names.begin(), sys.names.end(), s);
    HYSEIS_REQUIRE(it != sys.names.end(), InvalidInput, "fit_support: no term named '" << s << "' in the library");
    idx.push_back(static_cast<Eigen::Index>(it - sys.names.begin()));
  }
  SparseModel<S> m;
  m.names = sys.names;
  m.coef.assign(sys.names.size(), S(0));
  const Vec<S> w = lstsq<S>(columns<S>(sys.theta, idx), sys.lhs);
  for (std::size_t k = 0; k < idx.size(); ++k) m.coef[static_cast<std::size_t>(idx[k])] = w(static_cast<Eigen::Index>(k));
  return m;
}

template <class S>
Comparison<S> compare_to_truth(const SparseModel<S>& m, const std::vector<std::string>& names, const std::vector<S>& values) {
  HYSEIS_REQUIRE(names.size() == values.size(), InvalidInput, "compare_to_truth: names and values differ in size");
  Comparison<S> c;
  std::set<std::string> found, truth(names.begin(), names.end());
  for (std::size_t i : m.support()) found.insert(m.names[i]);
  c.support_ok = found == truth;
  std::ostringstream os;
  for (std::size_t k = 0; k < names.size(); ++k) {
    const S v = m.coefficient(names[k]);
    const double e = std::abs(v - values[k]) / std::abs(values[k]);
    c.max_rel_error = std::max(c.max_rel_error, e);
    c.mean_rel_error += e / static_cast<double>(names.size());
    os << (k ? "; " : "") << names[k] << ": " << fmt(v) << " (true " << fmt(values[k]) << ", err " << fmt(100 * e) << " %)";
  }
  for (const auto& f : found)
    if (!truth.count(f)) os << "; spurious " << f << ": " << fmt(m.coefficient(f));
  c.detail = os.str();
  return c;
}

#define HYSEIS_SINDY_INST(S)                                                                                 \
  template std::vector<S> stridge(const Mat<S>&, const Vec<S>&, double, const StridgeOptions&);              \
  template struct SparseModel<S>;                                                                            \
  template SparseModel<S> train_stridge(const LinearSystem<S>&, const TrainOptions&);                        \
  template SparseModel<S> fit_support(const LinearSystem<S>&, const std::vector<std::string>&);              \
  template Comparison<S> compare_to_truth(const SparseModel<S>&, const std::vector<std::string>&,            \
                                          const std::vector<S>&);
HYSEIS_SINDY_INST(double)
HYSEIS_SINDY_INST(cplx)
#undef HYSEIS_SINDY_INST

}  // namespace hyseis::learning::sindy
