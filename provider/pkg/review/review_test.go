package review_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowdiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/guard"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/golden"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/mdtext"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/review"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/markdowncheck"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// flowRows is the caller → callee column of the flow table under a heading.
func flowRows(md, heading string) []string {
	return markdowncheck.Parse(markdowncheck.Section(md, "#### "+heading)).Column("Caller → callee")
}

type mdCase struct {
	name   string
	golden string
	old    *spec.Mesh // nil: a new mesh
	new    func(*spec.Mesh)
	mesh   func() spec.Mesh
	// The reader's view, written by hand.
	headings       []string
	opened, closed []string // caller → callee
	resources      []string // names in the resource tables; nil: not checked
	resourceRows   int
	summary        string   // in the first paragraph
	exceptions     []string // the opened flows' exceptions column
	trimmed        bool
}

func ref() *spec.Mesh { m := reference.Mesh(); return &m }

var mdCases = []mdCase{
	{name: "add a service", golden: "add-service.md", old: ref(), new: func(m *spec.Mesh) {
		m.Services = append(m.Services, spec.Service{Name: "Redis", Tier: "data", Ingress: []spec.IngressRule{{
			Traffic: spec.Traffic{Ports: []int{6379}, Description: "sessions"},
			From:    spec.Peers{Services: []string{"CustomerManagement-API"}},
		}}})
	},
		headings: []string{"ServiceMesh mesh (test)", "Flows opened (3)", "Flows closed (0)", "Findings (0 errors, 0 warnings)", "Quota headroom changed (7)"},
		opened:   []string{"CustomerManagement-API → Redis", "Redis → internet (0.0.0.0/0)", "Redis → internet (::/0)"},
		resources: []string{"mesh-Redis", "mesh-Redis-egress-all-.._0", "mesh-Redis-egress-all-0.0.0.0_0",
			"mesh-Redis-ingress-tcp-6379-sg_CustomerManagement-API"},
		summary: "3 flows opened, 0 closed · groups: 1 created · rules: 3 created. Breaks no traffic: nothing is replaced or deleted.",
	},
	{name: "change a port", golden: "port-change.md", old: ref(), new: func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].Ports = []int{3307}
	},
		headings:  []string{"ServiceMesh mesh (test)", "Flows opened (1)", "Flows closed (1)", "Findings (0 errors, 0 warnings)"},
		opened:    []string{"CustomerManagement-API → MySQL"},
		closed:    []string{"CustomerManagement-API → MySQL"},
		resources: []string{"mesh-MySQL-ingress-tcp-3307-sg_CustomerManagement-API", "mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API"},
		summary:   "1 flow opened, 1 closed · groups: no change · rules: 1 created, 1 deleted.",
	},
	{name: "a tier exception added", golden: "tier-exception.md", old: ref(), new: func(m *spec.Mesh) {
		mysql := service(m, "MySQL")
		mysql.Ingress = append(mysql.Ingress, spec.IngressRule{
			Traffic: spec.Traffic{Ports: []int{3306}, Description: "Reports read the database",
				Exceptions: []spec.Exception{{Check: finding.CheckTierAdjacency, Reason: "nightly reports | approved in SEC-42"}}},
			From: spec.Peers{Services: []string{"FrontEnd-Web"}}})
	},
		headings:   []string{"ServiceMesh mesh (test)", "Flows opened (1)", "Flows closed (0)", "Findings (0 errors, 0 warnings)", "Quota headroom changed (3)"},
		opened:     []string{"FrontEnd-Web → MySQL"},
		exceptions: []string{"tier-adjacency: nightly reports | approved in SEC-42"},
		resources:  []string{"mesh-MySQL-ingress-tcp-3306-sg_FrontEnd-Web"},
		summary:    "1 flow opened, 0 closed · groups: no change · rules: 1 created.",
	},
	{name: "a world-open rule added", golden: "world-open.md", old: ref(), new: func(m *spec.Mesh) {
		g := service(m, "Graphite")
		g.Ingress = append(g.Ingress, spec.IngressRule{
			Traffic: spec.Traffic{Ports: []int{443}, Exceptions: []spec.Exception{{Check: finding.CheckWorldOpen, Reason: "public status dashboard"}}},
			From:    spec.Peers{Internet: true}})
		mysql := service(m, "MySQL")
		mysql.Ingress = append(mysql.Ingress, spec.IngressRule{
			Traffic: spec.Traffic{Ports: []int{3306}}, From: spec.Peers{Services: []string{"ELK"}}})
	},
		headings: []string{"ServiceMesh mesh (test)", "Flows opened (3)", "Flows closed (0)", "Findings (0 errors, 0 warnings)", "Quota headroom changed (6)"},
		// World-open first, then into the data tier.
		opened: []string{"internet (0.0.0.0/0) → Graphite", "internet (::/0) → Graphite", "ELK → MySQL"},
		resources: []string{"mesh-Graphite-ingress-tcp-443-.._0", "mesh-Graphite-ingress-tcp-443-0.0.0.0_0",
			"mesh-MySQL-ingress-tcp-3306-sg_ELK"},
		summary: "3 flows opened, 0 closed · groups: no change · rules: 3 created.",
	},
	{name: "groups replaced by a namePrefix change", golden: "name-prefix.md", old: ref(), new: func(m *spec.Mesh) {
		m.NamePrefix = "prod-"
	},
		headings:     []string{"ServiceMesh mesh (test)", "Flows opened (0)", "Flows closed (0)", "Findings (0 errors, 0 warnings)"},
		resourceRows: 42,
		summary:      "0 flows opened, 0 closed · groups: 8 replaced · rules: 34 replaced. ⚠️ Breaks traffic: 8 groups replaced. AWS deletes a replaced group first",
	},
	{name: "a new mesh", golden: "new-mesh.md", new: func(*spec.Mesh) {}, mesh: reference.Mesh,
		headings: []string{"ServiceMesh mesh (test)", "Flows opened (41)", "Flows closed (0)", "Findings (0 errors, 0 warnings)", "Quota headroom changed (50)"},
		// 12 ingress pairs of DESIGN.md's table, 2 allow-all egress flows per
		// group, and what the five services carrying AdminAccess gain by it:
		// office on 22 (5 hosts, 2 of them already admitting office) and
		// AdminAccess's calls to ELK and Graphite (2 × 5 hosts). The first
		// 15 as they stand: world, data tier, the rest by callee.
		opened: []string{
			"internet (0.0.0.0/0) → ELB-FrontEnd-Web", "internet (::/0) → ELB-FrontEnd-Web",
			"CustomerManagement-API → MySQL", "MySQL → MySQL", "network:office (203.0.113.0/24) → MySQL",
			"network:office (203.0.113.0/24) → AdminAccess", "ELB-CustomerManagement-API → CustomerManagement-API",
			"network:office (203.0.113.0/24) → CustomerManagement-API",
			"FrontEnd-Web → ELB-CustomerManagement-API", "AdminAccess → ELK", "CustomerManagement-API → ELK", "ELK → ELK",
			"FrontEnd-Web → ELK", "Graphite → ELK", "MySQL → ELK",
		},
		resourceRows: 42,
		summary:      "New mesh: 41 flows opened, 0 closed · groups: 8 created · rules: 34 created.",
	},
}

