// Okada check values and identities (see okada_checks.hpp).
#include "hyseis/physics/cycle/okada_checks.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "hyseis/core/error.hpp"
#include "hyseis/physics/cycle/okada.hpp"

namespace hyseis::physics::cycle {

bool CheckValue::passed() const { return std::isfinite(computed) && error() <= tolerance; }
double CheckValue::error() const { return std::abs(computed - reference); }

namespace {

using Row = std::map<std::string, std::string>;

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ')) cell.pop_back();
    out.push_back(cell);
  }
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::vector<Row> read_csv(const std::string& path) {
  std::ifstream in(path);
  HYSEIS_REQUIRE(in.good(), core::IoError, "okada checks: cannot open " << path);
  std::string line;
  HYSEIS_REQUIRE(static_cast<bool>(std::getline(in, line)), core::IoError, "okada checks: empty file " << path);
  const std::vector<std::string> header = split(line);
  std::vector<Row> rows;
  int lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> cells = split(line);
    HYSEIS_REQUIRE(cells.size() == header.size(), core::IoError,
                   "okada checks: " << path << ":" << lineno << " has " << cells.size() << " columns, header has "
                                    << header.size());
    Row r;
    for (std::size_t i = 0; i < header.size(); ++i) r[header[i]] = cells[i];
    rows.push_back(std::move(r));
  }
  return rows;
}

double num(const Row& r, const std::string& key, const std::string& path) {
  auto it = r.find(key);
  HYSEIS_REQUIRE(it != r.end(), core::IoError, "okada checks: column '" << key << "' missing in " << path);
  try {
    std::size_t pos = 0;
    const double v = std::stod(it->second, &pos);
    return v;
  } catch (const std::exception&) {
    throw core::IoError("okada checks: column '" + key + "' is not a number ('" + it->second + "') in " + path);
  }
}

std::string str(const Row& r, const std::string& key, const std::string& path) {
  auto it = r.find(key);
  HYSEIS_REQUIRE(it != r.end(), core::IoError, "okada checks: column '" << key << "' missing in " << path);
  return it->second;
}

Slip unit_slip(const std::string& dislocation, const std::string& path) {
  Slip s;
  if (dislocation == "strike") s.strike = 1;
  else if (dislocation == "dip") s.dip = 1;
  else if (dislocation == "tensile") s.tensile = 1;
  else throw core::IoError("okada checks: unknown dislocation '" + dislocation + "' in " + path);
  return s;
}

/// Value of a named quantity (ux, duy_dz, ...) of a deformation.
double quantity(const Deformation& d, const std::string& q) {
  const auto comp = [](char c) { return c == 'x' ? 0 : c == 'y' ? 1 : c == 'z' ? 2 : -1; };
  if (q.size() == 2 && q[0] == 'u' && comp(q[1]) >= 0) return d.u[comp(q[1])];
  // d u<i>_d<j>
  if (q.size() == 6 && q[0] == 'd' && q[1] == 'u' && q[3] == '_' && q[4] == 'd' && comp(q[2]) >= 0 && comp(q[5]) >= 0)
    return d.g(comp(q[2]), comp(q[5]));
  throw core::IoError("okada checks: unknown quantity '" + q + "'");
}

const char* kTable2Quantities[] = {"ux", "uy", "uz", "dux_dx", "dux_dy", "duy_dx", "duy_dy", "duz_dx", "duz_dy"};

}  // namespace

std::vector<CheckValue> okada1985_table2_checks(const std::string& path) {
  const std::vector<Row> rows = read_csv(path);
  HYSEIS_REQUIRE(!rows.empty(), core::IoError, "okada checks: no rows in " << path);
  std::vector<CheckValue> out;
  for (const Row& r : rows) {
    const std::string cs = str(r, "case", path), dis = str(r, "dislocation", path);
    const double x = num(r, "x", path), y = num(r, "y", path), d = num(r, "d", path), dip = num(r, "dip_deg", path);
    const double L = num(r, "L", path), W = num(r, "W", path), U = num(r, "U", path);
    const double nu = num(r, "poisson_ratio", path);
    const HalfSpace medium = HalfSpace::from_poisson_ratio(nu);
    Slip s = unit_slip(dis, path);
    s.strike *= U;
    s.dip *= U;
    s.tensile *= U;
    const Deformation a = okada85_rect(medium.alpha(), x, y, d, dip, L, W, s);
    const Deformation b = dc3d(medium.alpha(), x, y, 0.0, d, dip, 0.0, L, 0.0, W, s);
    // kernel, global frame: strike 90 -> Okada x = east, y = north
    RectangularFault f;
    f.depth = d;
    f.strike_deg = 90.0;
    f.dip_deg = dip;
    f.length = L;
    f.width = W;
    f.reference = FaultReference::okada85_corner;
    f.slip = s;
    Stations st;
    st.push_back(x, y, 0.0);
    const Deformation c = okada1992_sum(medium, {f}, st).at(0);
    double row_max = 0;
    for (const char* q : kTable2Quantities) row_max = std::max(row_max, std::abs(num(r, q, path)));
    const std::pair<const char*, const Deformation*> methods[] = {{"okada85", &a}, {"dc3d", &b}, {"kernel", &c}};
    for (const auto& m : methods) {
      for (const char* q : kTable2Quantities) {
        CheckValue v;
        v.id = "case" + cs + "/" + dis + "/" + m.first + "/" + q;
        v.reference = num(r, q, path);
        v.computed = m.second->singular ? std::nan("") : quantity(*m.second, q);
        v.tolerance = v.reference == 0.0 ? 1e-12 * row_max : 5e-4 * std::abs(v.reference) + 1e-12;
        out.push_back(v);
      }
    }
  }
  return out;
}

