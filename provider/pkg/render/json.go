package render

import (
	"encoding/json"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
)

// JSON is the whole plan as indented JSON, for tools.
func JSON(p *plan.Plan) string {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil { // the plan holds only plain values
		panic("encoding a plan: " + err.Error())
	}
	return string(b) + "\n"
}
