// Command gen-sdk writes the TypeScript, Python and Go SDKs of pulumi-servicemesh
// from schema.json with Pulumi's codegen packages (`pulumi package gen-sdk`
// needs language hosts that cannot be installed here).
//
//	cd tools && go run ./gen-sdk -schema ../schema.json -out ../sdk
//
// `make gen` runs it. The output is deterministic (gen_test.go checks it), and
// .ci/check-sdk-drift.sh fails when the committed SDKs differ from a fresh
// generation. The package version is schema.json's `version`, the single
// source: every language section sets respectSchemaVersion, and the generator
// refuses to write SDKs that do not carry that version.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

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

// language is one SDK: its folder under -out, its generator, and the file
// that must carry the schema's version (the generator fails otherwise).
type language struct {
	dir         string
	gen         func(*schema.Package) (map[string][]byte, error)
	versionFile string
	versionText func(v string) string
}

var languages = []language{
	{
		dir: "nodejs",
		gen: func(p *schema.Package) (map[string][]byte, error) {
			return nodejs.GeneratePackage(tool, p, nil, nil, false, noExternal{})
		},
		versionFile: "package.json",
		versionText: func(v string) string { return fmt.Sprintf(`"version": %q`, v) },
	},
	{
		dir: "python",
		gen: func(p *schema.Package) (map[string][]byte, error) {
			files, err := python.GeneratePackage(tool, p, nil, noExternal{})
			if err != nil {
				return nil, err
			}
			// pyproject.toml names README.md beside it, but the generator
			// writes the README only inside the package: `python -m build`
			// fails without this copy.
			files["README.md"] = files["pulumi_servicemesh/README.md"]
			return files, nil
		},
		versionFile: "pyproject.toml",
		versionText: func(v string) string { return fmt.Sprintf(`version = %q`, v) },
	},
	{
		dir: "go",
		gen: func(p *schema.Package) (map[string][]byte, error) {
			return gogen.GeneratePackage(tool, p, nil)
		},
		versionFile: "servicemesh/internal/pulumiUtilities.go",
		versionText: func(v string) string { return fmt.Sprintf(`semver.MustParse(%q)`, v) },
	},
}

func main() {
	schemaPath := flag.String("schema", "schema.json", "the package schema")
	out := flag.String("out", "sdk", "where to write sdk/{nodejs,python,go}")
	flag.Parse()
	if err := run(*schemaPath, *out, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "gen-sdk: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, out string, log io.Writer) error {
	sdks, err := generate(schemaPath)
	if err != nil {
		return err
	}
	for _, l := range languages {
		dir := filepath.Join(out, l.dir)
		changed, err := write(dir, sdks[l.dir])
		if err != nil {
			return err
		}
		fmt.Fprintf(log, "%s: %d files, %d changed\n", dir, len(sdks[l.dir]), changed)
	}
	return nil
}

// generate binds schema.json and returns each language's files by folder.
func generate(schemaPath string) (map[string]map[string][]byte, error) {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return nil, err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("reading %s: %w", schemaPath, err)
	}
	if _, err := semver.Parse(spec.Version); err != nil {
		return nil, fmt.Errorf("%s: version %q: %w (it is the single source of the package version)", schemaPath, spec.Version, err)
	}
	sdks := map[string]map[string][]byte{}
	for _, l := range languages {
		// Each generator decorates the bound package, so each binds its own.
		pkg, diags, err := schema.BindSpec(spec, noExternal{}, schema.ValidationOptions{})
		if err != nil {
			return nil, fmt.Errorf("binding %s: %w", schemaPath, err)
		}
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s has errors: %s", schemaPath, diags.Error())
		}
		files, err := l.gen(pkg)
		if err != nil {
			return nil, fmt.Errorf("generating the %s SDK: %w", l.dir, err)
		}
		if want := l.versionText(spec.Version); !bytes.Contains(files[l.versionFile], []byte(want)) {
			return nil, fmt.Errorf("the %s SDK's %s lacks %s: set respectSchemaVersion in schema.json's language.%s",
				l.dir, l.versionFile, want, l.dir)
		}
		sdks[l.dir] = files
	}
	return sdks, nil
}

// write makes dir hold exactly files: it rewrites only files whose content
// changed (so build caches keep their mtimes) and removes stale generated
// files, but leaves alone what the SDK's own generated .gitignore ignores
// (node_modules, bin, build, *.egg-info, ...), so regenerating does not throw
// away an SDK build or the links .ci/check-sdks.sh makes.
func write(dir string, files map[string][]byte) (changed int, err error) {
	ignored := ignoredNames(files[".gitignore"])
	if err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == dir {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		if ignored(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if _, ok := files[filepath.ToSlash(rel)]; !ok && d.Type()&fs.ModeType != fs.ModeDir {
			changed++
			return os.Remove(path)
		}
		return nil
	}); err != nil {
		return 0, err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, files[name]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return 0, err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return 0, err
		}
		changed++
	}
	return changed, removeEmptyDirs(dir, ignored)
}

// ignoredNames reads the simple name patterns of a generated .gitignore
// (`node_modules/`, `*.egg-info`, ...); the generators write no others.
func ignoredNames(gitignore []byte) func(string) bool {
	var patterns []string
	for _, line := range strings.Split(string(gitignore), "\n") {
		line = strings.TrimSuffix(strings.TrimSpace(line), "/")
		if line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, strings.TrimPrefix(line, "/"))
		}
	}
	return func(name string) bool {
		for _, p := range patterns {
			if ok, _ := filepath.Match(p, name); ok {
				return true
			}
		}
		return false
	}
}

// removeEmptyDirs removes folders left empty by stale files, deepest first.
func removeEmptyDirs(dir string, ignored func(string) bool) error {
	var dirs []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir {
			if ignored(d.Name()) {
				return fs.SkipDir
			}
			dirs = append(dirs, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Reverse(dirs)
	for _, d := range dirs {
		if entries, err := os.ReadDir(d); err == nil && len(entries) == 0 {
			if err := os.Remove(d); err != nil {
				return err
			}
		}
	}
	return nil
}
