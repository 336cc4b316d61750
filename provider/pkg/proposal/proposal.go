// Package proposal turns the security groups a VPC already has (read by
// ec2read) into a ServiceMesh declaration that keeps every permission they
// grant, and a migration report of what to tighten. One service per group,
// adopting it; group references become services: peers (another account's
// group an external group, OWNER/sg-…), 0.0.0.0/0 with ::/0
// internet, prefix lists stay, and other CIDRs become named networks, one per
// set of rules that use them. Rules the guardrails reject are kept with an
// exception whose reason points at the report, so the declaration plans and
// adopts as it is; the report says what each exception hides.
package proposal

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Tier is one --tier flag's tier: a name and its CIDRs.
type Tier struct {
	Name  string
	CIDRs []netip.Prefix
}

// ParseTiers reads --tier NAME=CIDR flags, outermost tier first; a name
// given again adds a CIDR to its tier.
func ParseTiers(flags []string) ([]Tier, error) {
	var out []Tier
	for _, f := range flags {
		name, c, ok := strings.Cut(f, "=")
		p, err := netip.ParsePrefix(strings.TrimSpace(c))
		if !ok || name == "" || err != nil {
			return nil, fmt.Errorf("--tier %q: write NAME=CIDR, e.g. --tier web=10.0.1.0/24", f)
		}
		i := slices.IndexFunc(out, func(t Tier) bool { return t.Name == name })
		if i < 0 {
			out = append(out, Tier{Name: name})
			i = len(out) - 1
		}
		out[i].CIDRs = append(out[i].CIDRs, p.Masked())
	}
	return out, nil
}

// Item is one entry of the migration report.
type Item struct {
	Kind    string `json:"kind"`
	GroupID string `json:"groupId,omitempty"`
	Service string `json:"service,omitempty"`
	// Rule is the existing rule as EC2 shows it, or the declaration's rule
	// path (ingress[2]) for findings of the plan.
	Rule    string `json:"rule,omitempty"`
	Problem string `json:"problem"`
	Suggest string `json:"suggest,omitempty"`
	// CrossAccount: the rule references a group of another AWS account.
	CrossAccount bool `json:"crossAccount,omitempty"`
}

// Priority ranks an item: what grants access beyond the VPC's owner (the
// whole internet, another account) first, then what the guardrails refuse,
// then the CIDR rules to tighten into group references, then the rest.
func (it Item) Priority() Priority {
	switch {
	case it.CrossAccount, it.Kind == finding.CheckWorldOpen, it.Kind == finding.CheckWorldOpenAdmin, it.Kind == finding.CheckWorldOpenAll:
		return PriorityExposed
	case it.Kind == finding.CheckTierAdjacency, it.Kind == KindPlanError:
		return PriorityRefused
	case it.Kind == KindTierCIDR, it.Kind == finding.CheckWideCIDR, it.Kind == KindTightened:
		return PriorityTighten
	}
	return PriorityTidy
}

// Priority is an item's rank in the report, most urgent first.
type Priority int

// Report priorities.
const (
	PriorityExposed Priority = iota
	PriorityRefused
	PriorityTighten
	PriorityTidy
)

// Report item kinds.
const (
	KindTierCIDR     = "cidr-covers-tier"
	KindForeignRef   = "foreign-reference"
	KindCrossAccount = "cross-account-reference"
	KindDefaultGroup = "default-group"
	KindNeedsTier    = "needs-tier"
	KindQuota        = "quota-pressure"
	KindPlanError    = "plan-error"
	// Guardrail findings keep their check id as their kind (world-open-admin-port,
	// tier-adjacency, shadowed-rule, ...).
)

// Proposal is the declaration and its report.
type Proposal struct {
	Mesh   spec.Mesh
	Report []Item
	// GroupOf maps each service to the group it adopts.
	GroupOf map[string]string
}

// world is how EC2 writes the whole internet.
const world4, world6 = "0.0.0.0/0", "::/0"

// ExceptionReason marks the exceptions the proposal adds.
const ExceptionReason = "imported as it exists; see the migration report"

// Build proposes a declaration for the groups of one VPC.
func Build(a *ec2read.Account, tiers []Tier) (*Proposal, error) {
	return BuildWithTraffic(a, tiers, nil)
}

