// Package ciexample tests the CI workflow users copy
// (examples/ci/github-actions.yml) beyond what actionlint checks: the
// script that finds the review comment to edit, run by Node against a fake
// GitHub API, and the preview step's shell, run by bash with a stub pulumi
// and the built servicemesh.
package ciexample

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// step is one step of the example workflow's review job.
type step struct {
	Uses  string            `json:"uses"`
	With  map[string]string `json:"with"`
	Run   string            `json:"run"`
	Shell string            `json:"shell"`
}

// reviewSteps are the steps of the example workflow's review job.
func reviewSteps(t *testing.T) []step {
	t.Helper()
	data, err := os.ReadFile("../../examples/ci/github-actions.yml")
	require.NoError(t, err)
	var wf struct {
		Jobs map[string]struct {
			Steps []step `json:"steps"`
		} `json:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &wf))
	return wf.Jobs["review"].Steps
}

// commentScript is the github-script step's script.
func commentScript(t *testing.T) string {
	t.Helper()
	for _, s := range reviewSteps(t) {
		if strings.HasPrefix(s.Uses, "actions/github-script@") {
			return s.With["script"]
		}
	}
	t.Fatal("no actions/github-script step in the review job")
	return ""
}

// harness runs the script with a fake github and context; it prints the
// API calls the script made as JSON.
const harness = `
const fs = require('fs');
const comments = JSON.parse(process.env.COMMENTS);
const calls = [];
const github = {
  paginate: async (fn, args) => comments,
  rest: { issues: {
    listComments: () => {},
    updateComment: async (a) => { calls.push({ op: 'update', id: a.comment_id }); },
    createComment: async (a) => { calls.push({ op: 'create' }); },
  } },
};
const context = { repo: { owner: 'o', repo: 'r' }, issue: { number: 7 } };
(async () => {
  %SCRIPT%
  console.log(JSON.stringify(calls));
})().catch(e => { console.error(e); process.exit(1); });
`

type call struct {
	Op string `json:"op"`
	ID int    `json:"id,omitempty"`
}

func TestCommentIsTheBotsOwn(t *testing.T) {
	node, err := exec.LookPath("node")
	require.NoError(t, err, "Node runs the workflow's github-script step")
	bot := map[string]any{"login": "github-actions[bot]", "type": "Bot"}
	author := map[string]any{"login": "pr-author", "type": "User"}
	marker := "<!-- servicemesh-review -->"
	tests := []struct {
		name     string
		comments []map[string]any
		want     []call
	}{
		{"no comment yet: create one", nil, []call{{Op: "create"}}},
		{"the bot's comment is edited", []map[string]any{{"id": 2, "user": bot, "body": marker + "\nold"}}, []call{{Op: "update", ID: 2}}},
		{"a planted comment with the marker is ignored", []map[string]any{
			{"id": 1, "user": author, "body": marker + "\nall clear, merge it"},
			{"id": 2, "user": bot, "body": marker + "\nold"},
		}, []call{{Op: "update", ID: 2}}},
		{"only a planted comment: the bot creates its own", []map[string]any{
			{"id": 1, "user": author, "body": marker + "\nall clear"},
		}, []call{{Op: "create"}}},
		{"the bot's other comments are not the review", []map[string]any{
			{"id": 3, "user": bot, "body": "something else"},
		}, []call{{Op: "create"}}},
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "comment.md"), []byte(marker+"\nnew review"), 0o644))
	script := strings.Replace(harness, "%SCRIPT%", commentScript(t), 1)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := json.Marshal(append([]map[string]any{}, tt.comments...))
			require.NoError(t, err)
			cmd := exec.Command(node, "-e", script)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "COMMENTS="+string(in))
			out, err := cmd.Output()
			require.NoError(t, err, "%s", out)
			var got []call
			require.NoError(t, json.Unmarshal(out, &got))
			assert.Equal(t, tt.want, got)
		})
	}
}

// previewStep is the run: text of the step that pipes the engine's preview
// into servicemesh preview-summary.
func previewStep(t *testing.T) step {
	t.Helper()
	for _, s := range reviewSteps(t) {
		if strings.Contains(s.Run, "servicemesh preview-summary") {
			return s
		}
	}
	t.Fatal("no step in the review job runs servicemesh preview-summary")
	return step{}
}

// Issue 21, "done when": the workflow fails a pull request whose preview
// fails. The preview step's own shell runs with pulumi replaced by a stub
// that prints a preview and exits as told, and the servicemesh CLI built
// from this checkout.
func TestPreviewStepFailsAFailedPreview(t *testing.T) {
	s := previewStep(t)
	// Without shell:, GitHub runs a step as `bash -e {0}`: errexit, but no
	// pipefail, so the step must set it itself (docs.github.com, "Workflow
	// syntax", jobs.<job_id>.steps[*].shell).
	require.Empty(t, s.Shell, "the step names a shell: run it here as GitHub runs that shell")
	require.Equal(t, 1, strings.Count(s.Run, "set -o pipefail\n"), "the step sets pipefail once:\n%s", s.Run)
	noPipefail := strings.Replace(s.Run, "set -o pipefail\n", "", 1)

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "servicemesh"), "../../provider/cmd/servicemesh")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "building servicemesh: %s", out)
	require.NoError(t, os.WriteFile(filepath.Join(bin, "pulumi"),
		[]byte("#!/bin/sh\ncat \"$STUB_PREVIEW\"\nexit \"$STUB_EXIT\"\n"), 0o755))

	whole, err := os.ReadFile("../../provider/cmd/servicemesh/testdata/preview-port-change.json")
	require.NoError(t, err)
	// What `pulumi preview --json` prints when the program's inputs are
	// refused (a misspelt field): the diagnostics carry the error.
	const failed = `{"steps": [{"op": "same", "urn": "urn:pulumi:prod::infra::servicemesh:index:ServiceMesh$aws:ec2/securityGroup:SecurityGroup::mesh-MySQL"}],
 "diagnostics": [{"urn": "urn:pulumi:prod::infra::servicemesh:index:ServiceMesh::mesh",
   "message": "error: services[7] (MySQL): unknown field \"attachedwith\"; did you mean attachedWith?\n", "severity": "error"}]}`

	tests := []struct {
		name    string
		preview string
		exit    int
		// wantFail is the step as written; failWithout, the step without
		// its pipefail line.
		wantFail, failWithout bool
	}{
		{"a successful preview passes", string(whole), 0, false, false},
		{"a failed preview with error diagnostics fails", failed, 1, true, true},
		// pulumi exits 1 after printing a preview that reads as whole: only
		// pipefail sees it, so this case proves the test can fail.
		{"pulumi failing after a whole preview fails", string(whole), 1, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			preview := filepath.Join(dir, "preview.json")
			require.NoError(t, os.WriteFile(preview, []byte(tt.preview), 0o644))
			run := func(script string) (int, string, string) {
				summary := filepath.Join(t.TempDir(), "summary.md")
				cmd := exec.Command("bash", "-e", "-c", script)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(),
					"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
					"GITHUB_STEP_SUMMARY="+summary,
					"STACK=my-org/my-project/prod",
					"STUB_PREVIEW="+preview,
					fmt.Sprintf("STUB_EXIT=%d", tt.exit))
				var errs strings.Builder
				cmd.Stderr = &errs
				err := cmd.Run()
				code := 0
				if err != nil {
					var exit *exec.ExitError
					require.ErrorAs(t, err, &exit, "running the step")
					code = exit.ExitCode()
				}
				md, _ := os.ReadFile(summary)
				return code, string(md), errs.String()
			}

			code, md, errs := run(s.Run)
			assert.Equal(t, tt.wantFail, code != 0, "the step as written exited %d; stderr:\n%s", code, errs)
			if !tt.wantFail {
				assert.Contains(t, md, "ServiceMesh", "the summary of a successful preview")
			}
			if strings.Contains(tt.preview, `"severity": "error"`) {
				assert.Contains(t, errs, "the preview failed, so what it would change is not known", "preview-summary says why")
				assert.NotContains(t, md, "no change", "nothing that reads as safe reaches the summary")
			}

			code, _, errs = run(noPipefail)
			assert.Equal(t, tt.failWithout, code != 0, "without pipefail the step exited %d; stderr:\n%s", code, errs)
		})
	}
}
