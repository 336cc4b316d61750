package proposal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/proposal"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/markdowncheck"
)

// Group names and descriptions come from the account: the migration report
// shows them as text, with no link, HTML or mention.
func TestMarkdownEscapesAccountText(t *testing.T) {
	p := &proposal.Proposal{Report: []proposal.Item{{Kind: "cidr-rule", GroupID: "sg-1`x", Service: "Web_*1*",
		Rule: "ingress tcp/22", Problem: "[click](https://evil.example) ![i](x.png) @octocat <b>", Suggest: "ask www.evil.example\u200b"}}}
	md := p.Markdown()
	assert.Empty(t, markdowncheck.Active(md))
	assert.Contains(t, md, "- **cidr-rule** Web\\_\\*1\\* (`sg-1'x`), rule `ingress tcp/22`: `[click](https://evil.example)` \\![i\\](x.png) `@octocat` &lt;b&gt;. Suggested: ask `www.evil.example`.\n")
}
