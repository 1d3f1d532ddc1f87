package io.kubetune.trainer.presets;

/**
 * A ready FineTuneJob for a common recipe.
 *
 * @param name what {@code kubetune init NAME} takes
 * @param summary the first comment line of the file: what the recipe does
 * @param yaml the whole document, comments included, as {@code kubetune init NAME} prints it
 */
public record Preset(String name, String summary, String yaml) {}
