// Images through the official openai client: image_url content parts with data: URLs, on the tiny
// LLaVA fixture. Started by run.sh (KUBETUNE_URL, KUBETUNE_API_KEY, KUBETUNE_MODEL, KUBETUNE_IMAGES).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI, { BadRequestError } from "openai";

const client = new OpenAI({
  baseURL: `${process.env.KUBETUNE_URL}/v1`,
  apiKey: process.env.KUBETUNE_API_KEY,
  maxRetries: 0,
  timeout: 60_000,
});
const model = process.env.KUBETUNE_MODEL;
const images = process.env.KUBETUNE_IMAGES;

function dataUrl(file, type = "image/png") {
  return `data:${type};base64,${readFileSync(join(images, file)).toString("base64")}`;
}

function ask(url, text = "What is in the picture?") {
  return [
    {
      role: "user",
      content: [
        { type: "image_url", image_url: { url, detail: "low" } },
        { type: "text", text },
      ],
    },
  ];
}

async function rejectsOn(param, messages, says) {
  await assert.rejects(client.chat.completions.create({ model, messages, max_tokens: 4 }), (err) => {
    assert.ok(err instanceof BadRequestError, `expected BadRequestError, got ${err}`);
    assert.equal(err.status, 400);
    assert.equal(err.param, param);
    assert.equal(err.type, "invalid_request_error");
    assert.match(err.message, says);
    return true;
  });
}

test("a picture as a data: URL is read: its features take prompt positions", async () => {
  const text = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "What is in the picture?" }],
    max_tokens: 6,
  });
  const withImage = await client.chat.completions.create({ model, messages: ask(dataUrl("a.png")), max_tokens: 6 });
  assert.equal(withImage.object, "chat.completion");
  assert.equal(withImage.choices[0].message.role, "assistant");
  assert.ok(["stop", "length"].includes(withImage.choices[0].finish_reason));
  // the fixture's tower gives 16 features per picture, each in place of one prompt token
  assert.ok(
    withImage.usage.prompt_tokens >= text.usage.prompt_tokens + 16,
    `${withImage.usage.prompt_tokens} prompt tokens with the picture, ${text.usage.prompt_tokens} without`,
  );
});

test("streamed with a JPEG picture: the same text as the whole reply", async () => {
  const url = dataUrl("e.jpg", "image/jpeg");
  const whole = await client.chat.completions.create({ model, messages: ask(url), max_tokens: 8, temperature: 0 });
  let streamed = "";
  for await (const chunk of await client.chat.completions.create({
    model,
    messages: ask(url),
    max_tokens: 8,
    temperature: 0,
    stream: true,
  })) {
    streamed += chunk.choices[0]?.delta?.content ?? "";
  }
  assert.equal(streamed, whole.choices[0].message.content);
});

test("a URL the server would have to fetch: BadRequestError naming the field", async () => {
  await rejectsOn(
    "messages[0].content[0].image_url.url",
    ask("https://example.com/cat.png"),
    /fetches no images from the network.*data:image\/png;base64/,
  );
});

test("bad base64 or bytes that are no picture: BadRequestError naming the field", async () => {
  await rejectsOn("messages[0].content[0].image_url.url", ask("data:image/png;base64,%%%"), /not valid base64/);
  const text = Buffer.from("just text, no picture").toString("base64");
  await rejectsOn("messages[0].content[0].image_url.url", ask(`data:image/png;base64,${text}`), /not an image/);
});

test("the server still answers after refusing", async () => {
  const r = await client.chat.completions.create({ model, messages: ask(dataUrl("b.png")), max_tokens: 4 });
  assert.equal(r.choices.length, 1);
});
