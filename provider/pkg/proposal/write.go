package proposal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	yamlv3 "go.yaml.in/yaml/v3"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/mdtext"
)

// YAML is the proposed declaration as a file a user reviews and keeps. Keys
// keep the declaration's field order (a service's name and tier first, its
// adopt last), not the alphabetical order that would open every service
// with adopt.
func (p *Proposal) YAML(source string) ([]byte, error) {
	js, err := json.Marshal(p.Mesh)
	if err != nil {
		return nil, fmt.Errorf("writing the proposed declaration: %w", err)
	}
	// JSON is YAML: parsed as nodes, its objects keep their order.
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(js, &doc); err != nil {
		return nil, fmt.Errorf("writing the proposed declaration: %w", err)
	}
	blockStyle(&doc)
	var y bytes.Buffer
	enc := yamlv3.NewEncoder(&y)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("writing the proposed declaration: %w", err)
	}
	head := fmt.Sprintf("# Proposed by `servicemesh import` from %s.\n"+
		"# Every service adopts its existing group (adopt: name and description kept).\n"+
		"# Exceptions with the reason %q keep today's access;\n"+
		"# the migration report says what each hides. Review before `pulumi up`.\n", source, ExceptionReason)
	return append([]byte(head), y.Bytes()...), nil
}

// blockStyle drops JSON's flow style and quotes: the encoder quotes only the
// strings that need it.
func blockStyle(n *yamlv3.Node) {
	n.Style = 0
	for _, c := range n.Content {
		blockStyle(c)
	}
}

// sections title the report's priorities and say what to do about each.
var sections = map[Priority]struct{ title, todo string }{
	PriorityExposed: {"Open to the internet or another account",
		"narrow or remove these: today they let the whole internet, or another AWS account, in"},
	PriorityRefused: {"Refused by the guardrails, kept as exceptions",
		"decide each: remove the exception to see its error, then fix the rule or write a real reason"},
	PriorityTighten: {"CIDRs to replace with group references",
		"tighten one reviewed step at a time: the preview creates the group rule and deletes the CIDR rule"},
	PriorityTidy: {"Housekeeping", "place the services that need a tier, watch the quotas, and decide on references left outside the declaration"},
}

// Markdown is the migration report, most urgent first, in sections that
// say what to do.
func (p *Proposal) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Migration report\n\n%d service(s), %d item(s), most urgent first.\n", len(p.Mesh.Services), len(p.Report))
	if len(p.Report) == 0 {
		b.WriteString("\nNothing to review.\n")
		return b.String()
	}
	top := p.Report[0].Priority()
	fmt.Fprintf(&b, "\n**Do first:** section %d, %s.\n", top+1, strings.ToLower(sections[top].title))
	section := Priority(-1)
	for _, it := range p.Report {
		if pr := it.Priority(); pr != section {
			section = pr
			n := 0
			for _, o := range p.Report {
				if o.Priority() == pr {
					n++
				}
			}
			fmt.Fprintf(&b, "\n## %d. %s (%d)\n\n", pr+1, sections[pr].title, n)
			fmt.Fprintf(&b, "What to do: %s.\n\n", sections[pr].todo)
		}
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
