package observe_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/observe"
)

// Issue 20: a REJECT says which layer refused it. testdata/refusals.json
// is web (10.0.1.10) and app (10.0.2.10): app's group admits tcp/8080 from
// web's group and tcp/9000 from 10.0.1.0/24. refusals-acls.json adds the
// subnets and app's ACL: #100 allows tcp/8080 from 10.0.1.0/24, #110 denies
// tcp/9000 from it, #120 allows tcp/8000-8100 from it, * denies the rest.
// The verdicts are read off those entries by hand.
func TestExplainNamesTheRefusingLayer(t *testing.T) {
	web, app := netip.MustParseAddr("10.0.1.10"), netip.MustParseAddr("10.0.2.10")
	outside := netip.MustParseAddr("198.51.100.7")
	tests := []struct {
		name  string
		files []string
		src   netip.Addr
		port  int
		layer string
		rules []string
	}{
		{"denied by ACL entry #110, the group admits it", []string{"refusals.json", "refusals-acls.json"}, web, 9000, observe.ByACL,
			[]string{"destination subnet's network ACL, ingress (acl-app): ingress #110 deny tcp/9000 10.0.1.0/24"}},
		{"allowed by ACL entry #120, no group rule", []string{"refusals.json", "refusals-acls.json"}, web, 8081, observe.ByGroups,
			[]string{"destination security groups, ingress (sg-0000000000000app): no ingress rule of sg-0000000000000app allows tcp/8081 from 10.0.1.10"}},
		{"no ACL entry and no group rule", []string{"refusals.json", "refusals-acls.json"}, web, 5432, observe.ByBoth,
			[]string{"destination subnet's network ACL, ingress (acl-app): ingress * deny all 0.0.0.0/0",
				"destination security groups, ingress (sg-0000000000000app): no ingress rule of sg-0000000000000app allows tcp/5432 from 10.0.1.10"}},
		{"from outside the VPC", []string{"refusals.json", "refusals-acls.json"}, outside, 22, observe.ByBoth,
			[]string{"destination subnet's network ACL, ingress (acl-app): ingress * deny all 0.0.0.0/0",
				"destination security groups, ingress (sg-0000000000000app): no ingress rule of sg-0000000000000app allows tcp/22 from 198.51.100.7"}},
		{"both layers admit it now", []string{"refusals.json", "refusals-acls.json"}, web, 8080,
			"not decided: both layers let it in as described (the describe files may be newer than the log)", nil},
		{"no ACLs given: no guess, though the group admits it", []string{"refusals.json"}, web, 9000,
			"not decided: no network ACLs given (add the output of aws ec2 describe-network-acls and describe-subnets to --from)", nil},
		{"no ACLs given: no guess, though no group rule admits it", []string{"refusals.json"}, web, 5432,
			"not decided: no network ACLs given (add the output of aws ec2 describe-network-acls and describe-subnets to --from)", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var paths []string
			for _, f := range tt.files {
				paths = append(paths, "testdata/"+f)
			}
			acc, err := ec2read.ReadFiles(paths...)
			require.NoError(t, err)
			got := observe.Explain(acc, []observe.Rejected{{Caller: "web", Callee: "app", Protocol: 6, Port: tt.port, Records: 3, Src: tt.src, Dst: app}})
			require.Len(t, got, 1)
			assert.Equal(t, tt.layer, got[0].Layer)
			assert.Equal(t, tt.src.String(), got[0].Src)
			assert.Equal(t, "10.0.2.10", got[0].Dst)
			assert.Equal(t, tt.rules, got[0].Rules)
		})
	}
}
