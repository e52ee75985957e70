// Server-Sent Events on an HTTP response (text/event-stream, chunked). Every event carries an
// increasing id; each is flushed at once so the client sees it as it happens.
#pragma once

#include <cstdint>
#include <ostream>

#include "http/event_stream.h"
#include "http/request_context.h"
#include "observability/host_metrics.h"

namespace agent_host::http {

class SseWriter : public EventStream {
 public:
  // Sends the 200 head with the event-stream headers.
  explicit SseWriter(RequestContext& context);

  bool send(std::string_view event, const nlohmann::json& data) override;
  // Raw "data:" payload (the OpenAI API ends its streams with "data: [DONE]").
  bool send_data(std::string_view payload);

 private:
  bool write(std::string_view text);

  std::ostream* out_ = nullptr;
  std::uint64_t next_id_ = 1;
  bool broken_ = false;
  // Counted in agent_host_streams_in_flight while the stream is open.
  observability::GaugeGuard in_flight_{observability::host_metrics().streams_in_flight};
};

}  // namespace agent_host::http
