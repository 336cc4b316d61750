package spec_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

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
	_, err := spec.DecodeJSON([]byte(`{"tiers":[{"name":"web"}],"services":[{"name":"api","tier":"web","ingress":[],"egres":[]}]}`))
	assert.EqualError(t, err, `reading service mesh declaration: services[0] (api): unknown field "egres"; did you mean "egress"?`)
}

func TestDecodeOtherErrors(t *testing.T) {
	_, err := spec.Decode([]byte("tiers: [{name: web}]\n---\n{}"))
	assert.NoError(t, err, "YAMLToJSON reads the first document")
	_, err = spec.DecodeJSON([]byte("{}{}"))
	assert.EqualError(t, err, "reading service mesh declaration: trailing data after the declaration")
	_, err = spec.Decode([]byte("tiers: 3\n"))
	assert.EqualError(t, err, `reading service mesh declaration: the declaration (line 1): tiers takes a list, not a number ("3")`)
	_, err = spec.Decode([]byte("tiers: [{name: web}]\n]"))
	assert.ErrorContains(t, err, "reading service mesh declaration: yaml: line 1")
	m, err := spec.Decode(nil)
	assert.NoError(t, err, "an empty file is an empty declaration, which validate refuses")
	assert.Zero(t, m)
}

// Issue 21 item 3: the engine reads field names exactly and refuses a key
// given twice; so does the offline planner, in YAML and in JSON.
func TestDecodeFieldNamesAreExactAndKeysUnique(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"wrong case", "tiers: [{name: web}]\nservices:\n  - {name: api, tier: web, attachedwith: [db]}\n",
			`reading service mesh declaration: services[0] (api) (line 3): unknown field "attachedwith"; field names are case-sensitive: write "attachedWith"`},
		{"wrong case at the top", "Tiers: [{name: web}]\n",
			`reading service mesh declaration: the declaration (line 1): unknown field "Tiers"; field names are case-sensitive: write "tiers"`},
		{"a key twice", "tiers: [{name: web}, {name: app}]\nservices:\n  - name: api\n    tier: app\n    tier: web\n",
			`reading service mesh declaration: services[0] (api) (line 5): "tier" is given twice (first on line 4); keep one`},
		{"a key twice at the top", "tiers: [{name: web}]\nservices: []\ntiers: []\n",
			`reading service mesh declaration: the declaration (line 3): "tiers" is given twice (first on line 1); keep one`},
		{"a tag twice", "tiers: [{name: web}]\ntags: {Team: a, Team: b}\n",
			`reading service mesh declaration: tags (line 2): "Team" is given twice (first on line 2); keep one`},
		{"JSON read as YAML", `{"tiers": [{"name": "web", "name": "app"}]}`,
			`reading service mesh declaration: tiers[0] (web) (line 1): "name" is given twice (first on line 1); keep one`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := spec.Decode([]byte(tc.yaml))
			assert.EqualError(t, err, tc.want)
		})
	}
	_, err := spec.DecodeJSON([]byte(`{"tiers":[{"name":"web"}],"services":[{"name":"api","tier":"web","tier":"app","Ingress":[]}]}`))
	assert.EqualError(t, err, "reading service mesh declaration: 2 problems:\n"+
		"  services[0] (api): \"tier\" is given twice; keep one\n"+
		"  services[0] (api): unknown field \"Ingress\"; field names are case-sensitive: write \"ingress\"")
}

