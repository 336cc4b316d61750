package ec2read_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
)

// describe-managed-prefix-lists names the lists; get-managed-prefix-list-entries
// (given as pl-ID=FILE, since its output does not name the list) gives their
// CIDRs; a list named only by a rule is not read.
func TestReadFilesPrefixLists(t *testing.T) {
	groups := write(t, `{"SecurityGroups":[{"GroupId":"sg-1","GroupName":"web","IpPermissions":[
		{"IpProtocol":"tcp","FromPort":443,"ToPort":443,"PrefixListIds":[{"PrefixListId":"pl-0office"}]}]}]}`)
	lists := write(t, `{"PrefixLists":[{"PrefixListId":"pl-0office","PrefixListName":"office","AddressFamily":"IPv4","MaxEntries":5}]}`)
	entries := write(t, `{"Entries":[{"Cidr":"203.0.113.0/24","Description":"HQ"},{"Cidr":"198.51.100.0/24"}]}`)

	acc, err := ec2read.ReadFiles(groups, lists, "pl-0office="+entries)
	require.NoError(t, err)
	assert.Equal(t, []ec2read.PrefixList{{ID: "pl-0office", Name: "office",
		CIDRs: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24")}}}, acc.PrefixLists)
	assert.Nil(t, acc.PrefixList("pl-0other"))

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"entries without their list's id", []string{groups, entries}, "does not name its prefix list: give it as pl-ID=" + entries},
		{"a list id on another file", []string{groups, "pl-0office=" + lists}, "pl-0office= names a prefix list, but the file has no Entries"},
		{"a bad entry", []string{groups, "pl-0x=" + write(t, `{"Entries":[{"Cidr":"203.0.113.0/33"}]}`)}, `prefix list pl-0x: entry "203.0.113.0/33"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ec2read.ReadFiles(tt.args...)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}
