package e2e

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	goexample "github.com/pulumi-servicemesh/pulumi-servicemesh/examples/go/reference"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

func TestGoExample(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	s, err := auto.UpsertStackInlineSource(ctx, "dev", "servicemesh-reference-go", func(ctx *pulumi.Context) error {
		mesh, err := goexample.Architecture(ctx, "mesh", pulumi.String(reference.VpcID))
		if err != nil {
			return err
		}
		ctx.Export("securityGroupIds", mesh.SecurityGroupIds)
		return nil
	}, e.Opts()...)
	require.NoError(t, err)
	lifecycle(t, ctx, s)
	e.RequireEmptyAccount(t)
}
