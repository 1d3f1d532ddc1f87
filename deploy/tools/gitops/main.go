// Command gitops-health says how Argo CD and Flux see kubetune objects: Argo CD's health from
// the Lua checks in deploy/gitops/argocd (run as Argo CD runs a resource customization), and
// kstatus' status (sigs.k8s.io/cli-utils, what Flux's health checks compute).
//
//	gitops-health [-lua DIR] FILE...   # FILE: one object or a List, JSON or YAML; "-" = stdin
//
// One line per object: KIND/NAME <tab> argocd=STATUS <tab> MESSAGE <tab> kstatus=STATUS <tab> MESSAGE.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	luaDir := flag.String("lua", defaultLuaDir(), "folder with finetunejob.lua and modelserve.lua")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: gitops-health [-lua DIR] FILE...")
		os.Exit(64)
	}
	status := 0
	for _, name := range flag.Args() {
		var data []byte
		var err error
		if name == "-" {
			data, err = io.ReadAll(os.Stdin)
		} else {
			data, err = os.ReadFile(name)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(66)
		}
		objects, err := ParseObjects(data)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
			os.Exit(65)
		}
		for _, obj := range objects {
			r, err := Evaluate(*luaDir, obj)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %s/%s: %v\n", name, obj.GetKind(), obj.GetName(), err)
				status = 1
				continue
			}
			fmt.Println(r.Line())
		}
	}
	os.Exit(status)
}

// defaultLuaDir is deploy/gitops/argocd of the repository this binary was started from.
func defaultLuaDir() string {
	if dir := os.Getenv("KUBETUNE_ARGOCD_LUA"); dir != "" {
		return dir
	}
	wd, _ := os.Getwd()
	for d := wd; d != filepath.Dir(d); d = filepath.Dir(d) {
		candidate := filepath.Join(d, "deploy", "gitops", "argocd")
		if _, err := os.Stat(filepath.Join(candidate, "finetunejob.lua")); err == nil {
			return candidate
		}
	}
	return filepath.Join(wd, "deploy", "gitops", "argocd")
}
