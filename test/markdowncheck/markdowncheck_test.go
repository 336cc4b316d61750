package markdowncheck_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/markdowncheck"
)

func TestProblemsFindBrokenTables(t *testing.T) {
	assert.Empty(t, markdowncheck.Problems("| a | b |\n|---|---|\n| 1 | 2 \\| 3 |\n"))
	for name, md := range map[string]string{
		"stray pipe":        "| a | b |\n|---|---|\n| 1 | 2 | 3 |\n",
		"missing cell":      "| a | b |\n|---|---|\n| 1 |\n",
		"missing separator": "| a | b |\n| 1 | 2 |\n",
		"blank line inside": "| a | b |\n|---|---|\n\n| 1 | 2 |\n",
	} {
		assert.NotEmpty(t, markdowncheck.Problems(md), name)
	}
}

func TestParse(t *testing.T) {
	d := markdowncheck.Parse("### A `b`\n\nSome **text**\nwrapped.\n\n<details><summary>x</summary>\n\n| h | i |\n|---|---|\n| `c` | d \\| e |\n\n</details>\n")
	assert.Equal(t, []string{"A b"}, d.Headings)
	assert.Equal(t, "Some text wrapped.\n", d.Text)
	assert.Equal(t, []markdowncheck.Table{{Header: []string{"h", "i"}, Rows: [][]string{{"c", "d | e"}}}}, d.Tables,
		"a table inside <details> is a table")
	assert.Equal(t, []string{"d | e"}, d.Column("i"))
	assert.Equal(t, "\n\nx\n", markdowncheck.Section("# T\n## A (1)\n\nx\n## B\n\ny\n", "## A"))
	assert.Equal(t, "\n\ny\n", markdowncheck.Section("# T\n## A (1)\n\nx\n## B\n\ny\n", "## B"))
	assert.Empty(t, markdowncheck.Section("# T\n", "## A"))
}

func TestCodeBlocks(t *testing.T) {
	md := "# T\n\n```bash\nrun a\nrun b\n```\n\ntext\n\n```\n  indented\n\nlast\n```\n\n~~~mermaid\nflowchart LR\n~~~\n"
	assert.Equal(t, []markdowncheck.CodeBlock{
		{Info: "bash", Text: "run a\nrun b\n"},
		{Info: "", Text: "  indented\n\nlast\n"},
		{Info: "mermaid", Text: "flowchart LR\n"},
	}, markdowncheck.CodeBlocks(md))
	assert.Empty(t, markdowncheck.CodeBlocks("no code here\n"))
}
