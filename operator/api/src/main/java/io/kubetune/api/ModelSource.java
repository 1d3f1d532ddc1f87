package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A HuggingFace-layout model directory. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSource(
    @Required
        @Pattern(SourceUri.SOURCE_PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription(
            "Where the model directory is: file:///abs/path, pvc://claim/path,"
                + " hf://org/name[@revision] (a HuggingFace Hub repository: read from the"
                + " HuggingFace cache, downloaded into it when missing) or s3://bucket/prefix (the"
                + " objects under the prefix, fetched once with an ETag check; credentials from"
                + " spec.sourceSecretRef). The directory holds config.json, the weights and the"
                + " tokenizer files.")
        String source,
    @Size(max = 256)
        @JsonPropertyDescription("Optional revision label, recorded with the artifact.")
        String revision,
    @Pattern(SourceUri.PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription(
            "A CLIP vision model folder (CLIPVisionModel or CLIPModel weights, config.json,"
                + " preprocessor_config.json): makes a new LLaVA of source (a language model) and"
                + " this tower with a fresh mlp2x_gelu projector, as LLaVA's pretrain stage"
                + " starts. Leave it out when source is already a LLaVA (a llava-hf folder, such as"
                + " a pretrain run's hf/ export).")
        String visionTower,
    @JsonPropertyDescription(
            "For a LLaVA: pad each image to a square of the mean colour before resizing"
                + " (LLaVA-1.5's 'pad' aspect ratio, LlavaImageProcessor's do_pad). Default: the"
                + " model's preprocessor_config.json. Written into the export, so serving"
                + " preprocesses as training did.")
        Boolean padImagesToSquare) {

  /** A model with no vision settings. */
  public ModelSource(String source, String revision) {
    this(source, revision, null, null);
  }
}
