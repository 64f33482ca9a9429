// GMPE validation: BSSA14 and CY14 (physics/groundmotion) against OpenQuake's check_gsim
// verification tables. BSSA14 tables were generated with D. M. Boore's Fortran code (Jul 2014),
// CY14 medians with the authors' tool and CY14 sigmas with OpenSHA (see the folder's PROVENANCE).
// One metric per table: max relative discrepancy over all rows and IMTs (mean |exp(lnY)/ref - 1|,
// sigma |sigma/ref - 1|), with OpenQuake's own tolerance as the pass criterion; the maximum per
// IMT is listed in the metric's note.
#include "hyseis/validation/gmpe_cases.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "case_util.hpp"
#include "hyseis/physics/groundmotion/bssa14.hpp"
#include "hyseis/physics/groundmotion/cy14.hpp"
#include "hyseis/physics/groundmotion/verification.hpp"

namespace hyseis::validation {

namespace {

namespace gm = physics::groundmotion;

struct Table {
  const char* metric;  // metric name
  const char* file;    // relative to <data>/gmpe_oq_verification/
  double tol;          // OpenQuake's tolerance
};

CaseResult run_tables(const std::string& case_name, const gm::Gmpe& gmpe, const std::vector<Table>& tables,
                      const Options& o) {
  CaseResult res;
  const std::string root = (o.data_dir.empty() ? default_data_dir() : o.data_dir) + "/gmpe_oq_verification/";
  for (const Table& t : tables) {
    if (!std::filesystem::exists(root + t.file)) {
      res.skipped = true;
      res.skip_reason = "validation data not found at '" + root + t.file +
                        "' (set HYSEIS_VALIDATION_DATA to the shared/validation folder)";
      res.metrics.clear();
      return res;
    }
  }
  for (const Table& t : tables) {
    const gm::TableComparison c = gm::compare_with_table(gmpe, root + t.file);
    std::ostringstream note;
    note << "OpenQuake verification table " << t.file << " (" << c.result_type << ", " << c.rows << " rows, "
         << c.values << " values); tolerance = OpenQuake's; worst: " << c.worst << "; max per IMT (%):";
    char buf[64];
    for (const auto& [imt, d] : c.per_imt) {
      std::snprintf(buf, sizeof buf, " %s %.4g", imt.c_str(), d * 100);
      note << buf;
    }
    if (!c.finite) note << "; NON-FINITE predictions";
    Metric m = detail::make_metric(case_name, t.metric, c.finite ? c.max_rel : 1e300, t.tol, "<=", note.str());
    res.metrics.push_back(m);
  }
  return res;
}

CaseResult bssa14_openquake(const Options& o) {
  gm::BSSA14Options opt;
  opt.period_policy = gm::PeriodPolicy::interpolate;  // the tables include SA(0.21) and SA(0.23)
  const gm::BSSA14 model(opt);
  return run_tables("gmpe_bssa14_openquake", model,
                    {{"max_rel_mean", "BSSA2014/BSSA_2014_MEAN.csv", 0.02},
                     {"max_rel_total_std", "BSSA2014/BSSA_2014_TOTAL_STD.csv", 0.01},
                     {"max_rel_inter_std", "BSSA2014/BSSA_2014_INTER_STD.csv", 0.01},
                     {"max_rel_intra_std", "BSSA2014/BSSA_2014_INTRA_STD.csv", 0.01}},
                    o);
}

CaseResult cy14_openquake(const Options& o) {
  const gm::CY14 model;
  return run_tables("gmpe_cy14_openquake", model,
                    {{"max_rel_median_nm", "CY14/CY14_MEDIAN_MS_HW_NM.csv", 0.0005},
                     {"max_rel_median_rv", "CY14/CY14_MEDIAN_MS_HW_RV.csv", 0.0005},
                     {"max_rel_median_ss", "CY14/CY14_MEDIAN_MS_HW_SS.csv", 0.0005},
                     {"max_rel_total_sigma", "CY14/CY14_TOTAL_EVENT_SIGMA.csv", 0.0005},
                     {"max_rel_inter_sigma", "CY14/CY14_INTER_EVENT_SIGMA.csv", 0.0005},
                     {"max_rel_intra_sigma", "CY14/CY14_INTRA_EVENT_SIGMA.csv", 0.0005}},
                    o);
}

}  // namespace

std::vector<Case> gmpe_cases() {
  return {
      {"gmpe_bssa14_openquake",
       "BSSA14 GMPE (global, no basin term): median, total/inter/intra sigma for PGA, PGV and 38 SA "
       "periods; 450 scenarios M 3-8, Rjb 0-100 km, Vs30 200-760 m/s, normal/strike-slip/reverse",
       "OpenQuake hazardlib verification tables BSSA2014/*.csv (Boore's Fortran code, Jul 2014)",
       bssa14_openquake},
      {"gmpe_cy14_openquake",
       "CY14 GMPE: median (normal, reverse, strike-slip) and total/inter/intra sigma for 24 SA periods; "
       "M 3.5-8.5, Ztor 0-20 km, Rrup 0-300 km, Vs30 180-1500 m/s, Z1.0",
       "OpenQuake hazardlib verification tables NGA/CY14/*.csv (authors' tool; sigmas from OpenSHA)",
       cy14_openquake},
  };
}

}  // namespace hyseis::validation
