// A streaming HTTP client for Server-Sent Events: posts a JSON body and hands each event to the
// test as it arrives, so a test can stop reading (and hang up) in the middle of a stream.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <agent_sdk/sse.hpp>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace agent_test {

struct SseRecord {
  std::string event;
  std::string id;
  std::string data;     // raw data
  nlohmann::json json;  // data parsed, or null
};

struct SseResult {
  int status = 0;
  std::string content_type;
  std::string body;  // the raw body when the answer is not an event stream
  std::vector<SseRecord> events;
};

class SseClient {
 public:
  explicit SseClient(unsigned port) : session_("127.0.0.1", static_cast<Poco::UInt16>(port)) {
    session_.setTimeout(Poco::Timespan(15, 0));
  }

  // Posts `body` and reads events until the stream ends or `keep_going` returns false (the
  // connection is then closed at once, as a client that goes away).
  SseResult post(const std::string& path, const nlohmann::json& body,
                 const std::map<std::string, std::string>& headers = {},
                 const std::function<bool(const SseRecord&)>& keep_going = {}) {
    Poco::Net::HTTPRequest request("POST", path, Poco::Net::HTTPMessage::HTTP_1_1);
    const std::string text = body.dump();
    request.setContentType("application/json");
    request.setContentLength64(static_cast<Poco::Int64>(text.size()));
    for (const auto& [name, value] : headers) request.set(name, value);
    session_.sendRequest(request) << text;
    Poco::Net::HTTPResponse response;
    std::istream& in = session_.receiveResponse(response);
    SseResult result;
    result.status = static_cast<int>(response.getStatus());
    result.content_type = response.getContentType();
    if (result.content_type.rfind("text/event-stream", 0) != 0) {
      result.body.assign(std::istreambuf_iterator<char>(in), {});
      return result;
    }
    agent_sdk::SseParser parser;
    char buffer[4096];
    bool stop = false;
    while (!stop && in.peek() != std::char_traits<char>::eof()) {
      const auto n = in.readsome(buffer, sizeof(buffer));
      parser.feed(std::string_view(buffer, static_cast<std::size_t>(n)),
                  [&](const agent_sdk::SseEvent& event) {
                    SseRecord record{event.event, event.id, event.data,
                                     nlohmann::json::parse(event.data, nullptr, false)};
                    if (record.json.is_discarded()) record.json = nullptr;
                    result.events.push_back(record);
                    if (keep_going && !keep_going(result.events.back())) stop = true;
                    return !stop;
                  });
    }
    if (stop) session_.reset();  // hang up mid-stream
    return result;
  }

 private:
  Poco::Net::HTTPClientSession session_;
};

// The events called `name`.
inline std::vector<SseRecord> events_named(const SseResult& result, const std::string& name) {
  std::vector<SseRecord> out;
  for (const auto& event : result.events) {
    if (event.event == name) out.push_back(event);
  }
  return out;
}

}  // namespace agent_test
