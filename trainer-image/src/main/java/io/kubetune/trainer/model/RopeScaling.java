package io.kubetune.trainer.model;

/**
 * config.json's rope_scaling.
 *
 * @param type llama3, linear or dynamic (NTK)
 * @param originalMaxPositionEmbeddings the pre-training context (llama3 only)
 */
public record RopeScaling(
    String type,
    double factor,
    double lowFreqFactor,
    double highFreqFactor,
    int originalMaxPositionEmbeddings) {}