// BuildWithTraffic proposes a declaration with the traffic observed in
// the VPC as evidence for tightening CIDR rules (nil: none).
func BuildWithTraffic(a *ec2read.Account, tiers []Tier, tr *Traffic) (*Proposal, error) {
	if vpcs := a.VPCs(); len(vpcs) > 1 {
		return nil, fmt.Errorf("%s holds groups of %d VPCs (%s): choose one with --vpc-id", a.Source, len(vpcs), strings.Join(vpcs, ", "))
	}
	b := &builder{a: a, tiers: tiers, p: &Proposal{GroupOf: map[string]string{}}, service: map[string]string{},
		taken: map[string]bool{}, external: map[string]string{}, flows: tr}
	b.services()
	if len(b.groups) == 0 {
		return nil, fmt.Errorf("%s: no security groups to import besides the VPC's default group", a.Source)
	}
	b.place()
	if err := b.rules(); err != nil {
		return nil, err
	}
	if err := b.acknowledge(); err != nil {
		return nil, err
	}
	b.tierCIDRs()
	b.shadowed()
	slices.SortStableFunc(b.p.Report, func(x, y Item) int {
		return cmp.Or(cmp.Compare(x.Priority(), y.Priority()),
			cmp.Compare(x.Service, y.Service), cmp.Compare(x.Kind, y.Kind), cmp.Compare(x.Rule, y.Rule))
	})
	return b.p, nil
}

type builder struct {
	a       *ec2read.Account
	tiers   []Tier
	p       *Proposal
	groups  []*ec2read.Group
	service map[string]string // group id -> service name
	// external maps another account's group (OWNER/sg-…) to the external
	// group that declares it.
	external map[string]string
	taken    map[string]bool // lower-cased names of services and external groups
	buckets  []*bucket
	flows    *Traffic
	// tightened are the keys of the CIDR rules the traffic replaced.
	tightened map[string]bool
}

// bucket is one declaration rule: a group's permissions that share
// direction, traffic and description, with their peers.
type bucket struct {
	group           *ec2read.Group
	dir, protocol   string
	from, to        int
	desc            string
	services        []string
	self            bool
	cidrs, prefixes []string
	index           int // its position in the service's ingress or egress list
	ec2Rules        []ec2read.Rule
	// observed are the services (self as the own service) tighten added
	// as peers: their rules do not exist yet.
	observed []string
}

var invalidChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// serviceName makes a valid, unique service name from the group's Name tag
// or name.
func serviceName(g *ec2read.Group, taken map[string]bool) string {
	n := invalidChars.ReplaceAllString(cmp.Or(strings.TrimSpace(g.Tags["Name"]), g.Name), "-")
	n = strings.TrimLeft(n, "._-")
	n = strings.TrimRight(n, "-")
	if n == "" || strings.HasPrefix(strings.ToLower(n), "sg-") {
		n = "svc-" + cmp.Or(n, g.ID)
	}
	return uniqueName(n, taken)
}

// uniqueName is n, or n-2, n-3, … if a service or external group has it
// already (compared without case, so no two differ only in case).
func uniqueName(n string, taken map[string]bool) string {
	out := n
	for i := 2; taken[strings.ToLower(out)]; i++ {
		out = fmt.Sprintf("%s-%d", n, i)
	}
	taken[strings.ToLower(out)] = true
	return out
}

func (b *builder) services() {
	for i := range b.a.Groups {
		g := &b.a.Groups[i]
		if g.Name == "default" {
			b.p.Report = append(b.p.Report, Item{Kind: KindDefaultGroup, GroupID: g.ID,
				Problem: "the VPC's default group is left out: EC2 creates it with the VPC, and it cannot be renamed or deleted",
				Suggest: "attach nothing to it; give its instances a service's group instead"})
			continue
		}
		name := serviceName(g, b.taken)
		b.groups = append(b.groups, g)
		b.service[g.ID] = name
		b.p.GroupOf[name] = g.ID
		b.p.Mesh.Services = append(b.p.Mesh.Services, spec.Service{Name: name,
			Adopt: &spec.Adopt{GroupID: g.ID, Name: g.Name, Description: g.Description}})
	}
	b.p.Mesh.VpcID = cmp.Or(b.a.VPCs()...)
}

