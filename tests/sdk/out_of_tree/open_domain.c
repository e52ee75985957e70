/* An out-of-tree domain in plain C99: allows everything, describes itself. */
#include <agent_sdk/agent_plugin.h>

#include <string.h>

struct agent_instance {
  int unused;
};

static struct agent_instance the_instance;

static int32_t open_create(const agent_host_api *host, const char *config, size_t config_len,
                           const agent_sink *sink, agent_instance **out) {
  (void)host;
  (void)config;
  (void)config_len;
  (void)sink;
  *out = &the_instance;
  return AGENT_OK;
}

static void open_destroy(agent_instance *instance) { (void)instance; }

static int32_t open_invoke(agent_instance *instance, const agent_call *call,
                           const agent_sink *sink) {
  static const char describe[] =
      "{\"id\":\"open\",\"specialization\":\"anything\",\"system_prompt\":\"No rules.\","
      "\"knowledge\":[\"Plain C plugins work.\"]}";
  static const char allow[] = "{\"action\":\"allow\"}";
  (void)instance;
  if (strcmp(call->method, "describe") == 0) {
    sink->emit(sink->ctx, "result", describe, sizeof(describe) - 1);
  } else {
    sink->emit(sink->ctx, "result", allow, sizeof(allow) - 1);
  }
  return AGENT_OK;
}

static const agent_plugin_descriptor descriptor = {
    sizeof(agent_plugin_descriptor), AGENT_ABI_MAJOR, AGENT_ABI_MINOR, AGENT_KIND_DOMAIN,
    AGENT_PLUGIN_FLAG_THREAD_SAFE, "open", "1.0.0",
    "{\"description\": \"Allows everything - an out-of-tree C test plugin\"}", open_create,
    open_destroy, open_invoke, NULL, NULL};

AGENT_PLUGIN_EXPORT const agent_plugin_descriptor *AGENT_PLUGIN_ENTRY(void) { return &descriptor; }
