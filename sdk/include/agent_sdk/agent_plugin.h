/*
 * agent_plugin.h — the Agent Host plugin ABI, version 1.
 *
 * This C99 header is the whole contract between the host and a plugin. A plugin may be written
 * in C, in C++ with any compiler and standard library, or in anything that can export a C symbol.
 * The header-only C++ layer (agent_sdk/plugin.hpp) is a convenience built on top of it.
 *
 * Rules of the contract
 * ---------------------
 * - Only UTF-8 JSON text and opaque handles cross the boundary. No C++ types, no exceptions, no
 *   shared allocator: whoever allocates frees. Results flow back through a host-provided sink
 *   (agent_sink) whose callbacks copy what they are given before returning.
 * - Every function a plugin exports or hands to the host must not throw / unwind.
 * - Versioning: a plugin is accepted when its ABI major equals the host's and its ABI minor is
 *   lower than or equal to the host's. Structs only ever grow at the end, and every struct starts
 *   with its own size (struct_size), so each side reads only the fields the other one declared.
 * - The ABI major is part of the entry symbol's name (agent_plugin_entry_v1), so the host can
 *   refuse a plugin built for another major by reading its exported names, without running any
 *   of its code.
 * - Build rules (applied by the SDK's agent_sdk_add_plugin() CMake helper): hidden visibility,
 *   -fno-gnu-unique (otherwise dlclose silently keeps the old code mapped on reload), no
 *   thread_local objects with destructors. The host loads plugins with RTLD_LOCAL.
 */
#ifndef AGENT_SDK_AGENT_PLUGIN_H
#define AGENT_SDK_AGENT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Versions ------------------------------------------------------------------------------- */

/* Major: bumped only for an incompatible change; the host refuses any other major. */
#define AGENT_ABI_MAJOR 1
/* Minor: bumped when fields or functions are appended; plugin minor must be <= host minor. */
#define AGENT_ABI_MINOR 1

/* The exported entry symbol, as a string, for loaders (the major is part of the name). */
#define AGENT_PLUGIN_ENTRY_NAME "agent_plugin_entry_v1"
/* Prefix shared by the entry symbols of every ABI major ("agent_plugin_entry_v<major>"). */
#define AGENT_PLUGIN_ENTRY_PREFIX "agent_plugin_entry_v"

#if defined(_WIN32)
#define AGENT_PLUGIN_EXPORT __declspec(dllexport)
#else
#define AGENT_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

/* ---- Enumerations (fixed-width integers on the wire, never C enums in structs) -------------- */

/* What a plugin is. An agent is one personality + one domain + one provider + N tool sources. */
#define AGENT_KIND_PERSONALITY 1u /* traits, tone, approach -> system-prompt fragment          */
#define AGENT_KIND_DOMAIN 2u      /* business rules: input/output checks, domain knowledge     */
#define AGENT_KIND_PROVIDER 3u    /* an LLM: turns messages into an assistant message          */
#define AGENT_KIND_TOOL_SOURCE 4u /* tools the model may call (e.g. an MCP client)              */

/* Descriptor flags. */
/* invoke() may run concurrently on one instance. Without it the host serialises invoke() calls
 * per instance. cancel() and quiesce() are always callable from another thread. */
#define AGENT_PLUGIN_FLAG_THREAD_SAFE 0x1u

/* Status codes returned by create()/invoke() and passed to agent_sink.fail(). */
#define AGENT_OK 0
#define AGENT_ERR_INVALID_INPUT 1 /* the request or config is wrong; retrying will not help     */
#define AGENT_ERR_UNSUPPORTED 2   /* unknown method or capability                               */
#define AGENT_ERR_UNAVAILABLE 3   /* a dependency (upstream, server) is down; usually retryable */
#define AGENT_ERR_TIMEOUT 4       /* a deadline passed                                          */
#define AGENT_ERR_CANCELLED 5     /* the host cancelled the call                                */
#define AGENT_ERR_UPSTREAM 6      /* the upstream answered with an error or garbage             */
#define AGENT_ERR_INTERNAL 7      /* a bug or unexpected state inside the plugin                */

/* Log levels for agent_host_api.log (same order as spdlog's). */
#define AGENT_LOG_TRACE 0
#define AGENT_LOG_DEBUG 1
#define AGENT_LOG_INFO 2
#define AGENT_LOG_WARN 3
#define AGENT_LOG_ERROR 4

/* ---- Opaque handles ------------------------------------------------------------------------- */