func (b *builder) svc(name string) *spec.Service {
	i := slices.IndexFunc(b.p.Mesh.Services, func(s spec.Service) bool { return s.Name == name })
	return &b.p.Mesh.Services[i]
}

// place puts each service in the tier its interfaces' addresses are in.
func (b *builder) place() {
	if len(b.tiers) == 0 {
		b.p.Mesh.Tiers = []spec.Tier{{Name: "all", Description: "every imported service, until --tier flags place them"}}
		for i := range b.p.Mesh.Services {
			b.p.Mesh.Services[i].Tier = "all"
		}
		b.p.Report = append(b.p.Report, Item{Kind: KindNeedsTier,
			Problem: "no --tier flags: every service is in one tier, \"all\", and no flow is checked for tier adjacency",
			Suggest: "run import again with --tier NAME=CIDR for each tier, outermost first"})
		return
	}
	for _, t := range b.tiers {
		st := spec.Tier{Name: t.Name}
		for _, c := range t.CIDRs {
			st.CidrBlocks = append(st.CidrBlocks, c.String())
		}
		b.p.Mesh.Tiers = append(b.p.Mesh.Tiers, st)
	}
	for _, g := range b.groups {
		s := b.svc(b.service[g.ID])
		var in []string
		for _, ifc := range g.Interfaces {
			for _, addr := range ifc.Addresses {
				for _, t := range b.tiers {
					if slices.ContainsFunc(t.CIDRs, func(p netip.Prefix) bool { return p.Contains(addr) }) && !slices.Contains(in, t.Name) {
						in = append(in, t.Name)
					}
				}
			}
		}
		switch {
		case len(in) == 1:
			s.Tier = in[0]
		case !b.a.AttachmentsKnown:
			b.needsTier(g, s.Name, "its network interfaces are unknown: give describe-network-interfaces output too, or set its tier by hand")
		case len(g.Interfaces) == 0:
			b.needsTier(g, s.Name, "it is attached to no network interface: set its tier by hand, or remove the service if it is unused")
		case len(in) == 0:
			b.needsTier(g, s.Name, "its network interfaces' addresses are in no --tier CIDR: add the tier, or set its tier by hand")
		default:
			b.needsTier(g, s.Name, fmt.Sprintf("its network interfaces are in tiers %s: split the group per tier, or choose one", strings.Join(in, ", ")))
		}
	}
}

func (b *builder) needsTier(g *ec2read.Group, service, why string) {
	b.p.Report = append(b.p.Report, Item{Kind: KindNeedsTier, GroupID: g.ID, Service: service,
		Problem: "service needs a tier; servicemesh plan reports it as an error until it has one", Suggest: why})
}

// defaultEgress reports whether every group's egress is exactly allow-all
// to 0.0.0.0/0 and ::/0: the mesh's allowAll policy.
func (b *builder) defaultEgress() bool {
	for _, g := range b.groups {
		var got []string
		for _, r := range g.Rules {
			if r.Direction == ec2read.Egress {
				got = append(got, r.Protocol+" "+r.Peer.String()+" "+r.Description)
			}
		}
		if !slices.Equal(got, []string{"-1 0.0.0.0/0 ", "-1 ::/0 "}) {
			return false
		}
	}
	return true
}

