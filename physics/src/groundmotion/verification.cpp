#include "hyseis/physics/groundmotion/verification.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hyseis/core/error.hpp"

namespace hyseis::physics::groundmotion {

namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream is(line);
  while (std::getline(is, cell, ',')) {
    while (!cell.empty() && (cell.back() == '\r' || cell.back() == ' ')) cell.pop_back();
    while (!cell.empty() && cell.front() == ' ') cell.erase(cell.begin());
    out.push_back(cell);
  }
  return out;
}

double to_double(const std::string& s, const std::string& file, std::size_t line) {
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end == s.c_str() || *end != '\0')
    throw core::IoError(file + ":" + std::to_string(line) + ": not a number: '" + s + "'");
  return v;
}

enum class Field {
  mag, rake, dip, ztor, width, hypo_depth, rjb, rrup, rx, ry0, vs30, vs30measured, z1pt0,
  result_type, damping, imt, ignored
};

Field classify(const std::string& col) {
  static const std::pair<const char*, Field> known[] = {
      {"rup_mag", Field::mag},          {"rup_rake", Field::rake},
      {"rup_dip", Field::dip},          {"rup_ztor", Field::ztor},
      {"rup_width", Field::width},      {"rup_hypo_depth", Field::hypo_depth},
      {"dist_rjb", Field::rjb},         {"dist_rrup", Field::rrup},
      {"dist_rx", Field::rx},           {"dist_ry0", Field::ry0},
      {"site_vs30", Field::vs30},       {"site_vs30measured", Field::vs30measured},
      {"site_z1pt0", Field::z1pt0},     {"result_type", Field::result_type},
      {"damping", Field::damping}};
  for (const auto& k : known)
    if (col == k.first) return k.second;
  if (col == "pga" || col == "pgv") return Field::imt;
  char* end = nullptr;
  const double T = std::strtod(col.c_str(), &end);
  if (!col.empty() && end != col.c_str() && *end == '\0' && T > 0) return Field::imt;
  return Field::ignored;
}

Imt imt_of(const std::string& col) {
  if (col == "pga") return Imt::pga();
  if (col == "pgv") return Imt::pgv();
  return Imt::sa(std::strtod(col.c_str(), nullptr));
}

}  // namespace

TableComparison compare_with_table(const Gmpe& gmpe, const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) throw core::IoError("cannot open GMPE verification table " + csv_path);
  std::string line;
  if (!std::getline(in, line)) throw core::IoError("empty GMPE verification table " + csv_path);
  const std::vector<std::string> header = split_csv(line);
  std::vector<Field> fields;
  TableComparison out;
  out.file = csv_path;
  for (const auto& h : header) {
    const Field f = classify(h);
    if (f == Field::ignored)
      throw core::IoError(csv_path + ": unknown column '" + h + "' (not a rup_/dist_/site_ parameter or IMT)");
    fields.push_back(f);
    if (f == Field::imt) out.per_imt.emplace_back(h, 0.0);
  }
  std::vector<Imt> imts;
  for (const auto& p : out.per_imt) imts.push_back(imt_of(p.first));

  std::size_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
    const std::vector<std::string> cells = split_csv(line);
    if (cells.size() != header.size())
      throw core::IoError(csv_path + ":" + std::to_string(lineno) + ": " + std::to_string(cells.size()) +
                          " cells, header has " + std::to_string(header.size()));
    Rupture rup;
    Site site;
    std::string type;
    std::vector<double> ref;
    for (std::size_t j = 0; j < cells.size(); ++j) {
      if (fields[j] == Field::result_type) {
        type = cells[j];
        continue;
      }
      const double v = to_double(cells[j], csv_path, lineno);
      switch (fields[j]) {
        case Field::mag: rup.mag = v; break;
        case Field::rake: rup.rake = v; break;
        case Field::dip: rup.dip = v; break;
        case Field::ztor: rup.ztor = v; break;
        case Field::width: rup.width = v; break;
        case Field::hypo_depth: rup.hypo_depth = v; break;
        case Field::rjb: site.rjb = v; break;
        case Field::rrup: site.rrup = v; break;
        case Field::rx: site.rx = v; break;
        case Field::ry0: site.ry0 = v; break;
        case Field::vs30: site.vs30 = v; break;
        case Field::vs30measured: site.vs30_measured = v != 0.0; break;
        case Field::z1pt0: site.z1pt0 = v; break;
        case Field::damping:
          if (v != 5.0)
            throw core::IoError(csv_path + ":" + std::to_string(lineno) + ": damping " + cells[j] +
                                " %, only 5 % is supported");
          break;
        case Field::imt: ref.push_back(v); break;
        default: break;
      }
    }
    if (out.result_type.empty()) out.result_type = type;
    if (type != out.result_type)
      throw core::IoError(csv_path + ":" + std::to_string(lineno) + ": result_type '" + type +
                          "' differs from the first row's '" + out.result_type + "'");
    if (type != "MEAN" && type != "TOTAL_STDDEV" && type != "INTER_EVENT_STDDEV" &&
        type != "INTRA_EVENT_STDDEV")
      throw core::IoError(csv_path + ":" + std::to_string(lineno) + ": unknown result_type '" + type + "'");
    ++out.rows;
    for (std::size_t k = 0; k < imts.size(); ++k) {
      const GmpeResult r = gmpe.evaluate(rup, site, imts[k]);
      double pred = 0;
      if (type == "MEAN") pred = std::exp(r.ln_median);
      else if (type == "TOTAL_STDDEV") pred = r.sigma;
      else if (type == "INTER_EVENT_STDDEV") pred = r.tau;
      else pred = r.phi;
      double d = std::abs(pred / ref[k] - 1.0);
      if (!std::isfinite(d)) {
        out.finite = false;
        d = std::numeric_limits<double>::infinity();
      }
      ++out.values;
      out.per_imt[k].second = std::max(out.per_imt[k].second, d);
      if (d > out.max_rel || out.worst.empty()) {
        out.max_rel = std::max(out.max_rel, d);
        std::ostringstream os;
        os << imts[k].name() << " at line " << lineno << " (M " << rup.mag << ", rake " << rup.rake
           << ", Rjb " << site.rjb << ", Rrup " << site.rrup << ", Vs30 " << site.vs30 << "): ours "
           << pred << ", ref " << ref[k];
        out.worst = os.str();
      }
    }
  }
  return out;
}

}  // namespace hyseis::physics::groundmotion
