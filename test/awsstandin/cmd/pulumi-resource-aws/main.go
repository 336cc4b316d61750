// Command aws-standin is built as pulumi-resource-aws: a STAND-IN for the AWS
// provider plugin that the offline demo and end-to-end tests run the real
// Pulumi engine against. It models EC2 security groups and rules in a local
// file; it is not AWS. See test/awsstandin.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
)

func main() {
	err := provider.Main("aws", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &awsstandin.Provider{}, nil
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "stand-in pulumi-resource-aws: %v\n", err)
		os.Exit(1)
	}
}
