// Writing the Prometheus text exposition format, version 0.0.4: the HELP and TYPE lines of a
// family and its samples, with label values and help text escaped as the format requires.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agent_host::observability {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A label value with '\', '"' and line feeds escaped.
std::string escape_label_value(std::string_view value);
// A sample value: integers without a fraction, +Inf, -Inf, NaN.
std::string format_sample_value(double value);

// "# HELP name help\n# TYPE name type\n" (help with '\' and line feeds escaped).
void write_family_head(std::string& out, std::string_view name, std::string_view help,
                       std::string_view type);
// "name{a="x",b="y"} value\n".
void write_sample(std::string& out, std::string_view name, const Labels& labels, double value);

}  // namespace agent_host::observability
