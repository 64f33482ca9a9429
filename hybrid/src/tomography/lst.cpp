#include <Eigen/Cholesky>

#include <chrono>
#include <cmath>

#include "hyseis/core/error.hpp"
#include "hyseis/hybrid/tomography/inversion.hpp"
#include "hyseis/learning/sparse/itkm.hpp"
#include "hyseis/learning/sparse/ksvd.hpp"
#include "hyseis/solvers/omp.hpp"

namespace hyseis::hybrid::tomography {

using core::InvalidInput;

PatchLayout make_patches(int nx, int ny, int size, int stride) {
  HYSEIS_REQUIRE(size >= 1 && size <= nx && size <= ny, InvalidInput,
                 "patch size " << size << " does not fit the " << nx << " x " << ny << " grid");
  HYSEIS_REQUIRE(stride >= 1 && stride <= size, InvalidInput,
                 "patch stride must be in [1, patch size = " << size << "], got " << stride);
  auto origins = [&](int n) {
    std::vector<int> o;
    for (int i = 0; i + size <= n; i += stride) o.push_back(i);
    if (o.back() + size < n) o.push_back(n - size);
    return o;
  };
  PatchLayout p;
  p.nx = nx;
  p.ny = ny;
  p.size = size;
  p.stride = stride;
  for (int oy : origins(ny))
    for (int ox : origins(nx)) {
      p.ox.push_back(ox);
      p.oy.push_back(oy);
    }
  return p;
}

Eigen::MatrixXd extract_patches(const PatchLayout& p, const Eigen::VectorXd& f) {
  HYSEIS_REQUIRE(f.size() == p.nx * p.ny, InvalidInput, "extract_patches: field size mismatch");
  Eigen::MatrixXd P(p.dim(), p.count());
  for (int q = 0; q < p.count(); ++q)
    for (int j = 0; j < p.size; ++j)
      for (int i = 0; i < p.size; ++i) P(j * p.size + i, q) = f[(p.oy[q] + j) * p.nx + p.ox[q] + i];
  return P;
}

Eigen::VectorXd average_patches(const PatchLayout& p, const Eigen::MatrixXd& P) {
  HYSEIS_REQUIRE(P.rows() == p.dim() && P.cols() == p.count(), InvalidInput, "average_patches: size mismatch");
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(p.nx * p.ny), cnt = Eigen::VectorXd::Zero(p.nx * p.ny);
  for (int q = 0; q < p.count(); ++q)
    for (int j = 0; j < p.size; ++j)
      for (int i = 0; i < p.size; ++i) {
        const int c = (p.oy[q] + j) * p.nx + p.ox[q] + i;
        sum[c] += P(j * p.size + i, q);
        cnt[c] += 1;
      }
  return sum.cwiseQuotient(cnt.cwiseMax(1.0));
}

Eigen::MatrixXd dct_dictionary(int size, int k, bool drop_dc) {
  HYSEIS_REQUIRE(size >= 1 && k >= size, InvalidInput, "dct_dictionary: need atoms_per_dim >= patch size");
  Eigen::MatrixXd D1(size, k);
  for (int j = 0; j < k; ++j) {
    for (int i = 0; i < size; ++i) D1(i, j) = std::cos(M_PI * i * j / k);
    if (j > 0) D1.col(j).array() -= D1.col(j).mean();
    D1.col(j).normalize();
  }
  Eigen::MatrixXd D(size * size, k * k - (drop_dc ? 1 : 0));
  int a = 0;
  for (int jy = 0; jy < k; ++jy)
    for (int jx = 0; jx < k; ++jx) {
      if (drop_dc && jx == 0 && jy == 0) continue;
      for (int y = 0; y < size; ++y)
        for (int x = 0; x < size; ++x) D(y * size + x, a) = D1(y, jy) * D1(x, jx);
      D.col(a).normalize();
      ++a;
    }
  return D;
}

void LstOptions::validate(int nx, int ny) const {
  HYSEIS_REQUIRE(patch >= 2 && patch <= nx && patch <= ny, InvalidInput,
                 "lst: patch size " << patch << " does not fit the " << nx << " x " << ny << " grid");
  HYSEIS_REQUIRE(stride >= 1 && stride <= patch, InvalidInput,
                 "lst: stride must be in [1, patch], got " << stride);
  HYSEIS_REQUIRE(atoms >= 1, InvalidInput, "lst: atoms must be >= 1, got " << atoms);
  HYSEIS_REQUIRE(sparsity >= 1 && sparsity <= std::min(atoms, patch * patch), InvalidInput,
                 "lst: sparsity must be in [1, min(atoms, patch^2)], got " << sparsity);
  HYSEIS_REQUIRE(outer_iterations >= 1, InvalidInput, "lst: outer_iterations must be >= 1");
  HYSEIS_REQUIRE(dict_iterations_initial >= 0 && dict_iterations >= 0, InvalidInput,
                 "lst: dictionary iterations must be >= 0");
  HYSEIS_REQUIRE(std::isfinite(global_damping) && global_damping >= 0, InvalidInput,
                 "lst: global_damping must be >= 0, got " << global_damping);
  HYSEIS_REQUIRE(std::isfinite(local_weight) && local_weight >= 0, InvalidInput,
                 "lst: local_weight must be >= 0, got " << local_weight);
  HYSEIS_REQUIRE(max_uncovered_fraction >= 0 && max_uncovered_fraction <= 1, InvalidInput,
                 "lst: max_uncovered_fraction must be in [0, 1]");
  HYSEIS_REQUIRE(global_prior == "identity" || global_prior == "covariance", InvalidInput,
                 "lst: global_prior must be 'identity' or 'covariance', got '" << global_prior << "'");
  HYSEIS_REQUIRE(std::isfinite(global_length) && global_length > 0, InvalidInput,
                 "lst: global_length must be > 0, got " << global_length);
  HYSEIS_REQUIRE(global_selection == "fixed" || global_selection == "gcv" || global_selection == "gcv_each",
                 InvalidInput,
                 "lst: global_selection must be 'fixed', 'gcv' or 'gcv_each', got '" << global_selection << "'");
  HYSEIS_REQUIRE(learner == "ksvd" || learner == "itkm", InvalidInput,
                 "lst: learner must be 'ksvd' or 'itkm', got '" << learner << "'");
  HYSEIS_REQUIRE(dictionary == "learned" || dictionary == "dct", InvalidInput,
                 "lst: dictionary must be 'learned' or 'dct', got '" << dictionary << "'");
}

LstResult lst_inversion(const Grid2D& g, const SparseMatrix& A, const Eigen::VectorXd& t, double s0,
                        const LstOptions& opt) {
  const auto t_start = std::chrono::steady_clock::now();
  g.validate();
  opt.validate(g.nx, g.ny);
  HYSEIS_REQUIRE(A.cols() == g.cells(), InvalidInput, "ray matrix has " << A.cols() << " columns, grid " << g.cells());
  HYSEIS_REQUIRE(t.size() == A.rows(), InvalidInput, "travel times: " << t.size() << " for " << A.rows() << " rays");
  HYSEIS_REQUIRE(t.allFinite(), InvalidInput, "travel times contain NaN/Inf");
  const int M = int(A.rows()), N = g.cells();
  // Global step in data space: (A A^T + lambda I)^-1, Cholesky once.
  // Data-space matrix of the global step: A A^T (identity prior) or A Sigma A^T (covariance).
  CovarianceProducts cp;
  const bool cov = opt.global_prior == "covariance";
  if (cov)
    cp = covariance_products(g, A, opt.global_length);
  else
    cp.G = Eigen::MatrixXd(A * A.transpose());
  Eigen::MatrixXd AAt = cp.G;
  const double mean_diag = AAt.diagonal().mean();
  double rel = opt.global_damping > 0 ? opt.global_damping : 1e-10;
  const double floor_rel = rel;
  const bool each = opt.global_selection == "gcv_each";
  ParameterScan scan;
  if (opt.global_selection == "gcv" || each) {
    const Eigen::VectorXd dt = t - s0 * (A * Eigen::VectorXd::Ones(N));
    scan = scan_regularisation(AAt, dt, 1e-8 * mean_diag, 10 * mean_diag, 91);
    rel = std::max(rel, scan.eta_gcv / mean_diag);
  }
  // GCV of the current global problem (data residual r = t - A s_s), from the eigen-decomposition.
  auto gcv_rel = [&](const Eigen::VectorXd& r) {
    const Eigen::VectorXd c = scan.eigenvectors.transpose() * r;
    const Eigen::VectorXd& lam = scan.eigenvalues;
    double best = 1e300, best_eta = scan.etas.front();
    for (double eta : scan.etas) {
      double r2 = 0, tr = 0;
      for (Eigen::Index i = 0; i < lam.size(); ++i) {
        const double d = lam[i] + eta;
        r2 += (eta * c[i] / d) * (eta * c[i] / d);
        tr += eta / d;
      }
      const double g = r2 / (tr * tr);
      if (g < best) best = g, best_eta = eta;
    }
    return std::max(floor_rel, best_eta / mean_diag);
  };
  AAt.diagonal().array() += rel * mean_diag;
  Eigen::LLT<Eigen::MatrixXd> llt(AAt);
  HYSEIS_REQUIRE(llt.info() == Eigen::Success, core::NumericalError,
                 "lst: the global data-space matrix + lambda I is not positive definite (duplicate rays?); "
                 "increase global_damping");

  const PatchLayout layout = make_patches(g.nx, g.ny, opt.patch, opt.stride);
  // Training patches: those with at most max_uncovered_fraction cells without rays.
  const Eigen::VectorXd hits = physics::traveltime::hit_count(A);
  const Eigen::MatrixXd Hp = extract_patches(layout, hits);
  std::vector<int> train;
  for (int q = 0; q < layout.count(); ++q) {
    const double unc = double((Hp.col(q).array() <= 0).count()) / layout.dim();
    if (unc <= opt.max_uncovered_fraction) train.push_back(q);
  }
  HYSEIS_REQUIRE(opt.dictionary != "learned" || int(train.size()) >= opt.atoms, InvalidInput,
                 "lst: only " << train.size() << " patches have ray coverage (max_uncovered_fraction "
                              << opt.max_uncovered_fraction << "), fewer than atoms = " << opt.atoms);

  LstResult res;
  res.training_patches = int(train.size());
  res.global_lambda_relative = rel;
  Eigen::MatrixXd D;
  if (opt.dictionary == "dct") {
    const int k = int(std::ceil(std::sqrt(double(opt.atoms + 1))));
    D = dct_dictionary(opt.patch, std::max(k, opt.patch), true);
  }
  Eigen::VectorXd ss = Eigen::VectorXd::Constant(N, s0);
  solvers::OmpOptions oo;
  oo.sparsity = opt.sparsity;
  for (int it = 0; it < opt.outer_iterations; ++it) {
    // Global: s_g = s_s + A^T (A A^T + lambda I)^-1 (t - A s_s).
    const Eigen::VectorXd r = t - A * ss;
    Eigen::VectorXd y;
    if (each) {
      // lambda re-selected by GCV for this global problem: as s_s improves, r is mostly noise.
      const double lr = gcv_rel(r);
      res.global_lambda_history.push_back(lr);
      y = scan.apply_inverse(r, lr * mean_diag);
      res.global_lambda_relative = lr;
    } else {
      y = llt.solve(r);
    }
    res.global = cov ? Eigen::VectorXd(ss + cp.A_sigma.transpose() * y) : Eigen::VectorXd(ss + A.transpose() * y);
    // Local: patches of s_g, mean removed.
    Eigen::MatrixXd P = extract_patches(layout, res.global);
    Eigen::RowVectorXd mu = P.colwise().mean();
    P.rowwise() -= mu;
    if (opt.dictionary == "learned") {
      const int sweeps = it == 0 ? opt.dict_iterations_initial : opt.dict_iterations;
      if (it == 0 || sweeps > 0) {
        Eigen::MatrixXd Y(P.rows(), Eigen::Index(train.size()));
        for (std::size_t q = 0; q < train.size(); ++q) Y.col(Eigen::Index(q)) = P.col(train[q]);
        if (opt.learner == "itkm") {
          learning::sparse::ItkmOptions io;
          io.atoms = opt.atoms;
          io.sparsity = opt.sparsity;
          io.iterations = sweeps;
          io.seed = opt.seed;
          D = learning::sparse::itkm(Y, io, D);
          const auto c = solvers::omp(D, Y, oo);
          res.dict_rmse.push_back(std::sqrt((Y - c.reconstruct(D)).squaredNorm() / double(Y.size())));
        } else {
          learning::sparse::KsvdOptions ko;
          ko.atoms = opt.atoms;
          ko.sparsity = opt.sparsity;
          ko.iterations = sweeps;
          ko.seed = opt.seed;
          ko.exact_update = opt.exact_update;
          auto kr = learning::sparse::ksvd(Y, ko, D);
          D = kr.dictionary;
          res.dict_rmse.push_back(kr.rmse.back());
        }
      }
    }
    const auto codes = solvers::omp(D, P, oo);
    Eigen::MatrixXd R = codes.reconstruct(D);
    R.rowwise() += mu;
    if (opt.local_weight > 0) {
      // Paper's combination: (lambda_1 s_g + sum R_i^T D x_i) / (lambda_1 + count), per cell.
      Eigen::VectorXd sum = Eigen::VectorXd::Zero(N), c = Eigen::VectorXd::Zero(N);
      for (int q = 0; q < layout.count(); ++q)
        for (int j = 0; j < layout.size; ++j)
          for (int i = 0; i < layout.size; ++i) {
            const int cell = (layout.oy[q] + j) * layout.nx + layout.ox[q] + i;
            sum[cell] += R(j * layout.size + i, q);
            c[cell] += 1;
          }
      ss = (opt.local_weight * res.global + sum).cwiseQuotient((c.array() + opt.local_weight).matrix());
    } else {
      ss = average_patches(layout, R);
    }
    res.data_rms.push_back((t - A * ss).norm() / std::sqrt(double(M)));
  }
  res.sparse = ss;
  res.dictionary = D;
  HYSEIS_REQUIRE(res.sparse.allFinite() && res.global.allFinite(), core::NumericalError, "lst: NaN/Inf in the estimate");
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  return res;
}

}  // namespace hyseis::hybrid::tomography