// Issue 21 item 4: a value of the wrong type is reported as an unknown field
// is, where it is and with the fix, never in Go's words; and every problem
// of the file at once.
func TestDecodeTypeErrorsSayWhereAndTheFix(t *testing.T) {
	const head = "tiers: [{name: web}, {name: data}]\nservices:\n  - name: FrontEnd-Web\n    tier: web\n    ingress:\n"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"a port as text", head + "      - {ports: [\"443\"], from: {internet: true}}\n",
			`services[0] (FrontEnd-Web).ingress[0] (line 6): ports takes numbers, not text ("443"); write 443 without quotes`},
		{"a range as a port", head + "      - {ports: [3306-3307], from: {self: true}}\n",
			`services[0] (FrontEnd-Web).ingress[0] (line 6): ports takes numbers, not text ("3306-3307"); a range is portRange: {from: 3306, to: 3307}`},
		{"a port, not a list", head + "      - {ports: 443, from: {self: true}}\n",
			`services[0] (FrontEnd-Web).ingress[0] (line 6): ports takes a list, not a number ("443"); write ports: [443]`},
		{"a fraction", head + "      - {ports: [443.5], from: {self: true}}\n",
			`services[0] (FrontEnd-Web).ingress[0] (line 6): ports takes whole numbers, not a number ("443.5")`},
		{"too big", head + "      - {icmpType: 99999999999999999999, protocol: icmp, from: {self: true}}\n",
			`services[0] (FrontEnd-Web).ingress[0] (line 6): icmpType: 99999999999999999999 is out of range`},
		{"a tier as a number", "tiers: [{name: web}]\nservices: [{name: api, tier: 1}]\n",
			`services[0] (api) (line 2): tier takes text, not a number ("1"); quote it: "1"`},
		{"yes is text", head + "      - {ports: [443], from: {self: yes}}\n",
			`services[0] (FrontEnd-Web).ingress[0].from (line 6): self takes true or false, not text ("yes")`},
		{"a rule, not a list", head + "      {ports: [443], from: {self: true}}\n",
			`services[0] (FrontEnd-Web) (line 6): ingress takes a list, not a mapping`},
		{"a peer, not a mapping", head + "      - {ports: [443], from: internet}\n",
			`services[0] (FrontEnd-Web).ingress[0] (line 6): from takes a mapping of fields ({name: value, ...}), not text ("internet")`},
		{"a tag's value", "tiers: [{name: web}]\ntags: {Cost: {centre: 4}}\n",
			`tags (line 2): Cost takes text, not a mapping`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := spec.Decode([]byte(tc.yaml))
			assert.EqualError(t, err, "reading service mesh declaration: "+tc.want)
		})
	}

	t.Run("all at once", func(t *testing.T) {
		_, err := spec.Decode([]byte(head + "      - {ports: [\"443\"], from: {internet: true}}\n" +
			"      - {portz: [80], from: {internet: true}}\n  - {name: db, tier: 1}\n"))
		assert.EqualError(t, err, "reading service mesh declaration: 3 problems:\n"+
			`  services[0] (FrontEnd-Web).ingress[0] (line 6): ports takes numbers, not text ("443"); write 443 without quotes`+"\n"+
			`  services[0] (FrontEnd-Web).ingress[1] (line 7): unknown field "portz"; did you mean "ports"?`+"\n"+
			`  services[1] (db) (line 8): tier takes text, not a number ("1"); quote it: "1"`)
	})
}

// Issue 21 item F: a declaration is bounded in size and in what its aliases
// expand to, and refused quickly, before the bound is reached in memory.
func TestDecodeBounds(t *testing.T) {
	big := make([]byte, spec.MaxBytes+1)
	_, err := spec.Decode(big)
	assert.EqualError(t, err, "reading service mesh declaration: 4194305 bytes is more than the 4194304 (4 MiB) a declaration may have")
	_, err = spec.DecodeJSON(big)
	assert.Error(t, err)

	for name, bomb := range map[string]string{
		// 1,000 services of 100 rules of 100 ports: 10^7 values from 5 KB.
		"aliased lists": "tiers: [{name: web}]\nservices:\n  - &s {name: A, tier: web, ingress: [&r {ports: &p [" +
			strings.Repeat("1, ", 99) + "1], from: {self: true}}" + strings.Repeat(", *r", 99) + "]}\n" +
			strings.Repeat("  - *s\n", 999),
		// Merge keys of merge keys: 10^8 keys from 2 KB.
		"merges": "tiers:\n  - &m0 {name: web}\n" + merges(8),
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := spec.Decode([]byte(bomb))
			assert.Less(t, time.Since(start), 5*time.Second, "a quarter second of CPU; the machine may be shared")
			assert.ErrorContains(t, err, "the declaration expands to more than 1000000 values (YAML aliases count each time they are used)")
		})
	}

	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	_, err = spec.DecodeJSON([]byte(deep))
	assert.EqualError(t, err, "reading service mesh declaration: nested more than 64 levels deep")
}

// merges writes tiers whose mappings each merge the previous one ten times.
func merges(levels int) string {
	var b strings.Builder
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "  - &m%d {<<: [%s], name: t%d}\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d, ", i-1), 10), ", "), i)
	}
	return b.String()
}

// The engine carries numbers as float64; past 2^53 the provider would see
// another number than the file says, so the planner refuses it as the
// provider does.
func TestDecodeNumbersTheEngineCarriesExactly(t *testing.T) {
	_, err := spec.Decode([]byte("limits: {inboundRulesPerGroup: 9007199254740992}\n"))
	assert.NoError(t, err)
	_, err = spec.Decode([]byte("limits: {inboundRulesPerGroup: 9007199254740993}\n"))
	assert.EqualError(t, err, "reading service mesh declaration: limits (line 1): inboundRulesPerGroup: 9007199254740993 is out of range")
}
