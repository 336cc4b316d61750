package audit_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/audit"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/markdowncheck"
)

// A rule's description is written in the console by anyone with access: in
// the drift table it is text, one cell, with no link, HTML or mention.
func TestMarkdownEscapesAccountText(t *testing.T) {
	md := audit.Markdown([]audit.Drift{{Kind: "unmanaged-rule", Service: "Api|x", GroupID: "sg-1",
		Rule:   "ingress tcp/22 from 0.0.0.0/0 (see [docs](https://evil.example))",
		Detail: "added by @octocat <img src=x>\u200b\u202e", Fix: "aws ec2 revoke-security-group-ingress --group-id sg-1"}})
	assert.Empty(t, markdowncheck.Problems(md))
	assert.Empty(t, markdowncheck.Active(md))
	d := markdowncheck.Parse(md)
	assert.Equal(t, []string{"Api|x"}, d.Column("service"))
	assert.Equal(t, []string{"added by @octocat &lt;img src=x&gt;"}, d.Column("detail"))
	assert.Equal(t, []string{"aws ec2 revoke-security-group-ingress --group-id sg-1"}, d.Column("fix"))
}
