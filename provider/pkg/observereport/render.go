package observereport

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/mdtext"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
)

// Unix is a flow-log time (Unix seconds) as people read it.
func Unix(s int64) string { return time.Unix(s, 0).UTC().Format(time.RFC3339) }

// methods is the tally of how each record's initiator was decided.
func (r Report) methods() string {
	var decided []string
	for _, m := range []observe.Method{observe.ByTCPFlags, observe.ByServicePort, observe.ByEphemeralPort, observe.Undecided} {
		decided = append(decided, fmt.Sprintf("%s %d", m, r.Methods[m]))
	}
	return strings.Join(decided, ", ")
}

// sides is the tally of how each request's side was decided.
func (r Report) sides() string {
	return fmt.Sprintf("%s %d, %s %d", observe.ByFlowDirection, r.Sides[observe.ByFlowDirection], observe.ByAddress, r.Sides[observe.ByAddress])
}

func rejectedKind(x observe.Rejected) string {
	if x.LooksLikeMissing {
		return "repeated from a known caller: a missing rule?"
	}
	return "scanning or one-off"
}

// rejectedNote is what a REJECT does not say.
const rejectedNote = "a REJECT does not say whether a security group or a network ACL refused"

// rejectedTitle heads the rejections: with refusals, the evaluator's
// verdict replaces the caveat.
func (r Report) rejectedTitle() string {
	if r.Refusals != nil {
		return "Rejected (which layer refuses each, by the reach evaluator over the account read)"
	}
	return "Rejected (" + rejectedNote + ")"
}

// refusedBy is the i-th rejection's layer and its rules for a reader, ""
// without refusals.
func (r Report) refusedBy(i int) string {
	if r.Refusals == nil {
		return ""
	}
	x := r.Refusals[i]
	switch x.Layer {
	case observe.ByGroups, observe.ByACL:
		return fmt.Sprintf("refused by the %s (%s -> %s): %s", x.Layer, x.Src, x.Dst, strings.Join(x.Rules, "; "))
	case observe.ByBoth:
		return fmt.Sprintf("refused by both layers (%s -> %s): %s", x.Src, x.Dst, strings.Join(x.Rules, "; "))
	}
	return x.Layer
}

