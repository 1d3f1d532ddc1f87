package io.kubetune.trainer.serve.openai;

/** A validated POST /v1/completions body. */
public record CompletionRequest(String prompt, GenerationOptions options) {}