// withACLs is the reference architecture with network ACLs on and a subnet
// per tier.
func withACLs(m *spec.Mesh) {
	m.NetworkAcls = &spec.NetworkAcls{Enabled: true}
	for i := range m.Tiers {
		m.Tiers[i].SubnetIDs = []string{"subnet-" + m.Tiers[i].Name}
	}
}

func refWithACLs() *spec.Mesh { m := ref(); withACLs(m); return m }

// Issue 20: the review lists network ACL changes under their ACL, and
// counts them in the summary. Ledger's entry "ingress tcp/582 10.0.1.0/24"
// contests app's "ingress udp/1024-65535 ::/0" for number 18741, so the
// latter moves to its fallback number: a create-first replacement.
var aclCase = mdCase{name: "add a service with network ACLs on", golden: "add-service-nacl.md", old: refWithACLs(), new: func(m *spec.Mesh) {
	withACLs(m)
	m.Services = append(m.Services, spec.Service{Name: "Ledger", Tier: "app", Ingress: []spec.IngressRule{{
		Traffic: spec.Traffic{Ports: []int{582}}, From: spec.Peers{Services: []string{"FrontEnd-Web"}}}}})
},
	headings: []string{"ServiceMesh mesh (test)", "Flows opened (3)", "Flows closed (0)", "Findings (0 errors, 0 warnings)", "Quota headroom changed (7)"},
	opened:   []string{"FrontEnd-Web → Ledger", "Ledger → internet (0.0.0.0/0)", "Ledger → internet (::/0)"},
	resources: []string{"mesh-Ledger", "mesh-Ledger-egress-all-.._0", "mesh-Ledger-egress-all-0.0.0.0_0",
		"mesh-Ledger-ingress-tcp-582-sg_FrontEnd-Web", "mesh-nacl-app-in-tcp-582-10.0.1.0_24", "mesh-nacl-app-in-udp-1024-65535-.._0"},
	summary: "3 flows opened, 0 closed · groups: 1 created · rules: 3 created · network ACL rules: 1 created, 1 replaced. " +
		"Breaks no traffic: 1 network ACL rule replaced create-first",
}

