// Command fixturecheck proves that an example declares exactly the reference
// architecture fixture, examples/reference.yaml. Each argument is a JSON file
// of the inputs a generated SDK sent for a ServiceMesh (test/consumers'
// fixture.ts and fixture.py print them for the examples under Pulumi's
// mocks); each must decode with the provider's strict decoder, so an unknown
// property is an error, and equal the fixture plus its vpcId.
//
//	go run ./test/fixturecheck ts-inputs.json py-inputs.json
//	go run ./test/fixturecheck -vpc-id    # prints test/reference.VpcID
//
// The Go example has the same check as a test (go_example_test.go).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

func main() {
	// The consumers' runners are given the offline VPC id by their callers.
	if len(os.Args) == 2 && os.Args[1] == "-vpc-id" {
		fmt.Println(reference.VpcID)
		return
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fixturecheck INPUTS.json...")
		os.Exit(2)
	}
	failed := false
	for _, path := range os.Args[1:] {
		if err := check(path); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func check(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	// Numbers travel as doubles (Python's mocks show 22.0); a round trip
	// through any writes integral ones as integers, as the provider reads them.
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	if data, err = json.Marshal(v); err != nil {
		return err
	}
	got, err := spec.DecodeJSON(data)
	if err != nil {
		return err
	}
	want := reference.Mesh()
	want.VpcID = reference.VpcID
	if reflect.DeepEqual(want, got) {
		return nil
	}
	return fmt.Errorf("differs from examples/reference.yaml:\n%s", firstDifference(want, got))
}

// firstDifference shows where the two declarations' indented JSON first
// differ, with a little context.
func firstDifference(want, got spec.Mesh) string {
	w, _ := json.MarshalIndent(want, "", "  ")
	g, _ := json.MarshalIndent(got, "", "  ")
	wl, gl := strings.Split(string(w), "\n"), strings.Split(string(g), "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	var b bytes.Buffer
	for j := max(0, i-4); j < i; j++ {
		fmt.Fprintf(&b, "    %s\n", wl[j])
	}
	for j := i; j < min(i+3, len(wl)); j++ {
		fmt.Fprintf(&b, "  - %s\n", wl[j])
	}
	for j := i; j < min(i+3, len(gl)); j++ {
		fmt.Fprintf(&b, "  + %s\n", gl[j])
	}
	return b.String()
}
