#pragma once
// Comparison of a GMPE with a verification table in OpenQuake's "check_gsim" CSV format
// (one scenario per row: rup_*, dist_*, site_* columns, result_type, damping, then one column
// per IMT: "pgv", "pga" or an SA period in seconds). MEAN rows hold linear medians (g, cm/s),
// *_STDDEV rows natural-log standard deviations.
//
// Discrepancy per value: MEAN |exp(ln_median)/ref - 1|; STDDEV |sigma/ref - 1| with the
// standard deviation named by result_type (TOTAL_STDDEV, INTER_EVENT_STDDEV, INTRA_EVENT_STDDEV).
#include <string>
#include <utility>
#include <vector>

#include "hyseis/physics/groundmotion/gmpe.hpp"

namespace hyseis::physics::groundmotion {

struct TableComparison {
  std::string file;
  std::string result_type;       ///< MEAN, TOTAL_STDDEV, INTER_EVENT_STDDEV or INTRA_EVENT_STDDEV
  std::size_t rows = 0;          ///< scenarios compared
  std::size_t values = 0;        ///< rows x IMT columns compared
  double max_rel = 0.0;          ///< max relative discrepancy over all values
  std::string worst;             ///< where max_rel occurs: IMT and scenario
  /// (IMT column name as in the file, max relative discrepancy over rows), in column order.
  std::vector<std::pair<std::string, double>> per_imt;
  bool finite = true;            ///< false if any prediction was NaN/Inf
};

/// Evaluates `gmpe` for every row and IMT column of `csv_path`. Throws core::IoError if the file
/// cannot be read or has an unknown column / result_type, core::InvalidInput from the GMPE.
TableComparison compare_with_table(const Gmpe& gmpe, const std::string& csv_path);

}  // namespace hyseis::physics::groundmotion
