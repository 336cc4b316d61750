package awsstandin

import (
	"fmt"
	"hash/crc32"
	"net/netip"
	"os"
	"slices"
	"strconv"
)

// Network ACL resource types, as in the URNs.
const (
	NetworkACLType     = "aws:ec2/networkAcl:NetworkAcl"
	NetworkACLRuleType = "aws:ec2/networkAclRule:NetworkAclRule"
)

// EnvACLRules is the network ACL quota: rules per ACL, direction and family,
// the default deny rule included (AWS: 20, adjustable up to 40).
const EnvACLRules = "AWS_STANDIN_NACL_RULES"

// ACLRules is $AWS_STANDIN_NACL_RULES, or 20.
func ACLRules() int {
	if n, err := strconv.Atoi(os.Getenv(EnvACLRules)); err == nil && n > 0 {
		return n
	}
	return 20
}

// NetworkACL is a network ACL; its subnets are those SubnetACL maps to it.
type NetworkACL struct {
	ID    string            `json:"id"`
	VpcID string            `json:"vpcId"`
	Tags  map[string]string `json:"tags,omitempty"`
}

// ACLEntry is one numbered rule of a network ACL.
type ACLEntry struct {
	ID       string `json:"id"`
	ACL      string `json:"networkAclId"`
	Egress   bool   `json:"egress"`
	Number   int    `json:"ruleNumber"`
	Protocol string `json:"protocol"`
	Action   string `json:"ruleAction"`
	CIDR     string `json:"cidr"`
	From     int    `json:"fromPort"`
	To       int    `json:"toPort"`
	IcmpType int    `json:"icmpType"`
	IcmpCode int    `json:"icmpCode"`
}

func (e *ACLEntry) ipv6() bool {
	p, err := netip.ParsePrefix(e.CIDR)
	return err == nil && p.Addr().Is6()
}

// aclEntryID is the provider's id of a rule: nacl-<hash of acl, number,
// egress, protocol> (networkACLRuleCreateResourceID in vpc_network_acl_rule.go).
func aclEntryID(acl string, number int, egress bool, protocol string) string {
	return fmt.Sprintf("nacl-%d", crc32.ChecksumIEEE([]byte(fmt.Sprintf("%s-%d-%t-%s-", acl, number, egress, protocol))))
}

// DefaultACL is the VPC's default ACL a subnet returns to when no ACL of
// its own holds it.
func DefaultACL(vpc string) string { return "acl-default-" + vpc }

// createACL adds an ACL and moves its subnets into it (a subnet is in
// exactly one ACL: ReplaceNetworkAclAssociation takes it from the other).
func (a *Account) createACL(acl *NetworkACL, subnets []string) {
	if a.NetworkACLs == nil {
		a.NetworkACLs = map[string]*NetworkACL{}
	}
	a.NetworkACLs[acl.ID] = acl
	a.setSubnets(acl, subnets)
}

// setSubnets makes subnets the ACL's: those it held and no longer lists go
// back to the VPC's default ACL.
func (a *Account) setSubnets(acl *NetworkACL, subnets []string) {
	if a.SubnetACL == nil {
		a.SubnetACL = map[string]string{}
	}
	for s, id := range a.SubnetACL {
		if id == acl.ID && !slices.Contains(subnets, s) {
			a.SubnetACL[s] = DefaultACL(acl.VpcID)
		}
	}
	for _, s := range subnets {
		a.SubnetACL[s] = acl.ID
	}
}

// deleteACL returns its subnets to the default ACL (the provider
// disassociates them before DeleteNetworkAcl) and drops its entries.
func (a *Account) deleteACL(id string) error {
	acl, ok := a.NetworkACLs[id]
	if !ok {
		return ec2Error("InvalidNetworkAclID.NotFound", "the network ACL %q does not exist", id)
	}
	a.setSubnets(acl, nil)
	for k, e := range a.ACLEntries {
		if e.ACL == id {
			delete(a.ACLEntries, k)
		}
	}
	delete(a.NetworkACLs, id)
	return nil
}

// SubnetsOf lists the subnets an ACL holds, sorted.
func (a *Account) SubnetsOf(acl string) []string {
	var out []string
	for s, id := range a.SubnetACL {
		if id == acl {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// addACLEntry is CreateNetworkAclEntry as resourceNetworkACLRuleCreate
// calls it: a taken (acl, egress, number) is NetworkAclEntryAlreadyExists
// (the provider looks it up first), and an ACL whose direction and family
// already hold the quota, the default deny rule counted, is
// NetworkAclEntryLimitExceeded.
func (a *Account) addACLEntry(e *ACLEntry) error {
	if _, ok := a.NetworkACLs[e.ACL]; !ok {
		return ec2Error("InvalidNetworkAclID.NotFound", "the network ACL %q does not exist", e.ACL)
	}
	if e.Number < 1 || e.Number > 32766 {
		return ec2Error("InvalidParameterValue", "rule number %d is outside 1-32766", e.Number)
	}
	n := 1 // the default deny rule
	for _, o := range a.ACLEntries {
		if o.ACL != e.ACL || o.Egress != e.Egress {
			continue
		}
		if o.Number == e.Number {
			return ec2Error("NetworkAclEntryAlreadyExists", "EC2 Network ACL (%s) Rule (egress: %t)(%d) already exists", e.ACL, e.Egress, e.Number)
		}
		if o.ipv6() == e.ipv6() {
			n++
		}
	}
	if n >= ACLRules() {
		return ec2Error("NetworkAclEntryLimitExceeded", "the network ACL %s already has the maximum of %d entries in this direction and family", e.ACL, ACLRules())
	}
	if a.ACLEntries == nil {
		a.ACLEntries = map[string]*ACLEntry{}
	}
	e.ID = aclEntryID(e.ACL, e.Number, e.Egress, e.Protocol)
	a.ACLEntries[e.ID] = e
	return nil
}