// rules buckets each group's permissions, tightens CIDRs by the traffic
// when there is some, and writes them as declaration rules.
func (b *builder) rules() error {
	allowAll := b.defaultEgress()
	b.p.Mesh.Egress = spec.EgressNone
	if allowAll {
		b.p.Mesh.Egress = spec.EgressAllowAll
	}
	for _, g := range b.groups {
		index := map[string]*bucket{}
		for _, r := range g.Rules {
			if r.Direction == ec2read.Egress && allowAll {
				continue
			}
			key := fmt.Sprint(r.Direction, r.Protocol, r.FromPort, r.ToPort, r.Description)
			bk := index[key]
			if bk == nil {
				bk = &bucket{group: g, dir: r.Direction, protocol: r.Protocol, from: r.FromPort, to: r.ToPort, desc: r.Description}
				index[key] = bk
				b.buckets = append(b.buckets, bk)
			}
			switch peer := r.Peer; {
			case peer.GroupID == g.ID:
				bk.self = true
			case peer.GroupOwner != "" && peer.GroupOwner != g.OwnerID:
				bk.services = append(bk.services, b.crossAccount(g, r))
			case peer.GroupID != "":
				name, ok := b.service[peer.GroupID]
				if !ok || (peer.GroupVpc != "" && peer.GroupVpc != g.VpcID) {
					b.foreign(g, r)
					continue
				}
				bk.services = append(bk.services, name)
			case peer.PrefixList != "":
				bk.prefixes = append(bk.prefixes, peer.PrefixList)
			default:
				bk.cidrs = append(bk.cidrs, peer.CIDR)
			}
			bk.ec2Rules = append(bk.ec2Rules, r)
		}
	}
	if b.flows != nil {
		if err := b.tighten(); err != nil {
			return err
		}
	}
	b.declare(b.networks())
	slices.SortFunc(b.p.Mesh.ExternalGroups, func(x, y spec.ExternalGroup) int { return cmp.Compare(x.Name, y.Name) })
	return nil
}

// crossAccount declares another account's group as an external group, once
// per group, named from its owner and id (content, not position), and
// reports the reference: it lets another account in. It returns the
// external group's name.
func (b *builder) crossAccount(g *ec2read.Group, r ec2read.Rule) string {
	ref := r.Peer.Reference(g.OwnerID) // OWNER/sg-…, as sourceSecurityGroupId takes it
	name, ok := b.external[ref]
	if !ok {
		name = uniqueName("ext-"+r.Peer.GroupOwner+"-"+r.Peer.GroupID, b.taken)
		b.external[ref] = name
		b.p.Mesh.ExternalGroups = append(b.p.Mesh.ExternalGroups, spec.ExternalGroup{Name: name, SecurityGroupID: ref,
			Description: "group " + r.Peer.GroupID + " of account " + r.Peer.GroupOwner})
	}
	b.p.Report = append(b.p.Report, Item{Kind: KindCrossAccount, GroupID: g.ID, Service: b.service[g.ID], Rule: ruleText(r), CrossAccount: true,
		Problem: fmt.Sprintf("lets in %s of account %s; declared as external group %s, so adopting keeps it and audit checks it", r.Peer.GroupID, r.Peer.GroupOwner, name),
		Suggest: fmt.Sprintf("confirm account %s still needs it; if not, remove the rule (and %s once no rule names it)", r.Peer.GroupOwner, name)})
	return name
}

func (b *builder) foreign(g *ec2read.Group, r ec2read.Rule) {
	where := "a group this import does not hold"
	switch {
	case r.Peer.GroupVpc != "" && r.Peer.GroupVpc != g.VpcID:
		where = "VPC " + r.Peer.GroupVpc
	case r.Peer.GroupID != "" && r.Peer.GroupID != g.ID:
		if other, err := b.a.Group(r.Peer.GroupID); err == nil && other.Name == "default" {
			where = "the VPC's default group"
		}
	}
	b.p.Report = append(b.p.Report, Item{Kind: KindForeignRef, GroupID: g.ID, Service: b.service[g.ID], Rule: ruleText(r),
		Problem: fmt.Sprintf("references %s in %s; kept in AWS, outside the declaration", r.Peer.GroupID, where),
		Suggest: "leave it (servicemesh audit lists it as not in the plan), or replace it with a CIDR or prefix list of the callers"})
}

// ruleText is an existing rule as a reader names it.
func ruleText(r ec2read.Rule) string {
	dir := "from"
	if r.Direction == ec2read.Egress {
		dir = "to"
	}
	return fmt.Sprintf("%s %s %s %s", r.Direction, r.Ports(), dir, r.Peer)
}

