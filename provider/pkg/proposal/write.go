package proposal

import (
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/mdtext"
)

// YAML is the proposed declaration as a file a user reviews and keeps.
func (p *Proposal) YAML(source string) ([]byte, error) {
	js, err := json.Marshal(p.Mesh)
	if err != nil {
		return nil, fmt.Errorf("writing the proposed declaration: %w", err)
	}
	y, err := yaml.JSONToYAML(js)
	if err != nil {
		return nil, fmt.Errorf("writing the proposed declaration: %w", err)
	}
	head := fmt.Sprintf("# Proposed by `servicemesh import` from %s.\n"+
		"# Every service adopts its existing group (adopt: name and description kept).\n"+
		"# Exceptions with the reason %q keep today's access;\n"+
		"# the migration report says what each hides. Review before `pulumi up`.\n", source, ExceptionReason)
	return append([]byte(head), y...), nil
}

// Markdown is the migration report.
func (p *Proposal) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Migration report\n\n%d service(s), %d item(s).\n\n", len(p.Mesh.Services), len(p.Report))
	if len(p.Report) == 0 {
		b.WriteString("Nothing to review.\n")
	}
	// Names, rules and descriptions come from the account: one escaper (mdtext).
	for _, it := range p.Report {
		fmt.Fprintf(&b, "- **%s**", mdtext.Text(it.Kind))
		if it.Service != "" {
			fmt.Fprintf(&b, " %s", mdtext.Text(it.Service))
		}
		if it.GroupID != "" {
			fmt.Fprintf(&b, " (%s)", mdtext.Code(it.GroupID))
		}
		if it.Rule != "" {
			fmt.Fprintf(&b, ", rule %s", mdtext.Code(it.Rule))
		}
		fmt.Fprintf(&b, ": %s.", mdtext.Text(it.Problem))
		if it.Suggest != "" {
			fmt.Fprintf(&b, " Suggested: %s.", mdtext.Text(it.Suggest))
		}
		b.WriteString("\n")
	}
	return b.String()
}
