// Command pulumi-resource-servicemesh is the ServiceMesh component provider.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/provider"
)

// version is stamped by `make dist` (-ldflags "-X main.version=..."), from
// schema.json as the embedded schema is: a release binary whose stamp and
// schema disagree refuses to start rather than report the wrong version.
var version string

func main() {
	if version != "" && version != provider.Version {
		fmt.Fprintf(os.Stderr, "pulumi-resource-servicemesh: built as version %s but its schema.json says %s: rebuild with `make dist`\n",
			version, provider.Version)
		os.Exit(1)
	}
	// The release checks ask the binary itself which version it is.
	if len(os.Args) == 2 && os.Args[1] == "--version" {
		fmt.Println(provider.Version)
		return
	}
	if err := provider.Serve(); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-servicemesh: %v\n", err)
		os.Exit(1)
	}
}