func TestMarkdown(t *testing.T) {
	for _, tc := range append(mdCases, aclCase) {
		t.Run(tc.name, func(t *testing.T) {
			var old *plan.Plan
			if tc.old != nil {
				old = build(t, *tc.old)
			}
			m := reference.Mesh()
			tc.new(&m)
			cur := build(t, m)
			before := old
			if before == nil {
				before = &plan.Plan{}
			}
			r := review.Of("ServiceMesh `mesh` (test)", plandiff.Compare("mesh", before, cur), old, cur)
			md := r.Markdown(review.CommentLimit)
			golden.Check(t, tc.golden, md)
			d := checkWellFormed(t, md)
			assert.Equal(t, tc.headings, d.Headings)
			assert.Contains(t, d.Text, tc.summary)
			if tc.opened != nil {
				assert.Equal(t, tc.opened, flowRows(md, "Flows opened")[:len(tc.opened)])
			}
			assert.Equal(t, append([]string{}, tc.closed...), flowRows(md, "Flows closed"))
			if tc.exceptions != nil {
				assert.Equal(t, tc.exceptions, markdowncheck.Parse(markdowncheck.Section(md, "#### Flows opened")).Column("Exceptions (reason)"))
			}
			got := d.Column("Resource")
			if tc.resources != nil {
				assert.ElementsMatch(t, tc.resources, got)
			} else {
				assert.Len(t, got, tc.resourceRows)
			}
			assert.Equal(t, tc.trimmed, strings.Contains(d.Text, "Trimmed:"))
		})
	}
}

// checkWellFormed parses md as GitHub does, failing on a broken table or a
// comment too long for GitHub.
func checkWellFormed(t *testing.T, md string) markdowncheck.Doc {
	t.Helper()
	assert.Empty(t, markdowncheck.Problems(md))
	assert.Less(t, mdtext.Len(md), mdtext.CommentLimit, "a GitHub comment holds 65,536 characters")
	return markdowncheck.Parse(md)
}

func TestMarkdownLargeMeshIsTrimmed(t *testing.T) {
	old := reference.Synthetic(500)
	m := reference.Synthetic(500)
	m.Networks[0].CidrBlocks = append(m.Networks[0].CidrBlocks, "198.51.100.0/24")
	before, after := build(t, old), build(t, m)
	r := review.Of("ServiceMesh `mesh` (test)", plandiff.Compare("mesh", before, after), before, after)
	md := r.Markdown(review.CommentLimit)
	golden.Check(t, "large-mesh.md", md)
	d := checkWellFormed(t, md)
	assert.Contains(t, d.Text, "500 flows opened, 0 closed · groups: no change · rules: 1500 created.")
	opened := flowRows(md, "Flows opened")
	assert.Len(t, opened, 500, "one opened flow per service, all listed")
	assert.Equal(t, "network:office (198.51.100.0/24) → svc-0003", opened[0], "the data tier first")
	assert.Less(t, len(d.Column("Resource")), 1500, "the resource list is trimmed first")
	assert.Contains(t, d.Text, "Trimmed:")
	assert.Contains(t, d.Text, "resource changes in ")
}

func TestMarkdownNewErrors(t *testing.T) {
	m := reference.Mesh()
	service(&m, "MySQL").Ingress[0].Ports = []int{70000}
	p, err := plan.Build(m)
	require.Error(t, err)
	md := review.Review{Title: "ServiceMesh `mesh` (test)", Findings: p.Findings}.Markdown(review.CommentLimit)
	d := checkWellFormed(t, md)
	assert.Equal(t, []string{"ServiceMesh mesh (test)", "Findings (1 error, 0 warnings)"}, d.Headings)
	assert.Contains(t, d.Text, "Not planned: the new declaration has 1 error.")
	assert.Contains(t, md, `- error [invalid-port] service "MySQL" rule ingress[0\]: port 70000 is outside 0-65535`)
}

