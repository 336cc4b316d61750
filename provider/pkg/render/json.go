package render

import (
	"encoding/json"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
)

// JSON is the whole plan as indented JSON, for tools.
func JSON(p *plan.Plan) string {
	out := *p
	if out.Findings == nil { // a tool iterates "findings": [], and null breaks it
		out.Findings = finding.List{}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil { // the plan holds only plain values
		panic("encoding a plan: " + err.Error())
	}
	return string(b) + "\n"
}
