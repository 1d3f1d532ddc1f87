// kubetune serve through the official openai client. Started by run.sh, which sets
// KUBETUNE_URL, KUBETUNE_API_KEY and KUBETUNE_MODEL. Tests run one after another (node --test
// runs the tests of a file in order), against a server with 2 slots and a queue of 1.
import { test } from "node:test";
import assert from "node:assert/strict";
import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  RateLimitError,
} from "openai";

const baseURL = `${process.env.KUBETUNE_URL}/v1`;
const apiKey = process.env.KUBETUNE_API_KEY;
const model = process.env.KUBETUNE_MODEL;
// no retries: each status must reach the test as it was sent
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });
const hello = [{ role: "user", content: "Hello there" }];

/** Asserts that promise fails with the SDK error class, status, param and code given. */
async function rejectsWith(promise, errorClass, status, { param, code } = {}) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof errorClass, `expected ${errorClass.name}, got ${err?.constructor?.name}: ${err}`);
    assert.equal(err.status, status);
    assert.ok(err.error && typeof err.error.message === "string" && err.error.message.length > 0);
    assert.ok("type" in err.error && "param" in err.error && "code" in err.error, JSON.stringify(err.error));
    if (param !== undefined) assert.equal(err.param, param);
    if (code !== undefined) assert.equal(err.code, code);
    return true;
  });
}

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

test("models.list names the served model", async () => {
  const models = [];
  for await (const m of client.models.list()) models.push(m);
  assert.deepEqual(
    models.map((m) => [m.id, m.object, m.owned_by]),
    [[model, "model", "kubetune"]],
  );
  const one = await client.models.retrieve(model);
  assert.equal(one.id, model);
});

test("chat completion", async () => {
  const r = await client.chat.completions.create({ model, messages: hello, max_tokens: 12 });
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.object, "chat.completion");
  assert.equal(r.model, model);
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, "assistant");
  assert.ok(r.choices[0].message.content.length > 0);
  assert.equal(r.choices[0].finish_reason, "length");
  assert.equal(r.usage.completion_tokens, 12);
  assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + 12);
});

test("streamed chat: role first, content deltas, finish_reason, usage; same text as whole", async () => {
  const whole = await client.chat.completions.create({ model, messages: hello, max_tokens: 20, temperature: 0 });
  const chunks = await collect(
    await client.chat.completions.create({
      model,
      messages: hello,
      max_tokens: 20,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    }),
  );
  assert.ok(chunks.length > 4);
  for (const c of chunks) {
    assert.equal(c.object, "chat.completion.chunk");
    assert.equal(c.id, chunks[0].id);
    assert.equal(c.model, model);
  }
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  const withChoices = chunks.filter((c) => c.choices.length > 0);
  const text = withChoices.map((c) => c.choices[0].delta.content ?? "").join("");
  assert.equal(text, whole.choices[0].message.content);
  assert.equal(withChoices.at(-1).choices[0].finish_reason, "length");
  const usage = chunks.at(-1);
  assert.deepEqual(usage.choices, []);
  assert.equal(usage.usage.completion_tokens, 20);
});

test("max_tokens and max_completion_tokens bound the reply", async () => {
  const a = await client.chat.completions.create({ model, messages: hello, max_tokens: 3 });
  assert.equal(a.usage.completion_tokens, 3);
  assert.equal(a.choices[0].finish_reason, "length");
  const b = await client.chat.completions.create({ model, messages: hello, max_completion_tokens: 5 });
  assert.equal(b.usage.completion_tokens, 5);
});

test("stop sequences end the reply before them", async () => {
  const full = (await client.chat.completions.create({ model, messages: hello, max_tokens: 24 })).choices[0]
    .message.content;
  const match = /[A-Za-z]{2}/.exec(full.slice(3));
  assert.ok(match, `no ASCII letters in ${JSON.stringify(full)}`);
  const stop = match[0];
  const cut = await client.chat.completions.create({ model, messages: hello, max_tokens: 24, stop: [stop] });
  assert.equal(cut.choices[0].message.content, full.slice(0, full.indexOf(stop)));
  assert.equal(cut.choices[0].finish_reason, "stop");
  const streamed = await collect(
    await client.chat.completions.create({ model, messages: hello, max_tokens: 24, stop, stream: true }),
  );
  assert.equal(
    streamed.map((c) => c.choices[0]?.delta?.content ?? "").join(""),
    full.slice(0, full.indexOf(stop)),
  );
  assert.equal(streamed.at(-1).choices[0].finish_reason, "stop");
});

test("same seed at temperature 0 gives identical output (and when sampling)", async () => {
  for (const params of [{ temperature: 0, seed: 7 }, { temperature: 0.9, top_p: 0.95, seed: 1234 }]) {
    const ask = () => client.chat.completions.create({ model, messages: hello, max_tokens: 16, ...params });
    const [a, b] = [await ask(), await ask()];
    assert.ok(a.choices[0].message.content.length > 0);
    assert.equal(a.choices[0].message.content, b.choices[0].message.content, JSON.stringify(params));
  }
});

