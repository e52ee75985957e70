// The official `openai` npm client against a host with authentication, a rate limit on
// GET /v1/models and a token budget per agent: the refusals raise the SDK's own error classes
// with OpenAI's error fields (type, code, param) and the host's message.
// Usage: node openai_client_errors_test.mjs <base_url> <user_key> <no_role_key>
import assert from "node:assert/strict";
import OpenAI from "openai";

import { check, finish } from "../../support/checks.mjs";

const [baseURL, userKey, noRoleKey] = process.argv.slice(2);
const client = (apiKey) => new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const question = [{ role: "user", content: "How should I think about an emergency fund?" }];

// The SDK reads type, code and param from OpenAI's error object; the host's own shape has no type.
function refusedWith(errorClass, status, type, code, message) {
  return (error) => {
    assert.ok(error instanceof errorClass, `${error.constructor.name}: ${error}`);
    assert.equal(error.status, status);
    assert.equal(error.type, type);
    assert.equal(error.code, code);
    assert.equal(error.param, null);
    assert.match(error.message, message);
    assert.ok(error.requestID, "no x-request-id");
    return true;
  };
}

await check("a wrong API key is an AuthenticationError", async () => {
  await assert.rejects(
    client(`${userKey}-wrong`).models.list(),
    refusedWith(OpenAI.AuthenticationError, 401, "invalid_request_error", "invalid_api_key",
      /^401 .*API key/),
  );
});

await check("a key without the user role is a PermissionDeniedError", async () => {
  await assert.rejects(
    client(noRoleKey).chat.completions.create({ model: "agent_alpha", messages: question }),
    refusedWith(OpenAI.PermissionDeniedError, 403, "invalid_request_error", "forbidden",
      /^403 this route needs the user role/),
  );
});

await check("over the rate limit is a RateLimitError with Retry-After and RateLimit", async () => {
  const user = client(userKey);
  await user.models.list();
  await assert.rejects(user.models.list(), (error) => {
    refusedWith(OpenAI.RateLimitError, 429, "rate_limit_error", "rate_limited",
      /^429 rate limit "models" exceeded: at most 1 requests per 3600 s/)(error);
    assert.equal(error.headers.get("retry-after"), "3600");
    assert.match(error.headers.get("ratelimit"), /^"models";r=0;t=/);
    return true;
  });
});

await check("a spent token budget is a RateLimitError, streamed or not", async () => {
  const user = client(userKey);
  await user.chat.completions.create({ model: "agent_beta", messages: question });
  const spent = refusedWith(OpenAI.RateLimitError, 429, "rate_limit_error",
    "token_budget_exceeded", /^429 .*agent agent_beta/);
  await assert.rejects(
    user.chat.completions.create({ model: "agent_beta", messages: question }), spent);
  await assert.rejects(
    user.chat.completions.create({ model: "agent_beta", messages: question, stream: true }),
    spent);
});

finish();
