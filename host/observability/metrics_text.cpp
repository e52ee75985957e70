#include "observability/metrics_text.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace agent_host::observability {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  if (std::fabs(value) < 9.007199254740992e15 && value == std::floor(value)) {
    std::snprintf(buffer, sizeof(buffer), "%.0f", value);
  } else {
    // The shortest text that reads back as the same double (0.001, not 0.00100000000000000002).
    for (int precision = 6; precision <= 17; ++precision) {
      std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
      if (std::strtod(buffer, nullptr) == value) break;
    }
  }
  return buffer;
}

void write_family_head(std::string& out, std::string_view name, std::string_view help,
                       std::string_view type) {
  out.append("# HELP ").append(name).push_back(' ');
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out.append("\n# TYPE ").append(name).push_back(' ');
  out.append(type).push_back('\n');
}

void write_sample(std::string& out, std::string_view name, const Labels& labels, double value) {
  out.append(name);
  if (!labels.empty()) {
    out.push_back('{');
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append(labels[i].first).append("=\"");
      out.append(escape_label_value(labels[i].second)).push_back('"');
    }
    out.push_back('}');
  }
  out.push_back(' ');
  out.append(format_sample_value(value)).push_back('\n');
}

}  // namespace agent_host::observability
