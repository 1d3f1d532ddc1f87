// kubetune web chat: streams /v1/chat/completions (Server-Sent Events) with fetch + ReadableStream.
"use strict";

const $ = (id) => document.getElementById(id);
const history = []; // {role, content} of the finished turns
let model = null;
let controller = null;
let attached = null; // data: URL of the picture that goes with the next message

function headers() {
  const h = { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) h["Authorization"] = "Bearer " + key;
  return h;
}

function setStatus(text) {
  $("status").textContent = text;
}

function addMessage(role, text, image) {
  const li = document.createElement("li");
  li.className = "message " + role;
  li.textContent = text;
  if (image) {
    const img = document.createElement("img");
    img.src = image;
    img.alt = "attached picture";
    li.prepend(img);
  }
  $("messages").appendChild(li);
  li.scrollIntoView({ block: "end" });
  return li;
}

function addMeta(li, text) {
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = text;
  li.appendChild(meta);
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (e) {
    // not JSON
  }
  return "HTTP " + response.status;
}

async function loadModel() {
  try {
    const response = await fetch("/v1/models", { headers: headers() });
    if (!response.ok) {
      $("model").textContent = response.status === 401 ? "API key needed" : await errorMessage(response);
      return false;
    }
    const body = await response.json();
    model = body.data[0].id;
    $("model").textContent = model;
    return true;
  } catch (e) {
    $("model").textContent = "server unreachable";
    return false;
  }
}

// Splits an SSE byte stream into the data of its events.
async function* sseData(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trimStart())
        .join("\n");
      if (data) yield data;
    }
  }
}

async function send(text) {
  if (!model && !(await loadModel())) {
    addMessage("error", "Cannot reach the model: " + $("model").textContent);
    return;
  }
  const messages = [];
  const system = $("system").value.trim();
  if (system) messages.push({ role: "system", content: system });
  // a picture goes as an OpenAI image_url part (a data: URL) before the text
  const image = attached;
  const sent = image
    ? [{ type: "image_url", image_url: { url: image } }, { type: "text", text }]
    : text;
  clearAttachment();
  messages.push(...history, { role: "user", content: sent });
  addMessage("user", text, image);
  const reply = addMessage("assistant", "");
  reply.classList.add("streaming");
  const request = {
    model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    temperature: Number($("temperature").value),
  };
  const maxTokens = parseInt($("max-tokens").value, 10);
  if (maxTokens > 0) request.max_tokens = maxTokens;

  controller = new AbortController();
  $("send").disabled = true;
  $("stop").disabled = false;
  setStatus("generating…");
  let content = "";
  let finish = null;
  let usage = null;
  try {
    const response = await fetch("/v1/chat/completions", {
      method: "POST",
      headers: headers(),
      body: JSON.stringify(request),
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    for await (const data of sseData(response.body)) {
      if (data === "[DONE]") break;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new Error(chunk.error.message);
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices || []) {
        if (choice.delta && choice.delta.content) {
          content += choice.delta.content;
          reply.textContent = content;
          reply.scrollIntoView({ block: "end" });
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    }
    history.push({ role: "user", content: sent }, { role: "assistant", content });
    const parts = [finish === "length" ? "stopped at max tokens" : "done"];
    if (usage) parts.push(usage.prompt_tokens + " prompt + " + usage.completion_tokens + " completion tokens");
    addMeta(reply, parts.join(" · "));
    setStatus("");
  } catch (e) {
    if (e.name === "AbortError") {
      history.push({ role: "user", content: sent }, { role: "assistant", content });
      addMeta(reply, "stopped");
      setStatus("");
    } else {
      if (!content) reply.remove();
      addMessage("error", e.message);
      setStatus("");
    }
  } finally {
    reply.classList.remove("streaming");
    reply.dataset.done = "true";
    controller = null;
    $("send").disabled = false;
    $("stop").disabled = true;
    $("input").focus();
  }
}

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("input").value.trim();
  if (!text || controller) return;
  $("input").value = "";
  send(text);
});

$("input").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

$("stop").addEventListener("click", () => {
  if (controller) controller.abort();
});

function clearAttachment() {
  attached = null;
  $("image").value = "";
  $("attached").textContent = "";
}

$("image").addEventListener("change", () => {
  const file = $("image").files[0];
  if (!file) return clearAttachment();
  const reader = new FileReader();
  reader.onload = () => {
    attached = reader.result;
    $("attached").textContent = file.name;
  };
  reader.onerror = () => {
    clearAttachment();
    addMessage("error", "Cannot read " + file.name);
  };
  reader.readAsDataURL(file);
});

$("reset").addEventListener("click", () => {
  if (controller) controller.abort();
  history.length = 0;
  clearAttachment();
  $("messages").replaceChildren();
  setStatus("");
});

$("temperature").addEventListener("input", () => {
  $("temperature-value").value = Number($("temperature").value).toFixed(1);
});

$("api-key").addEventListener("change", () => {
  model = null;
  loadModel();
});

loadModel();