func TestQuotaChanges(t *testing.T) {
	got := review.QuotaChanges(
		[]guard.Usage{{Quota: "a", Scope: "group X", Used: 3, Limit: 60}, {Quota: "a", Scope: "group Y", Used: 1, Limit: 60}, {Quota: "b", Scope: "mesh", Used: 8, Limit: 2500}},
		[]guard.Usage{{Quota: "a", Scope: "group X", Used: 4, Limit: 60}, {Quota: "a", Scope: "group Z", Used: 2, Limit: 60}, {Quota: "b", Scope: "mesh", Used: 8, Limit: 2500}})
	assert.Equal(t, []review.QuotaChange{
		{Quota: "a", Scope: "group X", Old: 3, New: 4, Limit: 60},
		{Quota: "a", Scope: "group Y", Old: 1, New: -1, Limit: 60},
		{Quota: "a", Scope: "group Z", Old: -1, New: 2, Limit: 60},
	}, got)
}

func TestMarkdownTrimsFindingsLast(t *testing.T) {
	// The severity is the check's own (the registry): wide-cidr warns, tier-adjacency fails.
	many := func(check string, n int) finding.List {
		var l finding.List
		for i := range n {
			l.Add(check, fmt.Sprintf("svc-%04d", i), "ingress[0]", "narrow it", "10.0.0.0/%d is wide", i%8)
		}
		return l
	}
	flows := flowdiff.Diff{Opened: []flowdiff.Change{{Caller: "a", Callee: "b", Ports: []string{"tcp/1"}, Rules: []string{"b ingress[0]"}}}, Closed: []flowdiff.Change{}}
	for name, r := range map[string]review.Review{
		"warnings": {Title: "t", Flows: &flows, Findings: many(finding.CheckWideCIDR, 2000)},
		"errors":   {Title: "t", Findings: many(finding.CheckTierAdjacency, 2000)},
	} {
		t.Run(name, func(t *testing.T) {
			md := r.Markdown(review.CommentLimit)
			d := checkWellFormed(t, md)
			assert.Regexp(t, `Trimmed: \d+ more findings not listed`, d.Text)
			if r.Flows != nil {
				assert.Equal(t, []string{"a → b"}, flowRows(md, "Flows opened"), "the flows are kept")
			}
		})
	}
}

// hiddenCases are issue 21's ways to hide access from the review. Each
// review must list the dangerous flow first, marked, and keep it when the
// comment is trimmed.
var hiddenCases = []struct {
	name, golden string
	old, new     func(*spec.Mesh)
	limit        int
	first        string // the first opened row's caller → callee
	mark         string // its mark column
	declaredBy   string // its declared-by column; "" not checked
	finding      string // a finding the review lists; "" none
}{
	{name: "A: attachedWith puts MySQL behind the public load balancer's group", golden: "hidden-attached.md",
		new:   func(m *spec.Mesh) { service(m, "MySQL").AttachedWith = []string{"AdminAccess", "ELB-FrontEnd-Web"} },
		limit: review.CommentLimit, first: "internet (0.0.0.0/0) → MySQL", mark: "world-open",
		declaredBy: "ELB-FrontEnd-Web ingress[0]; carried by attachedWith: ELB-FrontEnd-Web",
		finding:    `error [world-open] service "MySQL" rule attachedWith: tcp/443 is open to 0.0.0.0/0 on a service that is not internetFacing`},
	{name: "B: the world in halves on 22 and 3306, under 40 services that sort first", golden: "hidden-halves.md",
		new: func(m *spec.Mesh) {
			for i := range 40 {
				m.Services = append(m.Services, spec.Service{Name: fmt.Sprintf("AAA-%02d", i), Tier: "web", Ingress: []spec.IngressRule{{
					Traffic: spec.Traffic{Ports: []int{8080}}, From: spec.Peers{Services: []string{"ELB-FrontEnd-Web"}}}}})
			}
			m.Networks = append(m.Networks, spec.Network{Name: "partners", CidrBlocks: []string{"0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"}})
			g := service(m, "Graphite")
			g.Ingress = append(g.Ingress, spec.IngressRule{
				Traffic: spec.Traffic{Ports: []int{22, 3306}, Exceptions: []spec.Exception{
					{Check: finding.CheckWideCIDR, Reason: "partners"}, {Check: finding.CheckWorldOpenAdmin, Reason: "partners"}}},
				From: spec.Peers{Networks: []string{"partners"}}})
		},
		limit: 6000, first: "network:partners (0.0.0.0/1) → Graphite", mark: "world-open"},
	{name: "C: a reason padded with zero-width spaces", golden: "hidden-padded.md",
		new: func(m *spec.Mesh) {
			g := service(m, "Graphite")
			g.Ingress = append(g.Ingress, spec.IngressRule{
				Traffic: spec.Traffic{Ports: []int{22}, Exceptions: []spec.Exception{
					{Check: finding.CheckWorldOpenAdmin, Reason: "ok" + strings.Repeat("\u200b", 22000)}}},
				From: spec.Peers{Internet: true}})
		},
		limit: review.CommentLimit, first: "internet (0.0.0.0/0) → Graphite", mark: "world-open"},
	{name: "D: an external group re-pointed", golden: "hidden-repointed.md",
		old: reference.ExternalReports("sg-0aaaaaaaaaaaaaaaa"), new: reference.ExternalReports("sg-0bbbbbbbbbbbbbbbb"),
		limit: review.CommentLimit, first: "Reports (sg-0bbbbbbbbbbbbbbbb) → MySQL", mark: "into data"},
	{name: "E: an unused tier after data", golden: "hidden-tier-order.md", new: reference.UnusedTierAfterData,
		limit: review.CommentLimit, first: "Graphite → MySQL", mark: "into data"},
}

