// Package rule projects flows onto security groups: one group per service, and
// one EC2 rule per (group, direction, protocol, port range, single peer), each
// with a key derived from that content alone.
package rule

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/internal/order"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/wellknown"
)

// Direction is ingress or egress, as EC2 names them.
type Direction string

const (
	Ingress Direction = "ingress"
	Egress  Direction = "egress"
)

// Group is one service's security group.
type Group struct {
	Service string `json:"service"`
	// Name is the EC2 group name: the mesh's namePrefix and the service name.
	Name string `json:"name"`
	// Description never changes with rules or service descriptions: EC2
	// replaces a group whose description changes.
	Description    string `json:"description"`
	Tier           string `json:"tier"`
	Shared         bool   `json:"shared,omitempty"`
	InternetFacing bool   `json:"internetFacing,omitempty"`
	// Tags are the mesh's tags plus Name, Service, Tier, Description and ManagedBy.
	Tags map[string]string `json:"tags"`
	// KeepRulesOnDelete is set when the mesh turns revokeRulesOnDelete off
	// (its default, on, is left out of the plan's JSON).
	KeepRulesOnDelete bool `json:"keepRulesOnDelete,omitempty"`
	// AdoptID is the existing group's id when the service adopts one, and
	// AdoptRules the keys of its rules that exist already.
	AdoptID    string   `json:"adoptId,omitempty"`
	AdoptRules []string `json:"adoptRules,omitempty"`
}

// ManagedBy is the value of the ManagedBy tag on every group.
const ManagedBy = "pulumi-servicemesh"

// ServiceTag is the tag that names a group's service, whatever namePrefix its
// EC2 name carries: readers of an account (servicemesh reach) find services by it.
const ServiceTag = "Service"

// Rule is one EC2 security-group rule.
type Rule struct {
	// Key identifies the rule by content; resource names derive from it.
	Key       string      `json:"key"`
	Service   string      `json:"service"`
	Direction Direction   `json:"direction"`
	Ports     ports.Range `json:"ports"`
	// Peer is the source (ingress) or destination (egress). A group peer equal
	// to Service is EC2's self.
	Peer        flow.Endpoint `json:"peer"`
	Description string        `json:"description"`
	// Sources are the declarations the rule comes from, recorded when it is
	// made, in the order CompareSources gives. Not part of the plan's JSON,
	// whose flows already carry their origins.
	Sources []Source `json:"-"`
}

// Source is one declaration a rule comes from: a service's ingress[i] or
// egress[i], or the egress policy. Mirrored marks the caller-side egress copy
// the mirror policy makes of a group-to-group ingress rule.
type Source struct {
	flow.Origin
	// Direction is the side the declaration is written on (flow.Flow's
	// Declared): ingress for a mirror copy, though the rule is egress.
	Direction string
	Mirrored  bool
}

// Written reports whether a user wrote the rule this source names (not the
// egress policy, not a mirror copy).
func (s Source) Written() bool { return !s.Mirrored && s.Rule != flow.PolicyRule }

// Text names the source for a reader, relative to the service a finding is on.
func (s Source) Text(on string) string {
	switch {
	case s.Rule == flow.PolicyRule:
		return "the egress policy"
	case s.Mirrored:
		return "the mirror egress of " + s.Service + " " + s.Rule
	case s.Service == on:
		return s.Rule
	default:
		return s.Service + " " + s.Rule
	}
}

// CompareSources orders what a user did not write (the egress policy, mirror
// copies) first, then declarations by service, side and index.
func CompareSources(a, b Source) int {
	written := func(s Source) int {
		if s.Written() {
			return 1
		}
		return 0
	}
	return cmp.Or(cmp.Compare(written(a), written(b)), cmp.Compare(a.Service, b.Service),
		cmp.Compare(a.Direction, b.Direction), cmp.Compare(a.Index, b.Index))
}

// Self reports whether the rule's peer is its own group.
func (r Rule) Self() bool { return r.Peer.IsGroup(r.Service) }

// IPv6 reports whether the rule's peer is an IPv6 CIDR.
func (r Rule) IPv6() bool { return r.Peer.IsIPv6() }

// Groups lists the declaration's groups, sorted by service name.
func Groups(m spec.Mesh) []Group {
	out := make([]Group, 0, len(m.Services))
	for _, s := range m.Services {
		name := m.NamePrefix + s.Name
		tags := map[string]string{}
		for k, v := range m.Tags {
			tags[k] = v
		}
		tags["Name"] = name
		tags[ServiceTag] = s.Name
		tags["Tier"] = s.Tier
		tags["ManagedBy"] = ManagedBy
		if s.Description != "" {
			tags["Description"] = s.Description
		}
		g := Group{Service: s.Name, Name: name, Tier: s.Tier, Shared: s.Shared,
			InternetFacing: s.InternetFacing, Tags: tags, KeepRulesOnDelete: !m.RevokesRulesOnDelete(),
			Description: fmt.Sprintf("%s security group, managed by %s", name, ManagedBy)}
		if a := s.Adopt; a != nil {
			g.AdoptID, g.AdoptRules = a.GroupID, a.Rules
			g.Name = cmp.Or(a.Name, g.Name)
			g.Description = cmp.Or(a.Description, g.Description)
			tags["Name"] = g.Name
		}
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b Group) int { return cmp.Compare(a.Service, b.Service) })
	return out
}

