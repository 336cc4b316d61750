// Package awsstandin is a STAND-IN for the AWS provider plugin, for offline
// tests and demos only: it models EC2's rules for the two resource types
// pulumi-servicemesh emits and keeps its "account" in a local JSON file.
// It is not AWS and talks to no network.
package awsstandin

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Group is a security group in the stand-in account.
type Group struct {
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	VpcID               string            `json:"vpcId"`
	Description         string            `json:"description"`
	Tags                map[string]string `json:"tags,omitempty"`
	RevokeRulesOnDelete bool              `json:"revokeRulesOnDelete"`
	// OwnerID is set for a group of another account that rules of this one
	// may reference (as OwnerID/sg-…): the stack never creates or deletes it.
	OwnerID string `json:"ownerId,omitempty"`
}

// Rule is one security-group rule as one API call authorizes it. Peers are
// its single sources or destinations, each "cidr:<v4>", "ipv6:<v6>",
// "pl:<prefix list>" or "sg:[<owner>/]<group id>": EC2 stores and compares
// them one by one, which is why duplicates and quotas are judged per peer. ID is the
// provider's content-derived sgrule-<hash>; SGRID is EC2's own sgr- id, which
// the provider reports only when the call made exactly one EC2 rule.
type Rule struct {
	ID          string   `json:"id"`
	SGRID       string   `json:"sgrId,omitempty"`
	GroupID     string   `json:"groupId"`
	Type        string   `json:"type"`
	Protocol    string   `json:"protocol"`
	FromPort    int      `json:"fromPort"`
	ToPort      int      `json:"toPort"`
	Peers       []string `json:"peers"`
	Self        bool     `json:"self,omitempty"` // the sg: peer came from self = true
	Description string   `json:"description,omitempty"`
}

// Account is everything the stand-in's EC2 holds. Attachments are network
// interfaces (by eni- id) and the groups attached to them: the stand-in does
// not manage ENIs, a test seeds them (Attach, Detach) as instances, load
// balancers or Lambdas would create them in a real VPC.
type Account struct {
	Groups      map[string]*Group   `json:"groups"`
	Rules       map[string]*Rule    `json:"rules"`
	Attachments map[string][]string `json:"attachments,omitempty"`
	// NetworkACLs, their entries (by the provider's nacl- id) and which
	// ACL each subnet is in (nacl.go).
	NetworkACLs map[string]*NetworkACL `json:"networkAcls,omitempty"`
	ACLEntries  map[string]*ACLEntry   `json:"aclEntries,omitempty"`
	SubnetACL   map[string]string      `json:"subnetAcl,omitempty"`
}

// Environment variables the stand-in reads.
const (
	EnvState         = "AWS_STANDIN_STATE"
	EnvRulesPerGroup = "AWS_STANDIN_RULES_PER_GROUP"
	// EnvDeleteTimeout is how long a group delete retries DependencyViolation
	// (a Go duration; the real provider's delete timeout, 15m, by default).
	EnvDeleteTimeout = "AWS_STANDIN_DELETE_TIMEOUT"
	// EnvFailRule makes the k-th rule create of one plugin process fail with
	// an EC2 code, "<k>:<code>" (e.g. "3:RulesPerSecurityGroupLimitExceeded"
	// or "3:RequestLimitExceeded"), to test an up that fails part-way.
	EnvFailRule = "AWS_STANDIN_FAIL_RULE"
)

// EnvCreateDelay is how long a group create waits, after the group exists
// in the account, before it answers (a Go duration; none by default): the
// window in which a killed `pulumi up` leaves a group EC2 has and the state
// does not.
const EnvCreateDelay = "AWS_STANDIN_CREATE_DELAY"

// CreateDelay is $AWS_STANDIN_CREATE_DELAY, else 0.
func CreateDelay() time.Duration {
	d, _ := time.ParseDuration(os.Getenv(EnvCreateDelay))
	return max(d, 0)
}

