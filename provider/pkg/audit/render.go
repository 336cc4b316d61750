package audit

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/mdtext"
)

// Table renders drifts for a terminal.
func Table(drifts []Drift) string {
	if len(drifts) == 0 {
		return "No drift: AWS holds exactly the planned groups and rules.\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d drift(s)\n\n", len(drifts))
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tSERVICE\tGROUP\tRULE\tDETAIL")
	for _, d := range drifts {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", d.Kind, d.Service, d.GroupID, d.Rule, d.Detail)
	}
	w.Flush()
	b.WriteString("\nFixes\n")
	for _, d := range drifts {
		if d.Fix != "" {
			fmt.Fprintf(&b, "  %s %s %s: %s\n", d.Kind, d.Service, d.Rule, d.Fix)
		}
	}
	return b.String()
}

// JSON renders drifts as {"drifts": [...]}.
func JSON(drifts []Drift) string {
	if drifts == nil {
		drifts = []Drift{}
	}
	b, _ := json.MarshalIndent(map[string][]Drift{"drifts": drifts}, "", "  ")
	return string(b) + "\n"
}

// Markdown renders drifts for a pull request or an issue.
func Markdown(drifts []Drift) string {
	var b strings.Builder
	b.WriteString("## Security group drift\n\n")
	if len(drifts) == 0 {
		b.WriteString("No drift: AWS holds exactly the planned groups and rules.\n")
		return b.String()
	}
	b.WriteString("| kind | service | group | rule | detail | fix |\n|---|---|---|---|---|---|\n")
	// Rules and groups come from the account, where anyone with console
	// access writes descriptions: one escaper for them all (mdtext).
	for _, d := range drifts {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", mdtext.Text(d.Kind), mdtext.Text(d.Service), mdtext.Code(d.GroupID),
			mdtext.Code(d.Rule), mdtext.Text(d.Detail), mdtext.Code(d.Fix))
	}
	return b.String()
}
