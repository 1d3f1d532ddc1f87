// The chat page with a LLaVA: a person attaches a picture, asks about it, and gets a reply; the
// picture shows in the conversation and goes to the server as an image_url part (a data: URL).
// Started by run.sh (KUBETUNE_URL, KUBETUNE_API_KEY, CHROMIUM, KUBETUNE_WEB_OUT, KUBETUNE_IMAGES).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { chromium } from "playwright-core";

const url = process.env.KUBETUNE_URL;
let browser;
let page;
const pageErrors = [];
const sent = []; // the chat requests' bodies, as the page sent them

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  page.on("pageerror", (e) => pageErrors.push(e));
  page.on("request", (r) => {
    if (r.url().endsWith("/v1/chat/completions")) sent.push(JSON.parse(r.postData()));
  });
  await page.goto(url + "/");
  await page.fill("#api-key", process.env.KUBETUNE_API_KEY);
  await page.dispatchEvent("#api-key", "change");
  await page.waitForFunction(() => !/API key|connecting/.test(document.getElementById("model").textContent));
});

after(async () => {
  await browser?.close();
});

test("an attached picture is shown, sent as a data: URL, and answered", async () => {
  await page.fill("#temperature", "0");
  await page.setInputFiles("#image", join(process.env.KUBETUNE_IMAGES, "a.png"));
  await page.waitForFunction(() => document.getElementById("attached").textContent === "a.png");
  await page.fill("#input", "What is in the picture?");
  await page.press("#input", "Enter");
  await page.waitForSelector(".message.assistant[data-done=true]", { timeout: 60_000 });

  assert.equal(await page.locator(".message.error").count(), 0, await page.textContent("#messages"));
  const shown = await page.getAttribute(".message.user img", "src");
  assert.match(shown, /^data:image\/png;base64,/);
  assert.match(await page.textContent(".message.assistant .meta"), /prompt \+ \d+ completion tokens/);
  // the attachment is used once: the composer is clear for the next message
  assert.equal(await page.textContent("#attached"), "");

  const content = sent.at(-1).messages.at(-1).content;
  assert.deepEqual(content.map((p) => p.type), ["image_url", "text"]);
  assert.equal(content[0].image_url.url, shown);
  assert.equal(content[1].text, "What is in the picture?");
  await page.screenshot({ path: join(process.env.KUBETUNE_WEB_OUT, "chat-image.png"), fullPage: true });
});

test("the next turn keeps the picture in the conversation", async () => {
  await page.fill("#input", "And its colour?");
  await page.press("#input", "Enter");
  await page.waitForFunction(() => document.querySelectorAll(".message.assistant[data-done=true]").length === 2, null, {
    timeout: 60_000,
  });
  assert.equal(await page.locator(".message.error").count(), 0, await page.textContent("#messages"));
  const messages = sent.at(-1).messages;
  assert.deepEqual(messages.map((m) => m.role), ["user", "assistant", "user"]);
  assert.equal(messages[0].content[0].type, "image_url");
  assert.equal(messages[2].content, "And its colour?");
});

test("no uncaught errors in the page", () => {
  assert.deepEqual(pageErrors.map(String), []);
});
