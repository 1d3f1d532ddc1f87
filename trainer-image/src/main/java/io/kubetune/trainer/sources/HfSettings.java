package io.kubetune.trainer.sources;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the HuggingFace cache is and how to reach the Hub, from the variables huggingface_hub
 * reads: HF_HUB_CACHE (default HF_HOME/hub, HF_HOME default ~/.cache/huggingface), HF_ENDPOINT
 * (default https://huggingface.co), HF_TOKEN (gated and private repositories) and HF_HUB_OFFLINE
 * (1: the cache only, no request at all).
 */
public record HfSettings(Path cache, URI endpoint, Optional<String> token, boolean offline) {
  public static final URI HUB = URI.create("https://huggingface.co");

  public static HfSettings fromEnvironment(Map<String, String> env) {
    Path home =
        set(env, "HF_HOME")
            .map(Path::of)
            .orElseGet(
                () ->
                    Path.of(env.getOrDefault("HOME", System.getProperty("user.home")))
                        .resolve(".cache/huggingface"));
    Path cache = set(env, "HF_HUB_CACHE").map(Path::of).orElse(home.resolve("hub"));
    URI endpoint =
        set(env, "HF_ENDPOINT").map(e -> URI.create(e.replaceAll("/+$", ""))).orElse(HUB);
    boolean offline =
        set(env, "HF_HUB_OFFLINE")
            .map(v -> v.equals("1") || v.equalsIgnoreCase("true"))
            .orElse(false);
    return new HfSettings(cache, endpoint, set(env, "HF_TOKEN"), offline);
  }

  private static Optional<String> set(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }
}
