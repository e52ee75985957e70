#include "mcp/mcp_session.hpp"

#include <algorithm>
#include <set>

#include "mcp/http_transport.hpp"

namespace mcp {
namespace {

using agent_sdk::Error;
using agent_sdk::Json;
using agent_sdk::LogLevel;
using std::chrono::milliseconds;

constexpr const char* kClientName = "agent-host";
constexpr const char* kClientVersion = "1.0.0";
constexpr int kMaxPages = 100;  // a server paging forever is cut off
constexpr std::size_t kMaxTools = 2000;

Json stateless_meta() {
  return {
      {"io.modelcontextprotocol/protocolVersion", kStatelessVersion},
      {"io.modelcontextprotocol/clientCapabilities", Json::object()},
      {"io.modelcontextprotocol/clientInfo", {{"name", kClientName}, {"version", kClientVersion}}}};
}

// A JSON-RPC error response as an exception the caller can read.
[[noreturn]] void throw_rpc_error(const std::string& server, const std::string& method,
                                  const Json& error) {
  const std::string message = error.is_object() ? error.value("message", "") : "";
  const std::string code =
      error.is_object() && error.contains("code") ? error["code"].dump() : std::string("?");
  throw Error(AGENT_ERR_UPSTREAM,
              "MCP server '" + server + "' refused " + method + " (" + code + "): " + message);
}

}  // namespace

McpSession::McpSession(Config config, agent_sdk::Host host)
    : config_(std::move(config)), host_(host) {}

McpSession::~McpSession() { stop(); }

void McpSession::attach(std::unique_ptr<Transport> transport) { transport_ = std::move(transport); }

void McpSession::stop() {
  if (transport_) transport_->stop();
}

InboundHandler McpSession::inbound_handler() {
  return [this](const Json& message) { return on_inbound(message); };
}

std::optional<Json> McpSession::on_inbound(const Json& message) {
  const std::string method = message.value("method", "");
  if (method == "ping") return make_result(message["id"], Json::object());
  if (method == "notifications/tools/list_changed") {
    std::lock_guard lock(mutex_);
    tools_.reset();
    ++tool_list_changes_;
    host_.log(LogLevel::debug, "mcp '" + config_.name + "': tool list changed");
    return std::nullopt;
  }
  if (message.contains("id")) {
    // This client offers no sampling, roots or elicitation (it declares no capabilities).
    return make_error(message["id"], -32601, "method not supported by this client: " + method);
  }
  return std::nullopt;  // other notifications (progress, logging) carry nothing we use
}

Era McpSession::era() const {
  std::lock_guard lock(mutex_);
  return era_;
}

std::string McpSession::protocol_version() const {
  std::lock_guard lock(mutex_);
  return version_;
}

Json McpSession::rpc_once(const std::string& method, const Json& params, const Deadline& deadline) {
  const Json response =
      transport_->request(make_request(next_id_.fetch_add(1), method, params), deadline);
  if (response.contains("error")) throw_rpc_error(config_.name, method, response["error"]);
  const auto result = response.find("result");
  if (result == response.end() || !result->is_object()) {
    throw Error(AGENT_ERR_UPSTREAM, "MCP server '" + config_.name + "' answered " + method +
                                        " without a result object");
  }
  return *result;
}

Json McpSession::rpc(const std::string& method, Json params, const Deadline& deadline) {
  for (int attempt = 0;; ++attempt) {
    ensure_ready(deadline);
    Json with_meta = params;
    if (era() == Era::stateless) {
      if (!with_meta.is_object()) with_meta = Json::object();
      Json meta = stateless_meta();
      if (with_meta.contains("_meta") && with_meta["_meta"].is_object()) {
        meta.update(with_meta["_meta"]);
      }
      with_meta["_meta"] = meta;
    }
    try {
      return rpc_once(method, with_meta, deadline);
    } catch (const SessionExpired&) {
      // The server forgot our session (restarted, or expired it): initialize again, once.
      if (attempt > 0) throw;
      host_.log(LogLevel::info, "mcp '" + config_.name + "': session expired; initializing again");
      transport_->reset_session();
    }
  }
}

void McpSession::ensure_ready(const Deadline& deadline) {
  std::lock_guard ready(ready_mutex_);
  const std::uint64_t generation = transport_->generation();
  Era era;
  {
    std::lock_guard lock(mutex_);
    if (era_ != Era::unknown && ready_generation_ == generation) return;
    era = era_;
  }
  // The handshake and the probe get their own budget, within the call's.
  Deadline setup = Deadline::in(config_.init_timeout, deadline.call);
  setup.at = std::min(setup.at, deadline.at);

  bool stateless = false;
  if (config_.protocol == ProtocolChoice::stateless) {
    if (!try_stateless(setup)) {
      throw Error(AGENT_ERR_UPSTREAM, "MCP server '" + config_.name + "' does not speak " +
                                          kStatelessVersion + " (server/discover failed)");
    }
    stateless = true;
  } else if (config_.protocol == ProtocolChoice::automatic && era != Era::handshake) {
    // Probe once; a server found to speak the handshake era is not probed again on a restart.
    stateless = try_stateless(setup);
  }
  if (!stateless) initialize(setup);
  std::lock_guard lock(mutex_);
  ready_generation_ = transport_->generation();
  tools_.reset();
}

bool McpSession::try_stateless(const Deadline& deadline) {
  Json result;
  try {
    result = rpc_once("server/discover", {{"_meta", stateless_meta()}}, deadline);
  } catch (const Error& e) {
    if (e.code() != AGENT_ERR_UPSTREAM) throw;  // unreachable, timed out, cancelled: no answer
    host_.log(LogLevel::debug, "mcp '" + config_.name + "': no server/discover (" + e.what() +
                                   "); using the initialize handshake");
    return false;
  }
  const auto versions = result.find("supportedVersions");
  const bool speaks =
      versions != result.end() && versions->is_array() &&
      std::find(versions->begin(), versions->end(), Json(kStatelessVersion)) != versions->end();
  if (!speaks) return false;
  transport_->set_protocol_version(kStatelessVersion);
  std::lock_guard lock(mutex_);
  era_ = Era::stateless;
  version_ = kStatelessVersion;
  host_.log(LogLevel::info, "mcp '" + config_.name + "': speaks " + kStatelessVersion +
                                " (stateless), server " +
                                result.value("serverInfo", Json::object()).value("name", "?"));
  return true;
}

void McpSession::initialize(const Deadline& deadline) {
  const Json result =
      rpc_once("initialize",
               {{"protocolVersion", config_.handshake_version},
                {"capabilities", Json::object()},
                {"clientInfo", {{"name", kClientName}, {"version", kClientVersion}}}},
               deadline);
  const std::string version = result.value("protocolVersion", "");
  const auto& known = handshake_versions();
  if (std::find(known.begin(), known.end(), version) == known.end()) {
    throw Error(AGENT_ERR_UPSTREAM, "MCP server '" + config_.name +
                                        "' answered initialize with protocol version \"" + version +
                                        "\", which this client does not speak");
  }
  transport_->set_protocol_version(version);
  transport_->notify(make_notification("notifications/initialized", Json::object()), deadline);
  transport_->on_initialized();
  std::lock_guard lock(mutex_);
  era_ = Era::handshake;
  version_ = version;
  host_.log(LogLevel::info, "mcp '" + config_.name + "': initialized, protocol " + version +
                                ", server " +
                                result.value("serverInfo", Json::object()).value("name", "?"));
}

Json McpSession::fetch_tools(const Deadline& deadline) {
  Json tools = Json::array();
  std::set<std::string> cursors;
  std::optional<std::string> cursor;
  std::optional<milliseconds> server_ttl;
  for (int page = 0; page < kMaxPages; ++page) {
    Json params = Json::object();
    if (cursor) params["cursor"] = *cursor;
    const Json result = rpc("tools/list", params, deadline);
    const auto listed = result.find("tools");
    if (listed == result.end() || !listed->is_array()) {
      throw Error(AGENT_ERR_UPSTREAM,
                  "MCP server '" + config_.name + "' answered tools/list without \"tools\"");
    }
    for (const auto& tool : *listed) {
      if (!tool.is_object() || !tool.contains("name") || !tool["name"].is_string()) continue;
      Json entry = {{"name", tool["name"]},
                    {"description", tool.value("description", "")},
                    {"input_schema", tool.value("inputSchema", Json{{"type", "object"}})}};
      if (tool.contains("title")) entry["title"] = tool["title"];
      if (tool.contains("outputSchema")) entry["output_schema"] = tool["outputSchema"];
      tools.push_back(std::move(entry));
      if (tools.size() > kMaxTools) {
        throw Error(AGENT_ERR_UPSTREAM, "MCP server '" + config_.name + "' lists more than " +
                                            std::to_string(kMaxTools) + " tools");
      }
    }
    // A cache hint of the newer revisions (milliseconds this list stays valid).
    if (result.contains("ttlMs") && result["ttlMs"].is_number_integer()) {
      server_ttl = milliseconds(std::max<std::int64_t>(0, result["ttlMs"].get<std::int64_t>()));
    }
    const auto next = result.find("nextCursor");
    if (next == result.end() || !next->is_string() || next->get<std::string>().empty()) {
      std::lock_guard lock(mutex_);
      milliseconds ttl = config_.ttl;
      if (server_ttl && (ttl.count() == 0 || *server_ttl < ttl)) ttl = *server_ttl;
      tools_expire_ = ttl.count() == 0 ? Clock::time_point::max() : Clock::now() + ttl;
      return Json{{"tools", tools}};
    }
    if (!cursors.insert(next->get<std::string>()).second) {
      throw Error(AGENT_ERR_UPSTREAM,
                  "MCP server '" + config_.name + "' repeated a tools/list cursor");
    }
    cursor = next->get<std::string>();
  }
  throw Error(AGENT_ERR_UPSTREAM, "MCP server '" + config_.name + "' paged tools/list more than " +
                                      std::to_string(kMaxPages) + " times");
}

Json McpSession::list_tools(agent_sdk::Call* call) {
  const Deadline deadline = Deadline::in(config_.init_timeout, call);
  ensure_ready(deadline);
  std::uint64_t changes_before = 0;
  {
    std::lock_guard lock(mutex_);
    if (tools_ && tools_generation_ == transport_->generation() && Clock::now() < tools_expire_) {
      return *tools_;
    }
    changes_before = tool_list_changes_;
  }
  Json tools = fetch_tools(deadline);
  std::lock_guard lock(mutex_);
  if (tool_list_changes_ == changes_before) {
    tools_ = tools;
    tools_generation_ = transport_->generation();
  }
  return tools;
}

Json McpSession::call_tool(const std::string& name, const Json& arguments, agent_sdk::Call* call) {
  const Deadline deadline = Deadline::in(config_.timeout, call);
  const Json result =
      rpc("tools/call",
          {{"name", name}, {"arguments", arguments.is_object() ? arguments : Json::object()}},
          deadline);
  Json out = {{"content", result.value("content", Json::array())},
              {"is_error", result.value("isError", false)}};
  if (!out["content"].is_array()) out["content"] = Json::array();
  if (result.contains("structuredContent")) out["structured_content"] = result["structuredContent"];
  if (result.value("resultType", "complete") == "input_required") {
    // Multi round-trip requests (the stateless revision's elicitation) need a user in the loop.
    out["is_error"] = true;
    out["content"] = Json::array({{{"type", "text"},
                                   {"text",
                                    "the tool asked for user input, which this host "
                                    "cannot provide"}}});
  }
  return out;
}

}  // namespace mcp
