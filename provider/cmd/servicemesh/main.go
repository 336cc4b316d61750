// Command servicemesh plans a service mesh declaration offline, before any
// stack exists: the groups, rules, flows and findings the ServiceMesh
// component would produce, or what a change to it would do.
//
//	servicemesh plan [--format table|json|mermaid|matrix] SPEC
//	servicemesh plan --diff OLD NEW
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1 // the declaration has errors
	exitUsage    = 2 // bad arguments or unreadable files
)

const usage = `usage:
  servicemesh plan [--format table|json|mermaid|matrix] SPEC
  servicemesh plan --diff OLD NEW

SPEC, OLD and NEW are declarations in YAML or JSON (see examples/reference.yaml).
--diff names the resources a change would create, delete, replace or update,
as the ServiceMesh component names them (for a mesh called "mesh").
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "plan" {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "table", "table, json, mermaid or matrix")
	diff := fs.Bool("diff", false, "compare two declarations: OLD NEW")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	files := fs.Args()
	if *diff {
		if len(files) != 2 {
			fmt.Fprint(stderr, usage)
			return exitUsage
		}
		return runDiff(files[0], files[1], stdout, stderr)
	}
	if len(files) != 1 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	p, code := load(files[0], stderr)
	if p == nil {
		return code
	}
	switch *format {
	case "table":
		fmt.Fprint(stdout, render.Table(p))
	case "json":
		fmt.Fprint(stdout, render.JSON(p))
	case "mermaid":
		fmt.Fprint(stdout, render.Mermaid(p))
	case "matrix":
		fmt.Fprint(stdout, render.Matrix(p))
	default:
		fmt.Fprintf(stderr, "unknown --format %q\n%s", *format, usage)
		return exitUsage
	}
	return code
}

// load plans one file. It prints findings to stderr and returns a nil plan
// when the declaration cannot be planned.
func load(path string, stderr io.Writer) (*plan.Plan, int) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh: %v\n", err)
		return nil, exitUsage
	}
	m, err := spec.Decode(data)
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh: %s: %v\n", path, err)
		return nil, exitFindings
	}
	p, err := plan.Build(m)
	var fe *finding.Errors
	if errors.As(err, &fe) {
		fmt.Fprintf(stderr, "servicemesh: %s: %v\n", path, err)
		return nil, exitFindings
	}
	for _, w := range p.Findings.Warnings() {
		fmt.Fprintf(stderr, "%s: %s\n", path, w)
	}
	return p, exitOK
}

func runDiff(oldPath, newPath string, stdout, stderr io.Writer) int {
	old, code := load(oldPath, stderr)
	if old == nil {
		return code
	}
	cur, code := load(newPath, stderr)
	if cur == nil {
		return code
	}
	d := plandiff.Compare("mesh", old, cur)
	if d.Empty() {
		fmt.Fprintln(stdout, "no changes")
		return exitOK
	}
	for _, s := range []struct {
		sign  string
		names []string
	}{{"+ create ", d.Create}, {"- delete ", d.Delete}, {"+-replace", d.Replace}, {"~ update ", d.Update}} {
		for _, n := range s.names {
			fmt.Fprintf(stdout, "%s %s\n", s.sign, n)
		}
	}
	return exitOK
}
