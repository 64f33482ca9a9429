// Waveform misfits and their adjoint sources (see misfit.hpp, docs/theory/adjoint.md).
#include "hyseis/physics/wave/misfit.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "hyseis/core/error.hpp"

namespace hyseis::physics::wave {

namespace {
void check_shape(const Traces& a, const Traces& b, const char* what) {
  HYSEIS_REQUIRE(a.size() == b.size(), core::InvalidInput,
                 what << ": " << b.size() << " receivers, the synthetics have " << a.size());
  for (std::size_t r = 0; r < a.size(); ++r) {
    HYSEIS_REQUIRE(a[r].size() == b[r].size(), core::InvalidInput,
                   what << ": receiver " << r << " has " << b[r].size() << " components, expected " << a[r].size());
    for (std::size_t c = 0; c < a[r].size(); ++c) {
      HYSEIS_REQUIRE(a[r][c].size() == b[r][c].size(), core::InvalidInput,
                     what << ": receiver " << r << " component " << c << " has " << b[r][c].size()
                          << " samples, expected " << a[r][c].size());
      for (std::size_t n = 0; n < b[r][c].size(); ++n)
        HYSEIS_REQUIRE(std::isfinite(b[r][c][n]) && std::isfinite(a[r][c][n]), core::InvalidInput,
                       what << ": NaN/Inf at receiver " << r << " component " << c << " sample " << n);
    }
  }
}
}  // namespace

void check_compatible(const Seismograms& syn, const Seismograms& obs, const char* what) {
  HYSEIS_REQUIRE(obs.time.size() == syn.time.size(), core::InvalidInput,
                 what << ": " << obs.time.size() << " time samples, the acquisition has " << syn.time.size());
  if (syn.time.size() >= 2) {
    const double dt = syn.time[1] - syn.time[0];
    for (std::size_t n = 0; n < syn.time.size(); ++n)
      HYSEIS_REQUIRE(std::abs(obs.time[n] - syn.time[n]) <= 1e-6 * std::abs(dt), core::InvalidInput,
                     what << ": time sampling does not match the acquisition (sample " << n << " at t = "
                          << obs.time[n] << " s, expected " << syn.time[n] << " s)");
  }
  HYSEIS_REQUIRE(obs.components.empty() || obs.components == syn.components, core::InvalidInput,
                 what << ": components do not match the acquisition");
  check_shape(syn.data, obs.data, what);
}

double l2_misfit(const Traces& syn, const Traces& obs, double dt, Traces* adj) {
  check_shape(syn, obs, "observed data");
  if (adj) *adj = syn;
  double j = 0;
  for (std::size_t r = 0; r < syn.size(); ++r)
    for (std::size_t c = 0; c < syn[r].size(); ++c) {
      const std::size_t ns = syn[r][c].size();
      for (std::size_t n = 0; n < ns; ++n) {
        const double w = (n == 0 || n + 1 == ns) ? 0.5 : 1.0;
        const double e = syn[r][c][n] - obs[r][c][n];
        j += 0.5 * w * e * e * dt;
        if (adj) (*adj)[r][c][n] = w * e * dt;
      }
    }
  return j;
}

double cc_traveltime_misfit(const Traces& syn, const Traces& obs, double dt, Traces* adj,
                            std::vector<std::vector<double>>* shifts, int max_lag) {
  check_shape(syn, obs, "observed data");
  if (adj) *adj = syn;
  if (shifts) shifts->assign(syn.size(), {});
  double jtot = 0;
  for (std::size_t r = 0; r < syn.size(); ++r)
    for (std::size_t c = 0; c < syn[r].size(); ++c) {
      const std::vector<double>& s = syn[r][c];
      const std::vector<double>& d = obs[r][c];
      const int ns = static_cast<int>(s.size());
      if (adj) std::fill((*adj)[r][c].begin(), (*adj)[r][c].end(), 0.0);
      double es = 0, ed = 0;
      for (int n = 0; n < ns; ++n) {
        es += s[n] * s[n];
        ed += d[n] * d[n];
      }
      if (shifts) (*shifts)[r].push_back(0.0);
      if (es == 0 || ed == 0 || ns < 3) continue;
      const int L = max_lag < 0 ? ns - 2 : std::min(max_lag, ns - 2);
      auto cc = [&](int j) {  // C_j = dt sum_n s_{n-j} d_n
        double v = 0;
        for (int n = std::max(0, j); n < std::min(ns, ns + j); ++n) v += s[n - j] * d[n];
        return v * dt;
      };
      int jb = 0;
      double cb = cc(0);
      for (int a = 1; a <= L; ++a)
        for (int j : {a, -a}) {
          const double v = cc(j);
          if (v > cb) {
            cb = v;
            jb = j;
          }
        }
      double delta = 0, dd_m = 0, dd_0 = 0, dd_p = 0;  // d delta / d C_{j-1}, C_j, C_{j+1}
      if (jb > -L && jb < L) {
        const double cm = cc(jb - 1), cp = cc(jb + 1);
        const double A = cm - cp, B = cm - 2 * cb + cp;
        if (B < 0) {
          delta = A / (2 * B);
          dd_m = (B - A) / (2 * B * B);
          dd_p = (-B - A) / (2 * B * B);
          dd_0 = A / (B * B);
        }
      }
      const double dT = (jb + delta) * dt;
      jtot += 0.5 * dT * dT;
      if (shifts) (*shifts)[r].back() = dT;
      if (adj) {
        // dJ/ds_m = dT * dt * sum_e (d delta / d C_{jb+e}) * dt * d_{m + jb + e}
        std::vector<double>& g = (*adj)[r][c];
        const double f = dT * dt * dt;
        const double de[3] = {dd_m, dd_0, dd_p};
        for (int e = -1; e <= 1; ++e) {
          if (de[e + 1] == 0) continue;
          const int j = jb + e;
          for (int m = 0; m < ns; ++m) {
            const int n = m + j;
            if (n >= 0 && n < ns) g[m] += f * de[e + 1] * d[n];
          }
        }
      }
    }
  return jtot;
}

double misfit(const Traces& syn, const Traces& obs, double dt, MisfitType type, Traces* adj) {
  switch (type) {
    case MisfitType::l2: return l2_misfit(syn, obs, dt, adj);
    case MisfitType::cc_traveltime: return cc_traveltime_misfit(syn, obs, dt, adj);
  }
  throw core::InvalidInput("misfit: unknown misfit type");
}

double misfit_value(const Seismograms& syn, const Seismograms& obs, MisfitType type) {
  check_compatible(syn, obs);
  const double dt = syn.time.size() >= 2 ? syn.time[1] - syn.time[0] : 1.0;
  return misfit(syn.data, obs.data, dt, type);
}

}  // namespace hyseis::physics::wave
