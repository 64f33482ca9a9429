// RFC 4180 CSV: see hyseis/learning/data/csv.hpp.
#include "hyseis/learning/data/csv.hpp"

#include "hyseis/core/error.hpp"

namespace hyseis::learning::data {

int CsvTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}

std::string CsvTable::get(std::size_t i, const std::string& name) const {
  const int c = column(name);
  if (c < 0 || i >= rows.size()) return {};
  return rows[i][static_cast<std::size_t>(c)];
}

CsvTable csv_parse(const std::string& text, const std::string& what) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> rec;
  std::string field;
  bool quoted = false, field_started = false;
  std::size_t line = 1;
  const std::size_t n = text.size();
  auto end_field = [&] {
    rec.push_back(field);
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    if (!(rec.size() == 1 && rec[0].empty())) records.push_back(rec);  // skip blank lines
    rec.clear();
  };
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < n && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started && field.empty()) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r') {
      if (!(i + 1 < n && text[i + 1] == '\n')) field += c;
    } else if (c == '\n') {
      end_record();
      ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw core::IoError(what + ": unterminated quoted field at line " + std::to_string(line));
  if (!field.empty() || !rec.empty()) end_record();
  CsvTable t;
  if (records.empty()) throw core::IoError(what + ": empty CSV (no header)");
  t.header = records.front();
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != t.header.size())
      throw core::IoError(what + ": record " + std::to_string(r + 1) + " has " + std::to_string(records[r].size()) +
                          " fields, the header has " + std::to_string(t.header.size()));
    t.rows.push_back(std::move(records[r]));
  }
  return t;
}

std::string csv_format(const std::vector<std::vector<std::string>>& rows) {
  std::string out;
  for (const auto& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (i) out += ',';
      const std::string& f = r[i];
      if (f.find_first_of(",\"\n\r") != std::string::npos) {
        out += '"';
        for (char c : f) {
          if (c == '"') out += '"';
          out += c;
        }
        out += '"';
      } else {
        out += f;
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace hyseis::learning::data
