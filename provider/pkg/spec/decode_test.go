package spec_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

func TestDecodeSaysWhereAnUnknownFieldIs(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"misspelt rule list", `
tiers: [{name: web}]
services:
  - name: api
    tier: web
    ingres:
      - {ports: [443], from: {internet: true}}
`, `reading service mesh declaration: services[0] (api) (line 6): unknown field "ingres"; did you mean "ingress"?`},
		{"in a rule, through the embedded traffic fields", `
tiers: [{name: web}]
services:
  - name: api
    tier: web
    ingress:
      - {ports: [443], from: {internet: true}}
      - portz: [80]
        from: {internet: true}
`, `reading service mesh declaration: services[0] (api).ingress[1] (line 8): unknown field "portz"; did you mean "ports"?`},
		{"in a peer", `
tiers: [{name: web}]
services:
  - {name: api, tier: web, egress: [{ports: [443], to: {cidrBlock: [10.0.0.0/8]}}]}
`, `reading service mesh declaration: services[0] (api).egress[0].to (line 4): unknown field "cidrBlock"; did you mean "cidrBlocks"?`},
		{"at the top", "tiers: [{name: web}]\nservics: []\n",
			`reading service mesh declaration: the declaration (line 2): unknown field "servics"; did you mean "services"?`},
		{"nothing close", "tiers: [{name: web, colour: red}]\n",
			`reading service mesh declaration: tiers[0] (web) (line 1): unknown field "colour"; valid fields here: name, cidrBlocks, cidrBlocksFrom, description, subnetIds`},
		{"past a merge key", "tiers:\n  - &web {name: web, cidrBlocks: [10.0.0.0/24]}\n  - {<<: *web, name: app, cidr: 10.0.1.0/24}\n",
			`reading service mesh declaration: tiers[1] (app) (line 3): unknown field "cidr"; valid fields here: name, cidrBlocks, cidrBlocksFrom, description, subnetIds`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := spec.Decode([]byte(tc.yaml))
			assert.EqualError(t, err, tc.want)
		})
	}
}

func TestDecodeJSONSaysWhereWithoutALine(t *testing.T) {
	_, err := spec.DecodeJSON([]byte(`{"tiers":[{"name":"web"}],"services":[{"name":"api","tier":"web","Ingress":[],"egres":[]}]}`))
	assert.EqualError(t, err, `reading service mesh declaration: services[0] (api): unknown field "egres"; did you mean "egress"?`)
}

func TestDecodeOtherErrors(t *testing.T) {
	_, err := spec.Decode([]byte("tiers: [{name: web}]\n---\n{}"))
	assert.NoError(t, err, "YAMLToJSON reads the first document")
	_, err = spec.DecodeJSON([]byte("{}{}"))
	assert.EqualError(t, err, "reading service mesh declaration: trailing data after the declaration")
	_, err = spec.Decode([]byte("tiers: 3\n"))
	assert.ErrorContains(t, err, "reading service mesh declaration: json: cannot unmarshal number into Go struct field Mesh.tiers")
}
