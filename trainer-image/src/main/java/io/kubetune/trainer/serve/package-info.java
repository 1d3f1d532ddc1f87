/**
 * {@code kubetune serve}: the continuous-batching engine here, the HTTP server in {@code
 * serve.http}, the OpenAI request and reply types in {@code serve.openai}.
 *
 * <p>The life of one request: {@code serve.http.ApiKeyAuth} checks the key; {@code
 * serve.http.CompletionRoutes} parses the body ({@code serve.openai.RequestParser}; a bad field is
 * a 400 naming it); the messages are rendered with the model's own chat template and tokenized; the
 * prompt plus max_tokens must fit the context. A {@link
 * io.kubetune.trainer.serve.GenerationRequest} joins the {@link
 * io.kubetune.trainer.serve.BatchEngine}'s queue (full: 429 with Retry-After). The engine's one
 * thread admits it between decode steps: prefill into a free KV-cache slot, then one token per
 * step, decoded together with every other active {@link io.kubetune.trainer.serve.Sequence}. Each
 * token goes through the sampler and the stop rules ({@code generate}) and its text to the
 * request's {@link io.kubetune.trainer.serve.GenerationCallback}, which streams it as a Server-Sent
 * Event or collects the whole reply. The sequence leaves its slot at a stop token, a stop string,
 * max_tokens, or when its client disconnects ({@link
 * io.kubetune.trainer.serve.GenerationRequest#cancel()}). {@link
 * io.kubetune.trainer.serve.EngineMetrics} feeds {@code /metrics}.
 */
package io.kubetune.trainer.serve;
