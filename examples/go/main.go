// Command go is the reference architecture as a Pulumi Go program
// (`pulumi up` here with the Go language host; the end-to-end tests run
// reference.Architecture as an Automation API inline program instead).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/examples/go/reference"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		vpcID := config.Get(ctx, "vpcId")
		if vpcID == "" {
			vpcID = "vpc-0123456789abcdef0"
		}
		mesh, err := reference.Architecture(ctx, "mesh", pulumi.String(vpcID))
		if err != nil {
			return err
		}
		ctx.Export("securityGroupIds", mesh.SecurityGroupIds)
		ctx.Export("ruleCounts", mesh.RuleCounts)
		return nil
	})
}
