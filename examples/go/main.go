// Command go is the reference architecture as a Pulumi Go program: `pulumi up`
// here runs reference.Program (the end-to-end tests run the same function as
// an Automation API inline program).
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/examples/go/reference"
)

func main() {
	pulumi.Run(reference.Program)
}
