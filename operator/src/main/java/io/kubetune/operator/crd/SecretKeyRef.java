package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A key of a Secret in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SecretKeyRef(
    @Required
        @Size(max = 253)
        @Pattern(CelRules.DNS_SUBDOMAIN)
        @JsonPropertyDescription("The Secret's name.")
        String name,
    @Size(min = 1, max = 253) @JsonPropertyDescription("The key in the Secret (default api-key).")
        String key) {

  public String effectiveKey() {
    return key == null ? "api-key" : key;
  }
}
