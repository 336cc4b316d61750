package ec2read

import (
	"context"
	"errors"
	"fmt"

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

// Read reads the groups, their rules and the network interfaces from EC2,
// with the standard credential chain (environment, shared config, SSO, IMDS).
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
