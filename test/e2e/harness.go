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
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	servicemeshprovider "github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/provider"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/internal/built"
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
		built.Require(t, filepath.Join(Bin(), b), "tools build")
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
		// A refused group delete retries for 2s here, not the real 15 minutes.
		awsstandin.EnvDeleteTimeout: "2s",
		"PATH":                      Bin() + string(os.PathListSeparator) + os.Getenv("PATH"),
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
	// The engine's three steps of a replacement (replace, create-replacement,
	// delete-replaced) are folded into one: replace.
	Ops map[string]apitype.OpType
	// Steps are the engine's steps in the order it announced them, unfolded,
	// so a test can see whether a replacement deletes first.
	Steps []Step
	// Warnings are the warning diagnostics the preview printed; Diags all of them.
	Warnings []string
	Diags    []string
	// Inputs are the planned inputs by resource name.
	Inputs map[string]map[string]any
}

// Step is one engine step on one resource.
type Step struct {
	URN string
	Op  apitype.OpType
}

// replaceSteps are the engine's steps of one replacement.
var replaceSteps = map[apitype.OpType]bool{apitype.OpReplace: true, apitype.OpCreateReplacement: true, apitype.OpDeleteReplaced: true}

// Collect reads an engine event stream into Changes until it closes.
func Collect(ch <-chan events.EngineEvent) *Changes {
	c := &Changes{Ops: map[string]apitype.OpType{}, Inputs: map[string]map[string]any{}}
	for ev := range ch {
		if ev.ResourcePreEvent != nil {
			m := ev.ResourcePreEvent.Metadata
			c.Steps = append(c.Steps, Step{URN: m.URN, Op: m.Op})
			if m.New != nil {
				c.Inputs[ShortName(m.URN)] = m.New.Inputs
			}
			op := m.Op
			if replaceSteps[op] {
				op = apitype.OpReplace
			}
			c.Ops[m.URN] = op
		}
		if d := ev.DiagnosticEvent; d != nil {
			c.Diags = append(c.Diags, d.Message)
			if d.Severity == "warning" {
				c.Warnings = append(c.Warnings, strings.TrimSpace(d.Message))
			}
		}
	}
	return c
}

// DeletesFirst reports whether the steps delete urn's old resource before
// creating its replacement.
func (c Changes) DeletesFirst(urn string) bool {
	del, create := -1, -1
	for i, s := range c.Steps {
		switch {
		case s.URN == urn && s.Op == apitype.OpDeleteReplaced && del < 0:
			del = i
		case s.URN == urn && s.Op == apitype.OpCreateReplacement && create < 0:
			create = i
		}
	}
	return del >= 0 && create >= 0 && del < create
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
// operation, planned inputs and the diagnostics from the engine's own event stream.
func Preview(ctx context.Context, s auto.Stack) (Changes, error) {
	ch := make(chan events.EngineEvent)
	got := make(chan *Changes)
	go func() { got <- Collect(ch) }()
	res, err := s.Preview(ctx, optpreview.EventStreams(ch), optpreview.SuppressProgress())
	c := <-got
	if err != nil {
		return *c, err
	}
	c.Summary = res.ChangeSummary
	return *c, nil
}

// Up runs `pulumi up` and returns its steps as Changes (Summary is the
// update's), with its error.
func Up(ctx context.Context, s auto.Stack) (Changes, error) {
	ch := make(chan events.EngineEvent)
	got := make(chan *Changes)
	go func() { got <- Collect(ch) }()
	res, err := s.Up(ctx, optup.EventStreams(ch), optup.SuppressProgress())
	c := <-got
	if err == nil && res.Summary.ResourceChanges != nil {
		c.Summary = map[apitype.OpType]int{}
		for op, n := range *res.Summary.ResourceChanges {
			c.Summary[apitype.OpType(op)] = n
		}
	}
	return *c, err
}

// StateIDs are the ids the stack's state records for resources of typ, by
// resource name.
func StateIDs(ctx context.Context, t testing.TB, s auto.Stack, typ string) map[string]string {
	t.Helper()
	dep, err := s.Export(ctx)
	if err != nil {
		t.Fatalf("exporting the stack: %v", err)
	}
	var st apitype.DeploymentV3
	if err := json.Unmarshal(dep.Deployment, &st); err != nil {
		t.Fatalf("reading the stack's state: %v", err)
	}
	out := map[string]string{}
	for _, r := range st.Resources {
		if string(r.Type) == typ {
			out[ShortName(string(r.URN))] = string(r.ID)
		}
	}
	return out
}

// Account reads the stand-in's account.
func (e *Engine) Account(t testing.TB) *awsstandin.Account {
	t.Helper()
	a, err := awsstandin.Read(e.Env[awsstandin.EnvState])
	if err != nil {
		t.Fatalf("reading the stand-in account: %v", err)
	}
	return a
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
