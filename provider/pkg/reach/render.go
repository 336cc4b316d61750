package reach

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
)

// Text is the answer for a reader: the verdict, then per path the first
// refusal and every layer with the rule that decided it.
func Text(ans Answer) string {
	var b strings.Builder
	verdict := "yes"
	if !ans.Allowed {
		verdict = "no"
	}
	fmt.Fprintf(&b, "can %s reach %s on %s", ans.Query.From, ans.Query.To, ans.Query.Traffic)
	if r, ok := replyOf(ans.Query.Traffic, ans.Query.Ephemeral); ok {
		fmt.Fprintf(&b, " (replies on %s)", r)
	}
	fmt.Fprintf(&b, "? %s\n", verdict)
	for _, u := range ans.Unchecked {
		fmt.Fprintf(&b, "not checked: %s\n", u)
	}
	for _, p := range ans.Paths {
		fmt.Fprintf(&b, "\n%s -> %s: ", p.From, p.To)
		if r := p.Refusal(); r != nil {
			fmt.Fprintf(&b, "refused by the %s", r.Layer.Title())
			if r.Resource != "" {
				fmt.Fprintf(&b, " (%s)", r.Resource)
			}
			fmt.Fprintf(&b, ": %s\n", strings.Join(r.Rules, "; "))
		} else {
			b.WriteString("allowed\n")
		}
		w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, c := range p.Checks {
			verdict, why := "allow", strings.Join(c.Rules, "; ")
			switch {
			case c.Skipped != "":
				verdict, why = "n/a", c.Skipped
			case !c.Allowed:
				verdict = "REFUSE " + c.Refused.String()
			}
			fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", c.Layer.Title(), c.Resource, verdict, why)
			for _, n := range c.Notes {
				fmt.Fprintf(w, "  \t\tnote\t%s\n", n)
			}
		}
		w.Flush()
	}
	return b.String()
}

// JSON is the answer for a program: the query, the verdict and every path.
func JSON(ans Answer) string {
	out := struct {
		From      string `json:"from"`
		To        string `json:"to"`
		Traffic   string `json:"traffic"`
		Ephemeral string `json:"ephemeral"`
		Answer
	}{ans.Query.From, ans.Query.To, ans.Query.Traffic.String(), ans.Query.Ephemeral.String(), ans}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		panic(err) // plain strings, bools and numbers always marshal
	}
	return string(data) + "\n"
}
