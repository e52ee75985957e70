// The OpenAI-compatible facade, so the official OpenAI SDKs work with base_url = <host>/v1:
//   GET  /v1/models, /v1/models/{id}  agents as models
//   POST /v1/chat/completions         model = agent id; JSON or streamed chunks ending [DONE]
// It is stateless like the API it copies: the client sends the whole transcript and nothing is
// stored (use POST /agents/{id}/chat for host-kept conversations). The agent's personality and
// domain prompt come first, its input rules judge the last user message and its output rules
// the answer. Errors carry OpenAI's shape ({"error": {"message","type","param","code"}}) plus
// our request_id.
#include <spdlog/spdlog.h>

#include <agent_sdk/json_codec.hpp>
#include <chrono>
#include <optional>

#include "http/api_error.h"
#include "http/handlers/agent_lease.h"
#include "http/handlers/chat_response.h"
#include "http/handlers/handlers.h"
#include "http/handlers/openai_request.h"
#include "http/sse_writer.h"
#include "ids/random_uuid.h"
#include "limits/client_key.h"
#include "observability/host_metrics.h"

namespace agent_host::http::handlers {
namespace {

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string completion_id() {
  std::string uuid = ids::random_uuid();
  std::erase(uuid, '-');
  return "chatcmpl-" + uuid;
}

nlohmann::json openai_error(int status, const std::string& code, const std::string& message,
                            const std::string& request_id) {
  const char* type = status == 429   ? "rate_limit_error"
                     : status >= 500 ? "server_error"
                                     : "invalid_request_error";
  return {{"error",
           {{"message", message},
            {"type", type},
            {"param", nullptr},
            {"code", code},
            {"request_id", request_id}}}};
}

void send_openai_error(RequestContext& context, const ApiError& error) {
  observability::host_metrics().errors.with({error.code()}).inc();
  if (error.retry_after()) {
    context.response().set("Retry-After", std::to_string(*error.retry_after()));
  }
  context.send_json(error.status(),
                    openai_error(error.status(), error.code(), error.what(), context.request_id()));
}

std::string finish_reason(const agents::ChatResult& result) {
  if (result.refusal) return "content_filter";
  if (result.finish_reason == "refused") return "content_filter";
  for (const char* known : {"stop", "length", "tool_calls", "content_filter"}) {
    if (result.finish_reason == known) return known;
  }
  return "stop";
}

nlohmann::json openai_tool_calls(const nlohmann::json& calls) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& call : calls) {
    out.push_back(
        {{"id", call.value("id", "")},
         {"type", "function"},
         {"function",
          {{"name", call.value("name", "")}, {"arguments", call.value("arguments", "{}")}}}});
  }
  return out;
}

nlohmann::json usage_json(const agents::Usage& usage) {
  return {{"prompt_tokens", usage.prompt_tokens},
          {"completion_tokens", usage.completion_tokens},
          {"total_tokens", usage.total_tokens}};
}

nlohmann::json model_json(const std::string& id, std::int64_t created) {
  return {{"id", id}, {"object", "model"}, {"created", created}, {"owned_by", "agent-host"}};
}

// Streams a turn as chat.completion.chunk objects. The event stream starts with the first
// chunk, so a turn that fails before producing anything still answers a plain HTTP error
// status, which OpenAI clients understand (and retry when it is a 5xx).
class ChunkStream : public agents::TurnObserver {
 public:
  ChunkStream(RequestContext& context, std::string model, bool include_usage)
      : context_(context),
        id_(completion_id()),
        created_(unix_seconds()),
        model_(std::move(model)),
        include_usage_(include_usage) {}

  bool started() const noexcept { return writer_.has_value(); }

  bool on_text(std::string_view text) override {
    if (text.empty()) return true;
    return chunk({{"content", text}});
  }
  bool on_tool_call(const nlohmann::json& call) override {
    nlohmann::json item = openai_tool_calls(nlohmann::json::array({call}))[0];
    item["index"] = tool_index_++;
    return chunk({{"tool_calls", nlohmann::json::array({item})}});
  }
  // The chunk format can only append. A refusal travels as OpenAI streams refusals; any other
  // rewrite of already-streamed text is appended after a blank line, and the turn ends with
  // finish_reason "content_filter" so the client knows the text was changed.
  bool on_replace(std::string_view text, std::string_view) override {
    replaced_ = true;
    return chunk({{"content", "\n\n" + std::string(text)}});
  }

  void finish(const agents::ChatResult& result) {
    if (result.refusal && !replaced_) {
      chunk({{"refusal", *result.refusal}});
    } else if (!started()) {
      chunk({{"content", result.response}});  // an empty answer is still an answer
    }
    chunk(nlohmann::json::object(),
          replaced_ ? std::string("content_filter") : finish_reason(result));
    if (include_usage_) {
      nlohmann::json last = base();
      last["choices"] = nlohmann::json::array();
      last["usage"] = usage_json(result.usage);
      writer().send_data(agent_sdk::dump_json(last));
    }
    writer().send_data("[DONE]");
  }

