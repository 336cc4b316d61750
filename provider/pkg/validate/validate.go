// Package validate checks a declaration's structure and references before any
// planning: names, tiers, peers, protocols, ports and CIDRs. Policy checks
// (tier adjacency, quotas, lint) run later on the planned rules, in guard.
package validate

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// namePattern is a strict subset of EC2's group-name characters, chosen so a
// name is safe in resource names, tags and diagrams alike.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

var prefixListPattern = regexp.MustCompile(`^pl-[0-9a-f]{8,17}$`)

var groupIDPattern = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)

// referencePattern is a group reference the AWS provider accepts in
// sourceSecurityGroupId: [OWNER/]sg-…, OWNER a 12-digit account id
// (vpc_security_group_rule.go flattens UserIdGroupPairs so).
var referencePattern = regexp.MustCompile(`^([0-9]{12}/)?sg-[0-9a-f]{8,17}$`)

// MaxNameLength is EC2's limit on a group name, prefix included.
const MaxNameLength = 255

// Mesh reports every structural problem in m.
func Mesh(m spec.Mesh) finding.List {
	v := validator{m: m}
	v.mesh()
	v.out.Sort()
	return v.out
}

type validator struct {
	m   spec.Mesh
	out finding.List
	// Declared names in order (for suggestions) and as sets (for lookups).
	tiers, networks, services []string
	// groups are the names a rule's services: may name: services, then
	// external groups (one namespace: both are security groups).
	groups    []string
	known     map[string]map[string]bool
	tierCIDRs map[string]int
}

// declared reports whether a tier, network or service of that name exists.
func (v *validator) declared(kind, name string) bool { return v.known[kind][name] }

func (v *validator) errorf(check, service, rule, fix, format string, args ...any) {
	v.out.Add(check, service, rule, fix, format, args...)
}

func (v *validator) mesh() {
	if p := v.m.NamePrefix; p != "" && !namePattern.MatchString(p) {
		v.errorf(finding.CheckInvalidName, "", "", "use letters, digits, '.', '_' and '-'", "namePrefix %q has characters EC2 group names do not allow", p)
	}
	if e := v.m.Egress; e != "" && !slices.Contains(spec.EgressPolicies, e) {
		v.errorf(finding.CheckInvalidEgress, "", "", "use allowAll, none or mirror", "unknown egress policy %q", e)
	}
	if len(v.m.Tiers) == 0 {
		v.errorf(finding.CheckEmpty, "", "", "declare tiers outermost first, e.g. dmz, web, app, data", "no tiers declared")
	}
	if len(v.m.Services) == 0 {
		v.errorf(finding.CheckEmpty, "", "", "declare at least one service", "no services declared")
	}
	v.tierCIDRs = map[string]int{}
	v.known = map[string]map[string]bool{"tier": {}, "network": {}, "service": {}, "external group": {}}
	for i, t := range v.m.Tiers {
		where := fmt.Sprintf("tiers[%d]", i)
		v.tiers = v.name("tier", where, t.Name, v.tiers)
		v.tierCIDRs[t.Name] = len(t.CidrBlocks) + len(t.CidrBlocksFrom)
		if slices.Contains(v.m.Unknown, spec.ListID("tier", t.Name)) {
			v.tierCIDRs[t.Name]++ // known at up; checked then
		}
		for _, c := range slices.Concat(t.CidrBlocks, t.CidrBlocksFrom) {
			v.cidr("", where, c)
		}
	}
	for i, n := range v.m.Networks {
		where := fmt.Sprintf("networks[%d]", i)
		v.networks = v.name("network", where, n.Name, v.networks)
		if len(n.CidrBlocks)+len(n.CidrBlocksFrom) == 0 && !slices.Contains(v.m.Unknown, spec.ListID("network", n.Name)) {
			v.errorf(finding.CheckInvalidCIDR, "", where, "list its IPv4 or IPv6 CIDRs, e.g. cidrBlocks: [203.0.113.0/24]", "network %q has no cidrBlocks", n.Name)
		}
		for _, c := range slices.Concat(n.CidrBlocks, n.CidrBlocksFrom) {
			v.cidr("", where, c)
		}
	}
	for i, s := range v.m.Services {
		v.services = v.name("service", fmt.Sprintf("services[%d]", i), s.Name, v.services)
		if len(v.m.NamePrefix)+len(s.Name) > MaxNameLength {
			v.errorf(finding.CheckInvalidName, s.Name, "", "shorten the service name or namePrefix",
				"group name %q is longer than EC2's %d characters", v.m.NamePrefix+s.Name, MaxNameLength)
		}
	}
	v.groups = append([]string(nil), v.services...)
	for i, e := range v.m.ExternalGroups {
		v.externalGroup(fmt.Sprintf("externalGroups[%d]", i), e)
	}
	adopted := map[string]string{}
	for _, s := range v.m.Services {
		v.service(s)
		if a := s.Adopt; a != nil {
			switch other, dup := adopted[a.GroupID]; {
			case !groupIDPattern.MatchString(a.GroupID):
				v.errorf(finding.CheckInvalidAdopt, s.Name, "adopt", "give the existing group's id, e.g. groupId: sg-0123456789abcdef0", "adopt.groupId %q is not a security group id", a.GroupID)
			case dup:
				v.errorf(finding.CheckInvalidAdopt, s.Name, "adopt", fmt.Sprintf("a group has one owner: remove adopt from %q or %q", other, s.Name), "%s is adopted by %q too", a.GroupID, other)
			}
			adopted[a.GroupID] = s.Name
		}
	}
}

