package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/audit"
)

const auditUsage = `usage:
  servicemesh audit --from FILE [--from FILE ...] [--state EXPORT] [--name NAME] [--format table|json|markdown] SPEC
  servicemesh audit --region R --vpc-id V [--endpoint-url URL] [--state EXPORT] [...] SPEC

Compares the declaration SPEC with the security groups that exist (describe
JSON files, or EC2 live): rules in AWS but not in the plan (added by hand),
planned rules missing, groups whose name, description or VPC differ, groups
attached to no network interface (when interfaces were read), and, given
--state (pulumi stack export output), groups and rules the state does not
hold, with the pulumi command that adopts each. NAME is the ServiceMesh
resource's name (default "mesh").

Exit status: 0 no drift; 3 drift; 1 the declaration has errors; 2 usage.
`

const exitDrift = 3

func runAudit(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("servicemesh audit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var src source
	src.register(fs)
	statePath := fs.String("state", "", "")
	name := fs.String("name", "mesh", "")
	format := fs.String("format", "table", "")
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, auditUsage)
		return exitOK
	}
	render := map[string]func([]audit.Drift) string{"table": audit.Table, "json": audit.JSON, "markdown": audit.Markdown}[*format]
	switch {
	case err != nil:
	case len(files) != 1:
		err = fmt.Errorf("audit takes one file, SPEC; got %d", len(files))
	case render == nil:
		err = fmt.Errorf("unknown --format %q: use table, json or markdown", *format)
	}
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh audit: %v\n\n%s", err, auditUsage)
		return exitUsage
	}
	m, p, code := load(files[0], stderr)
	if p == nil {
		return code
	}
	if src.vpcID == "" {
		src.vpcID = m.VpcID
	}
	a, err := src.read()
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh audit: %v\n", err)
		return exitUsage
	}
	opts := audit.Options{Mesh: *name, VpcID: m.VpcID}
	if *statePath != "" {
		data, err := os.ReadFile(*statePath)
		if err == nil {
			opts.State, err = audit.ReadState(data)
		}
		if err != nil {
			fmt.Fprintf(stderr, "servicemesh audit: %s: %v\n", *statePath, err)
			return exitUsage
		}
	}
	drifts := audit.Compare(p, a, opts)
	fmt.Fprint(stdout, render(drifts))
	if len(drifts) > 0 {
		return exitDrift
	}
	return exitOK
}
