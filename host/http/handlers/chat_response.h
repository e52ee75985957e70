// What a chat turn looks like to a client: the JSON body of a finished turn (the non-streamed
// answer and the streamed "done" event are the same object) and the HTTP error for a failure.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "agents/turn_pipeline.h"
#include "http/api_error.h"

namespace agent_host::http::handlers {

nlohmann::json chat_result_json(const agents::ChatResult& result, const std::string& request_id);

ApiError to_api_error(const agents::TurnError& error);

}  // namespace agent_host::http::handlers
