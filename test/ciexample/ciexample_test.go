// Package ciexample tests the CI workflow users copy
// (examples/ci/github-actions.yml) beyond what actionlint checks: the
// script that finds the review comment to edit, run by Node against a fake
// GitHub API.
package ciexample

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// commentScript is the github-script step's script.
func commentScript(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../examples/ci/github-actions.yml")
	require.NoError(t, err)
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `json:"uses"`
				With map[string]string `json:"with"`
			} `json:"steps"`
		} `json:"jobs"`
	}
	require.NoError(t, yaml.Unmarshal(data, &wf))
	for _, s := range wf.Jobs["review"].Steps {
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