// DeleteTimeout is $AWS_STANDIN_DELETE_TIMEOUT, else 15 minutes.
func DeleteTimeout() time.Duration {
	if d, err := time.ParseDuration(os.Getenv(EnvDeleteTimeout)); err == nil && d >= 0 {
		return d
	}
	return 15 * time.Minute
}

// StatePath is where the account lives: $AWS_STANDIN_STATE, else under
// $PULUMI_HOME, else the temporary directory.
func StatePath() string {
	if p := os.Getenv(EnvState); p != "" {
		return p
	}
	if h := os.Getenv("PULUMI_HOME"); h != "" {
		return filepath.Join(h, "aws-standin-account.json")
	}
	return filepath.Join(os.TempDir(), "aws-standin-account.json")
}

// RulesPerGroup is the per-direction, per-family quota: 60 as AWS's default
// today, or $AWS_STANDIN_RULES_PER_GROUP.
func RulesPerGroup() int {
	if n, err := strconv.Atoi(os.Getenv(EnvRulesPerGroup)); err == nil && n > 0 {
		return n
	}
	return 60
}

// withAccount runs fn on the account under a file lock, because the engine
// creates resources in parallel and separate CLI runs start separate plugin
// processes. A writer saves the account only when fn succeeds, so a refused
// call changes nothing, as on EC2.
func withAccount(path string, write bool, fn func(*Account) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	how := syscall.LOCK_SH
	if write {
		how = syscall.LOCK_EX
	}
	if err := syscall.Flock(int(lock.Fd()), how); err != nil {
		return err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck

	acct := &Account{Groups: map[string]*Group{}, Rules: map[string]*Rule{}, Attachments: map[string][]string{}}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(data, acct); err != nil {
			return fmt.Errorf("stand-in account %s is corrupt: %w", path, err)
		}
	}
	if err := fn(acct); err != nil || !write {
		return err
	}
	out, err := json.MarshalIndent(acct, "", "  ")
	if err != nil {
		return err
	}
	// Write then rename, so a reader never sees half a file.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// newID is prefix plus 17 hex digits, the shape of EC2's ids.
func newID(prefix string) string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)[:17]
}

// ec2Error is an error as EC2 words it, its code first, so callers and tests
// can match on the code as they would with the real provider.
func ec2Error(code, format string, args ...any) error {
	return fmt.Errorf("%s: %s (stand-in EC2)", code, fmt.Sprintf(format, args...))
}

// createGroup adds g, refusing a duplicate name in the same VPC.
func (a *Account) createGroup(g *Group) error {
	if strings.HasPrefix(strings.ToLower(g.Name), "sg-") {
		return ec2Error("InvalidParameterValue", "group name %q may not start with sg-", g.Name)
	}
	for _, o := range a.Groups {
		if o.VpcID == g.VpcID && strings.EqualFold(o.Name, g.Name) {
			return ec2Error("InvalidGroup.Duplicate", "the security group %q already exists for VPC %q", g.Name, g.VpcID)
		}
	}
	g.ID = newID("sg-")
	a.Groups[g.ID] = g
	return nil
}

// revokeRules drops every rule of group id and every rule of another group
// that references it, as the real provider's forceRevokeSecurityGroupRules
// does before deleting a group with revokeRulesOnDelete. On AWS the other
// groups' rules may belong to another stack, which then holds rules in its
// state that no longer exist.
func (a *Account) revokeRules(id string) {
	for rid, r := range a.Rules {
		if r.GroupID == id || r.references(id) {
			delete(a.Rules, rid)
		}
	}
}