// externalGroup checks a group made outside the mesh: a name no service has
// (rules name both alike), a declared tier if any, and an sg- id if known.
func (v *validator) externalGroup(where string, e spec.ExternalGroup) {
	if v.declared("service", e.Name) {
		v.errorf(finding.CheckDuplicateName, "", where, fmt.Sprintf("rename the external group or the service called %q", e.Name),
			"external group %q has the name of a service", e.Name)
		return
	}
	n := len(v.groups)
	if v.groups = v.name("external group", where, e.Name, v.groups); len(v.groups) == n {
		return
	}
	if e.Tier != "" && !v.declared("tier", e.Tier) {
		v.errorf(finding.CheckUnknownReference, "", where, didYouMean("tier", e.Tier, v.tiers), "external group %q is in undeclared tier %q", e.Name, e.Tier)
	}
	if id := e.SecurityGroupID; id != "" && !referencePattern.MatchString(id) {
		v.errorf(finding.CheckInvalidPeer, "", where, "use a security group id such as sg-0123456789abcdef0, or 444455556666/sg-0123456789abcdef0 for another account's group",
			"external group %q: %q is not a security group id", e.Name, id)
	}
}

// group reports whether a rule's services: may name name.
func (v *validator) group(name string) bool {
	return v.declared("service", name) || v.declared("external group", name)
}

// name checks one declared name and returns the list with it added.
func (v *validator) name(kind, where, name string, seen []string) []string {
	switch {
	case name == "":
		v.errorf(finding.CheckInvalidName, "", where, "give it a name", "%s has no name", kind)
		return seen
	case !namePattern.MatchString(name):
		v.errorf(finding.CheckInvalidName, "", where, "use letters, digits, '.', '_' and '-', starting with a letter or digit",
			"%s name %q has characters that are not allowed", kind, name)
	case kind == "service" && strings.HasPrefix(strings.ToLower(name), "sg-"):
		v.errorf(finding.CheckInvalidName, name, "", "rename it; EC2 reserves names starting with sg-", "service name %q starts with sg-", name)
	case v.known[kind][name]:
		v.errorf(finding.CheckDuplicateName, "", where, fmt.Sprintf("rename one of the %ss called %q", kind, name), "duplicate %s name %q", kind, name)
		return seen
	}
	v.known[kind][name] = true
	return append(seen, name)
}

func (v *validator) cidr(service, rule, c string) {
	p, err := netip.ParsePrefix(strings.TrimSpace(c))
	switch {
	case err != nil:
		v.errorf(finding.CheckInvalidCIDR, service, rule, "write a CIDR such as 10.0.0.0/16 or 2001:db8::/32", "%q is not a CIDR block", c)
	case p.Masked() != p || p.String() != c:
		v.errorf(finding.CheckInvalidCIDR, service, rule, fmt.Sprintf("write it as %s", p.Masked()), "%q is not in canonical network form", c)
	}
}

func (v *validator) service(s spec.Service) {
	if s.Tier == "" {
		v.errorf(finding.CheckUnknownReference, s.Name, "", "set tier to one of: "+strings.Join(v.tiers, ", "), "service has no tier")
	} else if !v.declared("tier", s.Tier) {
		v.errorf(finding.CheckUnknownReference, s.Name, "", didYouMean("tier", s.Tier, v.tiers), "service is in undeclared tier %q", s.Tier)
	}
	for _, other := range s.AttachedWith {
		if !v.group(other) {
			v.errorf(finding.CheckUnknownReference, s.Name, "attachedWith", didYouMean("service", other, v.groups), "attachedWith names unknown service %q", other)
		}
	}
	for i, r := range s.Ingress {
		v.rule(s, finding.RulePath("ingress", i), r.Traffic, r.From, "from")
	}
	for i, r := range s.Egress {
		v.rule(s, finding.RulePath("egress", i), r.Traffic, r.To, "to")
	}
}

