#include <cmath>

#include "hyseis/physics/wave/solver.hpp"

namespace hyseis::physics::wave {

double source_time_function(const SourceOptions& src, double t) {
  const double a = M_PI * M_PI * src.f0 * src.f0;
  const double tau = t - src.time_shift;
  const double g = std::exp(-a * tau * tau);
  switch (src.time_function) {
    case TimeFunction::ricker: return src.amplitude * (1.0 - 2.0 * a * tau * tau) * g;
    case TimeFunction::gaussian: return src.amplitude * g;
    case TimeFunction::gaussian_derivative: return src.amplitude * (-2.0 * a * tau) * g;
    case TimeFunction::causal: {
      if (tau <= 0) return 0.0;
      const double x = 2.0 * M_PI * src.f0 * tau;
      return src.amplitude * std::pow(x / 4.0, 4) * std::exp(4.0 - x);
    }
  }
  return 0.0;
}

}  // namespace hyseis::physics::wave
