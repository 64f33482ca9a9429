#include "hyseis/solvers/lsqr.hpp"

#include <cmath>
#include <limits>

#include "hyseis/core/error.hpp"

namespace hyseis::solvers {

void LsqrOptions::validate() const {
  HYSEIS_REQUIRE(std::isfinite(damp) && damp >= 0, core::InvalidInput, "lsqr: damp must be >= 0, got " << damp);
  HYSEIS_REQUIRE(atol >= 0 && btol >= 0, core::InvalidInput, "lsqr: atol, btol must be >= 0");
  HYSEIS_REQUIRE(conlim > 0, core::InvalidInput, "lsqr: conlim must be > 0, got " << conlim);
  HYSEIS_REQUIRE(max_iter >= 0, core::InvalidInput, "lsqr: max_iter must be >= 0, got " << max_iter);
}

std::string LsqrResult::reason() const {
  switch (istop) {
    case 0: return "b = 0: x = 0 is the exact solution";
    case 1: return "compatible system solved to btol/atol";
    case 2: return "least-squares solution to atol";
    case 3: return "condition estimate exceeded conlim";
    default: return "iteration limit reached";
  }
}

LinearOperator make_operator(const Eigen::SparseMatrix<double, Eigen::RowMajor>& A) {
  LinearOperator op;
  op.rows = A.rows();
  op.cols = A.cols();
  const auto* pa = &A;
  op.apply = [pa](const Eigen::VectorXd& x, Eigen::VectorXd& y) { y.noalias() = (*pa) * x; };
  op.apply_transpose = [pa](const Eigen::VectorXd& y, Eigen::VectorXd& x) { x.noalias() = pa->transpose() * y; };
  return op;
}

LinearOperator make_operator(const Eigen::MatrixXd& A) {
  LinearOperator op;
  op.rows = A.rows();
  op.cols = A.cols();
  const auto* pa = &A;
  op.apply = [pa](const Eigen::VectorXd& x, Eigen::VectorXd& y) { y.noalias() = (*pa) * x; };
  op.apply_transpose = [pa](const Eigen::VectorXd& y, Eigen::VectorXd& x) { x.noalias() = pa->transpose() * y; };
  return op;
}

LsqrResult lsqr(const LinearOperator& A, const Eigen::VectorXd& b, const LsqrOptions& opt) {
  opt.validate();
  HYSEIS_REQUIRE(b.size() == A.rows, core::InvalidInput,
                 "lsqr: right-hand side has " << b.size() << " entries, operator has " << A.rows << " rows");
  HYSEIS_REQUIRE(b.allFinite(), core::InvalidInput, "lsqr: right-hand side contains NaN/Inf");
  const Eigen::Index m = A.rows, n = A.cols;
  const int max_iter = opt.max_iter > 0 ? opt.max_iter : int(4 * std::min(m, n) + 20);
  LsqrResult res;
  res.x = Eigen::VectorXd::Zero(n);
  Eigen::VectorXd u = b, v(n), w(n), tmp_m(m), tmp_n(n);
  double beta = u.norm();
  const double bnorm = beta;
  if (beta == 0) return res;
  u /= beta;
  A.apply_transpose(u, v);
  double alpha = v.norm();
  if (alpha == 0) {
    res.rnorm = bnorm;
    return res;
  }
  v /= alpha;
  w = v;
  const double damp = opt.damp, dampsq = damp * damp;
  double rhobar = alpha, phibar = beta;
  double anorm = 0, acond = 0, ddnorm = 0, res2 = 0, xxnorm = 0, z = 0, cs2 = -1, sn2 = 0;
  double rnorm = beta, arnorm = alpha * beta, xnorm = 0;
  const double ctol = opt.conlim > 0 ? 1 / opt.conlim : 0;
  int istop = 4, it = 0;
  for (it = 1; it <= max_iter; ++it) {
    // Bidiagonalisation: beta u = A v - alpha u,  alpha v = A^T u - beta v.
    A.apply(v, tmp_m);
    u = tmp_m - alpha * u;
    beta = u.norm();
    anorm = std::sqrt(anorm * anorm + alpha * alpha + beta * beta + dampsq);
    if (beta > 0) {
      u /= beta;
      A.apply_transpose(u, tmp_n);
      v = tmp_n - beta * v;
      alpha = v.norm();
      if (alpha > 0) v /= alpha;
    }
    // Eliminate the damping parameter, then the subdiagonal beta (plane rotations).
    const double rhobar1 = std::sqrt(rhobar * rhobar + dampsq);
    const double cs1 = rhobar / rhobar1, sn1 = damp / rhobar1;
    const double psi = sn1 * phibar;
    phibar = cs1 * phibar;
    const double rho = std::sqrt(rhobar1 * rhobar1 + beta * beta);
    const double cs = rhobar1 / rho, sn = beta / rho;
    const double theta = sn * alpha;
    rhobar = -cs * alpha;
    const double phi = cs * phibar;
    phibar = sn * phibar;
    const double tau = sn * phi;
    // Update x and w.
    const double t1 = phi / rho, t2 = -theta / rho;
    ddnorm += (w / rho).squaredNorm();
    res.x += t1 * w;
    w = v + t2 * w;
    // Norm estimates (Paige & Saunders, section 5).
    const double delta = sn2 * rho, gambar = -cs2 * rho, rhs = phi - delta * z;
    const double zbar = rhs / gambar;
    xnorm = std::sqrt(xxnorm + zbar * zbar);
    const double gamma = std::sqrt(gambar * gambar + theta * theta);
    cs2 = gambar / gamma;
    sn2 = theta / gamma;
    z = rhs / gamma;
    xxnorm += z * z;
    acond = anorm * std::sqrt(ddnorm);
    res2 += psi * psi;
    rnorm = std::sqrt(phibar * phibar + res2);
    arnorm = alpha * std::abs(tau);
    const double test1 = rnorm / bnorm;
    const double test2 = (anorm * rnorm) > 0 ? arnorm / (anorm * rnorm) : 0;
    const double test3 = 1 / acond;
    const double rtol = opt.btol + opt.atol * anorm * xnorm / bnorm;
    if (test3 <= ctol) istop = 3;
    if (test2 <= opt.atol) istop = 2;
    if (test1 <= rtol) istop = 1;
    if (istop != 4) break;
  }
  HYSEIS_REQUIRE(res.x.allFinite(), core::NumericalError, "lsqr: NaN/Inf in the iterate after " << it << " iterations");
  res.iterations = std::min(it, max_iter);
  res.istop = istop;
  res.rnorm = rnorm;
  res.arnorm = arnorm;
  res.anorm = anorm;
  res.acond = acond;
  res.xnorm = res.x.norm();
  return res;
}

}  // namespace hyseis::solvers
