// The official `openai` npm client against the host's OpenAI-compatible API, both modes.
// Usage: node openai_client_test.mjs <base_url>   (e.g. http://127.0.0.1:8080/v1)
import assert from "node:assert/strict";
import OpenAI from "openai";

import { check, finish } from "../../support/checks.mjs";

const baseURL = process.argv[2];
const client = new OpenAI({ baseURL, apiKey: "unused-until-auth-is-configured", maxRetries: 0 });
const question = [{ role: "user", content: "How should I think about an emergency fund?" }];

await check("models.list returns the agents as models", async () => {
  const ids = [];
  for await (const model of client.models.list()) {
    assert.equal(model.object, "model");
    ids.push(model.id);
  }
  assert.ok(ids.includes("agent_alpha") && ids.includes("agent_beta"), ids.join(","));
  const one = await client.models.retrieve("agent_beta");
  assert.equal(one.id, "agent_beta");
});

let plainText = "";
await check("chat.completions.create answers a completion", async () => {
  const completion = await client.chat.completions.create({
    model: "agent_alpha",
    messages: question,
  });
  assert.equal(completion.object, "chat.completion");
  assert.equal(completion.model, "agent_alpha");
  assert.equal(completion.choices.length, 1);
  assert.equal(completion.choices[0].finish_reason, "stop");
  assert.equal(completion.choices[0].message.role, "assistant");
  plainText = completion.choices[0].message.content;
  assert.match(plainText, /No language model was called/);
  assert.ok(completion.usage.total_tokens > 0);
  assert.equal(
    completion.usage.total_tokens,
    completion.usage.prompt_tokens + completion.usage.completion_tokens,
  );
});

await check("a streamed completion arrives in chunks, with usage, equal to the plain answer", async () => {
  const stream = await client.chat.completions.create({
    model: "agent_alpha",
    messages: question,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let chunks = 0;
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, "chat.completion.chunk");
    chunks += 1;
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? "";
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  assert.ok(chunks > 2, `only ${chunks} chunks`);
  assert.equal(finish, "stop");
  assert.ok(usage && usage.total_tokens > 0, "no usage chunk");
  assert.equal(text, plainText);
});

await check("the SDK's stream helper assembles the chunks into a final completion", async () => {
  const runner = client.chat.completions.stream({ model: "agent_beta", messages: question });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.role, "assistant");
  assert.ok(final.choices[0].message.content.length > 0);
});

await check("an unknown model is a NotFoundError with the model_not_found code", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: "gpt-4o", messages: question }),
    (error) => {
      assert.ok(error instanceof OpenAI.NotFoundError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.code, "model_not_found");
      return true;
    },
  );
});

await check("an invalid request is a 422 the SDK reports with the host's message", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: "agent_alpha", messages: question, n: 3 }),
    (error) => {
      assert.equal(error.status, 422);
      assert.match(error.message, /"n" must be 1/);
      return true;
    },
  );
});

await check("a domain refusal comes back as content_filter with a refusal", async () => {
  const completion = await client.chat.completions.create({
    model: "agent_alpha",
    messages: [{ role: "user", content: "Can you guarantee a 50% return on this stock?" }],
  });
  assert.equal(completion.choices[0].finish_reason, "content_filter");
  assert.ok(completion.choices[0].message.refusal.length > 0);
});

finish();
