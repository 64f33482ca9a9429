#include <Eigen/Eigenvalues>

#include <chrono>
#include <cmath>
#include <limits>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/tomography/inversion.hpp"

namespace hyseis::hybrid::tomography {

using core::InvalidInput;

void ConventionalOptions::validate() const {
  HYSEIS_REQUIRE(std::isfinite(length) && length > 0, InvalidInput,
                 "conventional: length must be > 0, got " << length);
  HYSEIS_REQUIRE(selection == "fixed" || selection == "gcv" || selection == "lcurve", InvalidInput,
                 "conventional: selection must be one of fixed, gcv, lcurve; got '" << selection << "'");
  HYSEIS_REQUIRE(std::isfinite(eta) && eta > 0, InvalidInput, "conventional: eta must be > 0, got " << eta);
  HYSEIS_REQUIRE(eta_min > 0 && eta_max > eta_min, InvalidInput,
                 "conventional: need 0 < eta_min < eta_max, got " << eta_min << ", " << eta_max);
  HYSEIS_REQUIRE(eta_count >= 5, InvalidInput, "conventional: eta_count must be >= 5, got " << eta_count);
}

double reference_slowness(const SparseMatrix& A, const Eigen::VectorXd& t) {
  HYSEIS_REQUIRE(t.size() == A.rows(), InvalidInput,
                 "travel times: " << t.size() << " values for " << A.rows() << " rays");
  double L = 0;
  for (int k = 0; k < A.outerSize(); ++k)
    for (SparseMatrix::InnerIterator it(A, k); it; ++it) L += it.value();
  HYSEIS_REQUIRE(L > 0, InvalidInput, "rays have zero total length");
  return t.sum() / L;
}

ParameterScan scan_regularisation(const Eigen::MatrixXd& G, const Eigen::VectorXd& dt, double eta_min, double eta_max,
                                  int count) {
  HYSEIS_REQUIRE(G.rows() == G.cols() && G.rows() == dt.size(), InvalidInput, "scan_regularisation: size mismatch");
  HYSEIS_REQUIRE(eta_min > 0 && eta_max > eta_min && count >= 5, InvalidInput,
                 "scan_regularisation: need 0 < eta_min < eta_max and count >= 5");
  ParameterScan res;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(G);
  HYSEIS_REQUIRE(es.info() == Eigen::Success, core::NumericalError, "eigen-decomposition of the data-space matrix failed");
  res.eigenvalues = es.eigenvalues().cwiseMax(0.0);
  res.eigenvectors = es.eigenvectors();
  const Eigen::VectorXd& lam = res.eigenvalues;
  const Eigen::VectorXd c = res.eigenvectors.transpose() * dt;
  const int M = int(G.rows()), ne = count;
  for (int q = 0; q < ne; ++q) {
    const double eta = eta_min * std::pow(eta_max / eta_min, double(q) / (ne - 1));
    double r2 = 0, m2 = 0, tr = 0;
    for (int i = 0; i < M; ++i) {
      const double d = lam[i] + eta;
      r2 += std::pow(eta * c[i] / d, 2);
      m2 += lam[i] * c[i] * c[i] / (d * d);
      tr += eta / d;
    }
    res.etas.push_back(eta);
    res.residual_norm.push_back(std::sqrt(r2));
    res.model_norm.push_back(std::sqrt(m2));
    res.gcv.push_back(M * r2 / (tr * tr));
  }
  int qg = 0;
  for (int q = 1; q < ne; ++q)
    if (res.gcv[q] < res.gcv[qg]) qg = q;
  res.eta_gcv = res.etas[qg];
  // L-curve corner: maximum curvature of (log ||r||, log ||model||) parametrised by log eta.
  int ql = ne / 2;
  double kbest = -std::numeric_limits<double>::infinity();
  for (int q = 1; q + 1 < ne; ++q) {
    const double h = std::log(res.etas[q + 1]) - std::log(res.etas[q]);
    auto x = [&](int i) { return std::log(std::max(res.residual_norm[i], 1e-300)); };
    auto y = [&](int i) { return std::log(std::max(res.model_norm[i], 1e-300)); };
    const double x1 = (x(q + 1) - x(q - 1)) / (2 * h), y1 = (y(q + 1) - y(q - 1)) / (2 * h);
    const double x2 = (x(q + 1) - 2 * x(q) + x(q - 1)) / (h * h), y2 = (y(q + 1) - 2 * y(q) + y(q - 1)) / (h * h);
    const double den = std::pow(x1 * x1 + y1 * y1, 1.5);
    if (den <= 0) continue;
    const double kappa = (x1 * y2 - x2 * y1) / den;
    if (kappa > kbest) {
      kbest = kappa;
      ql = q;
    }
  }
  res.eta_lcurve = res.etas[ql];
  return res;
}

Eigen::VectorXd ParameterScan::apply_inverse(const Eigen::VectorXd& r, double eta) const {
  const Eigen::VectorXd c = eigenvectors.transpose() * r;
  return eigenvectors * (c.array() / (eigenvalues.array() + eta)).matrix();
}

CovarianceProducts covariance_products(const Grid2D& g, const SparseMatrix& A, double length) {
  HYSEIS_REQUIRE(A.cols() == g.cells(), InvalidInput, "ray matrix has " << A.cols() << " columns, grid " << g.cells());
  HYSEIS_REQUIRE(length > 0, InvalidInput, "covariance length must be > 0, got " << length);
  const int M = int(A.rows()), N = g.cells(), nx = g.nx, ny = g.ny;
  CovarianceProducts cp;
  // Covariance kernel as a table over cell offsets: K(|dy|, |dx|) -> (2ny-1) x (2nx-1).
  const int tw = 2 * nx - 1;
  std::vector<double> table(std::size_t(2 * ny - 1) * tw);
  for (int j = 0; j < 2 * ny - 1; ++j)
    for (int i = 0; i < tw; ++i)
      table[std::size_t(j) * tw + i] = std::exp(-std::hypot((i - nx + 1) * g.dx, (j - ny + 1) * g.dy) / length);
  // B = A Sigma (M x N), row by row.
  cp.A_sigma = RowMatrix::Zero(M, N);
  RowMatrix& B = cp.A_sigma;
  for (int m = 0; m < M; ++m) {
    double* brow = B.row(m).data();
    for (SparseMatrix::InnerIterator it(A, m); it; ++it) {
      const int kx = int(it.col()) % nx, ky = int(it.col()) / nx;
      const double a = it.value();
      for (int iy = 0; iy < ny; ++iy) {
        const double* trow = &table[std::size_t(iy - ky + ny - 1) * tw + (nx - 1 - kx)];
        double* b = brow + std::size_t(iy) * nx;
        for (int ix = 0; ix < nx; ++ix) b[ix] += a * trow[ix];
      }
    }
  }
  const Eigen::MatrixXd Gm = B * A.transpose();  // A Sigma A^T
  cp.G = 0.5 * (Gm + Gm.transpose());
  return cp;
}

ConventionalResult conventional_inversion(const Grid2D& g, const SparseMatrix& A, const Eigen::VectorXd& t, double s0,
                                          const ConventionalOptions& opt) {
  const auto t_start = std::chrono::steady_clock::now();
  opt.validate();
  g.validate();
  HYSEIS_REQUIRE(A.cols() == g.cells(), InvalidInput, "ray matrix has " << A.cols() << " columns, grid " << g.cells());
  HYSEIS_REQUIRE(t.size() == A.rows(), InvalidInput, "travel times: " << t.size() << " for " << A.rows() << " rays");
  HYSEIS_REQUIRE(t.allFinite(), InvalidInput, "travel times contain NaN/Inf");
  const int N = g.cells();
  const CovarianceProducts cp = covariance_products(g, A, opt.length);
  const RowMatrix& B = cp.A_sigma;
  const Eigen::MatrixXd& G = cp.G;
  Eigen::VectorXd dt = t - s0 * (A * Eigen::VectorXd::Ones(N));
  const ParameterScan scan = scan_regularisation(G, dt, opt.eta_min, opt.eta_max, opt.eta_count);
  ConventionalResult res;
  res.selection = opt.selection;
  res.etas = scan.etas;
  res.residual_norm = scan.residual_norm;
  res.model_norm = scan.model_norm;
  res.gcv = scan.gcv;
  res.eta_gcv = scan.eta_gcv;
  res.eta_lcurve = scan.eta_lcurve;
  res.eta = opt.selection == "fixed" ? opt.eta : opt.selection == "gcv" ? res.eta_gcv : res.eta_lcurve;
  Eigen::VectorXd y = scan.apply_inverse(dt, res.eta);
  res.slowness = Eigen::VectorXd::Constant(N, s0) + B.transpose() * y;
  HYSEIS_REQUIRE(res.slowness.allFinite(), core::NumericalError, "conventional: NaN/Inf in the estimate");
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  return res;
}

double rmse_ms_per_km(const Eigen::VectorXd& est, const Eigen::VectorXd& truth, const Eigen::VectorXd& mask) {
  HYSEIS_REQUIRE(est.size() == truth.size() && mask.size() == truth.size(), InvalidInput, "rmse: size mismatch");
  double s = 0;
  long n = 0;
  for (Eigen::Index i = 0; i < est.size(); ++i)
    if (mask[i] > 0) {
      s += (est[i] - truth[i]) * (est[i] - truth[i]);
      ++n;
    }
  HYSEIS_REQUIRE(n > 0, InvalidInput, "rmse: empty mask");
  return 1000 * std::sqrt(s / n);
}

}  // namespace hyseis::hybrid::tomography