/* One configured instance of a plugin, created by create() and freed by destroy(). */
typedef struct agent_instance agent_instance;

/* The HTTP client the host offers to plugins (defined below, since ABI 1.1). */
typedef struct agent_http_api agent_http_api;

/* ---- The sink: how results come back -------------------------------------------------------- */

/*
 * A sink is owned by the host and valid only during the create() or invoke() call it was passed
 * to. Its callbacks copy the data before returning, so the plugin may free or reuse its buffers
 * right after. Callbacks are called from the thread that runs create()/invoke().
 */
typedef struct agent_sink {
  /* sizeof(agent_sink) as the host compiled it. */
  uint32_t struct_size;
  /* Host context; pass it back unchanged as the first argument of the callbacks. */
  void* ctx;
  /*
   * Emits one JSON value. `event` says what it is:
   *   "result" - the final result of the call (exactly once on success);
   *   "delta"  - a streamed fragment (text, tool-call fragment, usage), zero or more times
   *              before "result".
   * `json` is UTF-8 JSON of `len` bytes (not necessarily NUL-terminated).
   * Returns 0 to continue, non-zero when the host no longer wants output (the client went away
   * or the call was cancelled); the plugin should then stop and return AGENT_ERR_CANCELLED.
   */
  int (*emit)(void* ctx, const char* event, const char* json, size_t len);
  /*
   * Reports why the call failed, before returning a non-zero status. `code` is an AGENT_ERR_*,
   * `message` UTF-8 text of `len` bytes for humans (no secrets), `retryable` non-zero when the
   * same call may succeed later (e.g. an upstream 429 or 503).
   */
  void (*fail)(void* ctx, int32_t code, const char* message, size_t len, int32_t retryable);
} agent_sink;

/* ---- Host services -------------------------------------------------------------------------- */

/*
 * A versioned function table the host gives to create(). It stays valid until destroy() of the
 * instance returns. Plugins never touch the host's logger, the environment or the network stack
 * directly; they go through these functions.
 */
typedef struct agent_host_api {
  /* sizeof(agent_host_api) as the host compiled it; check before reading appended fields. */
  uint32_t struct_size;
  uint16_t abi_major;
  uint16_t abi_minor;
  /* Host context; pass it back unchanged. */
  void* ctx;
  /* Writes one log line attributed to this plugin. `message` is UTF-8 of `len` bytes. */
  void (*log)(void* ctx, int32_t level, const char* message, size_t len);
  /*
   * Copies the secret called `name` (NUL-terminated) into `buffer` (NUL-terminated, truncated to
   * `capacity`). Returns the secret's length in bytes (call again with a larger buffer when it is
   * >= capacity), or -1 when no such secret is configured. Secrets come from the host's config
   * or environment; never log them.
   */
  int64_t (*get_secret)(void* ctx, const char* name, char* buffer, size_t capacity);
  /* The host's HTTP client (ABI >= 1.1), or NULL when this host does not offer one (a 1.0 host
   * never does): check before use. */
  const agent_http_api* http;
} agent_host_api;

/* ---- Host service: HTTP client (ABI 1.1) ---------------------------------------------------- */

/*
 * Outbound HTTP(S) for plugins, so providers and tool clients need no network stack of their own
 * and every request obeys the host's rules: system CA certificates (plus any the operator
 * configured), proxies from HTTP_PROXY / HTTPS_PROXY / NO_PROXY, timeouts, cancellation, the
 * request id propagated as X-Request-Id, and no header values in logs.
 */

/* One header; both strings NUL-terminated UTF-8. */
typedef struct agent_http_header {
  const char* name;
  const char* value;
} agent_http_header;

typedef struct agent_http_request {
  /* sizeof(agent_http_request) as the plugin compiled it. */
  uint32_t struct_size;
  /* "GET", "POST", "PUT", "PATCH", "DELETE" or "HEAD" (NUL-terminated). */
  const char* method;
  /* Absolute http:// or https:// URL (NUL-terminated). */
  const char* url;
  const agent_http_header* headers;
  size_t header_count;
  /* Request body of `body_len` bytes; may be NULL when body_len is 0. */
  const char* body;
  size_t body_len;
  /*
   * The invoke() this request serves (agent_call.call_id), or 0. When set, the host aborts the
   * request as soon as that call is cancelled, caps it at the call's deadline and sends the
   * call's request id as X-Request-Id.
   */
  uint64_t call_id;
  /* Timeouts in milliseconds; 0 takes the host's default, which the host may also cap. */
  int64_t connect_timeout_ms;    /* TCP connect plus TLS handshake                           */
  int64_t first_byte_timeout_ms; /* request sent -> response head received                   */
  int64_t idle_timeout_ms;       /* longest silence between two pieces of the response body  */
  int64_t total_timeout_ms;      /* the whole exchange                                       */
} agent_http_request;

