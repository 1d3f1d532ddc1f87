package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
	"sigs.k8s.io/yaml"
)

// Result is what Argo CD and kstatus say of one object.
type Result struct {
	Kind, Name                    string
	ArgoStatus, ArgoMessage       string
	KstatusStatus, KstatusMessage string
}

// Line is the tab-separated form the tool prints and the tests compare.
func (r Result) Line() string {
	return strings.Join([]string{r.Kind + "/" + r.Name, "argocd=" + r.ArgoStatus, r.ArgoMessage,
		"kstatus=" + r.KstatusStatus, r.KstatusMessage}, "\t")
}

// Evaluate runs the object's Argo CD health script from luaDir and kstatus' Compute.
func Evaluate(luaDir string, obj *unstructured.Unstructured) (Result, error) {
	script, err := os.ReadFile(filepath.Join(luaDir, strings.ToLower(obj.GetKind())+".lua"))
	if err != nil {
		return Result{}, err
	}
	argoStatus, argoMessage, err := ArgoHealth(string(script), obj)
	if err != nil {
		return Result{}, err
	}
	ks, err := status.Compute(obj)
	if err != nil {
		return Result{}, err
	}
	return Result{obj.GetKind(), obj.GetName(), argoStatus, argoMessage, ks.Status.String(), ks.Message}, nil
}

// The health statuses Argo CD accepts from a script; anything else it shows as Unknown.
var argoStatuses = map[string]bool{"Healthy": true, "Progressing": true, "Degraded": true,
	"Suspended": true, "Missing": true, "Unknown": true}

// ArgoHealth runs a health script the way Argo CD runs one from argocd-cm (util/lua, without
// resource.customizations.useOpenLibs): gopher-lua with only the package, base and table
// libraries opened (Argo CD adds a reduced os library, which kubetune's scripts do not use), the
// object as the global obj, a one second limit, and the returned table's status and message. A
// status outside Argo CD's six is an error here (Argo CD would show Unknown).
func ArgoHealth(script string, obj *unstructured.Unstructured) (string, string, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for name, open := range map[string]lua.LGFunction{
		lua.LoadLibName: lua.OpenPackage, lua.BaseLibName: lua.OpenBase, lua.TabLibName: lua.OpenTable,
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(open), Protect: true}, lua.LString(name)); err != nil {
			return "", "", err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj.Object))
	if err := l.DoString(script); err != nil {
		return "", "", err
	}
	table, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return "", "", fmt.Errorf("the script returned %s, not a table", l.Get(-1).Type())
	}
	st := lua.LVAsString(table.RawGetString("status"))
	if !argoStatuses[st] {
		return "", "", fmt.Errorf("the script returned the status %q, which Argo CD shows as Unknown", st)
	}
	return st, lua.LVAsString(table.RawGetString("message")), nil
}

// toLua converts as Argo CD's decodeValue does: numbers (int64 from the API, float64 from JSON)
// to Lua numbers, lists to sequences, maps to tables.
func toLua(l *lua.LState, value interface{}) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []interface{}:
		t := l.CreateTable(len(v), 0)
		for _, item := range v {
			t.Append(toLua(l, item))
		}
		return t
	case map[string]interface{}:
		t := l.CreateTable(0, len(v))
		for k, item := range v {
			t.RawSetH(lua.LString(k), toLua(l, item))
		}
		return t
	}
	return lua.LNil
}

// ParseObjects reads one object, a List (kubectl get -o json/yaml) or a YAML stream.
func ParseObjects(data []byte) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(string(data), "\n---") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		// through JSON with apimachinery's decoder: whole numbers become int64, as the API
		// client gives them (kstatus reads metadata.generation as int64)
		j, err := yaml.YAMLToJSON([]byte(doc))
		if err != nil {
			return nil, err
		}
		m := map[string]interface{}{}
		if err := utiljson.Unmarshal(j, &m); err != nil {
			return nil, err
		}
		if items, ok := m["items"].([]interface{}); ok && strings.HasSuffix(fmt.Sprint(m["kind"]), "List") {
			for _, item := range items {
				if obj, ok := item.(map[string]interface{}); ok {
					out = append(out, &unstructured.Unstructured{Object: obj})
				}
			}
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out, nil
}
