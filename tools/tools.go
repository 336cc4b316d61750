//go:build tools

// Package tools pins the Pulumi CLI and YAML language host that the end-to-end
// tests and the offline demo build from the Go module proxy.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