test("temperature is applied: sampled replies differ from greedy and between seeds", async () => {
  // a server that ignored temperature (always greedy) or seed would pass the test above
  const ask = (params) =>
    client.chat.completions.create({ model, messages: hello, max_tokens: 16, ...params }).then((r) => r.choices[0].message.content);
  const greedy = await ask({ temperature: 0, seed: 1 });
  assert.equal(await ask({ temperature: 0, seed: 2 }), greedy, "temperature 0 is greedy whatever the seed");
  const sampled = [];
  for (const seed of [1, 2, 3, 4]) sampled.push(await ask({ temperature: 1.5, seed }));
  assert.ok(sampled.some((t) => t !== greedy), `temperature 1.5 replies all equal the greedy one: ${JSON.stringify(greedy)}`);
  assert.ok(new Set(sampled).size > 1, `4 seeds at temperature 1.5 gave one reply: ${JSON.stringify(sampled[0])}`);
});

test("completions (legacy), whole and streamed", async () => {
  const whole = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 10 });
  assert.match(whole.id, /^cmpl-/);
  assert.equal(whole.object, "text_completion");
  assert.equal(whole.usage.completion_tokens, 10);
  const chunks = await collect(
    await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 10, stream: true }),
  );
  assert.equal(chunks.map((c) => c.choices[0].text).join(""), whole.choices[0].text);
  assert.equal(chunks.at(-1).choices[0].finish_reason, "length");
});

// ---- errors: the SDK's error classes, status, param and code ----

test("invalid JSON: BadRequestError", async () => {
  await rejectsWith(
    client.post("/chat/completions", { body: '{"model": ', headers: { "Content-Type": "application/json" } }),
    BadRequestError,
    400,
    { code: "invalid_json" },
  );
});

test("missing or empty messages: BadRequestError on messages", async () => {
  await rejectsWith(client.chat.completions.create({ model }), BadRequestError, 400, { param: "messages" });
  await rejectsWith(client.chat.completions.create({ model, messages: [] }), BadRequestError, 400, {
    param: "messages",
  });
});

test("a message without role or content, or with an unknown role: BadRequestError", async () => {
  await rejectsWith(client.chat.completions.create({ model, messages: [{ content: "hi" }] }), BadRequestError, 400, {
    param: "messages[0].role",
  });
  await rejectsWith(
    client.chat.completions.create({ model, messages: [{ role: "user" }] }),
    BadRequestError,
    400,
    { param: "messages[0].content" },
  );
  await rejectsWith(
    client.chat.completions.create({ model, messages: [{ role: "wizard", content: "hi" }] }),
    BadRequestError,
    400,
    { param: "messages[0].role" },
  );
});

test("unknown model: NotFoundError model_not_found", async () => {
  await rejectsWith(client.chat.completions.create({ model: "gpt-4o", messages: hello }), NotFoundError, 404, {
    param: "model",
    code: "model_not_found",
  });
});

test("max_tokens beyond the context: BadRequestError context_length_exceeded", async () => {
  await rejectsWith(
    client.chat.completions.create({ model, messages: hello, max_tokens: 1000 }),
    BadRequestError,
    400,
    { code: "context_length_exceeded" },
  );
});

test("n > 1 and bad types: BadRequestError", async () => {
  await rejectsWith(client.chat.completions.create({ model, messages: hello, n: 2 }), BadRequestError, 400, {
    param: "n",
  });
  await rejectsWith(
    client.chat.completions.create({ model, messages: hello, temperature: "hot" }),
    BadRequestError,
    400,
    { param: "temperature" },
  );
});

test("oversized body: APIError 413", async () => {
  const big = [{ role: "user", content: "x".repeat(2 * 1024 * 1024) }];
  await rejectsWith(client.chat.completions.create({ model, messages: big }), APIError, 413, {
    code: "request_too_large",
  });
});

test("wrong API key: AuthenticationError invalid_api_key", async () => {
  const wrong = new OpenAI({ baseURL, apiKey: "sk-wrong", maxRetries: 0 });
  await rejectsWith(wrong.chat.completions.create({ model, messages: hello }), AuthenticationError, 401, {
    code: "invalid_api_key",
  });
  await rejectsWith(wrong.models.list(), AuthenticationError, 401, { code: "invalid_api_key" });
});

test("unknown path: NotFoundError; wrong method: APIError 405", async () => {
  await rejectsWith(client.get("/engines"), NotFoundError, 404, { code: "unknown_url" });
  await rejectsWith(client.models.delete(model), APIError, 405, { code: "method_not_allowed" });
});

test("past the queue: RateLimitError 429 with Retry-After", async () => {
  const long = [{ role: "user", content: "Tell me a long story" }];
  const results = await Promise.allSettled(
    Array.from({ length: 8 }, () => client.chat.completions.create({ model, messages: long, max_tokens: 200 })),
  );
  const refused = results.filter((r) => r.status === "rejected");
  const served = results.filter((r) => r.status === "fulfilled");
  // how many get in depends on how the 8 arrivals interleave with the engine taking work off
  // the queue (2 slots, 1 queue place); the first request always gets in, and one more at least
  // waits in the queue while it runs
  assert.ok(served.length >= 2, `a slot and the queue place at least, got ${served.length}`);
  assert.ok(refused.length >= 1, "some requests must find the queue full");
  for (const r of refused) {
    assert.ok(r.reason instanceof RateLimitError, String(r.reason));
    assert.equal(r.reason.status, 429);
    assert.equal(r.reason.code, "rate_limit_exceeded");
    assert.equal(r.reason.headers.get("retry-after"), "1");
  }
});
