// Package legacy is the brownfield fixture: a hand-made, CIDR-based VPC as
// `aws ec2 describe-security-groups`, `describe-security-group-rules` and
// `describe-network-interfaces` print it (written by gen.py). Odd names
// ("web_elb sg", launch-wizard-1 tagged "bastion host"), AWS's default
// egress on every group, one hand-added world-open SSH rule, a tier-skipping
// MySQL rule, a shadowed range, a cross-account reference, a prefix list and
// the VPC's default group.
package legacy

import (
	"path/filepath"
	"runtime"
)

// VPC is the fixture's VPC id.
const VPC = "vpc-0legacy000000001"

// Tiers are the --tier flags that fit the fixture's subnets, outermost first.
var Tiers = []string{"dmz=10.0.0.0/24", "web=10.0.1.0/24", "app=10.0.2.0/24", "data=10.0.3.0/24"}

func dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Groups is the describe-security-groups file alone.
func Groups() string { return filepath.Join(dir(), "describe-security-groups.json") }

// Files are all three describe files: groups, rule ids, network interfaces.
func Files() []string {
	return []string{Groups(), filepath.Join(dir(), "describe-security-group-rules.json"),
		filepath.Join(dir(), "describe-network-interfaces.json")}
}

// Flows is a VPC Flow Logs file (v5, with the S3 header) for the fixture,
// written by hand: the ELB's two interfaces call the web servers on 443
// (their /24 rule); the web servers call the app tier on 7500 (its web-tier
// /24 rule and the VPC-wide 7000-7999 rule) and on 7100 (the VPC-wide rule
// alone); the app tier calls MySQL on 3306, which answers (SYN-ACK: no
// request); the bastion pings the web servers (ICMP: no ports); an office
// address reaches the bastion on 22; db's second interface logs NODATA.
func Flows() string { return filepath.Join(dir(), "flows.log") }