func (v *validator) rule(s spec.Service, where string, t spec.Traffic, p spec.Peers, field string) {
	ranges, probs := ports.Expand(t)
	for _, pr := range probs {
		v.errorf(pr.Check, s.Name, where, pr.Fix, "%s", pr.Message)
	}
	for i, e := range t.Exceptions {
		if strings.TrimSpace(e.Check) == "" || strings.TrimSpace(e.Reason) == "" {
			v.errorf(finding.CheckInvalidException, s.Name, fmt.Sprintf("%s.exceptions[%d]", where, i),
				"give both check (the guardrail's id) and a written reason", "an exception needs a check and a reason")
		}
	}
	v.peers(s, where, field, p, ranges)
}

func (v *validator) peers(s spec.Service, where, field string, p spec.Peers, ranges []ports.Range) {
	if !p.Self && !p.Internet && len(p.Services)+len(p.Networks)+len(p.Tiers)+len(p.CidrBlocks)+len(p.PrefixListIDs) == 0 {
		v.errorf(finding.CheckInvalidPeer, s.Name, where, fmt.Sprintf("set %s: {services: [...]}, networks, tiers, cidrBlocks, prefixListIds, self or internet", field),
			"rule has no peers in %q", field)
	}
	for _, name := range p.Services {
		if !v.group(name) {
			v.errorf(finding.CheckUnknownReference, s.Name, where, didYouMean("service", name, v.groups), "%s names unknown service %q", field, name)
		}
	}
	for _, name := range p.Networks {
		if !v.declared("network", name) {
			v.errorf(finding.CheckUnknownReference, s.Name, where, didYouMean("network", name, v.networks), "%s names unknown network %q", field, name)
		}
	}
	for _, name := range p.Tiers {
		switch {
		case !v.declared("tier", name):
			v.errorf(finding.CheckUnknownReference, s.Name, where, didYouMean("tier", name, v.tiers), "%s names unknown tier %q", field, name)
		case v.tierCIDRs[name] == 0:
			v.errorf(finding.CheckInvalidPeer, s.Name, where, fmt.Sprintf("give tier %q cidrBlocks, or name the services instead", name),
				"%s names tier %q, which has no cidrBlocks", field, name)
		}
	}
	for _, c := range p.CidrBlocks {
		v.cidr(s.Name, where, c)
	}
	for _, pl := range p.PrefixListIDs {
		if !prefixListPattern.MatchString(pl) {
			v.errorf(finding.CheckInvalidPeer, s.Name, where, "use a managed prefix list id such as pl-0123456789abcdef0", "%q is not a prefix list id", pl)
		}
	}
	v.icmpFamilies(s, where, p, ranges)
}

// icmpFamilies catches icmp towards IPv6 peers and icmpv6 towards IPv4 ones,
// which EC2 accepts but which never match a packet.
func (v *validator) icmpFamilies(s spec.Service, where string, p spec.Peers, ranges []ports.Range) {
	for _, r := range ranges {
		if !ports.IsICMP(r.Protocol) {
			continue // a rule of 2,000 ports and 2,000 CIDRs is not 4 million parses
		}
		for _, c := range v.peerCIDRs(p) {
			pre, err := netip.ParsePrefix(c)
			if err != nil {
				continue
			}
			switch {
			case r.Protocol == ports.ICMP && pre.Addr().Is6():
				v.errorf(finding.CheckInvalidPeer, s.Name, where, "use protocol icmpv6 for IPv6 peers", "icmp never matches IPv6 peer %s", c)
			case r.Protocol == ports.ICMPv6 && pre.Addr().Is4():
				v.errorf(finding.CheckInvalidPeer, s.Name, where, "use protocol icmp for IPv4 peers", "icmpv6 never matches IPv4 peer %s", c)
			}
		}
	}
}

// peerCIDRs lists the literal CIDRs of named networks and CIDR peers (tiers and
// internet are left out: they are expanded later and are family-mixed by design).
func (v *validator) peerCIDRs(p spec.Peers) []string {
	out := append([]string(nil), p.CidrBlocks...)
	for _, n := range v.m.Networks {
		if slices.Contains(p.Networks, n.Name) {
			out = append(out, slices.Concat(n.CidrBlocks, n.CidrBlocksFrom)...)
		}
	}
	return out
}
