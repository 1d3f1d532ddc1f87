// A steady stream of chat completions through the official openai client (npm `openai`, its
// default retry settings: 2 retries on connection errors, 408, 409, 429 and 5xx, honouring
// Retry-After), for 04-rolling-restart: it runs in a pod while the ModelServe's Deployment is
// rolled, and counts what a user would see.
//
//   node rolling-load.mjs   (in the client pod; KUBETUNE_URL=http://<serve>.<ns>.svc/v1)
//
// WORKERS loops (default 3) send requests one after another, streamed and whole in turn, until
// the file STOP_FILE exists (or MAX_SECONDS pass); every third request of a loop asks for
// 4 x MAX_TOKENS (about 2 s on the quickstart's model), so that replies, streamed and whole, are
// in progress when a pod gets SIGTERM. A request counts as failed when the client
// throws after its own retries, or when the reply is incomplete: a whole reply without a
// finish_reason, a stream that ends without one. Every HTTP attempt goes through a counting fetch,
// so attempts - requests = the client's retries; what caused them is counted too.
// Output: a progress line every 10 s, FAILED lines, and last "RESULT {json}".
import OpenAI from "openai";
import { existsSync } from "node:fs";

const baseURL = process.env.KUBETUNE_URL;
const workers = Number(process.env.WORKERS ?? 3);
const stopFile = process.env.STOP_FILE ?? "/work/stop";
const maxSeconds = Number(process.env.MAX_SECONDS ?? 900);
const maxTokens = Number(process.env.MAX_TOKENS ?? 12);

const counts = { requests: 0, streamed: 0, whole: 0, long: 0, ok: 0, failed: 0, attempts: 0 };
const retryCauses = {}; // "503", "ECONNRESET", ... -> attempts that ended so and were retried
const failures = [];

function cause(status, error) {
  if (status) return String(status);
  const c = error?.cause ?? error;
  return c?.code ?? c?.name ?? String(c);
}

// Counts every attempt; records the outcome of those the client will retry (status >= 500, 429,
// 408, 409 or no response at all).
async function countingFetch(url, init) {
  counts.attempts++;
  try {
    const response = await fetch(url, init);
    if ([408, 409, 429].includes(response.status) || response.status >= 500) {
      const key = cause(response.status);
      retryCauses[key] = (retryCauses[key] ?? 0) + 1;
    }
    return response;
  } catch (error) {
    const key = cause(null, error);
    retryCauses[key] = (retryCauses[key] ?? 0) + 1;
    throw error;
  }
}

const client = new OpenAI({ baseURL, apiKey: "unused", fetch: countingFetch });
const t0 = Date.now();
const seconds = () => ((Date.now() - t0) / 1000).toFixed(1);
const done = () => existsSync(stopFile) || Date.now() - t0 > maxSeconds * 1000;

async function one(model, n, stream, max_tokens) {
  const messages = [{ role: "user", content: `Who are you? (request ${n})` }];
  if (stream) {
    let finish = null;
    let text = "";
    for await (const chunk of await client.chat.completions.create({ model, messages, max_tokens, stream: true })) {
      const choice = chunk.choices[0];
      text += choice?.delta?.content ?? "";
      finish = choice?.finish_reason ?? finish;
    }
    if (!finish) throw new Error(`the stream ended without a finish_reason after ${JSON.stringify(text)}`);
  } else {
    const reply = await client.chat.completions.create({ model, messages, max_tokens });
    if (!reply.choices[0]?.finish_reason) throw new Error(`no finish_reason: ${JSON.stringify(reply)}`);
  }
}

async function worker(model, id) {
  for (let i = 0; !done(); i++) {
    const n = ++counts.requests;
    const stream = (i + id) % 2 === 0;
    const long = i % 3 === 2;
    counts[stream ? "streamed" : "whole"]++;
    if (long) counts.long++;
    try {
      await one(model, n, stream, long ? 4 * maxTokens : maxTokens);
      counts.ok++;
    } catch (error) {
      counts.failed++;
      const line = `${seconds()} s request ${n} (${stream ? "streamed" : "whole"}): ${error?.status ?? ""} ${error?.message ?? error} ${error?.cause?.code ?? ""}`;
      failures.push(line);
      console.log(`FAILED ${line}`);
    }
  }
}

const model = (await client.models.list()).data[0].id;
counts.attempts = 0; // count the chat requests' attempts only
for (const key of Object.keys(retryCauses)) delete retryCauses[key];
console.log(`model ${model} at ${baseURL}; ${workers} workers, max_tokens ${maxTokens}, client maxRetries ${client.maxRetries}`);
const progress = setInterval(() => console.log(`${seconds()} s ${JSON.stringify({ ...counts, retries: counts.attempts - counts.requests })}`), 10_000);
await Promise.all(Array.from({ length: workers }, (_, id) => worker(model, id)));
clearInterval(progress);
const result = {
  ...counts,
  retries: counts.attempts - counts.requests,
  retryCauses,
  seconds: Number(seconds()),
  failures: failures.slice(0, 20),
};
console.log(`RESULT ${JSON.stringify(result)}`);
