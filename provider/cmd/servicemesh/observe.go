package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
)

// runObserve reads flow logs against the account's groups (describe JSON):
// which rules carry traffic, which do not, what was refused.
func runObserve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("servicemesh observe", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var from []string
	fs.Func("from", "", func(s string) error { from = append(from, s); return nil })
	var snapshots []string
	fs.Func("snapshot", "", func(s string) error { snapshots = append(snapshots, s); return nil })
	var in flowInput
	in.register(fs)
	format := fs.String("format", "text", "")
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if len(from) == 0 && len(snapshots) == 0 {
		return usageError(stderr, "observe takes --from DESCRIBE.json (security groups and network interfaces), or --snapshot TIME=DESCRIBE.json, and flow-log records")
	}
	if err := in.check(files); err != nil {
		return usageError(stderr, "%v", err)
	}
	if *format != "text" && *format != "json" {
		return usageError(stderr, "--format %q: use text or json", *format)
	}
	lf, err := logFormat(in.logFormat)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	window, err := in.window(time.Now())
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	inv, perms, skipped, err := readInventory(from, snapshots)
	if err != nil {
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
	rep := observe.Attribute(res.Table.Each, inv, perms, observe.Listening(perms))
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
		return exitOK
	}
	writeObserved(stdout, res, rep, skipped)
	return exitOK
}

// readInventory reads the --from files as one inventory, or each
// --snapshot TIME=FILE[,FILE...] with the --from files as the inventory at
// TIME. Every snapshot's problems are reported together.
func readInventory(from, snapshots []string) (*observe.Inventory, []observe.Permission, int, error) {
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
	if problems != nil {
		return nil, nil, 0, errors.Join(problems...)
	}
	return observe.FromAccounts(timed)
}

func writeObserved(w io.Writer, res flowlog.Result, rep observe.Report, skipped int) {
	st := res.Stats
	fmt.Fprintf(w, "%d records in %d files (%d NODATA, %d SKIPDATA), %d tuples.\n", st.Records, res.Files, st.NoData, st.SkipData, res.Table.Len())
	var decided []string
	for _, m := range []observe.Method{observe.ByTCPFlags, observe.ByServicePort, observe.ByEphemeralPort, observe.Undecided} {
		decided = append(decided, fmt.Sprintf("%s %d", m, rep.Methods[m]))
	}
	fmt.Fprintf(w, "Who initiated, records decided by: %s.\n", strings.Join(decided, ", "))
	fmt.Fprintf(w, "Where each request was logged (arrived, or left its caller), records decided by: %s %d, %s %d.\n\n",
		observe.ByFlowDirection, rep.Sides[observe.ByFlowDirection], observe.ByAddress, rep.Sides[observe.ByAddress])

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tFLOWS\tRECORDS\tPACKETS\tBYTES\tFIRST SEEN\tLAST SEEN\tCALLERS")
	var unused, tighter []string
	for _, h := range rep.Hits {
		if h.Flows == 0 {
			unused = append(unused, h.Rule)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", h.Rule, h.Flows, h.Records, h.Packets, h.Bytes,
			unix(h.FirstSeen), unix(h.LastSeen), strings.Join(h.Callers, ", "))
		if h.NameableCallers {
			tighter = append(tighter, fmt.Sprintf("%s: every caller carries known groups; name them instead: %s", h.Rule, strings.Join(h.Callers, ", ")))
		}
	}
	tw.Flush()
	section(w, "Unused in the window (no accepted request)", unused)
	section(w, "Tighter", tighter)
	var rejected []string
	for _, r := range rep.Rejected {
		kind := "scanning or one-off"
		if r.LooksLikeMissing {
			kind = "repeated from a known caller: a missing rule?"
		}
		rejected = append(rejected, fmt.Sprintf("%s -> %s %s: %d records, %s", r.Caller, r.Callee,
			observe.TupleTraffic(r.Protocol, r.Port), r.Records, kind))
	}
	section(w, "Rejected (a REJECT does not say whether a security group or a network ACL refused)", rejected)
	if rep.Unexplained > 0 {
		fmt.Fprintf(w, "\n%d records of accepted requests match no ingress rule read (another group's rule, or a path through a middlebox).\n", rep.Unexplained)
	}
	if rep.Transit > 0 {
		fmt.Fprintf(w, "\n%d records of requests arrived at a NAT gateway (or a middlebox without groups): forwarded, no rule's.\n", rep.Transit)
	}
	var forwarded []string
	for _, f := range rep.Forwarded {
		forwarded = append(forwarded, fmt.Sprintf("%s -> %s %s via %s: %d records", f.Caller, f.Destination,
			observe.TupleTraffic(f.Protocol, f.Port), f.Via, f.Records))
	}
	section(w, "Through middleboxes (the destination is pkt-dstaddr when logged)", forwarded)
	if rep.NoInterface > 0 {
		fmt.Fprintf(w, "\n%d records of requests were logged on interfaces no inventory snapshot has: not attributed.\n", rep.NoInterface)
	}
	if skipped > 0 {
		fmt.Fprintf(w, "\n%d rules naming prefix lists were not attributed: give get-managed-prefix-list-entries as --from pl-ID=FILE.\n", skipped)
	}
}

func section(w io.Writer, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

func unix(s int64) string { return time.Unix(s, 0).UTC().Format(time.RFC3339) }
