// Package awsstandin is a STAND-IN for the AWS provider plugin, for offline
// tests and demos only: it models EC2's rules for the two resource types
// pulumi-servicemesh emits and keeps its "account" in a local JSON file.
// It is not AWS and talks to no network.
package awsstandin

import (
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
)

// Group is a security group in the stand-in account.
type Group struct {
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	VpcID               string            `json:"vpcId"`
	Description         string            `json:"description"`
	Tags                map[string]string `json:"tags,omitempty"`
	RevokeRulesOnDelete bool              `json:"revokeRulesOnDelete"`
}

// Rule is one security-group rule; Peers are its single sources, each as
// "cidr:...", "ipv6:...", "pl:..." or "sg:<group id>".
type Rule struct {
	ID          string   `json:"id"`
	GroupID     string   `json:"groupId"`
	Type        string   `json:"type"`
	Protocol    string   `json:"protocol"`
	FromPort    int      `json:"fromPort"`
	ToPort      int      `json:"toPort"`
	Peers       []string `json:"peers"`
	Description string   `json:"description,omitempty"`
}

// Account is everything the stand-in's EC2 holds.
type Account struct {
	Groups map[string]*Group `json:"groups"`
	Rules  map[string]*Rule  `json:"rules"`
}

// StatePath is where the account lives: $AWS_STANDIN_STATE, else under
// $PULUMI_HOME, else the temporary directory.
func StatePath() string {
	if p := os.Getenv("AWS_STANDIN_STATE"); p != "" {
		return p
	}
	if h := os.Getenv("PULUMI_HOME"); h != "" {
		return filepath.Join(h, "aws-standin-account.json")
	}
	return filepath.Join(os.TempDir(), "aws-standin-account.json")
}

// RulesPerGroup is the per-direction, per-family quota: 60 as AWS today, or
// $AWS_STANDIN_RULES_PER_GROUP.
func RulesPerGroup() int {
	if n, err := strconv.Atoi(os.Getenv("AWS_STANDIN_RULES_PER_GROUP")); err == nil && n > 0 {
		return n
	}
	return 60
}

// withAccount runs fn on the account under an exclusive file lock (the engine
// creates resources in parallel, from one or several plugin processes) and
// saves it when fn succeeds.
func withAccount(path string, fn func(*Account) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck

	acct := &Account{Groups: map[string]*Group{}, Rules: map[string]*Rule{}}
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
	if err := fn(acct); err != nil {
		return err
	}
	out, err := json.MarshalIndent(acct, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func newID(prefix string) string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)[:17]
}

// ec2Error is an error as EC2 words it: its code first.
func ec2Error(code, format string, args ...any) error {
	return fmt.Errorf("%s: %s (stand-in EC2)", code, fmt.Sprintf(format, args...))
}

// createGroup adds g, refusing a duplicate name in the same VPC.
func (a *Account) createGroup(g *Group) error {
	for _, o := range a.Groups {
		if o.VpcID == g.VpcID && o.Name == g.Name {
			return ec2Error("InvalidGroup.Duplicate", "the security group %q already exists for VPC %q", g.Name, g.VpcID)
		}
	}
	g.ID = newID("sg-")
	a.Groups[g.ID] = g
	return nil
}

// deleteGroup removes a group as EC2 does: its own rules go with it, and a
// rule of another group that still references it is a DependencyViolation.
func (a *Account) deleteGroup(id string) error {
	g, ok := a.Groups[id]
	if !ok {
		return nil
	}
	for _, r := range a.Rules {
		if r.GroupID != id {
			for _, p := range r.Peers {
				if p == "sg:"+id {
					return ec2Error("DependencyViolation", "resource %s (%s) has a dependent object: rule %s of group %s", id, g.Name, r.ID, r.GroupID)
				}
			}
		}
	}
	for rid, r := range a.Rules { // a group's own rules go with it
		if r.GroupID == id {
			delete(a.Rules, rid)
		}
	}
	delete(a.Groups, id)
	return nil
}

// addRule checks r against EC2's rules and adds it.
func (a *Account) addRule(r *Rule) error {
	if _, ok := a.Groups[r.GroupID]; !ok {
		return ec2Error("InvalidGroup.NotFound", "the security group ID %q does not exist", r.GroupID)
	}
	for _, p := range r.Peers {
		if id, ok := strings.CutPrefix(p, "sg:"); ok {
			if _, ok := a.Groups[id]; !ok {
				return ec2Error("InvalidGroup.NotFound", "the source security group ID %q does not exist", id)
			}
		}
	}
	v4, v6 := 0, 0
	for _, o := range a.Rules {
		if o.GroupID != r.GroupID || o.Type != r.Type {
			continue
		}
		for _, p := range o.Peers {
			if isIPv6(p) {
				v6++
			} else {
				v4++
			}
			if o.Protocol == r.Protocol && o.FromPort == r.FromPort && o.ToPort == r.ToPort && slices.Contains(r.Peers, p) {
				return ec2Error("InvalidPermission.Duplicate", "the specified rule %q already exists (%s %s %d-%d)", p, r.Type, r.Protocol, r.FromPort, r.ToPort)
			}
		}
	}
	for _, p := range r.Peers {
		if isIPv6(p) {
			v6++
		} else {
			v4++
		}
	}
	if limit := RulesPerGroup(); v4 > limit || v6 > limit {
		return ec2Error("RulesPerSecurityGroupLimitExceeded", "the maximum number of %s rules per security group (%d) has been reached for %s", r.Type, limit, r.GroupID)
	}
	r.ID = newID("sgr-")
	a.Rules[r.ID] = r
	return nil
}

func isIPv6(peer string) bool { return strings.HasPrefix(peer, "ipv6:") }
