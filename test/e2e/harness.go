// Package e2e runs Pulumi programs through the real Pulumi CLI and engine,
// offline: a file:// backend, a private PULUMI_HOME, and two local plugins —
// pulumi-resource-servicemesh (ours) and a STAND-IN pulumi-resource-aws that
// models EC2's rules for security groups and rules. No AWS is touched.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	servicemeshprovider "github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/provider"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
)

// RepoRoot is the repository's root directory.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Bin is where `make tools build` puts the CLI, language host and plugins.
func Bin() string { return filepath.Join(RepoRoot(), ".bin") }

// Engine is one isolated Pulumi installation: its own home, backend and
// stand-in AWS account.
type Engine struct {
	Dir string
	Env map[string]string
}

var setupOnce sync.Once

// New prepares an engine in a temporary directory, failing the test with the
// command to run when the tools or plugins are not built.
func New(t testing.TB) *Engine {
	t.Helper()
	for _, b := range []string{"pulumi", "pulumi-language-yaml", "pulumi-resource-servicemesh", "pulumi-resource-aws"} {
		if _, err := os.Stat(filepath.Join(Bin(), b)); err != nil {
			t.Fatalf("%s is not built: run `make tools build` first (%v)", b, err)
		}
	}
	dir := t.TempDir()
	e := &Engine{Dir: dir, Env: map[string]string{
		"PULUMI_HOME":                                 filepath.Join(dir, "home"),
		"PULUMI_BACKEND_URL":                          "file://" + filepath.Join(dir, "state"),
		"PULUMI_CONFIG_PASSPHRASE":                    "",
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK":    "true",
		"PULUMI_IGNORE_AMBIENT_PLUGINS":               "true",
		"AWS_STANDIN_STATE":                           filepath.Join(dir, "aws-account.json"),
		"PATH":                                        Bin() + string(os.PathListSeparator) + os.Getenv("PATH"),
	}}
	for _, d := range []string{"home", "state"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The CLI Automation API launches must be ours, and so must the plugins.
	setupOnce.Do(func() { os.Setenv("PATH", e.Env["PATH"]) })
	e.installPlugin(t, "servicemesh", servicemeshprovider.Version)
	e.installPlugin(t, "aws", awsstandin.Version)
	return e
}

func (e *Engine) installPlugin(t testing.TB, name, version string) {
	t.Helper()
	out, err := e.CLI(context.Background(), e.Dir, "plugin", "install", "resource", name, version,
		"--file", filepath.Join(Bin(), "pulumi-resource-"+name))
	if err != nil {
		t.Fatalf("installing plugin %s %s: %v\n%s", name, version, err, out)
	}
}

// CLI runs the pulumi CLI in dir with the engine's environment.
func (e *Engine) CLI(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(Bin(), "pulumi"), args...)
	cmd.Dir = dir
	cmd.Env = e.Environ()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Environ is os.Environ with the engine's variables on top.
func (e *Engine) Environ() []string {
	env := os.Environ()
	for k, v := range e.Env {
		env = append(env, k+"="+v)
	}
	return env
}

// Opts are the workspace options every stack of this engine uses.
func (e *Engine) Opts() []auto.LocalWorkspaceOption {
	return []auto.LocalWorkspaceOption{auto.EnvVars(e.Env)}
}

// Changes is what one preview would do, by resource URN.
type Changes struct {
	Summary map[apitype.OpType]int
	// Ops maps each resource's URN to its operation (create, same, replace...).
	Ops map[string]apitype.OpType
}

// Count returns how many resources the preview gives op.
func (c Changes) Count(op apitype.OpType) int { return c.Summary[op] }

// With lists the URNs whose operation is op, sorted by the engine's order.
func (c Changes) With(op apitype.OpType) []string {
	var out []string
	for urn, o := range c.Ops {
		if o == op {
			out = append(out, urn)
		}
	}
	sort.Strings(out)
	return out
}

// Preview runs `pulumi preview` on the stack and collects each resource's
// operation from the engine's own event stream.
func Preview(ctx context.Context, s auto.Stack) (Changes, error) {
	p, err := PreviewInputs(ctx, s)
	return p.Changes, err
}

// Previewed is what one preview would do, the inputs it plans by resource
// name, and the engine's diagnostics.
type Previewed struct {
	Changes
	Inputs map[string]map[string]any
	Diags  []string
}

// PreviewInputs is Preview with the planned inputs and the diagnostics.
func PreviewInputs(ctx context.Context, s auto.Stack) (Previewed, error) {
	ch := make(chan events.EngineEvent)
	out := Previewed{Changes: Changes{Ops: map[string]apitype.OpType{}}, Inputs: map[string]map[string]any{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			if ev.ResourcePreEvent != nil {
				m := ev.ResourcePreEvent.Metadata
				out.Ops[m.URN] = m.Op
				if m.New != nil {
					out.Inputs[ShortName(m.URN)] = m.New.Inputs
				}
			}
			if ev.DiagnosticEvent != nil {
				out.Diags = append(out.Diags, ev.DiagnosticEvent.Message)
			}
		}
	}()
	res, err := s.Preview(ctx, optpreview.EventStreams(ch), optpreview.SuppressProgress())
	<-done
	if err != nil {
		return out, err
	}
	out.Summary = res.ChangeSummary
	return out, nil
}

// ShortName is the last part of a URN: the resource's name.
func ShortName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

// Describe renders a change summary for failure messages.
func (c Changes) String() string {
	var b strings.Builder
	for op, n := range c.Summary {
		fmt.Fprintf(&b, "%s=%d ", op, n)
	}
	return b.String()
}

// RequireEmptyAccount fails unless the stand-in's account holds no groups or
// rules: what destroy must leave behind.
func (e *Engine) RequireEmptyAccount(t testing.TB) {
	t.Helper()
	data, err := os.ReadFile(e.Env["AWS_STANDIN_STATE"])
	if err != nil {
		t.Fatalf("reading the stand-in account: %v", err)
	}
	var acct struct {
		Groups map[string]any `json:"groups"`
		Rules  map[string]any `json:"rules"`
	}
	if err := json.Unmarshal(data, &acct); err != nil {
		t.Fatalf("reading the stand-in account: %v", err)
	}
	if len(acct.Groups)+len(acct.Rules) != 0 {
		t.Fatalf("destroy left %d groups and %d rules in the stand-in account", len(acct.Groups), len(acct.Rules))
	}
}
