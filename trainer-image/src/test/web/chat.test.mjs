// The chat page as a person uses it: enter the API key, type a message, watch the reply stream in.
// Started by run.sh (KUBETUNE_URL, KUBETUNE_API_KEY, CHROMIUM, KUBETUNE_WEB_OUT).
import { after, afterEach, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const url = process.env.KUBETUNE_URL;
const out = process.env.KUBETUNE_WEB_OUT;
const prompt = process.env.KUBETUNE_WEB_PROMPT ?? "Who are you?";
let browser;
let page;
const external = [];
// uncaught exceptions in the page's scripts: each fails the test during which it happened
const pageErrors = [];

before(async () => {
  mkdirSync(out, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    // Playwright gives each launch a fresh temporary profile (user data dir)
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  page.on("pageerror", (e) => pageErrors.push(e));
  // everything the page loads must come from the server itself
  page.on("request", (r) => {
    if (!r.url().startsWith(url + "/") && !r.url().startsWith("data:")) external.push(r.url());
  });
});

afterEach(() => {
  const errors = pageErrors.splice(0);
  assert.deepEqual(errors.map(String), [], "uncaught errors in the page");
});

after(async () => {
  await browser?.close();
});

test("an error thrown by the page's scripts is caught by the page-error check", async () => {
  await page.goto(url + "/");
  await page.evaluate(() => setTimeout(() => { throw new Error("kubetune web test: deliberate"); }));
  const deadline = Date.now() + 5_000;
  while (pageErrors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(pageErrors.splice(0).map((e) => e.message), ["kubetune web test: deliberate"]);
});

test("without the key the page says so; with it, it names the model", async () => {
  await page.goto(url + "/");
  await page.waitForFunction(() => document.getElementById("model").textContent !== "connecting…");
  assert.equal(await page.textContent("#model"), "API key needed");
  await page.fill("#api-key", process.env.KUBETUNE_API_KEY);
  await page.dispatchEvent("#api-key", "change");
  await page.waitForFunction(() => !/API key|connecting/.test(document.getElementById("model").textContent));
  assert.ok((await page.textContent("#model")).length > 0);
});

test("a reply streams in as it is generated, then completes", async () => {
  await page.fill("#system", "You are kubetune's helpful assistant.");
  await page.fill("#temperature", "0");
  assert.equal(await page.textContent("#temperature-value"), "0.0");
  // record every change of the reply's length, with its time, from inside the page
  await page.evaluate(() => {
    window.growth = [];
    new MutationObserver(() => {
      const reply = document.querySelector(".message.assistant:last-of-type");
      if (reply && !reply.dataset.done) {
        window.growth.push([performance.now(), reply.textContent.length]);
      }
    }).observe(document.getElementById("messages"), { childList: true, subtree: true, characterData: true });
  });
  await page.fill("#input", prompt);
  await page.press("#input", "Enter");
  await page.waitForSelector(".message.user");
  assert.equal(await page.textContent(".message.user"), prompt);
  assert.equal(await page.isDisabled("#send"), true, "Send is disabled while generating");
  assert.equal(await page.isEnabled("#stop"), true, "Stop is enabled while generating");
  await page.waitForSelector(".message.assistant[data-done=true]", { timeout: 60_000 });

  const growth = await page.evaluate(() => window.growth);
  const lengths = [...new Set(growth.map(([, n]) => n))].filter((n) => n > 0);
  assert.ok(lengths.length >= 3, `the reply grew in steps, saw lengths ${JSON.stringify(lengths)}`);
  for (let i = 1; i < lengths.length; i++) assert.ok(lengths[i] > lengths[i - 1], "the text only grows");
  assert.ok(growth.at(-1)[0] > growth[0][0], "over time");

  const meta = await page.textContent(".message.assistant .meta");
  assert.match(meta, /prompt \+ \d+ completion tokens/);
  assert.equal(await page.isEnabled("#send"), true);
  assert.equal(await page.isDisabled("#stop"), true);
  assert.equal(await page.locator(".message.error").count(), 0);
  await page.screenshot({ path: join(out, "chat.png"), fullPage: true });
});

test("a second turn keeps the conversation", async () => {
  await page.fill("#input", "Tell me more.");
  await page.press("#input", "Enter");
  await page.waitForFunction(() => document.querySelectorAll(".message.assistant[data-done=true]").length === 2, null, {
    timeout: 60_000,
  });
  assert.equal(await page.locator(".message.user").count(), 2);
  await page.click("#reset");
  assert.equal(await page.locator(".message").count(), 0);
});

/** A counter's value from /metrics; a missing or non-numeric line fails (NaN would compare false). */
async function metric(name) {
  const text = await (await fetch(url + "/metrics")).text();
  const line = text.split("\n").find((l) => l.startsWith(name + " "));
  assert.ok(line, `/metrics has no line for ${name}`);
  const value = Number(line.split(" ").at(-1));
  assert.ok(Number.isFinite(value), `${name}: not a number: ${line}`);
  return value;
}

test("Stop ends a reply early and the server cancels its generation", async () => {
  const cancelledBefore = await metric("kubetune_serve_cancelled_requests_total");
  await page.fill("#max-tokens", "200");
  await page.fill("#input", prompt);
  await page.press("#input", "Enter");
  await page.waitForFunction(() => (document.querySelector(".message.assistant")?.textContent.length ?? 0) > 0);
  await page.click("#stop");
  await page.waitForSelector(".message.assistant[data-done=true]");
  assert.match(await page.textContent(".message.assistant .meta"), /stopped/);
  const deadline = Date.now() + 10_000;
  while ((await metric("kubetune_serve_cancelled_requests_total")) === cancelledBefore && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await metric("kubetune_serve_cancelled_requests_total"), cancelledBefore + 1);
});

test("the page loaded nothing from elsewhere", () => {
  assert.deepEqual(external, []);
});
