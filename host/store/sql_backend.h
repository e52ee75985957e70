// The SQL databases the durable conversation store runs on. The schema and queries are shared;
// only connection set-up, transaction start and error classification differ.
#pragma once

namespace agent_host::store {

enum class SqlBackend { sqlite, postgresql };

}  // namespace agent_host::store
