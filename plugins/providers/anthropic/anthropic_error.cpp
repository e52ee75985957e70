#include "anthropic/anthropic_error.hpp"

#include <string>

#include "common/limits.hpp"

namespace providers::anthropic {

UpstreamError error_for_type(std::string_view type, std::string_view message) {
  const std::string kind = "(" + bounded_text(type, 64) + ")";
  const std::string said = message.empty() ? "" : ": " + bounded_text(message, kMaxQuotedMessage);
  if (type == "overloaded_error" || type == "rate_limit_error" || type == "api_error") {
    return UpstreamError(AGENT_ERR_UNAVAILABLE, "anthropic: upstream unavailable " + kind + said,
                         true);
  }
  if (type == "timeout_error") {
    return UpstreamError(AGENT_ERR_TIMEOUT, "anthropic: upstream timed out " + kind + said, true);
  }
  if (type == "authentication_error" || type == "permission_error") {
    return UpstreamError(AGENT_ERR_UPSTREAM, "anthropic: upstream rejected the API key " + kind,
                         false);
  }
  return UpstreamError(AGENT_ERR_UPSTREAM, "anthropic: upstream refused the request " + kind + said,
                       false);
}

}  // namespace providers::anthropic
