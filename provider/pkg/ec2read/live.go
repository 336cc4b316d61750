package ec2read

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Live says where to read from EC2.
type Live struct {
	Region string
	// VpcID limits the read to one VPC; "" reads the region.
	VpcID string
	// Endpoint overrides EC2's endpoint (--endpoint-url), e.g. an emulator.
	Endpoint string
	// Network reads subnets and network ACLs too (ec2:DescribeSubnets and
	// ec2:DescribeNetworkAcls), which only the reachability check needs.
	Network bool
}

// AWSConfig is the configuration every live read uses: the standard
// credential chain (environment, shared config, SSO, IMDS), checked up front
// so a missing credential is one clear error; region "" is the one the
// environment or shared config names. what names the read in errors.
func AWSConfig(ctx context.Context, region, what string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("%s: loading the AWS configuration: %w", what, err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("%s: no region: give --region or set AWS_REGION", what)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("%s in %s: no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or log in with `aws sso login`: %w", what, cfg.Region, err)
	}
	return cfg, nil
}

// Read reads the groups, their rules, the network interfaces and the
// managed prefix lists the rules name from EC2, with the standard credential
// chain (environment, shared config, SSO, IMDS).
func (l Live) Read(ctx context.Context) (*Account, error) {
	if l.Region == "" {
		return nil, errors.New("reading EC2: --region is required")
	}
	cfg, err := AWSConfig(ctx, l.Region, "reading EC2")
	if err != nil {
		return nil, err
	}
	client := ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		if l.Endpoint != "" {
			o.BaseEndpoint = aws.String(l.Endpoint)
		}
	})
	var filters []types.Filter
	if l.VpcID != "" {
		filters = []types.Filter{{Name: aws.String("vpc-id"), Values: []string{l.VpcID}}}
	}
	var groups []types.SecurityGroup
	gp := ec2.NewDescribeSecurityGroupsPaginator(client, &ec2.DescribeSecurityGroupsInput{Filters: filters})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading EC2 in %s: describe-security-groups: %w", l.Region, err)
		}
		groups = append(groups, page.SecurityGroups...)
	}
	var rules []types.SecurityGroupRule
	for i := 0; i < len(groups); i += 200 { // group-id filter values per call
		ids := make([]string, 0, 200)
		for _, g := range groups[i:min(i+200, len(groups))] {
			ids = append(ids, aws.ToString(g.GroupId))
		}
		rp := ec2.NewDescribeSecurityGroupRulesPaginator(client, &ec2.DescribeSecurityGroupRulesInput{
			Filters: []types.Filter{{Name: aws.String("group-id"), Values: ids}}})
		for rp.HasMorePages() {
			page, err := rp.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("reading EC2 in %s: describe-security-group-rules: %w", l.Region, err)
			}
			rules = append(rules, page.SecurityGroupRules...)
		}
	}
	var enis []types.NetworkInterface
	np := ec2.NewDescribeNetworkInterfacesPaginator(client, &ec2.DescribeNetworkInterfacesInput{Filters: filters})
	for np.HasMorePages() {
		page, err := np.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading EC2 in %s: describe-network-interfaces: %w", l.Region, err)
		}
		enis = append(enis, page.NetworkInterfaces...)
	}
	source := "EC2 " + l.Region
	if l.VpcID != "" {
		source += " " + l.VpcID
	}
	a, err := build(source, groups, rules, enis, true, true)
	if err != nil {
		return nil, err
	}
	if err := a.readPrefixLists(ctx, client, l.Region); err != nil {
		return nil, err
	}
	var subnets []types.Subnet
	sp := ec2.NewDescribeSubnetsPaginator(client, &ec2.DescribeSubnetsInput{Filters: filters})
	for l.Network && sp.HasMorePages() {
		page, err := sp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading EC2 in %s: describe-subnets: %w", l.Region, err)
		}
		subnets = append(subnets, page.Subnets...)
	}
	var acls []types.NetworkAcl
	ap := ec2.NewDescribeNetworkAclsPaginator(client, &ec2.DescribeNetworkAclsInput{Filters: filters})
	for l.Network && ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading EC2 in %s: describe-network-acls: %w", l.Region, err)
		}
		acls = append(acls, page.NetworkAcls...)
	}
	if err := a.addNetwork(subnets, acls, enis); err != nil {
		return nil, err
	}
	return a, nil
}

// prefixListClient is the part of the EC2 client readPrefixLists uses.
type prefixListClient interface {
	ec2.DescribeManagedPrefixListsAPIClient
	ec2.GetManagedPrefixListEntriesAPIClient
}

// readPrefixLists reads the managed prefix lists the groups' rules name, and
// only those (an account holds AWS's own lists besides its own): their names
// (DescribeManagedPrefixLists) and entries (GetManagedPrefixListEntries, one
// list per call), every page of each.
func (a *Account) readPrefixLists(ctx context.Context, client prefixListClient, region string) error {
	named := map[string][]string{} // list id -> groups whose rules name it
	for _, g := range a.Groups {
		for _, r := range g.Rules {
			if id := r.Peer.PrefixList; id != "" && !slices.Contains(named[id], g.ID) {
				named[id] = append(named[id], g.ID)
			}
		}
	}
	if len(named) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(named))
	fail := func(call string, err error) error {
		return fmt.Errorf("reading EC2 in %s: %s for the prefix lists the rules name (%s): %w; the reader needs ec2:DescribeManagedPrefixLists and ec2:GetManagedPrefixListEntries",
			region, call, strings.Join(ids, ", "), err)
	}
	var lists []types.ManagedPrefixList
	lp := ec2.NewDescribeManagedPrefixListsPaginator(client, &ec2.DescribeManagedPrefixListsInput{PrefixListIds: ids})
	for lp.HasMorePages() {
		page, err := lp.NextPage(ctx)
		if err != nil {
			return fail("describe-managed-prefix-lists", err)
		}
		lists = append(lists, page.PrefixLists...)
	}
	entries := map[string][]types.PrefixListEntry{}
	for _, id := range ids {
		entries[id] = []types.PrefixListEntry{} // read and empty still counts as read
		ep := ec2.NewGetManagedPrefixListEntriesPaginator(client, &ec2.GetManagedPrefixListEntriesInput{PrefixListId: aws.String(id)})
		for ep.HasMorePages() {
			page, err := ep.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("reading EC2 in %s: get-managed-prefix-list-entries %s (named by rules of %s): %w; the reader needs ec2:GetManagedPrefixListEntries",
					region, id, strings.Join(named[id], ", "), err)
			}
			entries[id] = append(entries[id], page.Entries...)
		}
	}
	return a.addPrefixLists(lists, entries)
}
