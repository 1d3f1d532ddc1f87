package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

const (
	testdata = "../../gitops/testdata"
	luaDir   = "../../gitops/argocd"
)

// The objects e2e scenario 16-gitops-health recorded from the cluster (E2E_RECORD_GITOPS) and
// what each must be for Argo CD and kstatus. The verdicts follow from the object's state, not
// from this tool's output: a training job is on its way (Progressing / InProgress), a suspended
// one waits for its user (Suspended; kstatus has no such status, and nothing is in progress:
// Current), a job that failed with exit code 78 (ConfigError) is Degraded and Stalled (Failed),
// a trained job whose ModelServe is ready and that ModelServe are Healthy / Current.
var recorded = []struct {
	file, argo, argoMessage, kstatus string // argoMessage: a part of Argo CD's message
}{
	{"finetunejob-training.yaml", "Progressing", "Running", "InProgress"},
	{"finetunejob-paused.yaml", "Suspended", "Suspended", "Current"},
	{"finetunejob-broken.yaml", "Degraded", "ConfigError: ", "Failed"},
	{"finetunejob-trained.yaml", "Healthy", "Trained", "Current"},
	{"modelserve-trained.yaml", "Healthy", "1 server pod(s) ready at http", "Current"},
}

func TestRecordedObjects(t *testing.T) {
	for _, c := range recorded {
		t.Run(c.file, func(t *testing.T) {
			r := evaluate(t, load(t, c.file))
			expect(t, r, c.argo, c.argoMessage, c.kstatus)
		})
	}
}

