// What the pipeline tells about the tokens a turn spends, so token budgets can be enforced
// (limits/token_budgets.h implements it). admit() runs before a turn reaches a provider and may
// throw to refuse it (the exception passes through TurnPipeline::run to the caller unchanged);
// record() runs after every provider call that reported usage.
#pragma once

#include <cstdint>
#include <string>

namespace agent_host::agents {

class TurnMeter {
 public:
  virtual ~TurnMeter() = default;
  // `account` is who the turn is billed to (the principal's credential); "" when anonymous.
  virtual void admit(const std::string& agent_id, const std::string& account) = 0;
  virtual void record(const std::string& agent_id, const std::string& account,
                      std::int64_t total_tokens) noexcept = 0;
};

}  // namespace agent_host::agents
