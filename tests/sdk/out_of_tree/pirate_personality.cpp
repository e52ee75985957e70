// An out-of-tree personality: compiled against the installed SDK only.
#include <agent_sdk/plugin.hpp>

namespace {

class Pirate : public agent_sdk::Personality {
 public:
  static constexpr uint32_t kFlags = AGENT_PLUGIN_FLAG_THREAD_SAFE;
  Pirate(agent_sdk::Host host, const agent_sdk::Json&) : Personality(host) {}
  agent_sdk::Json describe() override {
    return {{"id", "pirate"},
            {"traits", {"swashbuckling", "bold"}},
            {"tone", "salty"},
            {"approach", "treasure-map"},
            {"system_prompt", "You talk like a pirate."}};
  }
};

}  // namespace

AGENT_SDK_EXPORT_PLUGIN(Pirate, "pirate", "2.0.0",
                        R"({"description": "Talks like a pirate: an out-of-tree test plugin"})")
