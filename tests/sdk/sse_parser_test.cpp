// agent_sdk::SseParser: events cut anywhere between feeds come out the same as fed whole.
#include <agent_sdk/sse.hpp>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

// Feeds `text` in pieces of `piece` bytes (0: whole) and returns the events.
std::vector<agent_sdk::SseEvent> parse(const std::string& text, std::size_t piece,
                                       std::size_t max_event_bytes = 1024) {
  agent_sdk::SseParser parser(max_event_bytes);
  std::vector<agent_sdk::SseEvent> events;
  const auto keep = [&](const agent_sdk::SseEvent& event) {
    events.push_back(event);
    return true;
  };
  if (piece == 0) {
    parser.feed(text, keep);
  } else {
    for (std::size_t at = 0; at < text.size(); at += piece) {
      parser.feed(std::string_view(text).substr(at, piece), keep);
    }
  }
  return events;
}

}  // namespace

TEST_CASE("SSE events come out the same whatever the piece boundaries and line endings",
          "[sdk][sse]") {
  // LF, CRLF and CR endings, a BOM, a comment, a multi-line data field, a named event, an id
  // that sticks to later events, a retry, a field without a colon and a line without a space.
  const std::string text =
      "\xEF\xBB\xBF: comment\r\n"
      "data: one\r\n\r\n"
      "event: named\rdata:two\rdata:  lines\r\r"
      "id: 7\nretry: 1500\ndata\n\n"
      "data: {\"a\":1}\n\n";
  for (const std::size_t piece : {0, 1, 2, 3, 5, 11}) {
    INFO("piece " << piece);
    const auto events = parse(text, piece);
    REQUIRE(events.size() == 4);
    CHECK(events[0].event == "message");
    CHECK(events[0].data == "one");
    CHECK(events[1].event == "named");
    CHECK(events[1].data == "two\n lines");
    CHECK(events[1].id.empty());
    CHECK(events[2].data.empty());
    CHECK(events[2].id == "7");
    CHECK(events[2].retry_ms == 1500);
    CHECK(events[3].data == "{\"a\":1}");
    CHECK(events[3].id == "7");
    CHECK_FALSE(events[3].retry_ms.has_value());
  }
}

TEST_CASE("a CR at the end of one piece and the LF starting the next end one line", "[sdk][sse]") {
  agent_sdk::SseParser parser;
  std::vector<std::string> data;
  const auto keep = [&](const agent_sdk::SseEvent& event) {
    data.push_back(event.data);
    return true;
  };
  parser.feed("data: a\r", keep);
  parser.feed("\n\r", keep);
  parser.feed("\ndata: b\r\n\r\n", keep);
  CHECK(data == std::vector<std::string>{"a", "b"});
}

TEST_CASE("an event larger than the bound throws, even when it arrives in one piece",
          "[sdk][sse]") {
  const std::string big =
      "data: " + std::string(100, 'x') + "\n" + "data: " + std::string(100, 'y') + "\n\n";
  CHECK(parse(big, 0, 300).size() == 1);
  CHECK_THROWS_AS(parse(big, 0, 150), std::length_error);
  CHECK_THROWS_AS(parse(big, 7, 150), std::length_error);
  // A line that never ends is bounded too.
  CHECK_THROWS_AS(parse("data: " + std::string(200, 'z'), 0, 100), std::length_error);
}

TEST_CASE("an on_event returning false stops parsing at that event", "[sdk][sse]") {
  agent_sdk::SseParser parser;
  int seen = 0;
  const bool more = parser.feed("data: 1\n\ndata: 2\n\n", [&](const agent_sdk::SseEvent&) {
    ++seen;
    return false;
  });
  CHECK_FALSE(more);
  CHECK(seen == 1);
}

TEST_CASE("a retry value too large for a long is ignored, not thrown (found by fuzzing)",
          "[sdk][sse]") {
  const auto events =
      parse("retry: 3077777777777777777777777700\ndata: a\n\nretry: 20\ndata: b\n\n", 0, 1024);
  REQUIRE(events.size() == 2);
  CHECK_FALSE(events[0].retry_ms.has_value());
  CHECK(events[1].retry_ms == 20);
}
