//go:build tools

// Package tools pins the helm command so that `go mod tidy` keeps its dependencies in
// go.mod/go.sum; ../build.sh compiles it.
package tools

import (
	_ "helm.sh/helm/v4/cmd/helm"
)
