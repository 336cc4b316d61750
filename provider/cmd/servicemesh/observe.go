package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observereport"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/review"
)

// runObserve reads flow logs against the account's groups (describe JSON),
// or, with --mesh, against a declaration's planned rules: which rules carry
// traffic, which do not, what was refused, what no rule declares.
func runObserve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("servicemesh observe", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var from []string
	fs.Func("from", "", func(s string) error { from = append(from, s); return nil })
	logFormatFlag := fs.String("log-format", "", "")
	format := fs.String("format", "text", "")
	meshPath := fs.String("mesh", "", "")
	name := fs.String("name", "mesh", "")
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if len(from) == 0 || len(files) == 0 {
		return usageError(stderr, "observe takes --from DESCRIBE.json (security groups and network interfaces) and one or more flow-log files")
	}
	switch {
	case !slices.Contains([]string{"text", "json", "markdown", "mermaid"}, *format):
		return usageError(stderr, "--format %q: use text, json, markdown or mermaid", *format)
	case *format == "mermaid" && *meshPath == "":
		return usageError(stderr, "--format mermaid draws the declaration's flows: give --mesh SPEC")
	}
	lf, err := logFormat(*logFormatFlag)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	acc, err := ec2read.ReadFiles(from...)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if !acc.AttachmentsKnown {
		return usageError(stderr, "%s: no NetworkInterfaces: give the output of `aws ec2 describe-network-interfaces --output json` too", acc.Source)
	}
	var mesh *observereport.Mesh
	var ifaces []observe.Interface
	var perms []observe.Permission
	var notes []string
	if *meshPath != "" {
		m, p, code := load(*meshPath, stderr)
		if p == nil {
			return code
		}
		if mesh, err = observereport.FromMesh(*name, p, acc, m.VpcID); err != nil {
			return usageError(stderr, "%v", err)
		}
		ifaces, perms = mesh.Interfaces, mesh.Permissions
	} else {
		var skipped int
		if ifaces, perms, skipped, err = observe.FromAccount(acc); err != nil {
			return usageError(stderr, "%v", err)
		}
		if skipped > 0 {
			notes = append(notes, fmt.Sprintf("%d rules naming prefix lists were not attributed (their ranges are not read yet)", skipped))
		}
	}
	res, err := flowlog.AggregateFiles(files, lf, runtime.GOMAXPROCS(0))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	rep := observe.Attribute(res.Table.Each, observe.NewInventory(ifaces), perms, observe.Listening(perms))
	st := observereport.Stats{Files: res.Files, Records: res.Stats.Records, NoData: res.Stats.NoData, SkipData: res.Stats.SkipData, Tuples: res.Table.Len()}
	r := observereport.Build(st, rep, mesh, notes)
	switch *format {
	case "json":
		fmt.Fprint(stdout, observereport.JSON(r))
	case "markdown":
		fmt.Fprint(stdout, observereport.Markdown(r, review.CommentLimit))
	case "mermaid":
		fmt.Fprint(stdout, observereport.Mermaid(r, mesh))
	default:
		fmt.Fprint(stdout, observereport.Text(r))
	}
	return exitOK
}
