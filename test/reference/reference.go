// Package reference loads the article's reference architecture fixture
// (examples/reference.yaml) for tests and benchmarks.
package reference

import (
	servicemesh "github.com/pulumi-servicemesh/pulumi-servicemesh"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// Mesh returns a fresh copy of the reference architecture.
func Mesh() spec.Mesh {
	m, err := spec.Decode(servicemesh.ReferenceYAML)
	if err != nil {
		panic("examples/reference.yaml does not decode: " + err.Error())
	}
	return m
}

// VpcID is the VPC the fixture's programs use offline; the stand-in accepts any id.
const VpcID = "vpc-0123456789abcdef0"

// Groups is the number of groups the reference architecture yields.
const Groups = 8

// ExpectedIngress is the article's ingress table for the reference architecture,
// written out by hand: group, protocol/ports, source.
var ExpectedIngress = []string{
	"AdminAccess tcp/22 203.0.113.0/24",
	"CustomerManagement-API tcp/7500 sg:ELB-CustomerManagement-API",
	"ELB-CustomerManagement-API tcp/7200 sg:FrontEnd-Web",
	"ELB-FrontEnd-Web tcp/443 0.0.0.0/0",
	"ELB-FrontEnd-Web tcp/443 ::/0",
	"ELB-FrontEnd-Web tcp/80 0.0.0.0/0",
	"ELB-FrontEnd-Web tcp/80 ::/0",
	"ELK tcp/5044 sg:AdminAccess",
	"ELK tcp/5601 203.0.113.0/24",
	"ELK tcp/9200 sg:AdminAccess",
	"FrontEnd-Web tcp/443 sg:ELB-FrontEnd-Web",
	"Graphite tcp/2003 sg:AdminAccess",
	"Graphite tcp/443 203.0.113.0/24",
	"Graphite tcp/80 203.0.113.0/24",
	"Graphite udp/8125 sg:AdminAccess",
	"MySQL tcp/1186 self",
	"MySQL tcp/2202 self",
	"MySQL tcp/3306 sg:CustomerManagement-API",
}
