#include "hyseis/learning/eew/locate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "hyseis/core/error.hpp"

namespace hyseis::learning::eew {
using hyseis::core::InvalidInput;

void LayeredModel::validate() const {
  if (top.empty() || top.size() != vp.size()) throw InvalidInput("eew LayeredModel: top and vp must be non-empty and of equal size");
  if (top[0] != 0.0) throw InvalidInput("eew LayeredModel: first layer top must be 0");
  for (std::size_t k = 0; k < vp.size(); ++k) {
    if (!(vp[k] > 0.0) || !std::isfinite(vp[k])) throw InvalidInput("eew LayeredModel: velocities must be positive");
    if (k > 0 && !(top[k] > top[k - 1])) throw InvalidInput("eew LayeredModel: layer tops must increase");
  }
}

double LayeredModel::travel_time(double dist, double depth) const {
  const double L = std::hypot(dist, depth);
  if (depth <= 0.0) return L / vp[0];
  double slow = 0.0;  // Σ overlap_k / v_k
  for (std::size_t k = 0; k < vp.size(); ++k) {
    const double a = top[k], b = (k + 1 < top.size()) ? top[k + 1] : std::numeric_limits<double>::infinity();
    const double ov = std::max(0.0, std::min(b, depth) - a);
    slow += ov / vp[k];
    if (b >= depth) break;
  }
  return L / depth * slow;
}

int LocResult::count_below(double tol) const {
  return int(std::count_if(misfit_grid.begin(), misfit_grid.end(), [tol](double e) { return e <= tol; }));
}

namespace {
int n_nodes(double a, double b, double d, const char* name) {
  if (!(d > 0.0) || !std::isfinite(a) || !std::isfinite(b) || b < a)
    throw InvalidInput(std::string("eew locate_grid: bad grid axis ") + name);
  return int(std::floor((b - a) / d + 1e-9)) + 1;
}
}  // namespace

LocResult locate_grid(const std::vector<LocStation>& st, double t_now, const LayeredModel& model,
                      const LocGrid& g, const LocOptions& opt) {
  model.validate();
  if (!std::isfinite(t_now)) throw InvalidInput("eew locate_grid: t_now must be finite");
  if (!(opt.penalty_weight >= 0.0)) throw InvalidInput("eew locate_grid: penalty_weight must be >= 0");
  if (g.z0 < 0.0) throw InvalidInput("eew locate_grid: depths must be >= 0");
  std::vector<int> trig, untrig;
  for (std::size_t i = 0; i < st.size(); ++i) {
    if (!std::isfinite(st[i].x) || !std::isfinite(st[i].y)) throw InvalidInput("eew locate_grid: non-finite station position");
    if (st[i].triggered) {
      if (!std::isfinite(st[i].t_arrival) || st[i].t_arrival > t_now)
        throw InvalidInput("eew locate_grid: trigger time of station " + std::to_string(i) + " is non-finite or after t_now");
      trig.push_back(int(i));
    } else {
      untrig.push_back(int(i));
    }
  }
  if (trig.empty()) throw InvalidInput("eew locate_grid: no triggered station");
  LocResult res;
  res.nx = n_nodes(g.x0, g.x1, g.dx, "x");
  res.ny = n_nodes(g.y0, g.y1, g.dy, "y");
  res.nz = n_nodes(g.z0, g.z1, g.dz, "z");
  res.misfit_grid.assign(std::size_t(res.nx) * res.ny * res.nz, 0.0);
  res.misfit = std::numeric_limits<double>::infinity();
  std::vector<double> r(trig.size()), tmp;
  for (int iz = 0; iz < res.nz; ++iz) {
    const double z = g.z0 + iz * g.dz;
    // travel_time(d, z) = hypot(d, z) / z * S(z) with S(z) = Σ overlap_k / v_k independent of d:
    // S is computed once per depth and L = sqrt(dx^2 + dy^2 + z^2) (equal to travel_time's value
    // to rounding; std::hypot's overflow guards cost ~3x here).
    const double S_exact = z > 0.0 ? [&] {
      double slow = 0.0;
      for (std::size_t k = 0; k < model.vp.size(); ++k) {
        const double a = model.top[k], b = (k + 1 < model.top.size()) ? model.top[k + 1] : std::numeric_limits<double>::infinity();
        slow += std::max(0.0, std::min(b, z) - a) / model.vp[k];
        if (b >= z) break;
      }
      return slow;
    }() : 0.0;
    const double z2 = z * z;
    auto tt = [&](double dx, double dy) { const double L = std::sqrt(dx * dx + dy * dy + z2); return z <= 0.0 ? L / model.vp[0] : L / z * S_exact; };
    for (int iy = 0; iy < res.ny; ++iy) {
      const double y = g.y0 + iy * g.dy;
      for (int ix = 0; ix < res.nx; ++ix) {
        const double x = g.x0 + ix * g.dx;
        for (std::size_t k = 0; k < trig.size(); ++k) {
          const auto& s = st[trig[k]];
          r[k] = s.t_arrival - tt(s.x - x, s.y - y);
        }
        double t0, e = 0.0;
        if (opt.norm == Norm::L2) {
          t0 = 0.0;
          for (double v : r) t0 += v;
          t0 /= double(r.size());
          for (double v : r) e += (v - t0) * (v - t0);
        } else {
          tmp = r;
          const std::size_t m = tmp.size() / 2;
          std::nth_element(tmp.begin(), tmp.begin() + m, tmp.end());
          t0 = tmp[m];
          if (tmp.size() % 2 == 0) t0 = 0.5 * (t0 + *std::max_element(tmp.begin(), tmp.begin() + m));
          for (double v : r) e += std::abs(v - t0);
        }
        if (opt.penalty_weight > 0.0)
          for (int j : untrig) {
            const double late = t_now - (t0 + tt(st[j].x - x, st[j].y - y));
            if (late > 0.0) e += opt.penalty_weight * (opt.norm == Norm::L2 ? late * late : late);
          }
        res.misfit_grid[(std::size_t(iz) * res.ny + iy) * res.nx + ix] = e;
        if (e < res.misfit) {
          res.misfit = e;
          res.x = x;
          res.y = y;
          res.z = z;
          res.t0 = t0;
        }
      }
    }
  }
  return res;
}

}  // namespace hyseis::learning::eew