func TestEveryRecordedObjectHasAnExpectation(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(testdata, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, f := range files {
		got = append(got, filepath.Base(f))
	}
	for _, c := range recorded {
		want = append(want, c.file)
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("recorded objects %v, expectations for %v", got, want)
	}
}

// A spec change the operator has not yet observed (metadata.generation ahead of
// status.observedGeneration) is Progressing whatever the status says, as Argo CD's own checks
// for Deployments and kstatus' generation rule have it: a failed, suspended or trained job
// edited in Git is on its way, not still Degraded or Healthy.
func TestAnUnobservedSpecChangeIsProgressing(t *testing.T) {
	for _, c := range recorded {
		t.Run(c.file, func(t *testing.T) {
			obj := load(t, c.file)
			observed, found, err := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
			if err != nil || !found {
				t.Fatalf("recorded without status.observedGeneration (%v)", err)
			}
			if obj.GetGeneration() != observed {
				t.Fatalf("recorded with generation %d, observed %d", obj.GetGeneration(), observed)
			}
			obj.SetGeneration(observed + 1)
			expect(t, evaluate(t, obj), "Progressing", "observe generation", "InProgress")
		})
	}
}

// Before the operator has written any status, Argo CD must wait (Progressing). kstatus calls a
// custom resource with no conditions and no observedGeneration Current (its rule for kinds it
// does not know), so Flux can take a FineTuneJob the operator has not yet seen for ready: the
// README says so.
func TestNoStatusYet(t *testing.T) {
	for _, c := range recorded {
		t.Run(c.file, func(t *testing.T) {
			obj := load(t, c.file)
			unstructured.RemoveNestedField(obj.Object, "status")
			expect(t, evaluate(t, obj), "Progressing", "Waiting for the kubetune operator", "Current")
		})
	}
}

// A status some other writer left without observedGeneration says nothing about the current
// spec: Progressing.
func TestAStatusWithoutObservedGenerationIsProgressing(t *testing.T) {
	obj := load(t, "finetunejob-trained.yaml")
	unstructured.RemoveNestedField(obj.Object, "status", "observedGeneration")
	argo, message, err := ArgoHealth(script(t, obj), obj)
	if err != nil || argo != "Progressing" || !strings.Contains(message, "observe generation") {
		t.Fatalf("got %s %q (%v), want Progressing", argo, message, err)
	}
}

// Trained, but the ModelServe of spec.serve is not ready yet: the job is not done for Argo CD;
// and when that ModelServe failed, the job is Degraded (Argo CD does not count the ModelServe the
// operator made in the application's health, so the job has to show it).
func TestTrainedButNotServed(t *testing.T) {
	for _, c := range []struct{ reason, message, argo string }{
		{"ModelServePending", "ModelServe trained is not ready yet", "Progressing"},
		{"ModelServeFailed", "ModelServe trained failed", "Degraded"},
	} {
		obj := load(t, "finetunejob-trained.yaml")
		setCondition(t, obj, "Serving", "False", c.reason, c.message)
		argo, message, err := ArgoHealth(script(t, obj), obj)
		if want := "Trained; " + c.reason + ": " + c.message; err != nil || argo != c.argo || message != want {
			t.Errorf("%s: got %s %q (%v), want %s %q", c.reason, argo, message, err, c.argo, want)
		}
	}
}

// Objects written by hand in the operator's status layout, for states the e2e cluster does not
// reach in scenario 16 (status.progress needs a trainer pod that answers, which kwok pods do not;
// a quota and a server past its deadline need their own set-up).
var handWritten = []struct {
	name, yaml, argo, argoMessage, kstatus string
}{
	{"pending on a quota", `
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata: {name: quota, generation: 1}
status:
  phase: Pending
  observedGeneration: 1
  conditions:
  - {type: Created, status: "False", reason: FailedCreate, message: "exceeded quota: jobs", observedGeneration: 1}
  - {type: Reconciling, status: "True", reason: FailedCreate, message: "exceeded quota: jobs", observedGeneration: 1}
  - {type: Stalled, status: "False", reason: NotStalled, message: no failure, observedGeneration: 1}
`, "Progressing", "FailedCreate: exceeded quota: jobs", "InProgress"},
	{"training with progress", `
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata: {name: progress, generation: 2}
status:
  phase: Running
  observedGeneration: 2
  progress: {step: 40, totalSteps: 100, steps: 40/100, loss: 1.25}
  conditions:
  - {type: Reconciling, status: "True", reason: Training, message: training, observedGeneration: 2}
`, "Progressing", "Running: steps 40/100, loss 1.25", "InProgress"},
	{"exporting", `
apiVersion: kubetune.io/v1alpha1
kind: FineTuneJob
metadata: {name: export, generation: 1}
status:
  phase: Exporting
  observedGeneration: 1
  conditions:
  - {type: Reconciling, status: "True", reason: Exporting, message: exporting, observedGeneration: 1}
`, "Progressing", "Exporting", "InProgress"},
	{"model server past its progress deadline", `
apiVersion: kubetune.io/v1alpha1
kind: ModelServe
metadata: {name: stuck, generation: 1}
status:
  phase: Failed
  observedGeneration: 1
  conditions:
  - {type: ModelResolved, status: "True", reason: Resolved, message: ok, observedGeneration: 1}
  - {type: Ready, status: "False", reason: ProgressDeadlineExceeded, message: the server pods did not become ready, observedGeneration: 1}
  - {type: Reconciling, status: "False", reason: Reconciled, message: nothing is in progress, observedGeneration: 1}
  - {type: Stalled, status: "True", reason: ProgressDeadlineExceeded, message: the server pods did not become ready, observedGeneration: 1}
`, "Degraded", "ProgressDeadlineExceeded: the server pods did not become ready", "Failed"},
	{"model server starting", `
apiVersion: kubetune.io/v1alpha1
kind: ModelServe
metadata: {name: starting, generation: 3}
status:
  phase: Pending
  observedGeneration: 3
  readyReplicas: 0
  conditions:
  - {type: ModelResolved, status: "True", reason: Resolved, message: ok, observedGeneration: 3}
  - {type: Ready, status: "False", reason: Starting, message: waiting for a server pod to become ready, observedGeneration: 3}
  - {type: Reconciling, status: "True", reason: Starting, message: waiting for a server pod to become ready, observedGeneration: 3}
  - {type: Stalled, status: "False", reason: NotStalled, message: no failure, observedGeneration: 3}
`, "Progressing", "Starting: waiting for a server pod to become ready", "InProgress"},
}

func TestHandWrittenStates(t *testing.T) {
	for _, c := range handWritten {
		t.Run(c.name, func(t *testing.T) {
			objects, err := ParseObjects([]byte(c.yaml))
			if err != nil || len(objects) != 1 {
				t.Fatalf("want one object (%v)", err)
			}
			expect(t, evaluate(t, objects[0]), c.argo, c.argoMessage, c.kstatus)
		})
	}
}

func TestAStatusArgoCdDoesNotKnowIsAnError(t *testing.T) {
	obj := parseOne(t, "apiVersion: kubetune.io/v1alpha1\nkind: ModelServe\nmetadata: {name: x}\n")
	if _, _, err := ArgoHealth(`return {status = "Fine"}`, obj); err == nil {
		t.Fatal("status Fine accepted")
	}
}

func TestTheStringLibraryIsNotOpenAsInArgoCd(t *testing.T) {
	obj := parseOne(t, "apiVersion: kubetune.io/v1alpha1\nkind: ModelServe\nmetadata: {name: x}\n")
	if _, _, err := ArgoHealth(`return {status = string.upper("healthy")}`, obj); err == nil {
		t.Fatal("string library available; Argo CD does not open it for argocd-cm scripts")
	}
}

// The patch patch.sh prints carries the two scripts unchanged under Argo CD's keys.
func TestPatchCarriesTheScripts(t *testing.T) {
	out, err := runPatch()
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"FineTuneJob", "ModelServe"} {
		lua, err := os.ReadFile(filepath.Join(luaDir, strings.ToLower(kind)+".lua"))
		if err != nil {
			t.Fatal(err)
		}
		key := "resource.customizations.health.kubetune.io_" + kind
		got, ok := out[key]
		if !ok {
			t.Fatalf("no key %s in the patch", key)
		}
		if got != string(lua) {
			t.Errorf("%s differs from %s.lua", key, strings.ToLower(kind))
		}
	}
}