// networks names the CIDRs: one network per set of rules that use them,
// except the world, which is internet when both families are there. It
// returns each CIDR's network.
func (b *builder) networks() map[string]string {
	uses := map[string][]int{}
	var cidrs []string
	for i, bk := range b.buckets {
		for _, c := range bk.cidrs {
			if (c == world4 || c == world6) && slices.Contains(bk.cidrs, world4) && slices.Contains(bk.cidrs, world6) {
				continue
			}
			if uses[c] == nil {
				cidrs = append(cidrs, c)
			}
			uses[c] = append(uses[c], i)
		}
	}
	slices.SortFunc(cidrs, compareCIDR)
	bySig := map[string]*spec.Network{}
	var order []string
	for _, c := range cidrs {
		if c == world4 || c == world6 {
			continue
		}
		sig := fmt.Sprint(uses[c])
		n := bySig[sig]
		if n == nil {
			n = &spec.Network{Name: "net-" + strings.NewReplacer("/", "-", ":", ".").Replace(c)}
			bySig[sig] = n
			order = append(order, sig)
		}
		n.CidrBlocks = append(n.CidrBlocks, c)
	}
	netOf := map[string]string{}
	for _, sig := range order {
		n := bySig[sig]
		if len(n.CidrBlocks) > 1 {
			n.Name += fmt.Sprintf("-and-%d-more", len(n.CidrBlocks)-1)
		}
		for _, c := range n.CidrBlocks {
			netOf[c] = n.Name
		}
		b.p.Mesh.Networks = append(b.p.Mesh.Networks, *n)
	}
	return netOf
}

// declare writes each bucket as a rule of its service.
func (b *builder) declare(netOf map[string]string) {
	for _, bk := range b.buckets {
		s := b.svc(b.service[bk.group.ID])
		var peers spec.Peers
		peers.Services, peers.Self, peers.PrefixListIDs = bk.services, bk.self, bk.prefixes
		for _, c := range bk.cidrs {
			switch {
			case netOf[c] != "":
				if !slices.Contains(peers.Networks, netOf[c]) {
					peers.Networks = append(peers.Networks, netOf[c])
				}
			case slices.Contains(bk.cidrs, world4) && slices.Contains(bk.cidrs, world6):
				peers.Internet = true
			default:
				peers.CidrBlocks = append(peers.CidrBlocks, c)
			}
			if bk.dir == ec2read.Ingress && (c == world4 || c == world6) {
				s.InternetFacing = true
			}
		}
		if len(bk.ec2Rules) == 0 {
			continue // only foreign references: nothing to declare
		}
		t := traffic(bk)
		if bk.dir == ec2read.Ingress {
			bk.index = len(s.Ingress)
			s.Ingress = append(s.Ingress, spec.IngressRule{Traffic: t, From: peers})
		} else {
			bk.index = len(s.Egress)
			s.Egress = append(s.Egress, spec.EgressRule{Traffic: t, To: peers})
		}
	}
}

func compareCIDR(a, b string) int {
	pa, ea := netip.ParsePrefix(a)
	pb, eb := netip.ParsePrefix(b)
	if ea != nil || eb != nil {
		return cmp.Compare(a, b)
	}
	return cmp.Or(pa.Addr().Compare(pb.Addr()), cmp.Compare(pa.Bits(), pb.Bits()))
}

// traffic is the declaration's form of a bucket's protocol and ports.
func traffic(bk *bucket) spec.Traffic {
	t := spec.Traffic{Protocol: bk.protocol, Description: bk.desc}
	switch bk.protocol {
	case "tcp", "udp":
		if bk.protocol == "tcp" {
			t.Protocol = ""
		}
		if bk.from == bk.to {
			t.Ports = []int{bk.from}
		} else {
			t.PortRange = &spec.PortRange{From: bk.from, To: bk.to}
		}
	case "icmp", "icmpv6":
		if bk.from != -1 {
			t.IcmpType = &bk.from
			if bk.to != -1 {
				t.IcmpCode = &bk.to
			}
		}
	case "-1":
		t.Protocol = "all"
	}
	return t
}

