// Command servicemesh plans a ServiceMesh declaration offline, before any
// stack exists: the groups, rules, flows, quota usage and findings the
// component would produce, or what a change to it would do. See usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/reach/meshproof"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/yamlprogram"
)

// Exit codes (exitGate, 3, is plan --diff's; see review.go).
const (
	exitOK       = 0
	exitFindings = 1 // a declaration has errors
	exitUsage    = 2 // bad arguments, or a file that cannot be read
	// exitNoPreview: preview-summary was given no preview it can vouch for
	// (empty, not JSON, a failed preview, or no ServiceMesh in it).
	exitNoPreview = 4
	// exitBaseBroken: plan --diff wrote the review, but OLD (REV's version
	// with --base) could not be planned, so NEW is shown as if from nothing.
	exitBaseBroken = 5
)

const usage = `usage:
  servicemesh plan [--format table|json|mermaid|matrix] SPEC
  servicemesh plan --diff [--format table|json|markdown] [--name NAME]
                   [--fail-on warnings|opened-flows|breaking] OLD NEW
  servicemesh plan --diff --base REV [flags as above] NEW
  servicemesh preview-summary < preview.json
  servicemesh import --from FILE | --region R --vpc-id V [--tier NAME=CIDR ...] [--flows FLOWLOG ...] [-o OUT]
  servicemesh audit --from FILE | --region R --vpc-id V [--state EXPORT] SPEC
  servicemesh reach --from A --to B --port tcp/443 FILE... | --region R --vpc-id V
  servicemesh flows [--log-format FORMAT] [--workers N] [--csv] RECORDS
  servicemesh flows --athena-sql --table NAME [--log-format FORMAT] [--since T] [--until T]
  servicemesh observe --from DESCRIBE.json... [--mesh SPEC [--name NAME]] [--log-format FORMAT]
                      [--format text|json|markdown|mermaid] RECORDS
  servicemesh observe [--from FILE...] --snapshot TIME=FILE[,FILE...]... [flags as above] RECORDS
  servicemesh observe --region R --vpc-id V [--endpoint-url URL] [flags as above] RECORDS
  servicemesh --version

Plans a ServiceMesh declaration offline, with the component's own pipeline:
SPEC, OLD and NEW are declarations in YAML or JSON, the component's inputs
(see examples/reference.yaml), or Pulumi YAML programs (Pulumi.yaml), read
as the properties of their one servicemesh:index:ServiceMesh resource.
Flags may come before or after the files.

  plan SPEC     groups and rules, tiers, the flow matrix, quota usage and
                every finding (--format table, the default); the whole plan
                (json); a Mermaid flowchart (mermaid); the flow matrix alone
                (matrix), as the component's diagram and flowMatrix outputs.
                With networkAcls on, table and matrix add each declared
                flow's verdict through both layers (see servicemesh reach).
  plan --diff   what changing OLD into NEW creates, deletes, replaces or
                updates, named as the ServiceMesh component NAME (default
                "mesh") names its children: the names pulumi preview lists.
                A vpcId set in both files counts; a group whose name,
                description or VPC changes is replaced, and so are its rules.
                --format markdown is the review for a pull request: flows
                opened and closed (world-open and data-tier flows first),
                NEW's findings, quota headroom that changed, then the
                resources, under 65,000 characters; json carries the flows
                too. --base REV reads OLD from git (git show REV:NEW); a file
                missing at REV is a new mesh, diffed from nothing. When OLD
                cannot be planned (it has errors, or is unreadable), the
                review says so and why, and shows NEW as if from nothing.
  preview-summary
                the same Markdown for the mesh's children in the output of
                pulumi preview --json --show-sames, read on stdin: what the
                engine will do, grouped by security group, delete-first
                replacements called out. A failed preview (error
                diagnostics), empty or malformed input, or a preview that
                lists no ServiceMesh is refused (exit 4), never summarised
                as safe; run the pipe under set -o pipefail.

SPEC, OLD and NEW must be regular files of at most 4 MiB; a symbolic link
is followed only to a file inside the working directory.

  flows         VPC Flow Logs files (v2-v5, with or without the S3 header
                line, plain or gzip) aggregated to one row per interface,
                source, destination, destination port, protocol and action:
                records, packets, bytes, OR of tcp-flags, first start, last
                end (--csv, sorted). --log-format is the format of files
                without a header (default: the v2 default format).
                With --athena-sql, the Athena (Trino) query that aggregates
                --table (columns as the Athena User Guide's flow-log table,
                or the --log-format's fields with _ for -) the same way;
                its CSV result is read back with --athena-csv.
  observe       flow logs against the account's security groups (the
                output of describe-security-groups and
                describe-network-interfaces): per ingress rule the accepted
                requests it allowed (flows, records, packets, bytes, first
                and last seen, callers by group name or address), rules
                unused in the window, CIDR rules whose callers all carry
                known groups, and rejected traffic by caller, callee and
                port. Replies are told from requests by tcp-flags, else by
                ports; the summary says how many records each way decided.
                With --mesh SPEC, the declaration is the reference: per
                planned rule (by its resource name; NAME is the ServiceMesh
                resource's name, default "mesh"), with the account's groups
                matched as audit matches them; declared flows never
                observed; observed flows no rule declares. markdown is for
                a pull request; mermaid (with --mesh) draws declared but
                unused flows dashed and observed undeclared ones labelled.
                Interfaces are reused: --snapshot TIME=FILE[,FILE...]
                (repeated; TIME in RFC 3339, FILE describe JSON, read with
                every --from file) is the inventory as taken at TIME. A
                record is attributed with the interfaces of the latest
                snapshot taken at or before its start (the earliest before
                the first; tuples are split at the snapshots' times, but
                --athena-csv tuples come aggregated); the rules are the
                latest snapshot's. Requests arriving at a NAT gateway are
                transit, listed by the destination pkt-dstaddr names. A
                rule naming a prefix list is matched against its entries:
                give describe-managed-prefix-lists and, as pl-ID=FILE,
                get-managed-prefix-list-entries among the --from files.
                With describe-network-acls and describe-subnets given too,
                each rejection says which layer refuses it (see reach).
                With --region R --vpc-id V and no describe files, the
                inventory (groups, interfaces, the prefix lists rules name,
                subnets and network ACLs) is read from EC2 live, as it is
                now: one snapshot for every record.

RECORDS, for flows and observe, is one of: flow-log files; --s3
s3://BUCKET/PREFIX (the flow log's S3 destination: the files under
AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/, gzip streamed); --log-group
NAME (CloudWatch Logs; the records are in the --log-format of the flow
log); or --athena-csv RESULT.csv... (the saved result of the --athena-sql
query). --since T and --until T keep the records that start in [T, T'):
a time (2026-11-27T08:00:00Z), a day (its midnight UTC) or a duration
before now (24h). --region and --endpoint-url (an emulator) are for --s3
and --log-group; credentials come from the usual AWS environment.

Findings go to stderr, each with its fix: warnings always, and errors,
which stop the plan.

Exit status: 0 planned (warnings allowed); 1 a declaration has errors (with
--format markdown, NEW's errors are printed as the review too); 2 usage error
or unreadable file; 3 planned, but a --fail-on condition holds: NEW has
warnings, the change opens flows (for a pipeline that asks a human to
approve any new access), or it breaks traffic (a delete-first replacement,
or a flow closed); 4 preview-summary has no preview it can vouch for; 5 the
review was written, but OLD could not be planned.
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the command: args without the program name. It returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return usageError(stderr, "no command given")
	}
	switch args[0] {
	case "import":
		return runImport(args[1:], stdout, stderr)
	case "audit":
		return runAudit(args[1:], stdout, stderr)
	case "reach":
		return runReach(args[1:], stdout, stderr)
	case "flows":
		return runFlows(args[1:], stdout, stderr)
	case "observe":
		return runObserve(args[1:], stdout, stderr)
	case "plan":
	case "preview-summary":
		return runPreviewSummary(args[1:], stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, servicemesh.Version)
		return exitOK
	default:
		return usageError(stderr, "unknown command %q: use plan, preview-summary, import or audit", args[0])
	}
	fs := flag.NewFlagSet("servicemesh plan", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "table", "")
	diff := fs.Bool("diff", false, "")
	name := fs.String("name", "mesh", "")
	base := fs.String("base", "", "")
	var failOn []string
	fs.Var(failOnFlag{&failOn}, "fail-on", "")
	files, err := parseInterspersed(fs, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if *diff {
		return runDiff(diffArgs{name: *name, format: *format, base: *base, failOn: failOn, files: files}, stdout, stderr)
	}
	if *base != "" || len(failOn) > 0 {
		return usageError(stderr, "--base and --fail-on go with plan --diff")
	}
	if len(files) != 1 {
		return usageError(stderr, "plan takes one file, SPEC; got %d", len(files))
	}
	var show func(*plan.Plan) string
	switch *format {
	case "table":
		show = render.Table
	case "json":
		show = render.JSON
	case "mermaid":
		show = render.Mermaid
	case "matrix":
		show = render.Matrix
	default:
		return usageError(stderr, "unknown --format %q: use table, json, mermaid or matrix", *format)
	}
	m, p, code := load(files[0], stderr)
	if p == nil {
		return code
	}
	fmt.Fprint(stdout, show(p))
	if p.NetworkAcls != nil && (*format == "table" || *format == "matrix") {
		fmt.Fprint(stdout, "\n"+layers(m, p))
	}
	return exitOK
}

// layers is the flow matrix's column for the second layer: each declared
// flow through the security groups and the network ACLs, as the
// reachability evaluator finds them in the account the plan would make.
func layers(m spec.Mesh, p *plan.Plan) string {
	r, err := meshproof.Prove(m, p)
	if err != nil {
		return fmt.Sprintf("Both layers: not evaluated: %v\n", err)
	}
	return r.Layers()
}

// parseInterspersed parses flags wherever they are among the arguments, as
// the flag package alone does not: "plan SPEC --format json" works too. An
// argument "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return files, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(files, rest...), nil
		}
		files = append(files, rest[0])
		args = rest[1:]
	}
}

// usageError says what is wrong in one line and where the help is: the
// whole usage would bury the line in a CI log.
func usageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "servicemesh: %s\nRun 'servicemesh --help' for usage.\n", fmt.Sprintf(format, args...))
	return exitUsage
}

// load reads and plans one declaration. It prints findings to stderr: the
// errors, each with its fix, when the declaration cannot be planned (and
// returns a nil plan), or else the warnings.
func load(path string, stderr io.Writer) (spec.Mesh, *plan.Plan, int) {
	data, err := readDeclaration(path)
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh: %v\n", err)
		return spec.Mesh{}, nil, exitUsage
	}
	m, p, code := planData(path, data, stderr)
	if code != exitOK {
		return m, nil, code
	}
	return m, p, code
}

// decode reads a declaration, or the ServiceMesh resource's properties in a
// Pulumi YAML program (Pulumi.yaml), so a YAML user plans the program they run.
func decode(data []byte) (spec.Mesh, error) {
	if yamlprogram.IsProgram(data) {
		return yamlprogram.Mesh(data)
	}
	return spec.Decode(data)
}

// planData plans a declaration read from label, printing findings as load
// does. With errors, it returns exitFindings and the plan holding them (nil
// when the declaration does not decode).
func planData(label string, data []byte, stderr io.Writer) (spec.Mesh, *plan.Plan, int) {
	m, err := decode(data)
	if err != nil {
		fmt.Fprintf(stderr, "servicemesh: %s: %v\n", label, err)
		return spec.Mesh{}, nil, exitFindings
	}
	p, err := plan.Build(m)
	if err != nil {
		var fe *finding.Errors
		if !errors.As(err, &fe) {
			fmt.Fprintf(stderr, "servicemesh: %s: %v\n", label, err)
			return m, nil, exitFindings
		}
		fmt.Fprintf(stderr, "servicemesh: %s: %v\n", label, err)
		if w := p.Findings.Warnings(); len(w) > 0 {
			fmt.Fprintf(stderr, "and %d warning(s):\n", len(w))
			for _, f := range w {
				fmt.Fprintf(stderr, "  %s\n", f)
			}
		}
		return m, p, exitFindings
	}
	for _, w := range p.Findings.Warnings() {
		fmt.Fprintf(stderr, "%s: %s\n", label, w)
	}
	return m, p, exitOK
}

// readDeclaration reads a declaration file within bounds: a declaration
// arrives in a pull request its author controls, so a symbolic link to
// /dev/zero, a FIFO, or a file outside the checkout (whose first line an
// error would echo into a CI log) is refused before it is read.
func readDeclaration(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is %s, not a regular file; give the declaration file itself", path, kind(info.Mode()))
	}
	if info.Size() > spec.MaxBytes {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d (4 MiB) a declaration may have", path, info.Size(), spec.MaxBytes)
	}
	if err := insideWorkingDir(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file may grow between the check and the read.
	data, err := io.ReadAll(io.LimitReader(f, spec.MaxBytes+1))
	if err == nil && len(data) > spec.MaxBytes {
		err = fmt.Errorf("%s grew past %d bytes (4 MiB) while being read", path, spec.MaxBytes)
	}
	return data, err
}

// kind names what a path that is not a regular file is.
func kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	default:
		return "a special file"
	}
}

// insideWorkingDir refuses a path whose symbolic links lead out of the
// working directory. A path given without links is the caller's choice.
func insideWorkingDir(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	if real == abs {
		return nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	if wd, err = filepath.EvalSymlinks(wd); err != nil {
		return err
	}
	if rel, err := filepath.Rel(wd, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s is a symbolic link to a file outside the working directory; give the declaration file itself", path)
	}
	return nil
}
