// Package ports turns a rule's protocol and ports into EC2's terms: a
// canonical protocol and a from/to pair per rule, with the problems found.
package ports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Canonical protocol names. All is EC2's "-1".
const (
	TCP    = "tcp"
	UDP    = "udp"
	ICMP   = "icmp"
	ICMPv6 = "icmpv6"
	All    = "-1"
)

// Range is what one EC2 rule lets through. For tcp/udp From/To are ports; for
// icmp/icmpv6 they are type and code (-1 = all); otherwise both are 0.
type Range struct {
	Protocol string `json:"protocol"`
	From     int    `json:"fromPort"`
	To       int    `json:"toPort"`
}

// HasPorts reports whether the protocol takes port numbers.
func HasPorts(protocol string) bool { return protocol == TCP || protocol == UDP }

// IsICMP reports whether the protocol takes an ICMP type and code.
func IsICMP(protocol string) bool { return protocol == ICMP || protocol == ICMPv6 }

// String is the human form: tcp/443, tcp/1024-65535, udp/8125, icmp/8:0, all.
func (r Range) String() string {
	switch {
	case r.Protocol == All:
		return "all"
	case HasPorts(r.Protocol) && r.From == r.To:
		return fmt.Sprintf("%s/%d", r.Protocol, r.From)
	case HasPorts(r.Protocol):
		return fmt.Sprintf("%s/%d-%d", r.Protocol, r.From, r.To)
	case IsICMP(r.Protocol) && r.From == -1:
		return r.Protocol + "/all"
	case IsICMP(r.Protocol) && r.To == -1:
		return fmt.Sprintf("%s/%d", r.Protocol, r.From)
	case IsICMP(r.Protocol):
		return fmt.Sprintf("%s/%d:%d", r.Protocol, r.From, r.To)
	default:
		return "proto" + r.Protocol
	}
}

// Slug is String made safe for resource names: tcp-443, tcp-1024-65535, all.
func (r Range) Slug() string { return slugSafe.Replace(r.String()) }

var slugSafe = strings.NewReplacer("/", "-", ":", "-")

// EC2 is the range as EC2's fromPort and toPort: "all" and bare IP protocols
// take 0/0, which is what the AWS provider expects; ICMP carries type and code.
func (r Range) EC2() (from, to int) {
	if HasPorts(r.Protocol) || IsICMP(r.Protocol) {
		return r.From, r.To
	}
	return 0, 0
}

// Covers reports whether r lets through everything o does.
func (r Range) Covers(o Range) bool {
	if r.Protocol == All {
		return true
	}
	if r.Protocol != o.Protocol {
		return false
	}
	if IsICMP(r.Protocol) {
		return r.From == -1 || (r.From == o.From && (r.To == -1 || r.To == o.To))
	}
	return r.From <= o.From && o.To <= r.To
}

// ParseRange reads the text String writes (tcp/443, udp/8125-8126,
// icmp/all, icmp/8, icmp/3:4, all, proto50), for a user who names traffic
// on a command line; a bare protocol name or number works too (tcp is every
// port, icmp every type).
func ParseRange(s string) (Range, error) {
	bad := func(why string) (Range, error) {
		return Range{}, fmt.Errorf("traffic %q: %s: write it as tcp/443, tcp/8000-8080, udp/53, icmp/8, icmp/3:4, icmp/all or all", s, why)
	}
	name, rest, hasRest := strings.Cut(strings.TrimSpace(s), "/")
	proto, err := ParseProtocol(strings.TrimPrefix(strings.ToLower(name), "proto"))
	if err != nil || name == "" {
		return bad("unknown protocol")
	}
	r := Range{Protocol: proto}
	num := func(t string, lo, hi int) (int, bool) {
		n, err := strconv.Atoi(t)
		return n, err == nil && n >= lo && n <= hi
	}
	var ok bool
	switch {
	case !hasRest && HasPorts(proto):
		r.From, r.To = 0, 65535
	case !hasRest && IsICMP(proto):
		r.From, r.To = -1, -1
	case !hasRest:
	case HasPorts(proto):
		from, to, isRange := strings.Cut(rest, "-")
		if r.From, ok = num(from, 0, 65535); !ok {
			return bad("the port must be a number 0-65535")
		}
		r.To = r.From
		if isRange {
			if r.To, ok = num(to, r.From, 65535); !ok {
				return bad("the range must end in a port no lower than its start")
			}
		}
	case IsICMP(proto) && rest == "all":
		r.From, r.To = -1, -1
	case IsICMP(proto):
		typ, code, hasCode := strings.Cut(rest, ":")
		if r.From, ok = num(typ, 0, 255); !ok {
			return bad("the ICMP type must be a number 0-255")
		}
		r.To = -1
		if hasCode {
			if r.To, ok = num(code, 0, 255); !ok {
				return bad("the ICMP code must be a number 0-255")
			}
		}
	default:
		return bad("only tcp, udp, icmp and icmpv6 take ports")
	}
	return r, nil
}

var protocolNumbers = map[int]string{-1: All, 1: ICMP, 6: TCP, 17: UDP, 58: ICMPv6}