func load(t *testing.T, file string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, file))
	if err != nil {
		t.Fatal(err)
	}
	return parseOne(t, string(data))
}

func parseOne(t *testing.T, text string) *unstructured.Unstructured {
	t.Helper()
	objects, err := ParseObjects([]byte(text))
	if err != nil || len(objects) != 1 {
		t.Fatalf("want one object (%v)", err)
	}
	return objects[0]
}

func script(t *testing.T, obj *unstructured.Unstructured) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(luaDir, strings.ToLower(obj.GetKind())+".lua"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func evaluate(t *testing.T, obj *unstructured.Unstructured) Result {
	t.Helper()
	r, err := Evaluate(luaDir, obj)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func expect(t *testing.T, r Result, argo, argoMessage, kstatus string) {
	t.Helper()
	if r.ArgoStatus != argo || !strings.Contains(r.ArgoMessage, argoMessage) {
		t.Errorf("Argo CD: got %s %q, want %s with %q", r.ArgoStatus, r.ArgoMessage, argo, argoMessage)
	}
	if r.KstatusStatus != kstatus {
		t.Errorf("kstatus: got %s %q, want %s", r.KstatusStatus, r.KstatusMessage, kstatus)
	}
}

func setCondition(t *testing.T, obj *unstructured.Unstructured, kind, status, reason, message string) {
	t.Helper()
	conditions, _, err := unstructured.NestedSlice(obj.Object, "status", "conditions")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conditions {
		if m := c.(map[string]interface{}); m["type"] == kind {
			m["status"], m["reason"], m["message"] = status, reason, message
			if err := unstructured.SetNestedSlice(obj.Object, conditions, "status", "conditions"); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no condition %s", kind)
}

// runPatch runs patch.sh and returns the data of the ConfigMap patch it prints.
func runPatch() (map[string]string, error) {
	out, err := exec.Command("bash", filepath.Join(luaDir, "patch.sh")).Output()
	if err != nil {
		return nil, err
	}
	var patch struct {
		Data map[string]string `json:"data"`
	}
	return patch.Data, yaml.UnmarshalStrict(out, &patch)
}
