package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const schemaPath = "../../schema.json"

// The drift check compares two generator processes; this compares two
// generations in one.
func TestGenerationIsDeterministic(t *testing.T) {
	a, err := generate(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := generate(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two generations from the same schema differ")
	}
	for _, l := range languages {
		if len(a[l.dir]) == 0 {
			t.Errorf("no %s files", l.dir)
		}
	}
}

// writeSchema writes a copy of schema.json changed by edit.
func writeSchema(t *testing.T, edit func(map[string]any)) string {
	t.Helper()
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	edit(s)
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// schema.json's version is the one version: every SDK carries it.
func TestVersionComesFromSchema(t *testing.T) {
	sdks, err := generate(writeSchema(t, func(s map[string]any) { s["version"] = "9.8.7" }))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []struct{ dir, name, want string }{
		{"nodejs", "package.json", `"version": "9.8.7"`},
		{"python", "pyproject.toml", `version = "9.8.7"`},
		{"python", "pulumi_servicemesh/pulumi-plugin.json", `"version": "9.8.7"`},
		{"go", "servicemesh/pulumi-plugin.json", `"version": "9.8.7"`},
		{"go", "servicemesh/internal/pulumiUtilities.go", `semver.MustParse("9.8.7")`},
	} {
		if !bytes.Contains(sdks[file.dir][file.name], []byte(file.want)) {
			t.Errorf("%s/%s lacks %s", file.dir, file.name, file.want)
		}
	}
}

func TestRefusesSchemaWithoutRespectSchemaVersion(t *testing.T) {
	path := writeSchema(t, func(s map[string]any) {
		delete(s["language"].(map[string]any)["python"].(map[string]any), "respectSchemaVersion")
	})
	_, err := generate(path)
	if err == nil || !strings.Contains(err.Error(), "respectSchemaVersion") {
		t.Fatalf("want an error naming respectSchemaVersion, got %v", err)
	}
}

func TestRefusesBadVersion(t *testing.T) {
	_, err := generate(writeSchema(t, func(s map[string]any) { s["version"] = "one" }))
	if err == nil || !strings.Contains(err.Error(), "single source") {
		t.Fatalf("want a version error, got %v", err)
	}
}

func TestRefusesExternalPackages(t *testing.T) {
	path := writeSchema(t, func(s map[string]any) {
		props := s["types"].(map[string]any)["servicemesh:index:Tier"].(map[string]any)["properties"].(map[string]any)
		props["vpc"] = map[string]any{"$ref": "/aws/v6.0.0/schema.json#/types/aws:ec2:Vpc"}
	})
	_, err := generate(path)
	if err == nil || !strings.Contains(err.Error(), errExternal.Error()) {
		t.Fatalf("a schema referencing another package must not generate; got %v", err)
	}
}

func TestWriteRewritesOnlyChangesAndKeepsBuildOutput(t *testing.T) {
	dir := t.TempDir()
	put := func(name, content string) {
		t.Helper()
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("same.ts", "same")
	put("changed.ts", "old")
	put("stale/gone.ts", "stale")
	put("bin/index.js", "build output")
	put("node_modules/x/index.js", "a dependency")
	put("pkg.egg-info/PKG-INFO", "build output")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "same.ts"), old, old); err != nil {
		t.Fatal(err)
	}

	changed, err := write(dir, map[string][]byte{
		".gitignore": []byte("node_modules/\nbin/\n*.egg-info\n"),
		"same.ts":    []byte("same"),
		"changed.ts": []byte("new"),
		"new/new.ts": []byte("new"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if changed != 4 { // .gitignore, changed.ts, new/new.ts written; stale/gone.ts removed
		t.Errorf("changed = %d, want 4", changed)
	}
	var got []string
	if err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			got = append(got, filepath.ToSlash(rel))
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "bin/index.js", "changed.ts", "new/new.ts", "node_modules/x/index.js", "pkg.egg-info/PKG-INFO", "same.ts"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("files after write:\n got %v\nwant %v", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale")); !os.IsNotExist(err) {
		t.Errorf("the emptied folder stale/ is still there (%v)", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "same.ts")); err != nil || !fi.ModTime().Equal(old) {
		t.Errorf("an unchanged file was rewritten (%v)", err)
	}
}

func TestRunWritesEveryLanguage(t *testing.T) {
	out := t.TempDir()
	if err := run(schemaPath, out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"nodejs/serviceMesh.ts", "python/pulumi_servicemesh/service_mesh.py", "go/servicemesh/serviceMesh.go"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

// What a registry package needs to be installable: the plugin's download
// server in every SDK, so `pulumi up` fetches the provider, and the README
// pyproject.toml names (python -m build fails without it).
func TestSDKsArePublishable(t *testing.T) {
	sdks, err := generate(writeSchema(t, func(s map[string]any) {
		s["pluginDownloadURL"] = "github://api.github.com/example/plugin"
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range []struct{ dir, name, want string }{
		{"nodejs", "package.json", `"server": "github://api.github.com/example/plugin"`},
		{"python", "pulumi_servicemesh/pulumi-plugin.json", `"server": "github://api.github.com/example/plugin"`},
		{"go", "servicemesh/pulumi-plugin.json", `"server": "github://api.github.com/example/plugin"`},
		{"python", "pyproject.toml", `readme = "README.md"`},
		{"python", "README.md", "Service-oriented AWS security groups"},
	} {
		if !bytes.Contains(sdks[file.dir][file.name], []byte(file.want)) {
			t.Errorf("%s/%s lacks %s", file.dir, file.name, file.want)
		}
	}
}
