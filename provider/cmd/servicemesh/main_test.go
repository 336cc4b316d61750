package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

const reference = "../../../examples/reference.yaml"

func runCLI(args ...string) (int, string, string) {
	var out, errs strings.Builder
	code := run(args, &out, &errs)
	return code, out.String(), errs.String()
}

func TestPlanFormats(t *testing.T) {
	for format, want := range map[string]string{
		"table":   "8 security groups, 34 rules",
		"json":    `"service": "MySQL"`,
		"mermaid": "flowchart LR",
		"matrix":  "caller \\ callee",
	} {
		code, out, errs := runCLI("plan", "--format", format, reference)
		assert.Equal(t, 0, code, "%s: %s", format, errs)
		assert.Contains(t, out, want, format)
	}
}

func TestPlanErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	assert.NoError(t, os.WriteFile(bad, []byte("tiers: [{name: web}]\nservices: [{name: A, tier: wbe}]\n"), 0o644))
	code, _, errs := runCLI("plan", bad)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errs, `service "A": service is in undeclared tier "wbe"; fix: did you mean "web"?`)

	code, _, _ = runCLI("plan", "missing.yaml")
	assert.Equal(t, exitUsage, code)
	code, _, errs = runCLI("plan", "--format", "pdf", reference)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, `unknown --format "pdf"`)
	code, _, _ = runCLI("apply")
	assert.Equal(t, exitUsage, code)
}

func TestPlanDiff(t *testing.T) {
	src, err := os.ReadFile(reference)
	assert.NoError(t, err)
	changed := filepath.Join(t.TempDir(), "changed.yaml")
	assert.NoError(t, os.WriteFile(changed, []byte(strings.Replace(string(src), "ports: [3306]", "ports: [3307]", 1)), 0o644))
	code, out, _ := runCLI("plan", "--diff", reference, changed)
	assert.Equal(t, 0, code)
	assert.Equal(t, "+ create  mesh-MySQL-ingress-tcp-3307-sg_CustomerManagement-API\n"+
		"- delete  mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API\n", out)
	code, out, _ = runCLI("plan", "--diff", reference, reference)
	assert.Equal(t, 0, code)
	assert.Equal(t, "no changes\n", out)
}
