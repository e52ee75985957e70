// How the conversation store's failures reach clients: 503 store_unavailable with Retry-After
// (the database is down; the pool reconnects by itself), 507 store_full, 400 invalid_cursor.
#pragma once

#include "http/api_error.h"
#include "store/conversation_store.h"

namespace agent_host::http::handlers {

// Seconds a client is told to wait before retrying when the store is unreachable.
constexpr int kStoreRetryAfterSeconds = 2;

template <typename F>
auto with_store_errors(F&& call) {
  try {
    return call();
  } catch (const store::StoreUnavailableError& e) {
    throw ApiError(503, "store_unavailable", e.what(), kStoreRetryAfterSeconds);
  } catch (const store::StoreFullError& e) {
    throw ApiError(507, "store_full", e.what());
  } catch (const store::InvalidCursorError&) {
    throw ApiError(400, "invalid_cursor", "the cursor is not one this listing handed out");
  }
}

}  // namespace agent_host::http::handlers