// Text renders the report for a terminal.
func Text(r Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d records in %d files (%d NODATA, %d SKIPDATA), %d tuples.\n", r.Records, r.Files, r.NoData, r.SkipData, r.Tuples)
	fmt.Fprintf(&b, "Who initiated, records decided by: %s.\n", r.methods())
	fmt.Fprintf(&b, "Where each request was logged (arrived, or left its caller), records decided by: %s.\n", r.sides())
	if r.Mesh != "" {
		fmt.Fprintf(&b, "Against the declaration (ServiceMesh %q): %d rules judged, %d unused; %d declared flows, %d never observed; %d observed flows not declared.\n",
			r.Mesh, len(r.Rules), len(r.Unused()), len(r.Flows), len(r.NeverObserved()), len(r.Undeclared))
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tFLOWS\tRECORDS\tPACKETS\tBYTES\tFIRST SEEN\tLAST SEEN\tCALLERS")
	for _, h := range r.Rules {
		if h.Flows > 0 {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", h.Rule, h.Flows, h.Records, h.Packets, h.Bytes,
				Unix(h.FirstSeen), Unix(h.LastSeen), strings.Join(h.Callers, ", "))
		}
	}
	tw.Flush()
	var unused, never, tighter, undeclared, rejected []string
	for _, h := range r.Unused() {
		unused = append(unused, h.Rule)
	}
	for _, f := range r.NeverObserved() {
		never = append(never, fmt.Sprintf("%s -> %s %s (%s)", f.From, f.To, f.Ports, f.Rule))
	}
	for _, h := range r.Tighter() {
		tighter = append(tighter, fmt.Sprintf("%s: every caller carries known groups; name them instead: %s", h.Rule, strings.Join(h.Callers, ", ")))
	}
	for _, u := range r.Undeclared {
		undeclared = append(undeclared, fmt.Sprintf("%s -> %s %s: %d records", u.Caller, u.Callee, observe.TupleTraffic(u.Protocol, u.Port), u.Records))
	}
	for i, x := range r.Rejected {
		line := fmt.Sprintf("%s -> %s %s: %d records, %s", x.Caller, x.Callee,
			observe.TupleTraffic(x.Protocol, x.Port), x.Records, rejectedKind(x))
		if by := r.refusedBy(i); by != "" {
			line += "; " + by
		}
		rejected = append(rejected, line)
	}
	section(&b, "Unused in the window (no accepted request)", unused)
	section(&b, "Declared flows never observed", never)
	section(&b, "Tighter", tighter)
	if r.Mesh != "" {
		section(&b, "Observed flows not declared (allowed by a rule outside the mesh, or a path through a middlebox)", undeclared)
	}
	section(&b, r.rejectedTitle(), rejected)
	if r.Mesh == "" && r.Unexplained > 0 {
		fmt.Fprintf(&b, "\n%d records of accepted requests match no ingress rule read (another group's rule, or a path through a middlebox):\n", r.Unexplained)
		for _, l := range undeclared {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	if r.Transit > 0 {
		fmt.Fprintf(&b, "\n%d records of requests arrived at a NAT gateway (or a middlebox without groups): forwarded, no rule's.\n", r.Transit)
	}
	if r.ViaBalancer > 0 {
		fmt.Fprintf(&b, "\n%s\n", r.viaBalancer())
	}
	var forwarded []string
	for _, f := range r.Forwarded {
		forwarded = append(forwarded, fmt.Sprintf("%s -> %s %s via %s: %d records", f.Caller, f.Destination,
			observe.TupleTraffic(f.Protocol, f.Port), f.Via, f.Records))
	}
	section(&b, "Through middleboxes (the destination is pkt-dstaddr when logged)", forwarded)
	if r.NoInterface > 0 {
		fmt.Fprintf(&b, "\n%d records of requests were logged on interfaces no inventory snapshot has: not attributed.\n", r.NoInterface)
	}
	section(&b, "Not judged", r.Notes)
	return b.String()
}

func section(b *strings.Builder, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n", title)
	for _, l := range lines {
		fmt.Fprintf(b, "  %s\n", l)
	}
}

// JSON renders the report as indented JSON.
func JSON(r Report) string {
	if r.Rules == nil {
		r.Rules = []Rule{}
	}
	if r.Undeclared == nil {
		r.Undeclared = []observe.Unmatched{}
	}
	if r.Rejected == nil {
		r.Rejected = []observe.Rejected{}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil { // plain values only
		panic("encoding the observation: " + err.Error())
	}
	return string(b) + "\n"
}

// Markdown renders the report for a pull request comment: every text from
// the declaration or the account through mdtext, and at most limit
// characters as GitHub counts them; rows past it are left out, and the
// comment says how many.
func Markdown(r Report, limit int) string {
	var b strings.Builder
	b.WriteString("## Observed traffic")
	if r.Mesh != "" {
		b.WriteString(" against mesh " + mdtext.Code(r.Mesh))
	}
	fmt.Fprintf(&b, "\n\n%d records in %d files (%d NODATA, %d SKIPDATA), %d tuples", r.Records, r.Files, r.NoData, r.SkipData, r.Tuples)
	if r.From > 0 {
		fmt.Fprintf(&b, ", %s to %s", Unix(r.From), Unix(r.Until))
	}
	fmt.Fprintf(&b, ". Who initiated, records decided by: %s. Where each request was logged, records decided by: %s.\n", r.methods(), r.sides())
	if r.Transit+r.NoInterface > 0 {
		fmt.Fprintf(&b, "\nNot attributed: %d records of requests through a NAT gateway or a middlebox without groups, %d on interfaces no inventory snapshot has.\n", r.Transit, r.NoInterface)
	}
	if r.ViaBalancer > 0 {
		fmt.Fprintf(&b, "\n%s\n", mdtext.Text(r.viaBalancer()))
	}
	tail := "\n_Rows left out to fit a comment: %d; `--format json` has them all._\n"
	var rows []string
	var tables []struct {
		title, header string
		rows          []string
	}
	add := func(title, header string) {
		tables = append(tables, struct {
			title, header string
			rows          []string
		}{title, header, rows})
		rows = nil
	}
	for _, h := range r.Rules {
		if h.Flows > 0 {
			rows = append(rows, fmt.Sprintf("| %s | %d | %d | %d | %s | %s | %s |", mdtext.Code(h.Rule), h.Flows, h.Packets, h.Bytes,
				Unix(h.FirstSeen), Unix(h.LastSeen), mdtext.Text(strings.Join(h.Callers, ", "))))
		}
	}
	add("Rules that carried traffic", "| rule | flows | packets | bytes | first seen | last seen | callers |\n|---|---:|---:|---:|---|---|---|")
	for _, h := range r.Unused() {
		rows = append(rows, fmt.Sprintf("| %s | %s |", mdtext.Code(h.Rule), mdtext.Text(h.About)))
	}
	add("Unused in the window", "| rule | about |\n|---|---|")
	for _, f := range r.NeverObserved() {
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s |", mdtext.Text(f.From), mdtext.Text(f.To), mdtext.Code(f.Ports), mdtext.Code(f.Rule)))
	}
	add("Declared flows never observed", "| from | to | ports | rule |\n|---|---|---|---|")
	for _, h := range r.Tighter() {
		rows = append(rows, fmt.Sprintf("| %s | %s |", mdtext.Code(h.Rule), mdtext.Text(strings.Join(h.Callers, ", "))))
	}
	add("Tighter: CIDR rules whose every caller carries known groups", "| rule | name these instead |\n|---|---|")
	for _, u := range r.Undeclared {
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %d |", mdtext.Text(u.Caller), mdtext.Text(u.Callee), mdtext.Code(observe.TupleTraffic(u.Protocol, u.Port)), u.Records))
	}
	add("Observed but not declared", "| caller | callee | traffic | records |\n|---|---|---|---:|")
	for i, x := range r.Rejected {
		kind := rejectedKind(x)
		if by := r.refusedBy(i); by != "" {
			kind += "; " + by
		}
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %d | %s |", mdtext.Text(x.Caller), mdtext.Text(x.Callee),
			mdtext.Code(observe.TupleTraffic(x.Protocol, x.Port)), x.Records, mdtext.Text(kind)))
	}
	add(r.rejectedTitle(), "| caller | callee | traffic | records | reads as |\n|---|---|---|---:|---|")
	for _, f := range r.Forwarded {
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %d |", mdtext.Text(f.Caller), mdtext.Code(f.Via), mdtext.Text(f.Destination),
			mdtext.Code(observe.TupleTraffic(f.Protocol, f.Port)), f.Records))
	}
	add("Through middleboxes", "| caller | via | destination | traffic | records |\n|---|---|---|---|---:|")
	for _, n := range r.Notes {
		rows = append(rows, "- "+mdtext.Text(n))
	}
	add("Not judged", "")
	left := 0
	room := limit - mdtext.Len(fmt.Sprintf(tail, 1<<40))
	for _, t := range tables {
		if len(t.rows) == 0 {
			continue
		}
		head := "\n### " + mdtext.Text(t.title) + "\n\n"
		if t.header != "" {
			head += t.header + "\n"
		}
		if left > 0 || mdtext.Len(b.String()+head) > room {
			left += len(t.rows)
			continue
		}
		b.WriteString(head)
		for _, row := range t.rows {
			if left > 0 || mdtext.Len(b.String())+mdtext.Len(row)+1 > room {
				left++
				continue
			}
			b.WriteString(row + "\n")
		}
	}
	if left > 0 {
		fmt.Fprintf(&b, tail, left)
	}
	return b.String()
}

