//go:build tools

// Package tools pins the upstream main packages that ../build.sh compiles, so that `go mod tidy`
// keeps their dependencies in go.mod/go.sum.
package tools

import (
	_ "github.com/rancher/local-path-provisioner"
	_ "sigs.k8s.io/cri-tools/cmd/crictl"
	_ "sigs.k8s.io/kind"
)
