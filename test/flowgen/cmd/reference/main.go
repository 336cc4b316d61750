// Command reference writes the reference data set of the ground-truth
// generator (the reference architecture's account and an hour of its
// traffic) into a directory:
//
//	go run ./test/flowgen/cmd/reference -o test/flowgen/testdata/reference
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/flowgen"
)

func main() {
	out := flag.String("o", "test/flowgen/testdata/reference", "directory to write into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(dir string) error {
	ds, err := flowgen.Reference()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return ds.WriteDir(dir)
}
