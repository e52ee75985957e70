// agent_sdk::parse_json / dump_json against nlohmann::json::parse / dump, on any bytes: both
// parsers accept or both refuse, the values print the same (so number types agree too), and
// printing any value or any string gives dump()'s text or dump()'s exception.
#include <agent_sdk/json_codec.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace {

using Json = nlohmann::json;

// The printed text, or the exception's id when printing throws.
std::string print_nlohmann(const Json& value, Json::error_handler_t handler) {
  try {
    return value.dump(-1, ' ', false, handler);
  } catch (const Json::exception& e) {
    return "exception " + std::to_string(e.id);
  }
}

std::string print_ours(const Json& value, Json::error_handler_t handler) {
  try {
    return agent_sdk::dump_json(value, handler);
  } catch (const Json::exception& e) {
    return "exception " + std::to_string(e.id);
  }
}

void same_printing(const Json& value) {
  for (const auto handler : {Json::error_handler_t::strict, Json::error_handler_t::replace,
                             Json::error_handler_t::ignore}) {
    if (print_ours(value, handler) != print_nlohmann(value, handler)) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Json expected;
  bool nlohmann_ok = true;
  try {
    expected = Json::parse(text);
  } catch (const Json::exception&) {
    nlohmann_ok = false;
  }
  Json actual;
  bool ours_ok = true;
  bool too_deep = false;
  try {
    actual = agent_sdk::parse_json(text);
  } catch (const Json::exception& e) {
    ours_ok = false;
    too_deep = std::strstr(e.what(), "nesting deeper than") != nullptr;
  }
  if (ours_ok != nlohmann_ok && !too_deep) __builtin_trap();
  if (ours_ok && nlohmann_ok) {
    if (actual.dump() != expected.dump()) __builtin_trap();
    same_printing(expected);
  }
  // The raw bytes as one string value: escapes, control characters and invalid UTF-8.
  same_printing(Json(std::string(text)));
  return 0;
}
