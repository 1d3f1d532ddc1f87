/**
 * The trainer's user-facing failure, at the bottom of the package map so that every layer can
 * report a bad input with its exit code without importing the CLI. The codes themselves are the
 * contract with the operator and live in {@link io.kubetune.api.TrainerExitCodes}.
 */
package io.kubetune.trainer.error;