// deleteGroup deletes a group as EC2 does: a network interface it is attached
// to, or a rule of ANOTHER group that still references it, is a
// DependencyViolation; its own rules, including those referencing other
// groups or itself, go with it. A group already gone is InvalidGroup.NotFound.
func (a *Account) deleteGroup(id string) error {
	g, ok := a.Groups[id]
	if !ok {
		return ec2Error("InvalidGroup.NotFound", "the security group ID %q does not exist", id)
	}
	for _, eni := range sortedKeys(a.Attachments) {
		if slices.Contains(a.Attachments[eni], id) {
			return ec2Error("DependencyViolation", "resource %s (%s) has a dependent object: it is attached to network interface %s",
				id, g.Name, eni)
		}
	}
	for _, rid := range sortedKeys(a.Rules) {
		if r := a.Rules[rid]; r.GroupID != id && r.references(id) {
			return ec2Error("DependencyViolation", "resource %s (%s) has a dependent object: rule %s of group %s references it",
				id, g.Name, r.ID, r.GroupID)
		}
	}
	for rid, r := range a.Rules {
		if r.GroupID == id {
			delete(a.Rules, rid)
		}
	}
	delete(a.Groups, id)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Read returns the account at path, as it is now.
func Read(path string) (*Account, error) {
	var out *Account
	err := withAccount(path, false, func(a *Account) error { out = a; return nil })
	return out, err
}

// DeleteRule removes rule id from the account at path, as a change out of
// band (the console, another tool) would.
func DeleteRule(path, id string) error {
	return withAccount(path, true, func(a *Account) error {
		if _, ok := a.Rules[id]; !ok {
			return ec2Error("InvalidSecurityGroupRuleId.NotFound", "%s does not exist", id)
		}
		delete(a.Rules, id)
		return nil
	})
}

// Attach seeds a network interface eni attached to groups in the account at
// path, as something outside the stack (an instance, a load balancer) would.
func Attach(path, eni string, groups ...string) error {
	return withAccount(path, true, func(a *Account) error {
		for _, g := range groups {
			if _, ok := a.Groups[g]; !ok {
				return ec2Error("InvalidGroup.NotFound", "the security group ID %q does not exist", g)
			}
		}
		a.Attachments[eni] = append(a.Attachments[eni], groups...)
		return nil
	})
}

// Detach deletes the network interface eni from the account at path.
func Detach(path, eni string) error {
	return withAccount(path, true, func(a *Account) error {
		if _, ok := a.Attachments[eni]; !ok {
			return ec2Error("InvalidNetworkInterfaceID.NotFound", "the network interface %q does not exist", eni)
		}
		delete(a.Attachments, eni)
		return nil
	})
}

// peerText is a peer as EC2 prints it: the CIDR or id alone.
func peerText(peer string) string {
	_, v, _ := strings.Cut(peer, ":")
	return v
}

func (r *Rule) references(group string) bool {
	for _, p := range r.Peers {
		if peerKey(p) == "sg:"+group {
			return true
		}
	}
	return false
}

// families says which per-family quota a peer counts against. AWS documents
// that a rule referencing a security group or a prefix list counts as one
// IPv4 rule AND one IPv6 rule; the stand-in counts a prefix list as one entry
// (a customer-managed list really counts its max entries, which it can't know).
func families(peer string) (v4, v6 int) {
	switch {
	case strings.HasPrefix(peer, "cidr:"):
		return 1, 0
	case strings.HasPrefix(peer, "ipv6:"):
		return 0, 1
	default:
		return 1, 1
	}
}

// addRule checks r against EC2's rules and adds it.
func (a *Account) addRule(r *Rule) error {
	if _, ok := a.Groups[r.GroupID]; !ok {
		return ec2Error("InvalidGroup.NotFound", "the security group ID %q does not exist", r.GroupID)
	}
	for _, p := range r.Peers {
		if err := a.checkGroupPeer(p); err != nil {
			return err
		}
	}
	mine := map[string]bool{}
	v4, v6 := 0, 0
	for _, p := range r.Peers {
		mine[peerKey(p)] = true
		d4, d6 := families(p)
		v4, v6 = v4+d4, v6+d6
	}
	for _, o := range a.Rules {
		if o.GroupID != r.GroupID || o.Type != r.Type {
			continue
		}
		same := o.Protocol == r.Protocol && o.FromPort == r.FromPort && o.ToPort == r.ToPort
		for _, p := range o.Peers {
			if same && mine[peerKey(p)] {
				return ec2Error("InvalidPermission.Duplicate",
					"the specified rule \"peer: %s, %s, from port: %d, to port: %d, ALLOW\" already exists in %s (%s)",
					peerText(p), strings.ToUpper(r.Protocol), r.FromPort, r.ToPort, r.GroupID, r.Type)
			}
			d4, d6 := families(p)
			v4, v6 = v4+d4, v6+d6
		}
	}
	if limit := RulesPerGroup(); v4 > limit || v6 > limit {
		return ec2Error("RulesPerSecurityGroupLimitExceeded",
			"the maximum number of rules per security group has been reached: %s %s would hold %d IPv4 and %d IPv6 rules, quota %d each",
			r.GroupID, r.Type, v4, v6, limit)
	}
	r.ID = r.createID()
	if len(r.Peers) == 1 {
		r.SGRID = newID("sgr-")
	}
	a.Rules[r.ID] = r
	return nil
}

// createID is the provider's id of a rule resource, securityGroupRuleCreateID
// of the permission it authorized: derived from content, so re-creating the
// same rule gives the same id.
func (r *Rule) createID() string { return r.permission().createID(r.GroupID, r.Type) }

// checkGroupPeer refuses a group reference EC2 cannot resolve: a group this
// account does not hold, or another account's group named without its owner
// or under the wrong one.
func (a *Account) checkGroupPeer(peer string) error {
	v, ok := strings.CutPrefix(peer, "sg:")
	if !ok {
		return nil
	}
	owner, id, found := strings.Cut(v, "/")
	if !found {
		owner, id = "", v
	}
	g := a.Groups[id]
	if g == nil || owner != "" && owner != cmp.Or(g.OwnerID, AccountID) || owner == "" && g.OwnerID != "" && g.OwnerID != AccountID {
		return ec2Error("InvalidGroup.NotFound", "the source security group ID %q does not exist", v)
	}
	return nil
}

// validate checks a rule's type, protocol, ports and peers as EC2 does.
// Which peer kinds may share a rule is the provider's schema (ConflictsWith),
// checked in Check; EC2 itself takes any mix in one permission.
func (r *Rule) validate() error {
	bad := func(format string, args ...any) error { return ec2Error("InvalidParameterValue", format, args...) }
	if r.Type != "ingress" && r.Type != "egress" {
		return bad("type must be ingress or egress, not %q", r.Type)
	}
	if len(r.Peers) == 0 {
		return bad("a rule needs at least one of cidrBlocks, ipv6CidrBlocks, prefixListIds, sourceSecurityGroupId or self")
	}
	seen := map[string]bool{}
	for _, p := range r.Peers {
		if seen[peerKey(p)] {
			return bad("the same permission must not appear multiple times (%s)", peerText(p))
		}
		seen[peerKey(p)] = true
	}
	switch r.Protocol {
	case "tcp", "udp":
		if r.FromPort < 0 || r.FromPort > r.ToPort || r.ToPort > 65535 {
			return bad("invalid %s port range %d-%d: need 0 <= fromPort <= toPort <= 65535", r.Protocol, r.FromPort, r.ToPort)
		}
	case "icmp", "icmpv6":
		if r.FromPort < -1 || r.FromPort > 255 || r.ToPort < -1 || r.ToPort > 255 {
			return bad("invalid %s type/code %d/%d: each must be -1..255", r.Protocol, r.FromPort, r.ToPort)
		}
	case "-1":
	default:
		if n, err := strconv.Atoi(r.Protocol); err != nil || n < 0 || n > 255 {
			return bad("invalid value %q for IP protocol: unknown protocol", r.Protocol)
		}
	}
	return nil
}

// AddForeignGroup records in the account at path a group of another account
// (owner), as a peered VPC's group: this account's rules may reference it as
// owner/id, and it is never listed among this account's groups.
func AddForeignGroup(path, owner, id string) error {
	return withAccount(path, true, func(a *Account) error {
		if _, ok := a.Groups[id]; ok {
			return ec2Error("InvalidGroup.Duplicate", "the account already holds %s", id)
		}
		a.Groups[id] = &Group{ID: id, OwnerID: owner}
		return nil
	})
}
