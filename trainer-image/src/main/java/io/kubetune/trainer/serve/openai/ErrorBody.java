package io.kubetune.trainer.serve.openai;

/** OpenAI's error response: {@code {"error": {"message", "type", "param", "code"}}}. */
public record ErrorBody(Detail error) {
  public record Detail(String message, String type, String param, String code) {}
}