/* Where the response goes, as it arrives. Callbacks run on the thread that called perform(). */
typedef struct agent_http_response_sink {
  /* sizeof(agent_http_response_sink) as the plugin compiled it. */
  uint32_t struct_size;
  /* Plugin context, passed back unchanged. */
  void* ctx;
  /* The status and headers, once. Return 0 to continue, non-zero to abort the request. */
  int (*on_head)(void* ctx, int32_t status, const agent_http_header* headers, size_t header_count);
  /* A piece of the body as it arrives (transfer encoding removed, content untouched), zero or
   * more times. Return 0 to continue, non-zero to abort. */
  int (*on_body)(void* ctx, const char* data, size_t len);
} agent_http_response_sink;

struct agent_http_api {
  /* sizeof(agent_http_api) as the host compiled it. */
  uint32_t struct_size;
  /* Host context; pass it back unchanged. */
  void* ctx;
  /*
   * Performs one request on the calling thread and returns when the response has ended or the
   * exchange failed. Returns AGENT_OK when a whole response was received, whatever its status (a
   * 500 is an answer, not a transport error). Otherwise returns, with a reason for humans copied
   * into `error` (NUL-terminated, truncated to `error_capacity`; may be NULL):
   *   AGENT_ERR_INVALID_INPUT  bad URL, method or header;
   *   AGENT_ERR_UNAVAILABLE    DNS, connect, TLS or proxy failure, or the peer closed early;
   *   AGENT_ERR_TIMEOUT        one of the timeouts or the call's deadline passed;
   *   AGENT_ERR_UPSTREAM       the response was malformed or larger than the host's bounds;
   *   AGENT_ERR_CANCELLED      the call was cancelled, or a callback returned non-zero.
   * Thread-safe: several threads may perform requests at once.
   */
  int32_t (*perform)(void* ctx, const agent_http_request* request,
                     const agent_http_response_sink* sink, char* error, size_t error_capacity);
};

/* ---- A call ----------------------------------------------------------------------------------*/

/* Describes one invoke(). Valid only for the duration of that invoke(). */
typedef struct agent_call {
  /* sizeof(agent_call) as the host compiled it. */
  uint32_t struct_size;
  /* Unique per host process; the same id is passed to cancel(). */
  uint64_t call_id;
  /* The method to run, NUL-terminated ASCII; see "Methods per kind" below. */
  const char* method;
  /* The method's input: UTF-8 JSON of `input_len` bytes. */
  const char* input;
  size_t input_len;
  /* The HTTP request this call serves (for log correlation), NUL-terminated; may be "". */
  const char* request_id;
  /* Wall-clock deadline in milliseconds since the Unix epoch, or 0 for none. */
  int64_t deadline_unix_ms;
} agent_call;

/* ---- The descriptor ------------------------------------------------------------------------- */

