//go:build tools

// Package tools pins versitygw's command so that `go mod tidy` keeps its dependencies in
// go.mod/go.sum; ../build.sh compiles it.
package tools

import (
	_ "github.com/versity/versitygw/cmd/versitygw"
)
