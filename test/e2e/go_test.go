package e2e

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/stretchr/testify/require"

	goexample "github.com/pulumi-servicemesh/pulumi-servicemesh/examples/go/reference"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

func TestGoExample(t *testing.T) {
	e := New(t)
	ctx := context.Background()
	// examples/go/main.go's program, with the stack config a user sets.
	s, err := auto.UpsertStackInlineSource(ctx, "dev", "servicemesh-reference-go", goexample.Program, e.Opts()...)
	require.NoError(t, err)
	require.NoError(t, s.SetConfig(ctx, "vpcId", auto.ConfigValue{Value: reference.VpcID}))
	lifecycle(t, ctx, s)
	e.RequireEmptyAccount(t)
}
