package io.kubetune.trainer.config;

/**
 * One thing wrong with a job spec.
 *
 * @param pointer JSON pointer of the offending node ("" for the document)
 * @param field the field path users read, e.g. training.learningRate or datasets[0].source
 * @param message what is wrong
 * @param atKey whether the key's location is the right one to show (unknown fields) rather than the
 *     value's
 */
record Problem(String pointer, String field, String message, boolean atKey) {}
