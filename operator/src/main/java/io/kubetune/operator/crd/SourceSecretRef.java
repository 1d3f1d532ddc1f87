package io.kubetune.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Secret in the job's namespace with the credentials of its s3:// and hf:// sources. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceSecretRef(
    @Required
        @Size(max = 253)
        @Pattern(CelRules.DNS_SUBDOMAIN)
        @JsonPropertyDescription("The Secret's name.")
        String name) {}
