package awsstandin

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestACLEntries(t *testing.T) {
	entry := func(number int, egress bool, cidr string) *ACLEntry {
		return &ACLEntry{ACL: "acl-1", Egress: egress, Number: number, Protocol: "tcp", Action: "allow", CIDR: cidr, From: 443, To: 443}
	}
	tests := []struct {
		name    string
		quota   string
		before  []*ACLEntry
		add     *ACLEntry
		wantErr string
	}{
		{"a free number", "", []*ACLEntry{entry(100, false, "10.0.0.0/24")}, entry(101, false, "10.0.0.0/24"), ""},
		{"the same number in the other direction", "", []*ACLEntry{entry(100, false, "10.0.0.0/24")}, entry(100, true, "10.0.0.0/24"), ""},
		{"a taken number, whatever the content", "", []*ACLEntry{entry(100, false, "10.0.0.0/24")}, entry(100, false, "10.9.0.0/24"),
			"NetworkAclEntryAlreadyExists: EC2 Network ACL (acl-1) Rule (egress: false)(100) already exists"},
		// quota 3: the default deny rule and two entries fill it
		{"the quota counts the default deny rule", "3", []*ACLEntry{entry(1, false, "10.0.0.0/24"), entry(2, false, "10.0.1.0/24")},
			entry(3, false, "10.0.2.0/24"), "NetworkAclEntryLimitExceeded: "},
		{"IPv6 counts apart", "3", []*ACLEntry{entry(1, false, "10.0.0.0/24"), entry(2, false, "10.0.1.0/24")},
			entry(3, false, "2001:db8::/64"), ""},
		{"a number outside 1-32766", "", nil, entry(32767, false, "10.0.0.0/24"), "InvalidParameterValue: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvACLRules, tt.quota)
			a := &Account{}
			a.createACL(&NetworkACL{ID: "acl-1", VpcID: "vpc-1"}, nil)
			for _, e := range tt.before {
				require.NoError(t, a.addACLEntry(e))
			}
			err := a.addACLEntry(tt.add)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Len(t, a.ACLEntries, len(tt.before)+1)
				return
			}
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tt.wantErr), err.Error())
			assert.Len(t, a.ACLEntries, len(tt.before), "a refused entry changes nothing")
		})
	}
}

// A subnet is in exactly one ACL; dropped from its ACL, or with the ACL
// deleted, it is back in the VPC's default ACL.
func TestSubnetAssociation(t *testing.T) {
	a := &Account{}
	a.createACL(&NetworkACL{ID: "acl-web", VpcID: "vpc-1"}, []string{"subnet-a", "subnet-b"})
	a.createACL(&NetworkACL{ID: "acl-app", VpcID: "vpc-1"}, []string{"subnet-b", "subnet-c"})
	assert.Equal(t, []string{"subnet-a"}, a.SubnetsOf("acl-web"), "subnet-b moved to acl-app")
	assert.Equal(t, []string{"subnet-b", "subnet-c"}, a.SubnetsOf("acl-app"))

	a.setSubnets(a.NetworkACLs["acl-app"], []string{"subnet-c"})
	assert.Equal(t, []string{"subnet-b"}, a.SubnetsOf(DefaultACL("vpc-1")))

	require.NoError(t, a.addACLEntry(&ACLEntry{ACL: "acl-web", Number: 100, Protocol: "tcp", CIDR: "10.0.0.0/24"}))
	require.NoError(t, a.deleteACL("acl-web"))
	assert.Equal(t, []string{"subnet-a", "subnet-b"}, a.SubnetsOf(DefaultACL("vpc-1")))
	assert.Empty(t, a.ACLEntries, "entries go with their ACL")
	assert.ErrorContains(t, a.deleteACL("acl-web"), "InvalidNetworkAclID.NotFound")
}