func TestMarkdownShowsHiddenAccess(t *testing.T) {
	for _, tc := range hiddenCases {
		t.Run(tc.name, func(t *testing.T) {
			old, cur := reference.Mesh(), reference.Mesh()
			if tc.old != nil {
				tc.old(&old)
			}
			tc.new(&cur)
			before, after := build(t, old), planned(t, cur)
			md := review.Of("ServiceMesh `mesh` (test)", plandiff.Compare("mesh", before, after), before, after).Markdown(tc.limit)
			golden.Check(t, tc.golden, md)
			checkWellFormed(t, md)
			assert.LessOrEqual(t, mdtext.Len(md), tc.limit)
			opened := markdowncheck.Parse(markdowncheck.Section(md, "#### Flows opened"))
			require.NotEmpty(t, opened.Column("Caller → callee"))
			assert.Equal(t, tc.first, opened.Column("Caller → callee")[0])
			assert.Equal(t, tc.mark, opened.Column("")[0])
			if tc.declaredBy != "" {
				assert.Equal(t, tc.declaredBy, opened.Column("Declared by")[0])
			}
			if tc.finding != "" {
				assert.Contains(t, md, tc.finding)
			} else {
				assert.Contains(t, md, "#### Findings (0 errors")
			}
			assert.NotContains(t, md, "\u200b")
			assert.Empty(t, markdowncheck.Active(md))
		})
	}
}

// Sensitive rows survive any limit; ordinary ones are trimmed first.
func TestMarkdownNeverTrimsSensitiveRows(t *testing.T) {
	var opened []flowdiff.Change
	for i := range 200 {
		opened = append(opened, flowdiff.Change{Caller: fmt.Sprintf("a-%03d", i), Callee: "b", Ports: []string{"tcp/1"}, Rules: []string{"b ingress[0]"}})
	}
	opened = append([]flowdiff.Change{{Caller: "internet (0.0.0.0/0)", Callee: "z", Ports: []string{"tcp/22"}, WorldOpen: true, Rules: []string{"z ingress[0]"}},
		{Caller: "y", Callee: "db", Ports: []string{"tcp/3306"}, CalleeTier: "data", IntoSensitive: true, Rules: []string{"db ingress[0]"}}}, opened...)
	md := review.Review{Title: "t", Flows: &flowdiff.Diff{Opened: opened, Closed: []flowdiff.Change{}}}.Markdown(1500)
	rows := flowRows(md, "Flows opened")
	require.GreaterOrEqual(t, len(rows), 2)
	assert.Equal(t, []string{"internet (0.0.0.0/0) → z", "y → db"}, rows[:2])
	assert.Less(t, len(rows), 202, "ordinary rows are trimmed")
	assert.Contains(t, md, "Trimmed:")
}

// Every text the review takes from a declaration is escaped (mdtext.Text).
func TestMarkdownEscapesDeclaredText(t *testing.T) {
	flows := flowdiff.Diff{Closed: []flowdiff.Change{}, Opened: []flowdiff.Change{{Caller: "a", Callee: "b", Ports: []string{"tcp/1"},
		Exceptions: []spec.Exception{{Check: "tier-adjacency", Reason: "ok [x](https://evil.example) ![i](https://evil.example/i.png) @octocat <b>|"}},
		Rules:      []string{"b ingress[0]"}}}}
	md := review.Review{Title: "t", Flows: &flows}.Markdown(review.CommentLimit)
	checkWellFormed(t, md)
	assert.Empty(t, markdowncheck.Active(md))
	assert.Equal(t, []string{"tier-adjacency: ok [x](https://evil.example) ![i](https://evil.example/i.png) @octocat &lt;b&gt;|"},
		markdowncheck.Parse(markdowncheck.Section(md, "#### Flows opened")).Column("Exceptions (reason)"))
}
