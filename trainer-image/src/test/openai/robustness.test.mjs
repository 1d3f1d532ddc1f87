// Odd but legal conversations and HTTP details, through the official openai client and plain
// fetch. Started by run.sh after suite.test.mjs, against the same server (KUBETUNE_URL,
// KUBETUNE_API_KEY, KUBETUNE_MODEL).
import { test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";

const base = process.env.KUBETUNE_URL;
const apiKey = process.env.KUBETUNE_API_KEY;
const model = process.env.KUBETUNE_MODEL;
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, timeout: 60_000 });
const auth = { Authorization: `Bearer ${apiKey}` };

test("conversations without a user message are answered, whole and streamed", async () => {
  // the fixture's own template renders them (an exported XTuner template refuses them with a
  // 400 on messages: the Java suite covers that)
  for (const messages of [
    [{ role: "system", content: "Be brief." }],
    [{ role: "developer", content: "Be brief." }],
    [{ role: "assistant", content: "Hello!" }],
  ]) {
    const whole = await client.chat.completions.create({ model, messages, max_tokens: 4 });
    assert.equal(whole.object, "chat.completion");
    assert.ok(["stop", "length"].includes(whole.choices[0].finish_reason));
    const chunks = [];
    for await (const c of await client.chat.completions.create({ model, messages, max_tokens: 4, stream: true })) {
      chunks.push(c);
    }
    assert.ok(["stop", "length"].includes(chunks.at(-1).choices[0].finish_reason), JSON.stringify(chunks.at(-1)));
  }
});

test("a POST that is not declared JSON gets 415 (no CORS-simple requests)", async () => {
  const body = JSON.stringify({ model, messages: [{ role: "user", content: "Hi" }], max_tokens: 2 });
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
    const r = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { ...auth, "Content-Type": type },
      body,
    });
    assert.equal(r.status, 415, type);
    const error = (await r.json()).error;
    assert.equal(error.code, "unsupported_media_type");
    assert.match(error.message, /application\/json/);
  }
});

test("HEAD answers with GET's status and headers, without a body", async () => {
  for (const path of ["/health", "/v1/models", `/v1/models/${model}`, "/"]) {
    const get = await fetch(`${base}${path}`, { headers: auth });
    await get.arrayBuffer();
    const head = await fetch(`${base}${path}`, { method: "HEAD", headers: auth });
    assert.equal(head.status, get.status, path);
    assert.equal((await head.arrayBuffer()).byteLength, 0, path);
    for (const name of ["content-type", "content-length", "content-security-policy"]) {
      assert.equal(head.headers.get(name), get.headers.get(name), `${path} ${name}`);
    }
  }
});
