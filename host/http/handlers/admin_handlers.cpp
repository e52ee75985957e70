// The admin API of hot reload: POST /admin/plugins/reload runs a reload pass now;
// POST /admin/agents, PUT /admin/agents/{id} and DELETE /admin/agents/{id} write the agents
// folder (temp file then rename, so the watcher never sees half a file) and apply the change at
// once. Registered only when admin.enabled (see README "Hot reload"): by default when auth is on
// (the routes then need the admin role, security/route_access.cpp) or the bind is loopback.

#include <fstream>

#include "http/api_error.h"
#include "http/handlers/handlers.h"

namespace agent_host::http::handlers {
namespace {

nlohmann::json summary_json(const reload::ReloadSummary& summary) {
  return {{"loaded", summary.loaded},
          {"unloaded", summary.unloaded},
          {"refused", summary.refused},
          {"plugins", summary.plugins},
          {"agents", summary.agents}};
}

// Validates the body as an agent definition for `id` (422 with the reason when it is not one).
nlohmann::json validated_definition(RequestContext& context, const std::string& id) {
  nlohmann::json body = context.read_json_body();
  if (!body.is_object()) throw ApiError(422, "invalid_agent", "the body must be a JSON object");
  if (!id.empty()) {
    if (!body.contains("id")) body["id"] = id;
    if (body["id"] != id) {
      throw ApiError(422, "invalid_agent", "\"id\" in the body must be \"" + id + "\"");
    }
  }
  try {
    agents::parse_agent_definition(body);
  } catch (const agents::DefinitionError& e) {
    throw ApiError(422, "invalid_agent", e.what());
  }
  return body;
}

void write_atomically(const std::filesystem::path& file, const std::string& text) {
  const auto temp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw ApiError(500, "write_failed", "cannot write " + temp.string());
  }
  std::error_code ec;
  std::filesystem::rename(temp, file, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw ApiError(500, "write_failed", "cannot rename into " + file.string());
  }
}

// Reloads and says whether `id` is now served, or why not.
nlohmann::json apply(const ApiServices& services, const std::string& id) {
  const auto summary = services.reloader->reload();
  const auto set = services.agents.current();
  nlohmann::json out{{"id", id}, {"reload", summary_json(summary)}};
  if (set->agents.count(id) != 0) {
    out["state"] = "serving";
    out["reason"] = nullptr;
  } else {
    out["state"] = "refused";
    out["reason"] = "";
  }
  for (const auto& refusal : set->refused) {
    if (refusal.agent_id == id) {
      if (refusal.unavailable) out["state"] = "unavailable";
      out["reason"] = refusal.reason;
    }
  }
  return out;
}

std::filesystem::path agent_file(const ApiServices& services, const std::string& id) {
  if (!agents::is_valid_agent_id(id)) {
    throw ApiError(422, "invalid_agent", "invalid agent id '" + id + "'");
  }
  return services.reloader->options().agents_dir / (id + ".json");
}

}  // namespace

void add_admin_routes(Router& router, const ApiServices& services) {
  router.add("POST", "/admin/plugins/reload", [services](RequestContext& context) {
    context.send_json(200, summary_json(services.reloader->reload()));
  });

  router.add("POST", "/admin/agents", [services](RequestContext& context) {
    const nlohmann::json body = validated_definition(context, "");
    const std::string id = body["id"].get<std::string>();
    const auto file = agent_file(services, id);
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) {
      throw ApiError(409, "agent_exists",
                     "agent '" + id + "' exists (PUT /admin/agents/" + id + " replaces it)");
    }
    write_atomically(file, body.dump(2) + "\n");
    context.send_json(201, apply(services, id));
  });

  // PUT creates the agent when it does not exist (201), else replaces it (200): the file is
  // the operator's source of truth, and PUT of the same body twice gives the same result.
  router.add("PUT", "/admin/agents/{id}", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    const auto file = agent_file(services, id);
    const nlohmann::json body = validated_definition(context, id);
    std::error_code ec;
    const bool existed = std::filesystem::exists(file, ec);
    write_atomically(file, body.dump(2) + "\n");
    context.send_json(existed ? 200 : 201, apply(services, id));
  });

  router.add("DELETE", "/admin/agents/{id}", [services](RequestContext& context) {
    const std::string& id = context.path_param("id");
    const auto file = agent_file(services, id);
    std::error_code ec;
    if (!std::filesystem::remove(file, ec)) {
      if (ec) throw ApiError(500, "write_failed", "cannot remove " + file.string());
      throw ApiError(404, "agent_not_found", "no agent file for '" + id + "'");
    }
    // Requests in flight keep their lease and finish; new ones get 404.
    const auto summary = services.reloader->reload();
    context.send_json(200, {{"id", id}, {"state", "deleted"}, {"reload", summary_json(summary)}});
  });
}

}  // namespace agent_host::http::handlers
