package observereport_test

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/golden"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/mdtext"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observereport"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/markdowncheck"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/mermaidcheck"
)

// shop observes testdata/flows.log (written by hand) against the small
// shop of testdata/mesh.yaml, its groups as the account holds them (db
// has one rule added by hand: 5432 from web).
func shop(t *testing.T) (observereport.Report, *observereport.Mesh) {
	t.Helper()
	data, err := os.ReadFile("testdata/mesh.yaml")
	require.NoError(t, err)
	m, err := spec.Decode(data)
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	acc, err := ec2read.ReadFiles("testdata/describe-security-groups.json", "testdata/describe-network-interfaces.json")
	require.NoError(t, err)
	mesh, err := observereport.FromMesh("mesh", p, []observe.TimedAccount{{Account: acc}}, m.VpcID)
	require.NoError(t, err)
	res, err := flowlog.AggregateFiles([]string{filepath.Join("testdata", "flows.log")}, nil, 1)
	require.NoError(t, err)
	rep := observe.AttributeUnmatched(res.Table.Each, mesh.Inventory, mesh.Permissions, observe.Listening(mesh.Permissions))
	st := observereport.Stats{Files: res.Files, Records: res.Stats.Records, NoData: res.Stats.NoData, SkipData: res.Stats.SkipData, Tuples: res.Table.Len()}
	return observereport.Build(st, rep, mesh), mesh
}

// row is one rule's hits as the tests count them by hand.
type row struct {
	flows, records, packets, bytes int64
	callers                        string
}

// rows are the report's rules by name.
func rows(r observereport.Report) map[string]row {
	got := map[string]row{}
	for _, h := range r.Rules {
		got[h.Rule] = row{h.Flows, h.Records, h.Packets, h.Bytes, strings.Join(h.Callers, ",")}
	}
	return got
}

// TestShopAgainstTheMesh: per rule of the mesh, by its resource name, what
// flows.log holds, counted by hand: the reply (SYN-ACK) and the NODATA
// record are no hit; 5432 from api is one tuple over two intervals.
func TestShopAgainstTheMesh(t *testing.T) {
	r, _ := shop(t)
	got := rows(r)
	assert.Equal(t, map[string]row{
		"mesh-web-ingress-tcp-443-0.0.0.0_0":  {1, 1, 10, 1200, "198.51.100.10"},
		"mesh-web-ingress-tcp-443-.._0":       {},
		"mesh-api-ingress-tcp-8080-sg_web":    {1, 1, 20, 4000, "web"},
		"mesh-worker-ingress-tcp-9000-sg_api": {},
		"mesh-db-ingress-tcp-5432-sg_api":     {1, 2, 35, 6500, "api"},
		"mesh-db-ingress-tcp-22-10.9.0.0_24":  {1, 1, 12, 2400, "10.9.0.5"},
	}, got)

	var never []string
	for _, f := range r.NeverObserved() {
		never = append(never, f.From+" -> "+f.To+" "+f.Ports)
	}
	assert.Equal(t, []string{"internet (::/0) -> web tcp/443", "api -> worker tcp/9000"}, never)
	assert.Len(t, r.Flows, 6, "every ingress flow of the mesh is judged")

	// web -> db on 5432 is accepted by the rule added by hand, which the
	// mesh does not declare.
	assert.Equal(t, []observe.Unmatched{{Caller: "web", Callee: "db", Protocol: 6, Port: 5432, Records: 1}}, r.Undeclared)
	assert.Equal(t, []observe.Rejected{
		{Caller: "203.0.113.9", Callee: "db", Protocol: 6, Port: 3389, Records: 1,
			Src: netip.MustParseAddr("203.0.113.9"), Dst: netip.MustParseAddr("10.1.3.10")},
		{Caller: "api", Callee: "db", Protocol: 6, Port: 6379, Records: 3, FromKnownService: true, LooksLikeMissing: true,
			Src: netip.MustParseAddr("10.1.2.10"), Dst: netip.MustParseAddr("10.1.3.10")},
	}, r.Rejected)
	assert.Empty(t, r.Tighter(), "the ops rule's caller is an address, the internet rule's too")
	assert.Equal(t, int64(1795000000), r.From)
	assert.Equal(t, int64(1795000120), r.Until)
}

// TestShopFormats: each format on the shop, as golden files; the Mermaid
// diagram stays in the subset Mermaid parses.
func TestShopFormats(t *testing.T) {
	r, mesh := shop(t)
	mmd := observereport.Mermaid(r, mesh)
	for name, got := range map[string]string{
		"shop.txt":  observereport.Text(r),
		"shop.json": observereport.JSON(r),
		"shop.md":   observereport.Markdown(r, mdtext.CommentLimit),
		"shop.mmd":  mmd,
	} {
		t.Run(name, func(t *testing.T) { golden.Check(t, name, got) })
	}
	require.NoError(t, mermaidcheck.Check(mmd))
	for _, want := range []string{
		`svc_api -.->|"unused: tcp/9000"| svc_worker`,
		`svc_web -->|"not declared: tcp/5432"| svc_db`,
		`svc_web -->|"tcp/8080"| svc_api`,
	} {
		assert.Contains(t, mmd, want)
	}
}

// TestMarkdownFitsAComment: past the limit, rows are left out and the
// comment says how many.
func TestMarkdownFitsAComment(t *testing.T) {
	r, _ := shop(t)
	full := observereport.Markdown(r, mdtext.CommentLimit)
	cut := observereport.Markdown(r, 900)
	assert.LessOrEqual(t, mdtext.Len(cut), 900)
	assert.NotContains(t, full, "Rows left out")
	assert.Contains(t, cut, "Rows left out to fit a comment")
}

