#include "hyseis/learning/eew/magnitude.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <string>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::eew {
using hyseis::core::InvalidInput;

double PdMagnitudeModel::magnitude(double pd, double r_km) const {
  if (!(pd > 0.0) || !std::isfinite(pd) || !(r_km > 0.0) || !std::isfinite(r_km))
    throw InvalidInput("eew Pd magnitude: Pd and R must be positive and finite");
  return a + b * std::log10(pd) + c * std::log10(r_km);
}

double PdMagnitudeModel::network_magnitude(const std::vector<double>& pd, const std::vector<double>& r_km) const {
  if (pd.empty() || pd.size() != r_km.size()) throw InvalidInput("eew network_magnitude: need equal, non-empty Pd and R lists");
  double s = 0.0;
  for (std::size_t i = 0; i < pd.size(); ++i) s += magnitude(pd[i], r_km[i]);
  return s / double(pd.size());
}

PdMagnitudeModel fit_pd_magnitude(const std::vector<PdSample>& smp) {
  const Eigen::Index n = Eigen::Index(smp.size());
  if (n < 3) throw InvalidInput("eew fit_pd_magnitude: need at least 3 samples, got " + std::to_string(n));
  Eigen::MatrixXd A(n, 3);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto& s = smp[std::size_t(i)];
    if (!std::isfinite(s.mag) || !(s.pd > 0.0) || !std::isfinite(s.pd) || !(s.r_km > 0.0) || !std::isfinite(s.r_km))
      throw InvalidInput("eew fit_pd_magnitude: sample " + std::to_string(i) + " needs finite M and positive finite Pd, R");
    A(i, 0) = 1.0;
    A(i, 1) = std::log10(s.pd);
    A(i, 2) = std::log10(s.r_km);
    y(i) = s.mag;
  }
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(A);
  qr.setThreshold(1e-10);
  if (qr.rank() < 3) throw InvalidInput("eew fit_pd_magnitude: degenerate design (Pd or R do not vary independently)");
  const Eigen::Vector3d x = qr.solve(y);
  PdMagnitudeModel m;
  m.a = x(0);
  m.b = x(1);
  m.c = x(2);
  m.sigma = n > 3 ? std::sqrt((A * x - y).squaredNorm() / double(n - 3)) : 0.0;
  return m;
}

}  // namespace hyseis::learning::eew
