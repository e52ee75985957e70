#include "http_client/call_registry.h"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

using agent_host::http_client::CallRegistry;

TEST_CASE("a call is known while its scope lives", "[http_client][calls]") {
  CallRegistry calls;
  CHECK_FALSE(calls.tie(3).tied());
  {
    const auto scope = calls.enter(3, 1234, "req-3");
    const auto tie = calls.tie(3);
    REQUIRE(tie.tied());
    CHECK(tie.deadline_unix_ms() == 1234);
    CHECK(tie.request_id() == "req-3");
    CHECK_FALSE(tie.cancelled());
    {
      const auto nested = calls.enter(3, 99, "other");  // shares the first registration
      CHECK(calls.tie(3).request_id() == "req-3");
    }
    CHECK(calls.running() == 1);
  }
  CHECK(calls.running() == 0);
  CHECK_FALSE(calls.tie(3).tied());
  CHECK_FALSE(calls.tie(0).tied());
  calls.cancel(3);  // unknown ids are ignored
}

TEST_CASE("cancel marks the call and shuts down its linked sockets", "[http_client][calls]") {
  CallRegistry calls;
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  {
    const auto scope = calls.enter(8, 0, "");
    const auto tie = calls.tie(8);
    auto link = tie.link(pair[0]);
    REQUIRE(link);
    calls.cancel(8);
    CHECK(tie.cancelled());
    char byte;
    CHECK(::recv(pair[0], &byte, 1, 0) == 0);  // shut down: reads see the end at once
    CHECK_FALSE(tie.link(pair[1]));            // a cancelled call takes no new sockets
  }
  ::close(pair[0]);
  ::close(pair[1]);
}

TEST_CASE("an unlinked socket is never touched by a later cancel", "[http_client][calls]") {
  CallRegistry calls;
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  const auto scope = calls.enter(4, 0, "");
  { auto link = calls.tie(4).link(pair[0]); }
  calls.cancel(4);
  CHECK(::send(pair[1], "x", 1, MSG_NOSIGNAL) == 1);
  char byte = 0;
  CHECK(::recv(pair[0], &byte, 1, 0) == 1);
  CHECK(byte == 'x');
  ::close(pair[0]);
  ::close(pair[1]);
}