// TestMarkdownEscapes: names from the account (a group called "a|b", a
// caller named @admin) read, as GitHub renders the comment, as the same
// text: no cell split, no mention, link, emphasis or HTML.
func TestMarkdownEscapes(t *testing.T) {
	r := observereport.Report{
		Rules:      []observereport.Rule{{Hit: observe.Hit{Rule: "a|b tcp/22 from <x>", Flows: 1, Callers: []string{"@admin", "*bold*"}}}},
		Undeclared: []observe.Unmatched{{Caller: "x](javascript:y)", Callee: "db", Protocol: 6, Port: 22, Records: 1}},
	}
	md := observereport.Markdown(r, mdtext.CommentLimit)
	assert.Empty(t, markdowncheck.Problems(md))
	assert.Empty(t, markdowncheck.Active(md))
	doc := markdowncheck.Parse(md)
	assert.Equal(t, []string{"a|b tcp/22 from <x>"}, doc.Column("rule"))
	assert.Equal(t, []string{"@admin, *bold*"}, doc.Column("callers"))
	assert.Equal(t, []string{"x](javascript:y)"}, doc.Column("caller"))

	shop, _ := shop(t)
	shopMD := observereport.Markdown(shop, mdtext.CommentLimit)
	assert.Empty(t, markdowncheck.Problems(shopMD))
	assert.Empty(t, markdowncheck.Active(shopMD))
}

// TestEgressDeclaredFlowsJudged: flows declared on the caller's side are
// judged by their egress rules where the request leaves the caller (the
// shop's account, egress none, records written by hand): web's egress to
// the API and the API's to the internet on 443 are observed, the API's
// egress to the worker and to ::/0 are not.
func TestEgressDeclaredFlowsJudged(t *testing.T) {
	m, err := spec.Decode([]byte(`vpcId: vpc-0shop0000000000001
egress: none
tiers:
  - { name: web, cidrBlocks: [10.1.1.0/24] }
  - { name: app, cidrBlocks: [10.1.2.0/24] }
services:
  - name: web
    tier: web
    egress:
      - ports: [8080]
        to: { services: [api] }
  - name: api
    tier: app
    ingress:
      - ports: [8080]
        from: { services: [web] }
    egress:
      - ports: [443]
        to: { internet: true }
      - ports: [9000]
        to: { services: [worker] }
  - name: worker
    tier: app
`))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	acc, err := ec2read.ReadFiles("testdata/describe-security-groups.json", "testdata/describe-network-interfaces.json")
	require.NoError(t, err)
	mesh, err := observereport.FromMesh("mesh", p, []observe.TimedAccount{{Account: acc}}, m.VpcID)
	require.NoError(t, err)
	records := "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags flow-direction log-status\n" +
		// web -> api, logged arriving at the API only (web's interface has
		// no flow log): it counts for web's egress rule there.
		"5 eni-0f00000000000002 10.1.1.10 10.1.2.10 40001 8080 6 20 4000 1795000000 1795000060 ACCEPT 2 ingress OK\n" +
		// the API -> the internet, leaving the API.
		"5 eni-0f00000000000002 10.1.2.10 93.184.216.34 40010 443 6 7 700 1795000060 1795000120 ACCEPT 2 egress OK\n"
	table := flowlog.NewTable()
	s := flowlog.NewScanner("flows.log", strings.NewReader(records), nil)
	table.Add(s)
	require.NoError(t, s.Err())
	rep := observe.AttributeUnmatched(table.Each, mesh.Inventory, mesh.Permissions, observe.Listening(mesh.Permissions))
	r := observereport.Build(observereport.Stats{Files: 1, Records: 2, Tuples: table.Len()}, rep, mesh)

	got := rows(r)
	assert.Equal(t, map[string]row{
		"mesh-api-ingress-tcp-8080-sg_web":   {1, 1, 20, 4000, "web"},
		"mesh-web-egress-tcp-8080-sg_api":    {1, 1, 20, 4000, "web"},
		"mesh-api-egress-tcp-443-0.0.0.0_0":  {1, 1, 7, 700, "api"},
		"mesh-api-egress-tcp-443-.._0":       {},
		"mesh-api-egress-tcp-9000-sg_worker": {},
	}, got)
	var flows []string
	for _, f := range r.Flows {
		flows = append(flows, fmt.Sprintf("%s -> %s %s observed=%v", f.From, f.To, f.Ports, f.Observed))
	}
	assert.ElementsMatch(t, []string{
		"web -> api tcp/8080 observed=true",
		"web -> api tcp/8080 observed=true",
		"api -> internet (0.0.0.0/0) tcp/443 observed=true",
		"api -> internet (::/0) tcp/443 observed=false",
		"api -> worker tcp/9000 observed=false",
	}, flows)
	assert.Empty(t, r.Notes, "every flow judged, egress ones too")
	assert.Empty(t, r.Undeclared)
	assert.Zero(t, r.Unexplained)
}

// TestViaBalancerSaysHow: requests attributed through a balancer's own
// records (client IP preservation) are counted, and the text and Markdown
// say how they were decided; JSON has the count.
func TestViaBalancerSaysHow(t *testing.T) {
	r := observereport.Build(observereport.Stats{}, observe.Report{ViaBalancer: 3}, nil)
	want := "3 records of requests arrived at a target with a client's address (a Network Load Balancer preserving client addresses): " +
		"attributed to the target's rule naming the balancer's group, as the balancer's interface logged the same client in an overlapping interval."
	assert.Contains(t, observereport.Text(r), "\n"+want+"\n")
	assert.Contains(t, observereport.Markdown(r, 60000), "\n"+mdtext.Text(want)+"\n")
	assert.Contains(t, observereport.JSON(r), `"viaBalancerRecords": 3`)
}