// Project turns flows into rules: ingress on the callee for flows declared as
// ingress, egress on the caller for flows declared as egress, and under the
// mirror policy egress on the caller for group-to-group ingress flows too.
// Rules with the same key are merged; each records the declarations it comes
// from (Sources). The result is sorted by key.
func Project(flows []flow.Flow, policy spec.EgressPolicy) []Rule {
	index := make(map[id]int, len(flows))
	out := make([]Rule, 0, len(flows))
	// merged holds the descriptions of the few rules several flows yield;
	// the others keep their one description as it is.
	merged := map[int][]string{}
	srcs := make([]sourced, 0, len(flows))
	add := func(service string, dir Direction, peer flow.Endpoint, f *flow.Flow, mirrored bool) {
		k := id{service, dir, f.Ports, canonical(peer)}
		d := describe(f, dir)
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Rule{Service: service, Direction: dir, Ports: f.Ports, Peer: k.peer, Description: d})
		} else {
			if merged[i] == nil {
				merged[i] = []string{out[i].Description}
			}
			merged[i] = append(merged[i], d)
		}
		srcs = append(srcs, sourced{i, Source{Origin: f.Origin, Direction: f.Declared, Mirrored: mirrored}})
	}
	for i := range flows {
		f := &flows[i]
		switch f.Declared {
		case flow.Ingress:
			add(f.To.Service, Ingress, f.From, f, false)
			if _, ok := f.From.Group(); ok && policy == spec.EgressMirror {
				add(f.From.Service, Egress, f.To, f, true)
			}
		case flow.Egress:
			add(f.From.Service, Egress, f.To, f, false)
		}
	}
	for i := range out {
		out[i].Key = Key(out[i])
		if list, ok := merged[i]; ok {
			out[i].Description = joinDescriptions(list)
		} else {
			out[i].Description = truncate(out[i].Description)
		}
	}
	giveSources(out, srcs)
	perm := order.Identity(len(out))
	slices.SortFunc(perm, func(a, b int32) int { return cmp.Compare(out[a].Key, out[b].Key) })
	order.Apply(out, perm)
	return out
}

// sourced is a source of the rule at index rule of Project's output.
type sourced struct {
	rule int
	src  Source
}

// giveSources sets each rule's Sources, sorted and without repeats, as
// slices of one array (one allocation, not one per rule).
func giveSources(rules []Rule, srcs []sourced) {
	start := make([]int, len(rules)+1)
	for _, s := range srcs {
		start[s.rule+1]++
	}
	for i := range rules {
		start[i+1] += start[i]
	}
	next := slices.Clone(start[:len(rules)])
	all := make([]Source, len(srcs))
	for _, s := range srcs {
		all[next[s.rule]] = s.src
		next[s.rule]++
	}
	for i := range rules {
		own := all[start[i]:start[i+1]]
		if len(own) > 1 {
			slices.SortFunc(own, CompareSources)
			own = slices.Compact(own)
		}
		rules[i].Sources = own[:len(own):len(own)]
	}
}

// id is a rule's identity as Key spells it, without building the string for
// every flow (projection is on the planner's hot path).
type id struct {
	service string
	dir     Direction
	ports   ports.Range
	peer    flow.Endpoint
}

// canonical drops how a CIDR was named, so one CIDR named twice is one rule.
// A cidrBlocksFrom list is its name.
func canonical(e flow.Endpoint) flow.Endpoint {
	if !e.IsList() {
		e.Via = flow.Named{}
	}
	return e
}

// IngressKey is the key of the ingress rule Project makes of a flow
// declared on the ingress side.
func IngressKey(f flow.Flow) string {
	return Key(Rule{Service: f.To.Service, Direction: Ingress, Ports: f.Ports, Peer: canonical(f.From)})
}

// EgressKey is the key of the egress rule Project makes of a flow
// declared on the egress side.
func EgressKey(f flow.Flow) string {
	return Key(Rule{Service: f.From.Service, Direction: Egress, Ports: f.Ports, Peer: canonical(f.To)})
}

// Key is the rule's identity: group, direction, protocol, ports and peer. The
// description is left out because EC2 updates it in place.
func Key(r Rule) string {
	return strings.Join([]string{r.Service, string(r.Direction), r.Ports.Slug(), r.PeerOf().Slug()}, "/")
}

// Name is the rule's resource name, derived from its key: readable, and safe in
// a Pulumi URN (no "::" from IPv6, no "/").
func Name(r Rule) string { return nameSafe.Replace(r.Key) }

var nameSafe = strings.NewReplacer("/", "-", ":", ".")

// PeerOf is the rule's peer, which knows its every EC2 form (flow.Peer).
func (r Rule) PeerOf() flow.Peer { return flow.Peer{Endpoint: r.Peer, Self: r.Self()} }

// describe gives a rule a readable default: the user's text, else the port's
// well-known name and where the flow comes from or goes to.
func describe(f *flow.Flow, dir Direction) string {
	if f.Description != "" {
		return f.Description
	}
	what := f.Ports.String()
	if wk, ok := wellknown.Lookup(f.Ports.Protocol, f.Ports.From); ok && f.Ports.From == f.Ports.To {
		what = wk.Description
	}
	if dir == Ingress {
		return what + " from " + f.From.Label()
	}
	return what + " to " + f.To.Label()
}

// joinDescriptions merges the descriptions of merged rules deterministically,
// within EC2's 255 characters.
func joinDescriptions(list []string) string {
	if len(list) > 1 {
		slices.Sort(list)
		list = slices.Compact(list)
	}
	return truncate(strings.Join(list, "; "))
}

// truncate keeps a description within EC2's 255 characters.
func truncate(s string) string {
	if len(s) > 255 {
		return s[:252] + "..."
	}
	return s
}
