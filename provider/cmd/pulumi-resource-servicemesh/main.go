// Command pulumi-resource-servicemesh is the ServiceMesh component provider.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/provider"
)

func main() {
	if err := provider.Serve(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-servicemesh: %v\n", err)
		os.Exit(1)
	}
}