// acknowledge plans the draft and adds an exception to each rule a
// guardrail rejects, reporting it; errors that no exception can lift
// (quotas, missing tiers) stay, and are reported.
func (b *builder) acknowledge() error {
	p, err := plan.Build(b.placed())
	var fe *finding.Errors
	if err != nil && !errors.As(err, &fe) {
		return fmt.Errorf("planning the proposed declaration: %w", err)
	}
	added := false
	for _, f := range p.Findings {
		if f.Service == "" || f.Rule == "" || !isAcknowledgeable(f.Check) {
			continue
		}
		b.report(f)
		if f.Severity != finding.Error {
			continue
		}
		t := b.traffic(f.Service, f.Rule)
		if t == nil || slices.ContainsFunc(t.Exceptions, func(e spec.Exception) bool { return e.Check == f.Check }) {
			continue
		}
		t.Exceptions = append(t.Exceptions, spec.Exception{Check: f.Check, Reason: ExceptionReason})
		added = true
	}
	if added {
		p, err = plan.Build(b.placed())
		if err != nil && !errors.As(err, &fe) {
			return fmt.Errorf("planning the proposed declaration: %w", err)
		}
	}
	for _, r := range p.Rules {
		// Every declared rule exists, but those the traffic added: adopt
		// imports the others.
		if a := b.svc(r.Service).Adopt; a != nil && !b.created(r) {
			a.Rules = append(a.Rules, r.Key)
		}
	}
	for _, f := range p.Findings.Errors() {
		b.p.Report = append(b.p.Report, Item{Kind: KindPlanError, GroupID: b.p.GroupOf[f.Service], Service: f.Service, Rule: f.Rule,
			Problem: "servicemesh plan: " + f.Message, Suggest: f.Fix})
	}
	for _, u := range p.QuotaUsage {
		if u.Limit > 0 && u.Used*5 >= u.Limit*4 {
			service, _ := strings.CutPrefix(u.Scope, "group ") // else the scope is an interface or the mesh
			if service == u.Scope {
				service = ""
			}
			b.p.Report = append(b.p.Report, Item{Kind: KindQuota, Service: service, GroupID: b.p.GroupOf[service],
				Problem: fmt.Sprintf("%s: %s uses %d of %d", u.Quota, u.Scope, u.Used, u.Limit),
				Suggest: "merge CIDR rules into group references, or ask AWS for a higher quota and set limits"})
		}
	}
	return nil
}

// placed is the draft with each service that needs a tier placed in the
// outermost one as shared (exempt from tier adjacency), so the other
// guardrails still judge its rules. Its adjacency is judged once the user
// gives it a tier, as the report says.
func (b *builder) placed() spec.Mesh {
	m := b.p.Mesh
	m.Services = slices.Clone(m.Services)
	for i, s := range m.Services {
		if s.Tier == "" {
			m.Services[i].Tier, m.Services[i].Shared = m.Tiers[0].Name, true
		}
	}
	return m
}

// report adds a guardrail finding on an imported rule to the report.
func (b *builder) report(f finding.Finding) {
	suggest := f.Fix
	if f.Severity == finding.Error {
		suggest = "the proposal keeps it with exceptions: [{check: " + f.Check + "}] so adopting changes nothing; " + f.Fix
	}
	b.p.Report = append(b.p.Report, Item{Kind: f.Check, GroupID: b.p.GroupOf[f.Service], Service: f.Service,
		Rule: b.ruleLabel(f.Service, f.Rule), Problem: f.Message, Suggest: suggest})
}

// ruleLabel is a declaration rule path with the EC2 rules it came from.
func (b *builder) ruleLabel(service, path string) string {
	bk := b.bucketAt(service, path)
	if bk == nil {
		return path
	}
	var parts []string
	for _, r := range bk.ec2Rules {
		parts = append(parts, ruleText(r))
	}
	return path + " (" + strings.Join(parts, "; ") + ")"
}

// bucketAt finds the declared bucket at a finding's rule path, matching
// the path each bucket's own position spells (nothing parses the path).
func (b *builder) bucketAt(service, path string) *bucket {
	for _, bk := range b.buckets {
		if b.service[bk.group.ID] == service && finding.RulePath(bk.dir, bk.index) == path && len(bk.ec2Rules) > 0 {
			return bk
		}
	}
	return nil
}

