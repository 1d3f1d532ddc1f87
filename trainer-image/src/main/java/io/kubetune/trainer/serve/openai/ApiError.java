package io.kubetune.trainer.serve.openai;

/**
 * A request that fails with an HTTP status and OpenAI's error body {@code {"error": {"message",
 * "type", "param", "code"}}}. Thrown anywhere while handling a request; the server writes it.
 */
public final class ApiError extends RuntimeException {
  public static final String INVALID_REQUEST = "invalid_request_error";

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final Integer retryAfterSeconds;

  private ApiError(
      int status, String message, String type, String param, String code, Integer retryAfter) {
    super(message);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.retryAfterSeconds = retryAfter;
  }

  /** 400: something in the request is wrong; param names the field (null when none). */
  public static ApiError invalid(String message, String param) {
    return new ApiError(400, message, INVALID_REQUEST, param, null, null);
  }

  public static ApiError invalidJson(String detail) {
    return new ApiError(
        400,
        "We could not parse the JSON body of your request: " + detail,
        INVALID_REQUEST,
        null,
        "invalid_json",
        null);
  }

  /**
   * @param param where the prompt came from: messages or prompt
   */
  public static ApiError contextLengthExceeded(
      int context, int prompt, int maxTokens, String param) {
    return new ApiError(
        400,
        "This model's maximum context length is "
            + context
            + " tokens. However, you requested "
            + (prompt + maxTokens)
            + " tokens ("
            + prompt
            + " in the prompt, "
            + maxTokens
            + " in the completion). Please reduce the length of the prompt or of max_tokens.",
        INVALID_REQUEST,
        param,
        "context_length_exceeded",
        null);
  }

  public static ApiError invalidApiKey(String message) {
    return new ApiError(401, message, INVALID_REQUEST, null, "invalid_api_key", null);
  }

  public static ApiError modelNotFound(String model) {
    return new ApiError(
        404,
        "The model '" + model + "' does not exist. This server serves one model: see /v1/models.",
        INVALID_REQUEST,
        "model",
        "model_not_found",
        null);
  }

  public static ApiError unknownUrl(String method, String path) {
    return new ApiError(
        404,
        "Unknown request URL: " + method + " " + path + ".",
        INVALID_REQUEST,
        null,
        "unknown_url",
        null);
  }

  public static ApiError methodNotAllowed(String method, String path, String allowed) {
    return new ApiError(
        405,
        "Method " + method + " is not allowed for " + path + " (allowed: " + allowed + ").",
        INVALID_REQUEST,
        null,
        "method_not_allowed",
        null);
  }

  public static ApiError bodyTooLarge(long limit) {
    return new ApiError(
        413,
        "The request body is larger than this server accepts (" + limit + " bytes).",
        INVALID_REQUEST,
        null,
        "request_too_large",
        null);
  }

  /** 408: the request (head or body) did not arrive in time. */
  public static ApiError requestTimeout(String message) {
    return new ApiError(408, message, INVALID_REQUEST, null, "request_timeout", null);
  }

  /** 415: the body of a POST must be JSON, declared as such. */
  public static ApiError unsupportedMediaType(String given) {
    return new ApiError(
        415,
        "The request body must be JSON sent with 'Content-Type: application/json' (charset"
            + " utf-8, if any); got "
            + (given == null ? "no Content-Type" : "'" + given + "'")
            + ".",
        INVALID_REQUEST,
        null,
        "unsupported_media_type",
        null);
  }

  /** 429: every slot and the queue are taken; retry after the given seconds. */
  public static ApiError overloaded(int retryAfterSeconds) {
    return new ApiError(
        429,
        "The server is busy: every generation slot and the waiting queue are full. Retry after "
            + retryAfterSeconds
            + " s.",
        "rate_limit_error",
        null,
        "rate_limit_exceeded",
        retryAfterSeconds);
  }

  /** 503 while the model is being loaded. */
  public static ApiError loading() {
    return new ApiError(
        503,
        "The model is still loading; retry shortly (GET /health answers 200 once it is ready).",
        "server_error",
        null,
        "model_loading",
        5);
  }

  /**
   * 503 once the server has been told to stop (SIGTERM): it finishes what it has, takes no more.
   */
  public static ApiError shuttingDown(int retryAfterSeconds) {
    return new ApiError(
        503,
        "The server is shutting down and takes no new requests; retry (another replica will"
            + " answer).",
        "server_error",
        null,
        "server_shutting_down",
        retryAfterSeconds);
  }

  /**
   * Any other HTTP failure the web layer reports (e.g. 400 for a malformed request); a 5xx gets the
   * generic message of {@link #internal()}, whatever the layer said.
   */
  public static ApiError http(int status, String message) {
    if (status >= 500) {
      return new ApiError(status, internal().getMessage(), "server_error", null, null, null);
    }
    return new ApiError(status, message, INVALID_REQUEST, null, null, null);
  }

  /**
   * 500: our own failure. The message says nothing about internals (class names, paths, tensor
   * shapes): those go to the server's log.
   */
  public static ApiError internal() {
    return new ApiError(
        500,
        "The server had an error while processing your request; its log has the details.",
        "server_error",
        null,
        null,
        null);
  }

  /** The error code (e.g. server_shutting_down), null when none. */
  public String code() {
    return code;
  }

  public int status() {
    return status;
  }

  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }

  /** The JSON body. */
  public ErrorBody body() {
    return new ErrorBody(new ErrorBody.Detail(getMessage(), type, param, code));
  }
}
