#include "hyseis/hybrid/fwi/priors.hpp"

#include <algorithm>
#include <cmath>

#include "hyseis/core/error.hpp"
#include "hyseis/learning/sparse/ksvd.hpp"
#include "hyseis/solvers/omp.hpp"

namespace hyseis::hybrid::fwi {

namespace {
void check_size(const PriorGrid& g, const Eigen::VectorXd& m, const char* who) {
  HYSEIS_REQUIRE(m.size() == g.size(), core::InvalidInput,
                 who << ": model has " << m.size() << " values, grid " << g.nx << " x " << g.nz);
}
}  // namespace

double NoPrior::value_gradient(const Eigen::VectorXd& m, Eigen::VectorXd* grad) const {
  if (grad) grad->setZero(m.size());
  return 0;
}

TikhonovPrior::TikhonovPrior(PriorGrid g, double lambda, double scale) : g_(g), lambda_(lambda), scale_(scale) {
  HYSEIS_REQUIRE(g.nx >= 1 && g.nz >= 1, core::InvalidInput, "tikhonov: grid " << g.nx << " x " << g.nz);
  HYSEIS_REQUIRE(lambda >= 0 && std::isfinite(lambda), core::InvalidInput, "tikhonov: lambda must be >= 0, got " << lambda);
  HYSEIS_REQUIRE(scale > 0, core::InvalidInput, "tikhonov: scale must be > 0, got " << scale);
}

double TikhonovPrior::value_gradient(const Eigen::VectorXd& m, Eigen::VectorXd* grad) const {
  check_size(g_, m, "tikhonov");
  const int nx = g_.nx, nz = g_.nz;
  const double w = lambda_ / g_.size();
  double v = 0;
  if (grad) grad->setZero(m.size());
  for (int k = 0; k < nz; ++k)
    for (int i = 0; i < nx; ++i) {
      const int c = k * nx + i;
      if (i + 1 < nx) {
        const double d = scale_ * (m[c + 1] - m[c]);
        v += d * d;
        if (grad) (*grad)[c + 1] += w * d * scale_, (*grad)[c] -= w * d * scale_;
      }
      if (k + 1 < nz) {
        const double d = scale_ * (m[c + nx] - m[c]);
        v += d * d;
        if (grad) (*grad)[c + nx] += w * d * scale_, (*grad)[c] -= w * d * scale_;
      }
    }
  return 0.5 * w * v;
}

TotalVariationPrior::TotalVariationPrior(PriorGrid g, double lambda, double eps, double scale)
    : g_(g), lambda_(lambda), eps_(eps), scale_(scale) {
  HYSEIS_REQUIRE(g.nx >= 1 && g.nz >= 1, core::InvalidInput, "tv: grid " << g.nx << " x " << g.nz);
  HYSEIS_REQUIRE(lambda >= 0 && std::isfinite(lambda), core::InvalidInput, "tv: lambda must be >= 0, got " << lambda);
  HYSEIS_REQUIRE(eps > 0 && std::isfinite(eps), core::InvalidInput, "tv: eps must be > 0, got " << eps);
  HYSEIS_REQUIRE(scale > 0, core::InvalidInput, "tv: scale must be > 0, got " << scale);
}

double TotalVariationPrior::value_gradient(const Eigen::VectorXd& m, Eigen::VectorXd* grad) const {
  check_size(g_, m, "tv");
  const int nx = g_.nx, nz = g_.nz;
  const double w = lambda_ / g_.size();
  double v = 0;
  if (grad) grad->setZero(m.size());
  for (int k = 0; k < nz; ++k)
    for (int i = 0; i < nx; ++i) {
      const int c = k * nx + i;
      const double dx = i + 1 < nx ? scale_ * (m[c + 1] - m[c]) : 0.0;
      const double dz = k + 1 < nz ? scale_ * (m[c + nx] - m[c]) : 0.0;
      const double r = std::sqrt(dx * dx + dz * dz + eps_ * eps_);
      v += r - eps_;
      if (grad) {
        const double gx = w * scale_ * dx / r, gz = w * scale_ * dz / r;
        if (i + 1 < nx) (*grad)[c + 1] += gx, (*grad)[c] -= gx;
        if (k + 1 < nz) (*grad)[c + nx] += gz, (*grad)[c] -= gz;
      }
    }
  return w * v;
}

void DictionaryPriorOptions::validate(const PriorGrid& g) const {
  HYSEIS_REQUIRE(lambda >= 0 && std::isfinite(lambda), core::InvalidInput, "dictionary prior: lambda must be >= 0, got " << lambda);
  HYSEIS_REQUIRE(patch >= 2 && patch <= std::min(g.nx, g.nz), core::InvalidInput,
                 "dictionary prior: patch must be in 2..min(nx, nz) = " << std::min(g.nx, g.nz) << ", got " << patch);
  HYSEIS_REQUIRE(stride >= 1 && stride <= patch, core::InvalidInput,
                 "dictionary prior: stride must be in 1..patch (" << patch << "), got " << stride);
  HYSEIS_REQUIRE(atoms >= 1, core::InvalidInput, "dictionary prior: atoms must be >= 1, got " << atoms);
  HYSEIS_REQUIRE(sparsity >= 1 && sparsity <= std::min(atoms, patch * patch), core::InvalidInput,
                 "dictionary prior: sparsity must be in 1..min(atoms, patch^2), got " << sparsity);
  HYSEIS_REQUIRE(ksvd_iterations_initial >= 1 && ksvd_iterations >= 0, core::InvalidInput,
                 "dictionary prior: ksvd_iterations_initial must be >= 1 and ksvd_iterations >= 0");
  HYSEIS_REQUIRE(update_every >= 1, core::InvalidInput, "dictionary prior: update_every must be >= 1, got " << update_every);
  HYSEIS_REQUIRE(scale > 0, core::InvalidInput, "dictionary prior: scale must be > 0, got " << scale);
}

DictionaryPrior::DictionaryPrior(PriorGrid g, DictionaryPriorOptions opt) : g_(g), opt_(opt) {
  opt_.validate(g_);
  auto origins = [&](int n) {
    std::vector<int> o;
    for (int s = 0; s + opt_.patch <= n; s += opt_.stride) o.push_back(s);
    if (o.back() + opt_.patch < n) o.push_back(n - opt_.patch);
    return o;
  };
  px_ = origins(g_.nx);
  pz_ = origins(g_.nz);
  const int n_patches = int(px_.size() * pz_.size());
  HYSEIS_REQUIRE(n_patches >= opt_.atoms, core::InvalidInput,
                 "dictionary prior: " << n_patches << " patches on the " << g_.nx << " x " << g_.nz
                                      << " grid, fewer than atoms = " << opt_.atoms);
}

Eigen::MatrixXd DictionaryPrior::patches(const Eigen::VectorXd& u, Eigen::VectorXd& means) const {
  const int p = opt_.patch;
  Eigen::MatrixXd P(p * p, Eigen::Index(px_.size() * pz_.size()));
  means.resize(P.cols());
  Eigen::Index j = 0;
  for (int oz : pz_)
    for (int ox : px_) {
      for (int b = 0; b < p; ++b)
        for (int a = 0; a < p; ++a) P(b * p + a, j) = u[(oz + b) * g_.nx + ox + a];
      means[j] = P.col(j).mean();
      P.col(j).array() -= means[j];
      ++j;
    }
  return P;
}

Eigen::VectorXd DictionaryPrior::assemble(const Eigen::MatrixXd& P, const Eigen::VectorXd& means) const {
  const int p = opt_.patch;
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(g_.size()), cnt = Eigen::VectorXd::Zero(g_.size());
  Eigen::Index j = 0;
  for (int oz : pz_)
    for (int ox : px_) {
      for (int b = 0; b < p; ++b)
        for (int a = 0; a < p; ++a) {
          const int c = (oz + b) * g_.nx + ox + a;
          sum[c] += P(b * p + a, j) + means[j];
          cnt[c] += 1;
        }
      ++j;
    }
  return sum.cwiseQuotient(cnt);  // every node is covered (last row/column of patches added)
}

Eigen::VectorXd DictionaryPrior::approximate(const Eigen::VectorXd& m) const {
  check_size(g_, m, "dictionary prior");
  HYSEIS_REQUIRE(D_.size() > 0, core::InvalidInput, "dictionary prior: no dictionary learned yet");
  Eigen::VectorXd means;
  const Eigen::MatrixXd Y = patches(opt_.scale * m, means);
  solvers::OmpOptions o;
  o.sparsity = opt_.sparsity;
  const auto codes = solvers::omp(D_, Y, o);
  return assemble(codes.reconstruct(D_), means) / opt_.scale;
}

void DictionaryPrior::update_target(const Eigen::VectorXd& m) {
  check_size(g_, m, "dictionary prior");
  Eigen::VectorXd means;
  const Eigen::MatrixXd Y = patches(opt_.scale * m, means);
  learning::sparse::KsvdOptions k;
  k.atoms = opt_.atoms;
  k.sparsity = opt_.sparsity;
  k.seed = opt_.seed;
  k.exact_update = false;
  if (D_.size() == 0) {
    k.iterations = opt_.ksvd_iterations_initial;
    D_ = learning::sparse::ksvd(Y, k).dictionary;
  } else if (opt_.ksvd_iterations > 0) {
    k.iterations = opt_.ksvd_iterations;
    D_ = learning::sparse::ksvd(Y, k, D_).dictionary;
  }
  solvers::OmpOptions o;
  o.sparsity = opt_.sparsity;
  const auto codes = solvers::omp(D_, Y, o);
  t_ = assemble(codes.reconstruct(D_), means) / opt_.scale;
}

void DictionaryPrior::start_stage(const Eigen::VectorXd& m) { update_target(m); }

bool DictionaryPrior::refresh(const Eigen::VectorXd& m, int iteration) {
  if (iteration % opt_.update_every != 0) return false;
  update_target(m);
  return true;
}

double DictionaryPrior::value_gradient(const Eigen::VectorXd& m, Eigen::VectorXd* grad) const {
  check_size(g_, m, "dictionary prior");
  HYSEIS_REQUIRE(t_.size() == m.size(), core::InvalidInput,
                 "dictionary prior: no target yet (call start_stage or update_target first)");
  const double w = opt_.lambda / g_.size();
  const Eigen::VectorXd r = opt_.scale * (m - t_);
  if (grad) *grad = (w * opt_.scale) * r;
  return 0.5 * w * r.squaredNorm();
}

// [rows, cols, D (column-major), t]
std::vector<double> DictionaryPrior::state() const {
  std::vector<double> s{double(D_.rows()), double(D_.cols())};
  s.insert(s.end(), D_.data(), D_.data() + D_.size());
  s.insert(s.end(), t_.data(), t_.data() + t_.size());
  return s;
}

void DictionaryPrior::set_state(const std::vector<double>& s) {
  HYSEIS_REQUIRE(s.size() >= 2, core::IoError, "dictionary prior: checkpoint state is empty");
  const auto r = Eigen::Index(s[0]), c = Eigen::Index(s[1]);
  HYSEIS_REQUIRE(std::size_t(2 + r * c + (r * c > 0 ? g_.size() : 0)) == s.size() || (r * c == 0 && s.size() == 2),
                 core::IoError, "dictionary prior: checkpoint state has " << s.size() << " values, inconsistent with a "
                                                                         << r << " x " << c << " dictionary");
  D_ = Eigen::Map<const Eigen::MatrixXd>(s.data() + 2, r, c);
  if (r * c > 0) t_ = Eigen::Map<const Eigen::VectorXd>(s.data() + 2 + r * c, g_.size());
  else t_.resize(0);
}

}  // namespace hyseis::hybrid::fwi
