// Package reference declares the article's reference architecture with the
// generated Go SDK: the same declaration as examples/reference.yaml.
package reference

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	sm "github.com/pulumi-servicemesh/pulumi-servicemesh/sdk/go/servicemesh"
)

var (
	fromOffice = sm.PeersArgs{Networks: strs("office")}
	fromAdmin  = sm.PeersArgs{Services: strs("AdminAccess")}
	withAdmin  = strs("AdminAccess")
	yes        = pulumi.Bool(true)
	text       = func(s string) pulumi.String { return pulumi.String(s) }
)

func strs(s ...string) pulumi.StringArray { return pulumi.ToStringArray(s) }

func ports(p ...int) pulumi.IntArray { return pulumi.ToIntArray(p) }

func from(services ...string) sm.PeersArgs { return sm.PeersArgs{Services: strs(services...)} }

// Architecture declares the mesh as one ServiceMesh component named name.
func Architecture(ctx *pulumi.Context, name string, vpcID pulumi.StringInput, opts ...pulumi.ResourceOption) (*sm.ServiceMesh, error) {
	return sm.NewServiceMesh(ctx, name, &sm.ServiceMeshArgs{
		VpcId: vpcID,
		Tiers: []sm.TierArgs{ // outermost first
			{Name: text("dmz"), CidrBlocks: strs("10.0.0.0/24"), Description: text("Public ELBs, NAT and VPN endpoints")},
			{Name: text("web"), CidrBlocks: strs("10.0.1.0/24"), Description: text("Nginx and PHP-FPM front end")},
			{Name: text("app"), CidrBlocks: strs("10.0.2.0/24"), Description: text("Internal API ELB, Java API on Tomcat, ELK, Graphite")},
			{Name: text("data"), CidrBlocks: strs("10.0.3.0/24"), Description: text("MySQL cluster")},
		},
		Networks: []sm.NetworkArgs{{Name: text("office"), CidrBlocks: strs("203.0.113.0/24"), Description: text("Admins and VPN users")}},
		Services: []sm.ServiceArgs{
			{Name: text("AdminAccess"), Tier: text("app"), Shared: yes,
				Description: text("Administrative access, carried by every instance"),
				Ingress:     sm.IngressRuleArray{sm.IngressRuleArgs{Ports: ports(22), From: fromOffice, Description: text("SSH from the office")}}},
			{Name: text("Graphite"), Tier: text("app"), Shared: yes, AttachedWith: withAdmin,
				Description: text("Graphite and StatsD metrics"),
				Ingress: sm.IngressRuleArray{
					sm.IngressRuleArgs{Protocol: text("udp"), Ports: ports(8125), From: fromAdmin, Description: text("StatsD from every instance")},
					sm.IngressRuleArgs{Ports: ports(2003), From: fromAdmin, Description: text("Carbon from every instance")},
					sm.IngressRuleArgs{Ports: ports(80, 443), From: fromOffice, Description: text("Graphite dashboard from the office")},
				}},
			{Name: text("ELK"), Tier: text("app"), Shared: yes, AttachedWith: withAdmin,
				Description: text("Elasticsearch, Logstash and Kibana"),
				Ingress: sm.IngressRuleArray{
					sm.IngressRuleArgs{Ports: ports(5601), From: fromOffice, Description: text("Kibana from the office")},
					sm.IngressRuleArgs{Ports: ports(9200, 5044), From: fromAdmin, Description: text("Logs from every instance")},
				}},
			{Name: text("ELB-FrontEnd-Web"), Tier: text("dmz"), InternetFacing: yes,
				Description: text("Public load balancer of the web front end"),
				Ingress: sm.IngressRuleArray{sm.IngressRuleArgs{Ports: ports(80, 443), From: sm.PeersArgs{Internet: yes},
					Description: text("Web traffic from the internet")}}},
			{Name: text("FrontEnd-Web"), Tier: text("web"), AttachedWith: withAdmin,
				Description: text("Nginx and PHP-FPM front end"),
				Ingress:     sm.IngressRuleArray{sm.IngressRuleArgs{Ports: ports(443), From: from("ELB-FrontEnd-Web")}}},
			{Name: text("ELB-CustomerManagement-API"), Tier: text("app"),
				Description: text("Internal load balancer of the customer management API"),
				Ingress:     sm.IngressRuleArray{sm.IngressRuleArgs{Ports: ports(7200), From: from("FrontEnd-Web")}}},
			{Name: text("CustomerManagement-API"), Tier: text("app"), AttachedWith: withAdmin,
				Description: text("Customer management API, Java on Tomcat"),
				Ingress:     sm.IngressRuleArray{sm.IngressRuleArgs{Ports: ports(7500), From: from("ELB-CustomerManagement-API")}}},
			{Name: text("MySQL"), Tier: text("data"), AttachedWith: withAdmin,
				Description: text("MySQL cluster"),
				Ingress: sm.IngressRuleArray{
					sm.IngressRuleArgs{Ports: ports(3306), From: from("CustomerManagement-API")},
					sm.IngressRuleArgs{Ports: ports(1186, 2202), From: sm.PeersArgs{Self: yes}, Description: text("MySQL Cluster traffic between nodes")},
				}},
		},
	}, opts...)
}
