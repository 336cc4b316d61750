package ec2read_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/moto"
)

// TestLiveMoto creates groups in moto with the SDK and reads them back.
func TestLiveMoto(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := context.Background()
	f := moto.NewWebDB(t, endpoint)
	vpcID, web, db := f.VPC, f.Web, f.DB
	f.Ingress(t, db, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		IpRanges: []types.IpRange{{CidrIp: aws.String("10.9.1.0/24")}}})

	a, err := ec2read.Live{Region: "us-east-1", VpcID: vpcID, Endpoint: endpoint}.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, "EC2 us-east-1 "+vpcID, a.Source)
	g, err := a.Group(db)
	require.NoError(t, err)
	assert.Equal(t, "db", g.Name)
	assert.Equal(t, "MySQL", g.Description)
	var got []string
	for _, r := range g.Rules {
		got = append(got, r.Direction+" "+r.Ports()+" "+r.Peer.String()+" "+r.Description)
		assert.Regexp(t, `^sgr-`, r.ID, "rule ids come from describe-security-group-rules")
	}
	assert.Equal(t, []string{"ingress tcp/22 10.9.1.0/24 ", "ingress tcp/3306 " + web + " from web", "egress all 0.0.0.0/0 "}, got)
	_, err = a.Group("sg-0123456789abcdef0")
	assert.ErrorContains(t, err, "does not exist in EC2 us-east-1 "+vpcID)
}

func TestLiveNoCredentials(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	_, err := ec2read.Live{Region: "us-east-1", Endpoint: "http://127.0.0.1:1"}.Read(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading EC2 in us-east-1: no AWS credentials: set AWS_PROFILE")
	_, err = ec2read.Live{}.Read(context.Background())
	assert.ErrorContains(t, err, "--region is required")
}