// Mermaid is the mesh's flowchart (package render) with the observation
// on it: declared but unused dashed, observed but undeclared marked. m is
// the mesh r was built with (Build); without one there is no diagram.
func Mermaid(r Report, m *Mesh) string {
	var undeclared []render.ObservedEdge
	index := map[[2]string]int{}
	for _, u := range r.Undeclared {
		k := [2]string{u.Caller, u.Callee}
		i, ok := index[k]
		if !ok {
			i = len(undeclared)
			index[k] = i
			undeclared = append(undeclared, render.ObservedEdge{From: u.Caller, To: u.Callee})
		}
		if tr, ok := observe.TupleRange(u.Protocol, u.Port); ok {
			undeclared[i].Ports = append(undeclared[i].Ports, tr)
		}
	}
	return render.MermaidObserved(m.Plan, render.Observation{
		Unused: func(f flow.Flow) bool {
			used, judged := r.flowsUsed[flowKey{f.From, f.To, f.Ports}]
			return judged && !used
		},
		Undeclared: undeclared,
	})
}

// viaBalancer says how the requests a balancer delivered with its clients'
// addresses were attributed (observe.Report.ViaBalancer).
func (r Report) viaBalancer() string {
	return fmt.Sprintf("%d records of requests arrived at a target with a client's address (a Network Load Balancer preserving client addresses): "+
		"attributed to the target's rule naming the balancer's group, as the balancer's interface logged the same client in an overlapping interval.", r.ViaBalancer)
}
