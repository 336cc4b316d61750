package proposal

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowlog"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observereport"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ports"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
)

// Traffic is flow-log traffic observed in the VPC (servicemesh import
// --flows). With it, an ingress CIDR rule whose every observed caller
// carries a group of this import (observe.Hit.NameableCallers) is proposed
// as rules from those services' groups instead of the CIDR.
type Traffic struct {
	// Each hands out the aggregated tuples (flowlog.Table.Each).
	Each    func(func(flowlog.Tuple))
	Files   []string
	Records int64
}

// Report item kinds of an import with traffic.
const (
	KindTightened = "tightened-by-flows"
	KindKeptCIDR  = "kept-cidr"
)

// tighten attributes the traffic to the account's permissions and
// rewrites each bucket's CIDR peers the evidence names callers for. A
// caller is named by the service whose group its interface carries; of an
// interface carrying several services' groups (an admin group on every
// instance, say), by the most specific: the group on the fewest interfaces,
// then the first service by name. An interface with none is named by its
// address, which keeps the rule a CIDR. Every ingress CIDR rule but the
// world's gets a report item: tightened, or kept and why.
func (b *builder) tighten() error {
	ifaces, perms, _, err := observe.FromAccount(b.a)
	if err != nil {
		return err
	}
	for i, in := range ifaces {
		ifaces[i].Name = b.callerName(in.Groups)
	}
	type permKey struct {
		group  string
		prefix netip.Prefix
		ports  ports.Range
	}
	names := map[permKey]string{}
	for _, p := range perms {
		if p.PeerPrefix.IsValid() {
			names[permKey{p.Group, p.PeerPrefix, p.Ports}] = p.Rule
		}
	}
	from, until := int64(math.MaxInt64), int64(0)
	each := func(fn func(flowlog.Tuple)) {
		b.flows.Each(func(t flowlog.Tuple) {
			from, until = min(from, t.Start), max(until, t.End)
			fn(t)
		})
	}
	rep := observe.Attribute(each, observe.NewInventory(ifaces), perms, observe.Listening(perms))
	hits := map[string]observe.Hit{}
	for _, h := range rep.Hits {
		hits[h.Rule] = h
	}
	evidence := fmt.Sprintf("%d flow-log records in %s", b.flows.Records, strings.Join(b.flows.Files, ", "))
	if until > 0 {
		evidence += fmt.Sprintf(", %s to %s", observereport.Unix(from), observereport.Unix(until))
	}
	b.tightened = map[string]bool{}
	for _, bk := range b.buckets {
		if bk.dir != ec2read.Ingress {
			continue
		}
		own := b.service[bk.group.ID]
		for _, r := range bk.ec2Rules {
			pre, err := netip.ParsePrefix(r.Peer.CIDR)
			if err != nil || pre.Bits() == 0 {
				continue // not a CIDR, or the world: its callers are the internet
			}
			proto, err := ports.ParseProtocol(r.Protocol)
			if err != nil {
				return fmt.Errorf("group %s rule %s: %v", bk.group.ID, ruleText(r), err)
			}
			h := hits[names[permKey{bk.group.ID, pre, ports.Range{Protocol: proto, From: r.FromPort, To: r.ToPort}}]]
			it := Item{GroupID: bk.group.ID, Service: own, Rule: ruleText(r), Kind: KindKeptCIDR}
			switch {
			case ports.IsICMP(proto):
				it.Problem = "kept as a CIDR: flow-log records carry no ICMP type or code to match the rule's by, so no record is attributed to it (" + evidence + ")"
				it.Suggest = "name its callers by hand if you know them"
			case h.Flows == 0:
				it.Problem = "kept as a CIDR: no accepted request in " + evidence
				it.Suggest = "one quiet window does not prove it unused: observe a longer one, or remove the rule if nothing needs it"
			case !h.NameableCallers:
				it.Problem = fmt.Sprintf("kept as a CIDR: its callers %s include addresses that carry no group of this import (%s, of %s)",
					strings.Join(h.Callers, ", "), seen(h), evidence)
				it.Suggest = "give those callers a service, or keep the CIDR"
			default:
				b.tightened[r.Key()] = true
				bk.cidrs = slices.Delete(bk.cidrs, slices.Index(bk.cidrs, r.Peer.CIDR), slices.Index(bk.cidrs, r.Peer.CIDR)+1)
				for _, c := range h.Callers {
					switch {
					case c == own && !bk.self:
						bk.self = true
					case c == own, slices.Contains(bk.services, c):
						continue // allowed already by a group reference of the bucket
					default:
						bk.services = append(bk.services, c)
					}
					bk.observed = append(bk.observed, c)
				}
				it.Kind = KindTightened
				it.Problem = fmt.Sprintf("every observed caller carries a group of this import: %s (%s, of %s)",
					strings.Join(h.Callers, ", "), seen(h), evidence)
				it.Suggest = fmt.Sprintf("declared as from: {services: [%s]}; pulumi up creates those rules; then revoke the CIDR rule (servicemesh audit prints the command)",
					strings.Join(h.Callers, ", "))
			}
			b.p.Report = append(b.p.Report, it)
		}
	}
	return nil
}

// seen is the traffic a rule allowed, as evidence: records, and the flows
// (distinct interface, source, destination, port and protocol) they are of.
func seen(h observe.Hit) string {
	return fmt.Sprintf("%d %s in %d %s", h.Records, plural(h.Records, "record"), h.Flows, plural(h.Flows, "flow"))
}

func plural(n int64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// callerName is the service an interface carrying groups calls as: the
// one whose group is on the fewest interfaces, then by name; "" when none
// of the groups is an imported service's.
func (b *builder) callerName(groups []string) string {
	best, bestCount := "", 0
	for _, g := range groups {
		s, ok := b.service[g]
		if !ok {
			continue
		}
		n := 0
		if grp, err := b.a.Group(g); err == nil {
			n = len(grp.Interfaces)
		}
		if best == "" || n < bestCount || n == bestCount && s < best {
			best, bestCount = s, n
		}
	}
	return best
}

// created reports whether a planned rule is one that tighten added: its
// peer group is a caller the traffic named for every declaration it comes
// from. Such a rule does not exist yet, so adopt does not list it.
func (b *builder) created(r rule.Rule) bool {
	peer, ok := r.Peer.Group()
	if !ok || r.Direction != rule.Ingress || len(r.Sources) == 0 {
		return false
	}
	for _, s := range r.Sources {
		bk := b.bucketAt(s.Service, s.Rule)
		if bk == nil || !slices.Contains(bk.observed, peer) {
			return false
		}
	}
	return true
}
