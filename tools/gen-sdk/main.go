// Command gen-sdk writes the TypeScript, Python and Go SDKs of pulumi-servicemesh
// from schema.json with Pulumi's codegen packages (`pulumi package gen-sdk`
// needs language hosts that cannot be installed here). Output is
// deterministic; `make gen` runs it and CI checks the committed SDKs match.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// tool is the generator's name in the "do not edit" headers.
const tool = "pulumi-servicemesh gen-sdk"

// noExternal refuses every external package: the schema references none, and
// a generator that quietly fetched one would not be reproducible.
type noExternal struct{}

var errExternal = errors.New("schema.json must not reference external packages")

func (noExternal) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return nil, errExternal
}
func (noExternal) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errExternal
}
func (noExternal) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errExternal
}
func (noExternal) LoadPackageReferenceV2(context.Context, *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, errExternal
}

func main() {
	schemaPath := flag.String("schema", "schema.json", "the package schema")
	out := flag.String("out", "sdk", "where to write sdk/{nodejs,python,go}")
	flag.Parse()
	if err := run(*schemaPath, *out); err != nil {
		fmt.Fprintf(os.Stderr, "gen-sdk: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, out string) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("reading %s: %w", schemaPath, err)
	}
	generators := []struct {
		dir string
		gen func(*schema.Package) (map[string][]byte, error)
	}{
		{"nodejs", func(p *schema.Package) (map[string][]byte, error) {
			return nodejs.GeneratePackage(tool, p, nil, nil, false, noExternal{})
		}},
		{"python", func(p *schema.Package) (map[string][]byte, error) {
			return python.GeneratePackage(tool, p, nil, noExternal{})
		}},
		{"go", func(p *schema.Package) (map[string][]byte, error) {
			return gogen.GeneratePackage(tool, p, nil)
		}},
	}
	for _, g := range generators {
		// Each generator decorates the package, so each binds its own.
		pkg, diags, err := schema.BindSpec(spec, noExternal{}, schema.ValidationOptions{})
		if err != nil {
			return fmt.Errorf("binding schema: %w", err)
		}
		if diags.HasErrors() {
			return fmt.Errorf("schema has errors: %s", diags.Error())
		}
		files, err := g.gen(pkg)
		if err != nil {
			return fmt.Errorf("generating %s SDK: %w", g.dir, err)
		}
		dir := filepath.Join(out, g.dir)
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		for name, data := range files {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				return err
			}
		}
		fmt.Printf("wrote %d files to %s\n", len(files), dir)
	}
	return nil
}
