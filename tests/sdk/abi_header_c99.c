/* The ABI header must compile as strict C99 (no C++ types, no extensions). */
#include <agent_sdk/agent_plugin.h>

/* The struct layouts the host and plugins rely on start with their size. */
typedef char
    descriptor_starts_with_size[(offsetof(agent_plugin_descriptor, struct_size) == 0) ? 1 : -1];
typedef char sink_starts_with_size[(offsetof(agent_sink, struct_size) == 0) ? 1 : -1];
typedef char call_starts_with_size[(offsetof(agent_call, struct_size) == 0) ? 1 : -1];

int agent_sdk_c99_header_compiles(void) { return AGENT_ABI_MAJOR; }
