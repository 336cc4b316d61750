package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
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
	var snapshots []string
	fs.Func("snapshot", "", func(s string) error { snapshots = append(snapshots, s); return nil })
	var in flowInput
	in.register(fs)
	vpcID := fs.String("vpc-id", "", "")
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
	// Without describe files the inventory is read live, as it is now:
	// then --region and --endpoint-url serve EC2 and the records alike.
	liveInventory := len(from) == 0 && len(snapshots) == 0
	switch {
	case liveInventory && (in.region == "" || *vpcID == ""):
		return usageError(stderr, "observe takes --from DESCRIBE.json (security groups and network interfaces), or --snapshot TIME=DESCRIBE.json, or --region R --vpc-id V (EC2 live), and flow-log records")
	case !liveInventory && *vpcID != "":
		return usageError(stderr, "--vpc-id goes with --region (EC2 live), not with --from or --snapshot files")
	}
	check := in.check
	if liveInventory {
		check = in.checkRecords
	}
	if err := check(files); err != nil {
		return usageError(stderr, "%v", err)
	}
	switch {
	case !slices.Contains([]string{"text", "json", "markdown", "mermaid"}, *format):
		return usageError(stderr, "--format %q: use text, json, markdown or mermaid", *format)
	case *format == "mermaid" && *meshPath == "":
		return usageError(stderr, "--format mermaid draws the declaration's flows: give --mesh SPEC")
	}
	lf, window, err := in.parsed(time.Now())
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	var timed []observe.TimedAccount
	if liveInventory {
		// The live read every command shares (import, audit, reach), with
		// subnets and network ACLs for which layer refused: one snapshot, as
		// EC2 is now, that holds for every record.
		live := source{region: in.region, vpcID: *vpcID, endpoint: in.endpoint, network: true}
		var acc *ec2read.Account
		acc, err = live.read()
		timed = []observe.TimedAccount{{Account: acc}}
	} else {
		timed, err = readAccounts(from, snapshots)
	}
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	var mesh *observereport.Mesh
	var inv *observe.Inventory
	var perms []observe.Permission
	var skipped int
	if *meshPath != "" {
		m, p, code := load(*meshPath, stderr)
		if p == nil {
			return code
		}
		if mesh, err = observereport.FromMesh(*name, p, timed, m.VpcID); err != nil {
			return usageError(stderr, "%v", err)
		}
		inv, perms = mesh.Inventory, mesh.Permissions
	} else if inv, perms, skipped, err = observe.FromAccounts(timed); err != nil {
		return usageError(stderr, "%v", err)
	}
	res, note, err := in.read(context.Background(), files, lf, window, runtime.GOMAXPROCS(0), inv.Changes()...)
	if note != "" {
		fmt.Fprintln(stderr, note)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	rep := observe.AttributeUnmatched(res.Table.Each, inv, perms, observe.Listening(perms))
	st := observereport.Stats{Files: res.Files, Records: res.Stats.Records, NoData: res.Stats.NoData, SkipData: res.Stats.SkipData,
		Tuples: res.Table.Len(), SkippedRules: skipped}
	r := observereport.Build(st, rep, mesh)
	// Which layer refused a REJECT only when the network ACLs were given:
	// without them the evaluator would have to guess. The latest
	// snapshot's account is the one the rules come from.
	latest := slices.MaxFunc(timed, func(a, b observe.TimedAccount) int { return cmp.Compare(a.Taken, b.Taken) }).Account
	if len(latest.NetworkACLs) > 0 {
		r.Refusals = observe.Explain(latest, rep.Rejected)
	}
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

// readAccounts reads the --from files as one account, or each
// --snapshot TIME=FILE[,FILE...] with the --from files as the account at
// TIME. Every snapshot's problems are reported together.
func readAccounts(from, snapshots []string) ([]observe.TimedAccount, error) {
	if len(snapshots) == 0 {
		snapshots = []string{""}
	}
	var timed []observe.TimedAccount
	var problems []error
	for _, s := range snapshots {
		var taken int64
		files := from
		if s != "" {
			at, list, ok := strings.Cut(s, "=")
			t, err := time.Parse(time.RFC3339, at)
			if !ok || err != nil || list == "" {
				problems = append(problems, fmt.Errorf("--snapshot %q: give TIME=FILE[,FILE...], TIME in RFC 3339 (2026-11-20T10:00:00Z)", s))
				continue
			}
			taken, files = t.Unix(), append(slices.Clone(from), strings.Split(list, ",")...)
		}
		acc, err := ec2read.ReadFiles(files...)
		switch {
		case err != nil:
			problems = append(problems, err)
		case !acc.AttachmentsKnown:
			problems = append(problems, fmt.Errorf("%s: no NetworkInterfaces: give the output of `aws ec2 describe-network-interfaces --output json` too", acc.Source))
		default:
			timed = append(timed, observe.TimedAccount{Taken: taken, Account: acc})
		}
	}
	return timed, errors.Join(problems...)
}
