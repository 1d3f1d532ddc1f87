# shellcheck shell=bash
# Helpers of the real-pod scenarios (sourced by run.sh, on top of ../lib.sh).
#
#   quickstart_volume CLAIM       a PersistentVolumeClaim (the cluster's default StorageClass,
#                                 local-path) holding base-model/ and data/identity.jsonl, written
#                                 by a Job from the trainer image (QuickstartData.java)
#   quickstart_job NAME CLAIM STEPS EVERY [EXTRA_SPEC_YAML]
#                                 a FineTuneJob with the quickstart's own recipe on that claim
#                                 (model, dataset and output on it), on CPU, STEPS optimizer steps,
#                                 a checkpoint every EVERY steps; NODES, MICRO_BATCH and
#                                 ACCUMULATION (default 1, 8, 1) set resources.nodes and the batch
#   training_pods JOB             names of the Job's pods, oldest first
#   operator_leader               the pod holding the operator's Lease
#   log_has POD TEXT              predicate: the pod's log contains TEXT

quickstart_volume() { # CLAIM
  local claim="$1"
  k create configmap quickstart-writer --from-file="$QUICKSTART_CLASS" >/dev/null
  k apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: $claim
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: quickstart-data
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: writer
          image: $TRAINER_IMAGE
          command: [java, -Djna.boot.library.path=/opt/kubetune/native/jna, -Djna.nounpack=true,
                    -cp, "/opt/writer:/opt/kubetune/kubetune-trainer.jar:/opt/kubetune/lib/*",
                    QuickstartData, /data]
          volumeMounts:
            - {name: data, mountPath: /data}
            - {name: writer, mountPath: /opt/writer}
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: $claim}
        - name: writer
          configMap: {name: quickstart-writer}
YAML
  wait_until 180 "Job quickstart-data wrote the quickstart model and dataset to claim $claim" \
    jp_is job/quickstart-data '{.status.succeeded}' 1
  step "$(k logs job/quickstart-data | grep 'QUICKSTART DATA OK')"
  expect_eq "$(jp pvc/"$claim" '{.status.phase}')" Bound "claim $claim phase"
}

quickstart_job() { # NAME CLAIM STEPS EVERY [EXTRA_SPEC_YAML]
  local name="$1" claim="$2" steps="$3" every="$4" extra="${5:-}"
  # The recipe of QuickstartJob.spec for the tiny base (trainer-image .../quickstart/QuickstartJob)
  k apply -f - <<YAML | sed 's/^/    /'
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata:
  name: $name
spec:
  model: {source: "pvc://$claim/base-model"}
  datasets:
    - {source: "pvc://$claim/data/identity.jsonl", format: openai, template: qwen_chat}
  method: {type: lora, lora: {r: 64, alpha: 128, dropout: 0.0}}
  training: {maxSteps: $steps, microBatchSize: ${MICRO_BATCH:-8},
             gradientAccumulation: ${ACCUMULATION:-1}, learningRate: 0.003,
             warmupRatio: 0.05, schedule: cosine, weightDecay: 0.0, maxGradNorm: 1.0,
             maxLength: 512, packing: true, seed: 42, precision: fp32}
  checkpoint: {everySteps: $every, keep: 2}
  evaluation: {prompts: ["Who are you?"], everySteps: 40, maxNewTokens: 32}
  output: {path: "pvc://$claim/runs/$name"}
  resources: {nodes: ${NODES:-1}, gpusPerNode: 0}
$extra
YAML
}

training_pods() { # JOB
  k get pods -l "batch.kubernetes.io/job-name=$1" --sort-by=.metadata.creationTimestamp \
    -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}'
}

operator_leader() {
  kubectl -n "$OP_NS" get lease kubetune-operator -o 'jsonpath={.spec.holderIdentity}'
}

log_has() { # POD TEXT
  k logs "$1" 2>/dev/null | grep -qF -- "$2"
}
