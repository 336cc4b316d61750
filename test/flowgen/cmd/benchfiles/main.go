// Command benchfiles writes the flow-log benchmark data set (BENCHMARKS.md):
//
//	go run ./test/flowgen/cmd/benchfiles -o .work/flows -files 10 -records 1000000 -tuples 1400000
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/flowgen"
)

func main() {
	out := flag.String("o", ".work/flows", "directory to write into")
	var spec flowgen.BenchSpec
	flag.IntVar(&spec.Files, "files", 10, "files")
	flag.IntVar(&spec.Records, "records", 1_000_000, "records per file")
	flag.Uint64Var(&spec.Tuples, "tuples", 1_400_000, "tuple pool size (1e12: nearly every record its own tuple)")
	flag.Uint64Var(&spec.Seed, "seed", 1, "seed")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	paths, err := flowgen.BenchFiles(*out, spec)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, p := range paths {
		fmt.Println(p)
	}
}
