package io.kubetune.trainer.data;

/**
 * How a LLaVA model reads images in token ids: the placeholder token and how many copies of it one
 * image's features take.
 */
public record ImagePlaceholders(int tokenId, int tokensPerImage) {}