typedef struct agent_plugin_descriptor {
  /* sizeof(agent_plugin_descriptor) as the plugin compiled it. */
  uint32_t struct_size;
  /* AGENT_ABI_MAJOR / AGENT_ABI_MINOR as the plugin compiled them. */
  uint16_t abi_major;
  uint16_t abi_minor;
  /* AGENT_KIND_*. */
  uint32_t kind;
  /* AGENT_PLUGIN_FLAG_* bits. */
  uint32_t flags;
  /* Identifier agents refer to: [a-z0-9_.-], 1..64 characters, unique per kind in one host. */
  const char* id;
  /* The plugin's own version (semantic versioning recommended), e.g. "1.2.0". */
  const char* version;
  /*
   * A JSON object: {"description": string (required), "capabilities": [string] (optional),
   * "config_schema": JSON Schema object for create()'s config (optional)}. Unknown keys are kept.
   */
  const char* manifest_json;

  /*
   * Creates an instance from `config` (UTF-8 JSON object of `config_len` bytes; "{}" when the
   * agent gives none). On failure returns an AGENT_ERR_* after calling `sink->fail` with the
   * reason, and leaves *out untouched. `host` outlives the instance.
   */
  int32_t (*create)(const agent_host_api* host, const char* config, size_t config_len,
                    const agent_sink* sink, agent_instance** out);
  /* Frees an instance. Called once, after every invoke() on it has returned. */
  void (*destroy)(agent_instance* instance);
  /*
   * Runs `call->method`. Output goes through `sink`: zero or more "delta" events, then one
   * "result" event and AGENT_OK; or `sink->fail` and a non-zero AGENT_ERR_*.
   */
  int32_t (*invoke)(agent_instance* instance, const agent_call* call, const agent_sink* sink);
  /*
   * Asks the invoke() running with `call_id` to stop soon and return AGENT_ERR_CANCELLED.
   * Called from another thread; must not block. Unknown or finished ids are ignored. May be NULL
   * when the plugin never blocks.
   */
  void (*cancel)(agent_instance* instance, uint64_t call_id);
  /*
   * The host is about to unload this plugin: stop background work and refuse new work. Called
   * once per instance before destroy(); in-flight invoke() calls are still allowed to finish.
   * May be NULL.
   */
  void (*quiesce)(agent_instance* instance);
  /* Later ABI minors append function pointers here; the host reads them only when
   * struct_size says they are present. */
} agent_plugin_descriptor;

/*
 * The one symbol a plugin exports. It must not allocate per call, must not fail and must return
 * a pointer to a descriptor with static storage duration.
 */
typedef const agent_plugin_descriptor* (*agent_plugin_entry_fn)(void);

/* The entry symbol of this ABI major. A plugin defines it exactly once:
 *   AGENT_PLUGIN_EXPORT const agent_plugin_descriptor *AGENT_PLUGIN_ENTRY(void) { ... } */
#define AGENT_PLUGIN_ENTRY agent_plugin_entry_v1
AGENT_PLUGIN_EXPORT const agent_plugin_descriptor* AGENT_PLUGIN_ENTRY(void);

/*
 * Methods per kind (all inputs and results are JSON objects; unknown keys must be ignored)
 * -----------------------------------------------------------------------------------------------
 * personality  "describe"      in  {}
 *                              out {"id", "traits":[string], "tone", "approach",
 *                                   "system_prompt": string}
 * domain       "describe"      in  {}
 *                              out {"id", "specialization", "system_prompt": string,
 *                                   "knowledge": [string]}
 *              "check_input"   in  {"message", "history":[{"role","content"}], "context":{}}
 *                              out {"action": "allow"|"refuse"|"rewrite",
 *                                   "message"?: string (rewrite), "reason"?: string (refuse)}
 *              "check_output"  in  {"message": user message, "response": assistant text,
 *                                   "context":{}}
 *                              out {"action": "allow"|"rewrite"|"refuse",
 *                                   "response"?: string (rewrite), "reason"?: string}
 * provider     "complete"      in  {"messages":[message], "options":{},
 *                                   "tools"?:[{"name","description","input_schema"}],
 *                                   "agent"?: {"personality":{...}, "domain":{...}}
 *                                   (what "describe" returned)}
 *                              deltas {"type":"text","text":string}
 *                                     {"type":"tool_call","index","id","name","arguments"}
 *                                       (once per call, when its arguments are complete)
 *                              out {"message":{"role":"assistant","content",
 *                                   "tool_calls"?:[tool_call]},
 *                                   "usage":{"prompt_tokens","completion_tokens",
 *                                   "total_tokens"}, "model",
 *                                   "finish_reason": "stop"|"length"|"tool_calls"|...}
 *              A message is {"role":"system"|"user"|"assistant","content":string} or an
 *              assistant message with "tool_calls":[{"id","name","arguments": JSON text}] (content
 *              may then be null), or {"role":"tool","tool_call_id","content"} answering one.
 *              "options" may hold "model", "temperature", "max_tokens" (the agent's settings).
 * tool source  "list_tools"    in  {}
 *                              out {"tools":[{"name","description","input_schema",
 *                                   "title"?, "output_schema"?}]}
 *              "call_tool"     in  {"name", "arguments":{}}
 *                              out {"content":[...], "is_error": bool,
 *                                   "structured_content"?: any JSON}
 *              "content" holds MCP content blocks ({"type":"text","text"}, image, audio,
 *              resource, resource_link). A tool that ran and failed is is_error: true (the model
 *              reads it); a call that could not run fails with an AGENT_ERR_* instead.
 */

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AGENT_SDK_AGENT_PLUGIN_H */