std::vector<CheckValue> okada_hdef_checks(const std::string& path, bool include_internal) {
  const std::vector<Row> rows = read_csv(path);
  HYSEIS_REQUIRE(!rows.empty(), core::IoError, "okada checks: no rows in " << path);
  std::vector<CheckValue> out;
  // evaluate once per (test, method)
  std::map<std::string, std::vector<std::pair<std::string, Deformation>>> cache;
  for (const Row& r : rows) {
    const std::string test = str(r, "test_id", path), source = str(r, "source", path);
    const double x = num(r, "x", path), y = num(r, "y", path);
    const double z = -num(r, "obs_depth", path), c = num(r, "src_depth", path), dip = num(r, "dip_deg", path);
    const bool internal = z != 0.0;
    if (internal && !include_internal) continue;
    const HalfSpace medium{num(r, "lambda", path), num(r, "mu", path)};
    medium.validate();
    const double alpha = medium.alpha();
    const Slip s{num(r, "slip_or_potency_strike", path), num(r, "slip_or_potency_dip", path),
                 num(r, "slip_or_potency_tensile", path)};
    auto it = cache.find(test);
    if (it == cache.end()) {
      std::vector<std::pair<std::string, Deformation>> ev;
      if (source == "point") {
        if (!internal) ev.emplace_back("okada85", okada85_point(alpha, x, y, c, dip, s));
        ev.emplace_back("dc3d0", dc3d0(alpha, x, y, z, c, dip, s));
      } else if (source == "rect_okada85_corner") {
        const double L = num(r, "L", path), W = num(r, "W", path);
        if (!internal) ev.emplace_back("okada85", okada85_rect(alpha, x, y, c, dip, L, W, s));
        ev.emplace_back("dc3d", dc3d(alpha, x, y, z, c, dip, 0.0, L, 0.0, W, s));
      } else if (source == "rect_center") {
        const double L = num(r, "L", path), W = num(r, "W", path);
        ev.emplace_back("dc3d", dc3d(alpha, x, y, z, c, dip, -0.5 * L, 0.5 * L, -0.5 * W, 0.5 * W, s));
      } else {
        throw core::IoError("okada checks: unknown source '" + source + "' in " + path);
      }
      it = cache.emplace(test, std::move(ev)).first;
    }
    const std::string q = str(r, "quantity", path);
    for (const auto& [method, def] : it->second) {
      CheckValue v;
      v.id = test + "/" + str(r, "dislocation", path) + "/" + method + "/" + q;
      v.reference = num(r, "value", path);
      v.computed = def.singular ? std::nan("") : quantity(def, q);
      v.tolerance = 1e-10 * std::abs(v.reference);
      out.push_back(v);
    }
  }
  return out;
}

IdentityResiduals free_surface_identity_residuals(double lambda, double mu) {
  const HalfSpace medium{lambda, mu};
  medium.validate();
  const double alpha = medium.alpha();
  IdentityResiduals res;
  const double dips[] = {90.0, 70.0, 35.0, 0.1, -60.0};
  const double xs[] = {-7.0, -1.3, 0.0, 2.1, 6.0};
  const double ys[] = {-5.0, -0.7, 0.4, 3.3};
  const Slip slips[] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.3, -0.8, 0.2}};
  auto accumulate = [&](const Deformation& d) {
    if (d.singular) return;
    double scale = 0;
    for (double v : d.grad) scale = std::max(scale, std::abs(v));
    if (scale == 0) return;
    const double exx = d.g(0, 0), eyy = d.g(1, 1), ezz = d.g(2, 2);
    res.shear_xz = std::max(res.shear_xz, std::abs(d.g(0, 2) + d.g(2, 0)) / scale);
    res.shear_yz = std::max(res.shear_yz, std::abs(d.g(1, 2) + d.g(2, 1)) / scale);
    res.normal_zz = std::max(res.normal_zz, std::abs(lambda * (exx + eyy + ezz) + 2.0 * mu * ezz) / (mu * scale));
    ++res.n_evaluations;
  };
  for (double dip : dips)
    for (const Slip& s : slips)
      for (double x : xs)
        for (double y : ys) {
          accumulate(dc3d(alpha, x, y, 0.0, 5.0, dip, -2.0, 3.0, -1.5, 1.0, s));
          accumulate(dc3d0(alpha, x, y, 0.0, 4.0, dip, s));
        }
  return res;
}

}  // namespace hyseis::physics::cycle
