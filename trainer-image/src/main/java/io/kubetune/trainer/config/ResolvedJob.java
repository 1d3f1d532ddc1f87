package io.kubetune.trainer.config;

import io.kubetune.api.TrainingJobSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A validated job spec with its sources resolved to local paths that exist.
 *
 * @param spec the spec, defaults filled in
 * @param modelDir the base model's folder
 * @param datasetFiles the file of each dataset, in spec order
 * @param outputDir where checkpoints and the export go, when the spec sets it
 * @param visionTowerDir model.visionTower's folder, when the spec sets it
 * @param imageFolders each dataset's imageFolder, in spec order (null where it sets none)
 */
public record ResolvedJob(
    TrainingJobSpec spec,
    Path modelDir,
    List<Path> datasetFiles,
    Optional<Path> outputDir,
    Optional<Path> visionTowerDir,
    List<Path> imageFolders) {
  public ResolvedJob {
    datasetFiles = List.copyOf(datasetFiles);
    imageFolders = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(imageFolders));
  }

  /** A job without vision sources. */
  public ResolvedJob(
      TrainingJobSpec spec, Path modelDir, List<Path> datasetFiles, Optional<Path> outputDir) {
    this(spec, modelDir, datasetFiles, outputDir, Optional.empty(), List.of());
  }
}
