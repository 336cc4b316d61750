package plan_test

import (
	"fmt"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

func ptr(i int) *int { return &i }

// service returns the named service of m for a case to break.
func service(m *spec.Mesh, name string) *spec.Service {
	for i := range m.Services {
		if m.Services[i].Name == name {
			return &m.Services[i]
		}
	}
	panic("no service " + name)
}

func in(ports []int, from spec.Peers) spec.IngressRule {
	return spec.IngressRule{Traffic: spec.Traffic{Ports: ports}, From: from}
}

// badInput is one way to break the reference architecture.
type badInput struct {
	name   string
	change func(m *spec.Mesh)
}

var badInputs = []badInput{
	// Structure and references (package validate).
	{"unknown source service", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].From.Services = []string{"CustomerManagment-API"} }},
	{"unknown network", func(m *spec.Mesh) { service(m, "AdminAccess").Ingress[0].From.Networks = []string{"ofice"} }},
	{"unknown tier peer", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].From = spec.Peers{Tiers: []string{"ap"}} }},
	{"unknown attachedWith", func(m *spec.Mesh) { service(m, "MySQL").AttachedWith = []string{"AdminAcess"} }},
	{"duplicate service", func(m *spec.Mesh) { m.Services = append(m.Services, spec.Service{Name: "MySQL", Tier: "data"}) }},
	{"duplicate tier", func(m *spec.Mesh) { m.Tiers = append(m.Tiers, spec.Tier{Name: "web"}) }},
	{"duplicate network", func(m *spec.Mesh) { m.Networks = append(m.Networks, m.Networks[0]) }},
	{"port above 65535", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Ports = []int{70000} }},
	{"negative port", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Ports = []int{-1} }},
	{"range runs backwards", func(m *spec.Mesh) {
		r := &service(m, "MySQL").Ingress[0]
		r.Ports, r.PortRange = nil, &spec.PortRange{From: 3307, To: 3306}
	}},
	{"range out of bounds", func(m *spec.Mesh) {
		r := &service(m, "MySQL").Ingress[0]
		r.Ports, r.PortRange = nil, &spec.PortRange{From: 1024, To: 70000}
	}},
	{"unknown protocol", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Protocol = "tpc" }},
	{"protocol number too big", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Protocol = "256" }},
	{"bad CIDR", func(m *spec.Mesh) { m.Networks[0].CidrBlocks = []string{"203.0.113.0/33"} }},
	{"CIDR with host bits", func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].From = spec.Peers{CidrBlocks: []string{"10.0.2.7/24"}}
	}},
	{"bad tier CIDR", func(m *spec.Mesh) { m.Tiers[0].CidrBlocks = []string{"10.0.0.0"} }},
	{"network without CIDRs", func(m *spec.Mesh) { m.Networks[0].CidrBlocks = nil }},
	{"undeclared tier", func(m *spec.Mesh) { service(m, "MySQL").Tier = "date" }},
	{"service without tier", func(m *spec.Mesh) { service(m, "MySQL").Tier = "" }},
	{"ports on protocol all", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Protocol = "all" }},
	{"tcp without ports", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Ports = nil }},
	{"ports on icmp", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Protocol = "icmp" }},
	{"icmp code without type", func(m *spec.Mesh) {
		r := &service(m, "MySQL").Ingress[0]
		r.Protocol, r.Ports, r.IcmpCode = "icmp", nil, ptr(0)
	}},
	{"icmp type out of range", func(m *spec.Mesh) {
		r := &service(m, "MySQL").Ingress[0]
		r.Protocol, r.Ports, r.IcmpType = "icmp", nil, ptr(300)
	}},
	{"icmp type on tcp", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].IcmpType = ptr(8) }},
	{"icmp to an IPv6 peer", func(m *spec.Mesh) {
		r := &service(m, "MySQL").Ingress[0]
		r.Protocol, r.Ports, r.From = "icmp", nil, spec.Peers{CidrBlocks: []string{"2001:db8::/32"}}
	}},
	{"rule without peers", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].From = spec.Peers{} }},
	{"bad prefix list", func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].From = spec.Peers{PrefixListIDs: []string{"pl-xyz"}}
	}},
	{"tier peer without CIDRs", func(m *spec.Mesh) {
		m.Tiers[2].CidrBlocks = nil
		service(m, "MySQL").Ingress[0].From = spec.Peers{Tiers: []string{"app"}}
	}},
	{"name starting with sg-", func(m *spec.Mesh) { m.Services = append(m.Services, spec.Service{Name: "sg-web", Tier: "web"}) }},
	{"name with a space", func(m *spec.Mesh) { service(m, "MySQL").Name = "My SQL" }},
	{"bad namePrefix", func(m *spec.Mesh) { m.NamePrefix = "prod/" }},
	{"unknown egress policy", func(m *spec.Mesh) { m.Egress = "deny" }},
	{"exception without reason", func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].Exceptions = []spec.Exception{{Check: "tier-adjacency"}}
	}},
	// Guardrails (package guard).
	{"web talks to data", func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].From.Services = []string{"FrontEnd-Web"}
	}},
	{"dmz talks to data", func(m *spec.Mesh) {
		service(m, "MySQL").Ingress = append(service(m, "MySQL").Ingress, in([]int{3306}, spec.Peers{Services: []string{"ELB-FrontEnd-Web"}}))
	}},
	{"tier peer skips a tier", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].From = spec.Peers{Tiers: []string{"web"}} }},
	{"SSH from the world", func(m *spec.Mesh) { service(m, "AdminAccess").Ingress[0].From = spec.Peers{Internet: true} }},
	{"MySQL from the world", func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].From = spec.Peers{CidrBlocks: []string{"0.0.0.0/0"}}
	}},
	{"RDP range from the world", func(m *spec.Mesh) {
		service(m, "ELB-FrontEnd-Web").Ingress = append(service(m, "ELB-FrontEnd-Web").Ingress, spec.IngressRule{
			Traffic: spec.Traffic{PortRange: &spec.PortRange{From: 3000, To: 4000}}, From: spec.Peers{Internet: true}})
	}},
	{"all protocols from the world", func(m *spec.Mesh) {
		service(m, "ELB-FrontEnd-Web").Ingress[0] = spec.IngressRule{Traffic: spec.Traffic{Protocol: "all"}, From: spec.Peers{CidrBlocks: []string{"::/0"}}}
	}},
	{"world-open service not internet-facing", func(m *spec.Mesh) {
		service(m, "FrontEnd-Web").Ingress[0].From = spec.Peers{CidrBlocks: []string{"0.0.0.0/0"}}
	}},
	{"world-open odd port", func(m *spec.Mesh) { service(m, "ELB-FrontEnd-Web").Ingress[0].Ports = []int{8080} }},
	{"exception names an unknown check", func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].Exceptions = []spec.Exception{{Check: "tier-skip", Reason: "legacy"}}
	}},
	{"too many inbound rules", func(m *spec.Mesh) {
		m.Limits = &spec.Limits{InboundRulesPerGroup: 3}
	}},
	{"too many groups on an interface", func(m *spec.Mesh) {
		service(m, "MySQL").AttachedWith = []string{"AdminAccess", "ELK", "Graphite", "FrontEnd-Web", "ELB-FrontEnd-Web"}
	}},
	{"limits over AWS's product bound", func(m *spec.Mesh) {
		m.Limits = &spec.Limits{InboundRulesPerGroup: 100, GroupsPerInterface: 16}
	}},
	{"groupsPerInterface above 16", func(m *spec.Mesh) {
		m.Limits = &spec.Limits{InboundRulesPerGroup: 10, OutboundRulesPerGroup: 10, GroupsPerInterface: 20, RulesTimesGroups: 1000}
	}},
	{"more groups than the Region allows", func(m *spec.Mesh) { m.Limits = &spec.Limits{GroupsPerRegion: 5} }},
	{"rule description EC2 refuses", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Description = "café <admin>" }},
	{"tag key reserved by AWS", func(m *spec.Mesh) { m.Tags = map[string]string{"aws:owner": "me"} }},
	{"tag key the component sets", func(m *spec.Mesh) { m.Tags = map[string]string{"Name": "x"} }},
	// Added with the second pass over the guardrails.
	{"CIDR of the web tier into data", func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].From = spec.Peers{CidrBlocks: []string{"10.0.1.0/24"}}
	}},
	{"network spanning the tiers into data", func(m *spec.Mesh) {
		m.Networks = append(m.Networks, spec.Network{Name: "corp", CidrBlocks: []string{"10.0.0.0/22"}})
		service(m, "MySQL").Ingress[0].From = spec.Peers{Networks: []string{"corp"}}
	}},
	{"egress from web to the data tier", func(m *spec.Mesh) {
		service(m, "FrontEnd-Web").Egress = []spec.EgressRule{{Traffic: spec.Traffic{Ports: []int{3306}}, To: spec.Peers{Tiers: []string{"data"}}}}
	}},
	{"exception for another check leaves the error", func(m *spec.Mesh) {
		r := &service(m, "MySQL").Ingress[0]
		r.From.Services = []string{"FrontEnd-Web"}
		r.Exceptions = []spec.Exception{{Check: "world-open", Reason: "wrong check"}}
	}},
	{"exception naming a quota", func(m *spec.Mesh) {
		service(m, "MySQL").Ingress[0].Exceptions = []spec.Exception{{Check: "quota-rules-per-group", Reason: "big group"}}
	}},
	{"world-open through a network", func(m *spec.Mesh) {
		m.Networks = append(m.Networks, spec.Network{Name: "anywhere", CidrBlocks: []string{"0.0.0.0/0"}})
		service(m, "FrontEnd-Web").Ingress[0].From = spec.Peers{Networks: []string{"anywhere"}}
	}},
	{"udp 443 from the world", func(m *spec.Mesh) {
		s := service(m, "ELB-FrontEnd-Web")
		s.Ingress = append(s.Ingress, spec.IngressRule{Traffic: spec.Traffic{Protocol: "udp", Ports: []int{443}}, From: spec.Peers{CidrBlocks: []string{"::/0"}}})
	}},
	{"ICMP from the world", func(m *spec.Mesh) {
		s := service(m, "ELB-FrontEnd-Web")
		s.Ingress = append(s.Ingress, spec.IngressRule{Traffic: spec.Traffic{Protocol: "icmp"}, From: spec.Peers{Internet: true}})
	}},
	{"too many outbound IPv6 rules", func(m *spec.Mesh) {
		m.Limits = &spec.Limits{OutboundRulesPerGroup: 1}
		service(m, "MySQL").Egress = []spec.EgressRule{{Traffic: spec.Traffic{Ports: []int{443}}, To: spec.Peers{CidrBlocks: []string{"2001:db8::/48"}}}}
	}},
	{"the article's bound with today's rules", func(m *spec.Mesh) { m.Limits = &spec.Limits{RulesTimesGroups: 250} }},
	{"limits that overflow", func(m *spec.Mesh) { m.Limits = &spec.Limits{InboundRulesPerGroup: 1 << 62, GroupsPerInterface: 4} }},
	{"negative limit", func(m *spec.Mesh) { m.Limits = &spec.Limits{OutboundRulesPerGroup: -60} }},
	{"names differing only in case", func(m *spec.Mesh) { m.Services = append(m.Services, spec.Service{Name: "mysql", Tier: "data"}) }},
	{"group named default", func(m *spec.Mesh) { m.Services = append(m.Services, spec.Service{Name: "Default", Tier: "app"}) }},
	{"namePrefix starting with sg-", func(m *spec.Mesh) { m.NamePrefix = "sg-" }},
	{"namePrefix and name spell sg-", func(m *spec.Mesh) {
		m.NamePrefix = "s"
		m.Services = append(m.Services, spec.Service{Name: "g-Cache", Tier: "app", AttachedWith: []string{"AdminAccess"}})
	}},
	{"group name too long for its description", func(m *spec.Mesh) {
		m.Services = append(m.Services, spec.Service{Name: strings.Repeat("Batch", 44), Tier: "app", AttachedWith: []string{"AdminAccess"}})
	}},
	{"rule description too long", func(m *spec.Mesh) { service(m, "MySQL").Ingress[0].Description = strings.Repeat("x", 256) }},
	{"tag value too long", func(m *spec.Mesh) { m.Tags = map[string]string{"Owner": strings.Repeat("é", 257)} }},
	{"tag key too long", func(m *spec.Mesh) { m.Tags = map[string]string{strings.Repeat("k", 128): "v"} }},
	{"too many tags", func(m *spec.Mesh) {
		m.Tags = map[string]string{}
		for i := range 46 {
			m.Tags[fmt.Sprintf("t%02d", i)] = "x"
		}
	}},
	{"service description too long for its tag", func(m *spec.Mesh) { service(m, "MySQL").Description = strings.Repeat("d", 257) }},
}
