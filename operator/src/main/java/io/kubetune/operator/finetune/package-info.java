/**
 * The FineTuneJob feature: pure builders here, one dependent resource per owned object in {@code
 * dependents}, the progress poller in {@code progress}, and the reconciler that ties them.
 *
 * <p>The life of one FineTuneJob: the API server has already checked the schema and CEL rules.
 * {@link io.kubetune.operator.finetune.FineTuneJobReconciler}'s workflow runs the dependents in
 * order: if the spec passes {@link io.kubetune.operator.finetune.SpecValidator} (the checks the
 * schema cannot express, with the trainer's own parser), the ConfigMap {@code <job>-config} with
 * job.yaml ({@link io.kubetune.operator.finetune.TrainingConfig}, {@link
 * io.kubetune.operator.finetune.TrainingConfigMap}), the headless Service {@code <job>-workers}
 * ({@link io.kubetune.operator.finetune.WorkerService}), the PVC when storage has a claimTemplate
 * ({@link io.kubetune.operator.finetune.StorageClaim}), then the Indexed Job ({@link
 * io.kubetune.operator.finetune.TrainingJobs}, pods from {@link
 * io.kubetune.operator.finetune.TrainingPod}). The Job's pod template is immutable, so {@link
 * io.kubetune.operator.finetune.JobPlan} decides between create, patch the mutable fields, replace,
 * or leave alone; a finished Job is never recreated by itself.
 *
 * <p>While the Job runs, the progress poller reads rank 0's /progress and triggers a reconciliation
 * when it changed. Each reconciliation computes the status from what the job owns ({@link
 * io.kubetune.operator.finetune.JobState} reads the Job's conditions; {@link
 * io.kubetune.operator.finetune.FineTuneJobStatuses} derives conditions, phase and the failure
 * reason from the trainer's exit code), writes it only when it changed, and emits the Events that
 * the change implies ({@link io.kubetune.operator.finetune.TransitionEvents}). After success with
 * spec.serve, a ModelServe ({@link io.kubetune.operator.finetune.TrainedModelServe}) serves the
 * merged model.
 *
 * <p>Builders are pure functions of the FineTuneJob (tested with golden YAML, no cluster); only the
 * reconciler imports the subpackages ({@code ArchitectureTest}).
 */
package io.kubetune.operator.finetune;
