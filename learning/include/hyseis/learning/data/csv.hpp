#pragma once
// Small RFC 4180 CSV reader/writer (quoted fields, embedded commas, quotes and newlines) used by
// the SeisBench metadata and the pick tables.
#include <cstddef>
#include <string>
#include <vector>

namespace hyseis::learning::data {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each row has header.size() fields
  /// Column index or -1.
  int column(const std::string& name) const;
  /// Field of row i in column `name`; "" if the column does not exist.
  std::string get(std::size_t i, const std::string& name) const;
};

/// Parses CSV text; `what` names the source in errors (core::IoError with the line number).
/// A row whose field count differs from the header's is an error. CRLF is accepted.
CsvTable csv_parse(const std::string& text, const std::string& what);
/// Formats rows (the first row is usually the header); fields are quoted only when needed.
std::string csv_format(const std::vector<std::vector<std::string>>& rows);

}  // namespace hyseis::learning::data