// Number is the protocol as an IP protocol number, as network ACL entries
// write it: tcp is "6", all is "-1"; a number stays itself.
func Number(protocol string) string {
	for n, name := range protocolNumbers {
		if name == protocol {
			return strconv.Itoa(n)
		}
	}
	return protocol
}

// ParseProtocol canonicalises a protocol name or number; "" means tcp.
func ParseProtocol(s string) (string, error) {
	switch p := strings.ToLower(strings.TrimSpace(s)); p {
	case "":
		return TCP, nil
	case TCP, UDP, ICMP, ICMPv6:
		return p, nil
	case "all", "-1":
		return All, nil
	default:
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 {
			return "", fmt.Errorf("unknown protocol %q", s)
		}
		if name, ok := protocolNumbers[n]; ok {
			return name, nil
		}
		return strconv.Itoa(n), nil
	}
}

// Problem is one thing wrong with a rule's traffic, with its fix.
type Problem struct{ Check, Message, Fix string }

// Expand lists the EC2 port ranges a declaration yields, one per port or
// range, or the problems that stop it.
func Expand(t spec.Traffic) ([]Range, []Problem) {
	proto, err := ParseProtocol(t.Protocol)
	if err != nil {
		return nil, []Problem{{finding.CheckInvalidProtocol, err.Error(),
			"use tcp, udp, icmp, icmpv6, all, or an IP protocol number 0-255"}}
	}
	hasPorts := len(t.Ports) > 0 || t.PortRange != nil
	hasICMP := t.IcmpType != nil || t.IcmpCode != nil
	switch {
	case HasPorts(proto):
		return expandPorts(proto, t)
	case IsICMP(proto):
		if hasPorts {
			return nil, []Problem{{finding.CheckInvalidPort, proto + " has no ports",
				"remove ports/portRange; narrow ICMP with icmpType and icmpCode"}}
		}
		return expandICMP(proto, t)
	default:
		var probs []Problem
		if hasPorts {
			probs = append(probs, Problem{finding.CheckInvalidPort, fmt.Sprintf("protocol %s covers every port", nameOf(proto)),
				"remove ports/portRange, or use tcp or udp to open specific ports"})
		}
		if hasICMP {
			probs = append(probs, Problem{finding.CheckInvalidPort, fmt.Sprintf("icmpType/icmpCode apply only to icmp and icmpv6, not %s", nameOf(proto)),
				"remove icmpType/icmpCode, or set protocol to icmp or icmpv6"})
		}
		if probs != nil {
			return nil, probs
		}
		return []Range{{Protocol: proto}}, nil
	}
}

func nameOf(proto string) string {
	if proto == All {
		return "all"
	}
	return proto
}

func expandPorts(proto string, t spec.Traffic) ([]Range, []Problem) {
	var out []Range
	var probs []Problem
	if t.IcmpType != nil || t.IcmpCode != nil {
		probs = append(probs, Problem{finding.CheckInvalidPort, "icmpType/icmpCode apply only to icmp and icmpv6, not " + proto,
			"remove icmpType/icmpCode, or set protocol to icmp or icmpv6"})
	}
	if len(t.Ports) == 0 && t.PortRange == nil {
		probs = append(probs, Problem{finding.CheckInvalidPort, proto + " rule opens no ports",
			"add ports: [443] or portRange: {from: 1024, to: 65535}"})
	}
	for _, p := range t.Ports {
		if p < 0 || p > 65535 {
			probs = append(probs, Problem{finding.CheckInvalidPort, fmt.Sprintf("port %d is outside 0-65535", p), "use a port from 0 to 65535"})
			continue
		}
		out = append(out, Range{proto, p, p})
	}
	if r := t.PortRange; r != nil {
		switch {
		case r.From < 0 || r.From > 65535 || r.To < 0 || r.To > 65535:
			probs = append(probs, Problem{finding.CheckInvalidPort, fmt.Sprintf("port range %d-%d is outside 0-65535", r.From, r.To),
				"use ports from 0 to 65535"})
		case r.From > r.To:
			probs = append(probs, Problem{finding.CheckInvalidPort, fmt.Sprintf("port range %d-%d runs backwards", r.From, r.To),
				fmt.Sprintf("write it as {from: %d, to: %d}", r.To, r.From)})
		default:
			out = append(out, Range{proto, r.From, r.To})
		}
	}
	if probs != nil {
		return nil, probs
	}
	return out, nil
}

func expandICMP(proto string, t spec.Traffic) ([]Range, []Problem) {
	typ, code := -1, -1
	if t.IcmpType != nil {
		typ = *t.IcmpType
	}
	if t.IcmpCode != nil {
		code = *t.IcmpCode
	}
	var probs []Problem
	if typ < -1 || typ > 255 || code < -1 || code > 255 {
		probs = append(probs, Problem{finding.CheckInvalidPort, fmt.Sprintf("icmp type %d / code %d is outside -1..255", typ, code),
			"use an ICMP type and code from 0 to 255, or omit them for all"})
	}
	if typ == -1 && code != -1 {
		probs = append(probs, Problem{finding.CheckInvalidPort, "icmpCode needs an icmpType", "set icmpType, or remove icmpCode"})
	}
	if probs != nil {
		return nil, probs
	}
	return []Range{{proto, typ, code}}, nil
}
