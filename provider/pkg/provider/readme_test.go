package provider_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's inputs table names every input of the ServiceMesh resource,
// and the Service fields a user must know about to migrate (adopt).
func TestReadmeInputsTableIsComplete(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "schema.json"))
	require.NoError(t, err)
	var schema struct {
		Resources map[string]struct {
			InputProperties map[string]json.RawMessage `json:"inputProperties"`
		} `json:"resources"`
	}
	require.NoError(t, json.Unmarshal(raw, &schema))
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	require.NoError(t, err)

	_, table, ok := strings.Cut(string(readme), "\n| input | meaning |\n")
	require.True(t, ok, "README.md has no inputs table")
	table, _, _ = strings.Cut(table, "\n\n")
	var named []string
	for _, row := range strings.Split(table, "\n") {
		if cells := strings.Split(row, "|"); len(cells) > 2 {
			named = append(named, cells[1])
		}
	}
	first := strings.Join(named, " ")
	inputs := schema.Resources["servicemesh:index:ServiceMesh"].InputProperties
	require.NotEmpty(t, inputs)
	for name := range inputs {
		assert.Contains(t, first, "`"+name+"`", "the inputs table has no row for %s", name)
	}
	assert.Contains(t, first, "`adopt`", "the inputs table has no row for a service's adopt")
}
