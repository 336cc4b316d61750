package ec2read

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedLists answers like EC2 with one item per page (moto never pages),
// and records what was asked.
type pagedLists struct {
	lists   map[string]string   // id -> name
	entries map[string][]string // id -> CIDRs
	asked   []string
	fail    error
}

func (p *pagedLists) DescribeManagedPrefixLists(_ context.Context, in *ec2.DescribeManagedPrefixListsInput, _ ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error) {
	p.asked = append(p.asked, "describe "+aws.ToString(in.NextToken))
	i := pageIndex(in.NextToken)
	if i >= len(in.PrefixListIds) {
		return &ec2.DescribeManagedPrefixListsOutput{}, nil
	}
	id := in.PrefixListIds[i]
	return &ec2.DescribeManagedPrefixListsOutput{PrefixLists: []types.ManagedPrefixList{{PrefixListId: aws.String(id), PrefixListName: aws.String(p.lists[id])}},
		NextToken: nextToken(i, len(in.PrefixListIds))}, nil
}

func (p *pagedLists) GetManagedPrefixListEntries(_ context.Context, in *ec2.GetManagedPrefixListEntriesInput, _ ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error) {
	id := aws.ToString(in.PrefixListId)
	p.asked = append(p.asked, "entries "+id+" "+aws.ToString(in.NextToken))
	if p.fail != nil {
		return nil, p.fail
	}
	i, cidrs := pageIndex(in.NextToken), p.entries[id]
	if i >= len(cidrs) {
		return &ec2.GetManagedPrefixListEntriesOutput{}, nil
	}
	return &ec2.GetManagedPrefixListEntriesOutput{Entries: []types.PrefixListEntry{{Cidr: aws.String(cidrs[i])}}, NextToken: nextToken(i, len(cidrs))}, nil
}

func pageIndex(token *string) int {
	if token == nil {
		return 0
	}
	return len(*token)
}

// nextToken is "" past the last page: the token's length is the next index.
func nextToken(i, n int) *string {
	if i+1 >= n {
		return nil
	}
	return aws.String(strings.Repeat("x", i+1))
}

func TestReadPrefixListsPaged(t *testing.T) {
	a := &Account{Groups: []Group{
		{ID: "sg-1", Rules: []Rule{{Direction: Ingress, Peer: Peer{PrefixList: "pl-b"}}, {Direction: Ingress, Peer: Peer{CIDR: "10.0.0.0/8"}}}},
		{ID: "sg-2", Rules: []Rule{{Direction: Egress, Peer: Peer{PrefixList: "pl-a"}}, {Direction: Ingress, Peer: Peer{PrefixList: "pl-b"}}}},
	}}
	c := &pagedLists{lists: map[string]string{"pl-a": "a", "pl-b": "b", "pl-unnamed": "u"},
		entries: map[string][]string{"pl-a": {"10.1.0.0/16", "10.0.0.0/16", "10.2.0.0/16"}, "pl-b": nil, "pl-unnamed": {"10.9.0.0/16"}}}
	require.NoError(t, a.readPrefixLists(context.Background(), c, "us-east-1"))
	assert.Equal(t, []PrefixList{
		{ID: "pl-a", Name: "a", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.2.0.0/16")}},
		{ID: "pl-b", Name: "b"},
	}, a.PrefixLists, "every page of each named list; an empty list counts as read")
	assert.Equal(t, []string{"describe ", "describe x", "entries pl-a ", "entries pl-a x", "entries pl-a xx", "entries pl-b "}, c.asked,
		"each list named once, pl-unnamed never asked")

	none := &Account{Groups: []Group{{ID: "sg-1", Rules: []Rule{{Peer: Peer{CIDR: "10.0.0.0/8"}}}}}}
	c = &pagedLists{}
	require.NoError(t, none.readPrefixLists(context.Background(), c, "us-east-1"))
	assert.Empty(t, c.asked, "no rule names a list: no call")

	c = &pagedLists{lists: map[string]string{"pl-a": "a", "pl-b": "b"}, fail: errors.New("UnauthorizedOperation")}
	err := a.readPrefixLists(context.Background(), c, "us-east-1")
	assert.ErrorContains(t, err, "reading EC2 in us-east-1: get-managed-prefix-list-entries pl-a (named by rules of sg-2): UnauthorizedOperation; the reader needs ec2:GetManagedPrefixListEntries")
}
