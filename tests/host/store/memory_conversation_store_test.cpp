#include "store/memory_conversation_store.h"

#include <catch2/catch.hpp>

#include "support/stored_message.h"

using namespace agent_host::store;

using agent_test::stored_message;

TEST_CASE("the memory store keeps messages in order and counts them", "[store][memory]") {
  MemoryConversationStore store;
  const auto conversation = store.create("u", "a");
  CHECK(conversation.id.size() == 36);
  store.append(conversation.id,
               {stored_message("1", "user", "q1", 1), stored_message("2", "assistant", "a1", 2)});
  const auto after = store.append(conversation.id, {stored_message("3", "user", "q2", 1)});
  CHECK(after.message_count == 3);
  const auto all = store.messages(conversation.id);
  REQUIRE(all.size() == 3);
  CHECK(all[0].content == "q1");
  CHECK(all[2].content == "q2");
  const auto recent = store.recent_messages(conversation.id, 2);
  REQUIRE(recent.size() == 2);
  CHECK(recent[0].content == "a1");
  CHECK(store.find(conversation.id)->user_id == "u");
  CHECK_FALSE(store.find("nope"));
  CHECK_THROWS_AS(store.append("nope", {}), std::out_of_range);
}

TEST_CASE("the memory store refuses to grow past its limits and loses nothing", "[store][memory]") {
  MemoryConversationStore store({2, 3});
  const auto one = store.create("u", "a");
  store.create("u", "a");
  CHECK_THROWS_AS(store.create("u", "a"), StoreFullError);
  store.append(one.id,
               {stored_message("1", "user", "q", 0), stored_message("2", "assistant", "a", 0)});
  // An append that would cross the limit is refused whole.
  CHECK_THROWS_AS(store.append(one.id, {stored_message("3", "user", "q", 0),
                                        stored_message("4", "assistant", "a", 0)}),
                  StoreFullError);
  CHECK(store.messages(one.id).size() == 2);
}