// traffic finds a declaration rule by its path.
func (b *builder) traffic(service, path string) *spec.Traffic {
	bk := b.bucketAt(service, path)
	if bk == nil {
		return nil
	}
	s := b.svc(service)
	if bk.dir == ec2read.Ingress {
		return &s.Ingress[bk.index].Traffic
	}
	return &s.Egress[bk.index].Traffic
}

// tierCIDRs suggests, for each CIDR rule whose CIDR overlaps a tier, the
// services of the callers there: the article's group references.
func (b *builder) tierCIDRs() {
	for _, bk := range b.buckets {
		service := b.service[bk.group.ID]
		for _, r := range bk.ec2Rules {
			pre, err := netip.ParsePrefix(r.Peer.CIDR)
			if err != nil || pre.Bits() == 0 || b.tightened[r.Key()] {
				continue // tightened: its item says by whom
			}
			var tiers []string
			for _, t := range b.tiers {
				if slices.ContainsFunc(t.CIDRs, pre.Overlaps) {
					tiers = append(tiers, t.Name)
				}
			}
			if len(tiers) == 0 {
				continue
			}
			callers := b.callers(pre, bk.group.ID)
			it := Item{Kind: KindTierCIDR, GroupID: bk.group.ID, Service: service, Rule: ruleText(r)}
			it.Problem = fmt.Sprintf("%s covers tier %s", r.Peer.CIDR, strings.Join(tiers, ", "))
			switch {
			case len(callers) > 0:
				it.Problem += ": its callers there are " + strings.Join(callers, ", ")
				peer := "from"
				if r.Direction == ec2read.Egress {
					peer = "to"
				}
				it.Suggest = fmt.Sprintf("%s: {services: [%s]} instead of the CIDR", peer, strings.Join(callers, ", "))
			case b.a.AttachmentsKnown:
				it.Problem += ": no network interface there carries a group of this import"
				it.Suggest = "remove the rule if nothing there needs it, or give the callers a service"
			default:
				it.Suggest = "give describe-network-interfaces output to name the callers there"
			}
			b.p.Report = append(b.p.Report, it)
		}
	}
}

// callers are the services (other than the rule's own) with an interface
// address inside pre, sorted.
func (b *builder) callers(pre netip.Prefix, self string) []string {
	var out []string
	for _, g := range b.groups {
		if g.ID == self {
			continue
		}
		for _, ifc := range g.Interfaces {
			if slices.ContainsFunc(ifc.Addresses, pre.Contains) && !slices.Contains(out, b.service[g.ID]) {
				out = append(out, b.service[g.ID])
			}
		}
	}
	slices.Sort(out)
	return out
}

// shadowed reports CIDR rules another rule of the group already allows: a
// wider CIDR on ports that cover them. (The plan's own check sees only one
// peer at a time.)
func (b *builder) shadowed() {
	for _, g := range b.groups {
		for _, r := range g.Rules {
			pr, err := netip.ParsePrefix(r.Peer.CIDR)
			if err != nil {
				continue
			}
			for _, o := range g.Rules {
				po, err := netip.ParsePrefix(o.Peer.CIDR)
				if err != nil || o.Key() == r.Key() || o.Direction != r.Direction || po.Bits() >= pr.Bits() || !po.Contains(pr.Addr()) ||
					!(ports.Range{Protocol: o.Protocol, From: o.FromPort, To: o.ToPort}).Covers(ports.Range{Protocol: r.Protocol, From: r.FromPort, To: r.ToPort}) {
					continue
				}
				b.p.Report = append(b.p.Report, Item{Kind: finding.CheckShadowedRule, GroupID: g.ID, Service: b.service[g.ID], Rule: ruleText(r),
					Problem: "already allowed by " + ruleText(o), Suggest: "remove one of them: narrow the wider rule to its callers, then drop this one if it is still covered"})
				break
			}
		}
	}
}

// NeedTier lists the services the proposal could not place in a tier.
func (p *Proposal) NeedTier() []string {
	var out []string
	for _, s := range p.Mesh.Services {
		if s.Tier == "" {
			out = append(out, s.Name)
		}
	}
	return out
}

// isAcknowledgeable reports whether a rule's exception may name the check.
func isAcknowledgeable(check string) bool {
	c, ok := finding.Lookup(check)
	return ok && c.Acknowledgeable
}
