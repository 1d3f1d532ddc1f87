/**
 * Remote model and dataset sources, fetched into local caches before training reads them: {@code
 * hf://} from the HuggingFace Hub into a HuggingFace cache ({@link HfHub}, the layout
 * huggingface_hub reads and writes) and {@code s3://} from any S3-compatible store ({@link
 * S3Objects}). Both download resumably ({@link ResumableDownload}), check what they got against the
 * store's checksum, and never download what is already complete in the cache.
 */
package io.kubetune.trainer.sources;
