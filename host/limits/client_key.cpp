#include "limits/client_key.h"

namespace agent_host::limits {

std::string client_key(const http::RequestContext& context) {
  if (const auto& principal = context.principal()) {
    if (!principal->credential.empty()) return "cred:" + principal->credential;
    if (!principal->subject.empty()) return "sub:" + principal->subject;
  }
  return "ip:" + context.client_address();
}

std::string budget_account(const http::RequestContext& context) {
  const auto& principal = context.principal();
  return principal ? principal->credential : std::string();
}

}  // namespace agent_host::limits
