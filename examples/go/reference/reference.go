// Package reference declares the article's reference architecture with the
// generated Go SDK: the same declaration as examples/reference.yaml
// (test/fixturecheck proves it, field by field).
package reference

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"gopkg.in/yaml.v3"

	sm "github.com/pulumi-servicemesh/pulumi-servicemesh/sdk/go/servicemesh"
)

// Every input but vpcId is a plain value, known at preview: Go strings, ints
// and slices, with pointers for the optional ones.
var (
	text       = pulumi.StringRef
	yes        = pulumi.BoolRef(true)
	withAdmin  = []string{"AdminAccess"}
	fromOffice = sm.PeersArgs{Networks: []string{"office"}}
	fromAdmin  = sm.PeersArgs{Services: []string{"AdminAccess"}}
)

func from(services ...string) sm.PeersArgs { return sm.PeersArgs{Services: services} }

// Program is the stack main.go runs: the mesh in the VPC of the stack's
// config (`pulumi config set vpcId vpc-...`), exporting each service's group
// id and rule counts. With `pulumi config set meshFile mesh.yaml` it declares
// the mesh from that file instead, the one `servicemesh plan` reviews.
func Program(ctx *pulumi.Context) error {
	vpcID := pulumi.String(config.Require(ctx, "vpcId"))
	var mesh *sm.ServiceMesh
	var err error
	if file := config.Get(ctx, "meshFile"); file != "" {
		mesh, err = FromFile(ctx, "mesh", file, vpcID)
	} else {
		mesh, err = Architecture(ctx, "mesh", vpcID)
	}
	if err != nil {
		return err
	}
	ctx.Export("securityGroupIds", mesh.SecurityGroupIds)
	ctx.Export("ruleCounts", mesh.RuleCounts)
	return nil
}

// FromFile declares the mesh from a declaration file such as mesh.yaml: its
// fields are the component's inputs, as servicemesh plan reads them (an
// unknown field is an error). The VPC comes from the program, as may the
// other inputs that are outputs (externalGroups' ids, cidrBlocksFrom): set
// them on the args in code, not in the file.
func FromFile(ctx *pulumi.Context, name, path string, vpcID pulumi.StringInput, opts ...pulumi.ResourceOption) (*sm.ServiceMesh, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var args sm.ServiceMeshArgs
	if err := dec.Decode(&args); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	args.VpcId = vpcID
	return sm.NewServiceMesh(ctx, name, &args, opts...)
}

// Architecture declares the mesh as one ServiceMesh component named name.
func Architecture(ctx *pulumi.Context, name string, vpcID pulumi.StringInput, opts ...pulumi.ResourceOption) (*sm.ServiceMesh, error) {
	return sm.NewServiceMesh(ctx, name, &sm.ServiceMeshArgs{
		VpcId: vpcID,
		Tiers: []sm.TierArgs{ // outermost first
			{Name: "dmz", CidrBlocks: []string{"10.0.0.0/24"}, Description: text("Public ELBs, NAT and VPN endpoints")},
			{Name: "web", CidrBlocks: []string{"10.0.1.0/24"}, Description: text("Nginx and PHP-FPM front end")},
			{Name: "app", CidrBlocks: []string{"10.0.2.0/24"}, Description: text("Internal API ELB, Java API on Tomcat, ELK, Graphite")},
			{Name: "data", CidrBlocks: []string{"10.0.3.0/24"}, Description: text("MySQL cluster")},
		},
		Networks: []sm.NetworkArgs{{Name: "office", CidrBlocks: []string{"203.0.113.0/24"}, Description: text("Admins and VPN users")}},
		Services: []sm.ServiceArgs{
			{Name: "AdminAccess", Tier: "app", Shared: yes,
				Description: text("Administrative access, carried by every instance"),
				Ingress:     []sm.IngressRuleArgs{{Ports: []int{22}, From: fromOffice, Description: text("SSH from the office")}}},
			{Name: "Graphite", Tier: "app", Shared: yes, AttachedWith: withAdmin,
				Description: text("Graphite and StatsD metrics"),
				Ingress: []sm.IngressRuleArgs{
					{Protocol: text("udp"), Ports: []int{8125}, From: fromAdmin, Description: text("StatsD from every instance")},
					{Ports: []int{2003}, From: fromAdmin, Description: text("Carbon from every instance")},
					{Ports: []int{80, 443}, From: fromOffice, Description: text("Graphite dashboard from the office")},
				}},
			{Name: "ELK", Tier: "app", Shared: yes, AttachedWith: withAdmin,
				Description: text("Elasticsearch, Logstash and Kibana"),
				Ingress: []sm.IngressRuleArgs{
					{Ports: []int{5601}, From: fromOffice, Description: text("Kibana from the office")},
					{Ports: []int{9200, 5044}, From: fromAdmin, Description: text("Logs from every instance")},
				}},
			{Name: "ELB-FrontEnd-Web", Tier: "dmz", InternetFacing: yes,
				Description: text("Public load balancer of the web front end"),
				Ingress: []sm.IngressRuleArgs{{Ports: []int{80, 443}, From: sm.PeersArgs{Internet: yes},
					Description: text("Web traffic from the internet")}}},
			{Name: "FrontEnd-Web", Tier: "web", AttachedWith: withAdmin,
				Description: text("Nginx and PHP-FPM front end"),
				Ingress:     []sm.IngressRuleArgs{{Ports: []int{443}, From: from("ELB-FrontEnd-Web")}}},
			{Name: "ELB-CustomerManagement-API", Tier: "app",
				Description: text("Internal load balancer of the customer management API"),
				Ingress:     []sm.IngressRuleArgs{{Ports: []int{7200}, From: from("FrontEnd-Web")}}},
			{Name: "CustomerManagement-API", Tier: "app", AttachedWith: withAdmin,
				Description: text("Customer management API, Java on Tomcat"),
				Ingress:     []sm.IngressRuleArgs{{Ports: []int{7500}, From: from("ELB-CustomerManagement-API")}}},
			{Name: "MySQL", Tier: "data", AttachedWith: withAdmin,
				Description: text("MySQL cluster"),
				Ingress: []sm.IngressRuleArgs{
					{Ports: []int{3306}, From: from("CustomerManagement-API")},
					{Ports: []int{1186, 2202}, From: sm.PeersArgs{Self: yes}, Description: text("MySQL Cluster traffic between nodes")},
				}},
		},
	}, opts...)
}
