package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/wellknown"
)

// runObserve reads flow logs against the account's groups (describe JSON):
// which rules carry traffic, which do not, what was refused.
func runObserve(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("servicemesh observe", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var from []string
	fs.Func("from", "", func(s string) error { from = append(from, s); return nil })
	logFormatFlag := fs.String("log-format", "", "")
	format := fs.String("format", "text", "")
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
	if *format != "text" && *format != "json" {
		return usageError(stderr, "--format %q: use text or json", *format)
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
	ifaces, perms, skipped, err := observe.FromAccount(acc)
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	res, err := flowlog.AggregateFiles(files, lf, runtime.GOMAXPROCS(0))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	rep := observe.Attribute(res.Table.Each, observe.NewInventory(ifaces), perms, listening(perms))
	// Which layer refused a REJECT only when the network ACLs were given:
	// without them the evaluator would have to guess.
	var refusals []observe.Refusal
	if len(acc.NetworkACLs) > 0 {
		refusals = observe.Explain(acc, rep.Rejected)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		var out any = rep
		if refusals != nil {
			out = struct {
				observe.Report
				Refusals []observe.Refusal `json:"refusals"`
			}{rep, refusals}
		}
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
		return exitOK
	}
	writeObserved(stdout, res, rep, refusals, skipped)
	return exitOK
}

// listening is the ports services accept: every rule's ports (ranges of up
// to maxListening ports) and the well-known ports.
func listening(perms []observe.Permission) func(protocol, port int) bool {
	const maxListening = 100
	type key struct{ protocol, port int }
	set := map[key]bool{}
	number := map[string]int{ports.TCP: 6, ports.UDP: 17}
	for _, p := range perms {
		n, ok := number[p.Ports.Protocol]
		if !ok || p.Ports.To-p.Ports.From >= maxListening {
			continue
		}
		for port := p.Ports.From; port <= p.Ports.To; port++ {
			set[key{n, port}] = true
		}
	}
	for _, w := range wellknown.Table {
		set[key{number[w.Protocol], w.Port}] = true
	}
	return func(protocol, port int) bool { return set[key{protocol, port}] }
}

func writeObserved(w io.Writer, res flowlog.Result, rep observe.Report, refusals []observe.Refusal, skipped int) {
	st := res.Stats
	fmt.Fprintf(w, "%d records in %d files (%d NODATA, %d SKIPDATA), %d tuples.\n", st.Records, res.Files, st.NoData, st.SkipData, res.Table.Len())
	var decided []string
	for _, m := range []observe.Method{observe.ByTCPFlags, observe.ByServicePort, observe.ByEphemeralPort, observe.Undecided} {
		decided = append(decided, fmt.Sprintf("%s %d", m, rep.Methods[m]))
	}
	fmt.Fprintf(w, "Who initiated, records decided by: %s.\n\n", strings.Join(decided, ", "))

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
	for i, r := range rep.Rejected {
		kind := "scanning or one-off"
		if r.LooksLikeMissing {
			kind = "repeated from a known caller: a missing rule?"
		}
		line := fmt.Sprintf("%s -> %s %s: %d records, %s", r.Caller, r.Callee, observe.TupleTraffic(r.Protocol, r.Port), r.Records, kind)
		if refusals != nil {
			line += "; " + refusedBy(refusals[i])
		}
		rejected = append(rejected, line)
	}
	title := "Rejected (a REJECT does not say whether a security group or a network ACL refused)"
	if refusals != nil {
		title = "Rejected (which layer refuses each, by the reach evaluator over the describe files)"
	}
	section(w, title, rejected)
	if rep.Unexplained > 0 {
		fmt.Fprintf(w, "\n%d records of accepted requests match no ingress rule read (another group's rule, or a path through a middlebox).\n", rep.Unexplained)
	}
	if skipped > 0 {
		fmt.Fprintf(w, "\n%d rules naming prefix lists were not attributed (their ranges are not read yet).\n", skipped)
	}
}

// refusedBy is a Refusal for a reader: the layer and its rules, on the path
// evaluated.
func refusedBy(x observe.Refusal) string {
	switch x.Layer {
	case observe.ByGroups, observe.ByACL:
		return fmt.Sprintf("refused by the %s (%s -> %s): %s", x.Layer, x.Src, x.Dst, strings.Join(x.Rules, "; "))
	case observe.ByBoth:
		return fmt.Sprintf("refused by both layers (%s -> %s): %s", x.Src, x.Dst, strings.Join(x.Rules, "; "))
	}
	return x.Layer
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