  void fail(const ApiError& error) {
    // OpenAI's own streams report a late failure as a data line holding an error object.
    observability::host_metrics().errors.with({error.code()}).inc();
    writer().send_data(
        openai_error(error.status(), error.code(), error.what(), context_.request_id()).dump());
  }

 private:
  nlohmann::json base() const {
    nlohmann::json json = {{"id", id_},
                           {"object", "chat.completion.chunk"},
                           {"created", created_},
                           {"model", model_},
                           {"system_fingerprint", nullptr}};
    if (include_usage_) json["usage"] = nullptr;
    return json;
  }

  SseWriter& writer() {
    if (!writer_) writer_.emplace(context_);
    return *writer_;
  }

  // One chunk; `finish` empty while the choice goes on.
  bool chunk(nlohmann::json delta, const std::string& finish = "") {
    if (first_) {
      first_ = false;
      delta["role"] = "assistant";
      if (!delta.contains("content") && !delta.contains("tool_calls")) delta["content"] = "";
    }
    nlohmann::json json = base();
    json["choices"] = nlohmann::json::array(
        {{{"index", 0},
          {"delta", std::move(delta)},
          {"logprobs", nullptr},
          {"finish_reason", finish.empty() ? nlohmann::json() : nlohmann::json(finish)}}});
    return writer().send_data(agent_sdk::dump_json(json, nlohmann::json::error_handler_t::replace));
  }

  RequestContext& context_;
  std::optional<SseWriter> writer_;
  const std::string id_;
  const std::int64_t created_;
  const std::string model_;
  const bool include_usage_;
  bool first_ = true;
  bool replaced_ = false;
  int tool_index_ = 0;
};

nlohmann::json completion_json(const agents::ChatResult& result, const std::string& model) {
  nlohmann::json message = {
      {"role", "assistant"}, {"content", result.response}, {"refusal", nullptr}};
  if (result.refusal) message["refusal"] = *result.refusal;
  if (!result.tool_calls.empty()) {
    message["tool_calls"] = openai_tool_calls(result.tool_calls);
    if (result.response.empty()) message["content"] = nullptr;
  }
  return {{"id", completion_id()},
          {"object", "chat.completion"},
          {"created", unix_seconds()},
          {"model", model},
          {"system_fingerprint", nullptr},
          {"choices", nlohmann::json::array({{{"index", 0},
                                              {"message", message},
                                              {"logprobs", nullptr},
                                              {"finish_reason", finish_reason(result)}}})},
          {"usage", usage_json(result.usage)}};
}

void complete(const ApiServices& services, RequestContext& context) {
  const CompletionRequest request = parse_completion_request(context.read_json_body());
  const auto agent =  // the lease for the whole turn
      lease_agent(services, request.model, "model_not_found",
                  "the model '" + request.model +
                      "' does not exist: models are the agents this host serves (GET /v1/models)");
  // A client that hangs up cancels the provider call, streamed or not.
  agents::TurnCancellation cancellation;
  const DisconnectWatcher::Watch watch(services.disconnects, context.client_fd(),
                                       [&cancellation] { cancellation.cancel(); });
  if (!request.stream) {
    agents::ChatResult result;
    try {
      result = services.pipeline.run_transcript(
          *agent, request.transcript,
          agents::TurnOptions{context.request_id(), nullptr, &cancellation,
                              limits::budget_account(context)});
    } catch (const agents::TurnError& e) {
      throw to_api_error(e);
    }
    if (result.interrupted) {
      context.response().setKeepAlive(false);  // nobody is left to answer
      return;
    }
    context.send_json(200, completion_json(result, request.model));
    return;
  }

  ChunkStream chunks(context, request.model, request.include_usage);
  try {
    const agents::ChatResult result = services.pipeline.run_transcript(
        *agent, request.transcript,
        agents::TurnOptions{context.request_id(), &chunks, &cancellation,
                            limits::budget_account(context)});
    if (!result.interrupted) chunks.finish(result);
  } catch (const agents::TurnError& e) {
    if (!chunks.started()) throw to_api_error(e);
    chunks.fail(to_api_error(e));
  }
}

}  // namespace

void add_openai_routes(Router& router, const ApiServices& services) {
  const std::int64_t created = unix_seconds();
  // Every /v1 route answers errors in OpenAI's shape, the refusals of authentication and rate
  // limits included (their headers, WWW-Authenticate, Retry-After and RateLimit, stay).
  const ErrorResponder openai = send_openai_error;
  router.add(
      "GET", "/v1/models",
      [services, created](RequestContext& context) {
        nlohmann::json data = nlohmann::json::array();
        for (const auto& [id, agent] : services.agents.current()->agents) {
          data.push_back(model_json(id, created));
        }
        context.send_json(200, {{"object", "list"}, {"data", data}});
      },
      openai);
  router.add(
      "GET", "/v1/models/{id}",
      [services, created](RequestContext& context) {
        const std::string& id = context.path_param("id");
        if (!services.agents.find(id)) {
          throw ApiError(404, "model_not_found", "the model '" + id + "' does not exist");
        }
        context.send_json(200, model_json(id, created));
      },
      openai);
  router.add(
      "POST", "/v1/chat/completions",
      [services](RequestContext& context) { complete(services, context); }, openai);
}

}  // namespace agent_host::http::handlers
