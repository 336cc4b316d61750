"""The article's reference architecture as a Pulumi Python program: one
security group per service, rules that name their callers by group.

    pulumi stack init dev && pulumi config set vpcId vpc-... && pulumi up

The same declaration as examples/reference.yaml (test/fixturecheck proves it).
Python's field names are snake_case, and a rule's source is `from_`.
With `pulumi config set meshFile mesh.yaml` it declares the mesh from that
file instead, the one `servicemesh plan` reviews.
"""
import re
from collections.abc import Hashable
from typing import Any

import pulumi
import pulumi_servicemesh as sm
import yaml

config = pulumi.Config()


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys; servicemesh plan refuses
    them, so the program does too (what is reviewed is what runs)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, f"found duplicate key {key.value!r}", key.start_mark)
                seen.add(key.value)
        return super().construct_mapping(node, deep)


def from_file(path: str, vpc_id: str) -> sm.ServiceMesh:
    """The mesh declared by a file such as mesh.yaml: its fields are the
    component's inputs, as servicemesh plan reads them (the provider refuses a
    field it does not take, at preview). The VPC comes from the stack's
    config, as may other inputs that are outputs (externalGroups' ids,
    cidrBlocksFrom): set them here, not in the file."""
    with open(path, encoding="utf-8") as f:
        declaration = yaml.load(f, Loader=UniqueKeyLoader)
    if not isinstance(declaration, dict):
        raise ValueError(f"{path}: a declaration is a mapping of the component's inputs (tiers, networks, services, ...)")
    # The top-level inputs are keyword arguments, so snake_case (namePrefix ->
    # name_prefix); nested fields keep the file's names, which the SDK sends as
    # they are.
    args = {re.sub(r"(?<!^)(?=[A-Z])", "_", str(k)).lower(): v for k, v in declaration.items()}
    args["vpc_id"] = vpc_id
    return sm.ServiceMesh("mesh", **args)


VPC_ID = config.require("vpcId")
MESH_FILE = config.get("meshFile")

FROM_ADMIN = sm.PeersArgs(services=["AdminAccess"])
FROM_OFFICE = sm.PeersArgs(networks=["office"])

mesh = from_file(MESH_FILE, VPC_ID) if MESH_FILE else sm.ServiceMesh(
    "mesh",
    vpc_id=VPC_ID,
    tiers=[  # outermost first
        sm.TierArgs(name="dmz", cidr_blocks=["10.0.0.0/24"], description="Public ELBs, NAT and VPN endpoints"),
        sm.TierArgs(name="web", cidr_blocks=["10.0.1.0/24"], description="Nginx and PHP-FPM front end"),
        sm.TierArgs(name="app", cidr_blocks=["10.0.2.0/24"],
                    description="Internal API ELB, Java API on Tomcat, ELK, Graphite"),
        sm.TierArgs(name="data", cidr_blocks=["10.0.3.0/24"], description="MySQL cluster"),
    ],
    networks=[sm.NetworkArgs(name="office", cidr_blocks=["203.0.113.0/24"], description="Admins and VPN users")],
    services=[
        sm.ServiceArgs(
            name="AdminAccess", tier="app", shared=True,
            description="Administrative access, carried by every instance",
            ingress=[sm.IngressRuleArgs(ports=[22], from_=FROM_OFFICE, description="SSH from the office")],
        ),
        sm.ServiceArgs(
            name="Graphite", tier="app", shared=True, attached_with=["AdminAccess"],
            description="Graphite and StatsD metrics",
            ingress=[
                sm.IngressRuleArgs(protocol="udp", ports=[8125], from_=FROM_ADMIN,
                                   description="StatsD from every instance"),
                sm.IngressRuleArgs(ports=[2003], from_=FROM_ADMIN, description="Carbon from every instance"),
                sm.IngressRuleArgs(ports=[80, 443], from_=FROM_OFFICE,
                                   description="Graphite dashboard from the office"),
            ],
        ),
        sm.ServiceArgs(
            name="ELK", tier="app", shared=True, attached_with=["AdminAccess"],
            description="Elasticsearch, Logstash and Kibana",
            ingress=[
                sm.IngressRuleArgs(ports=[5601], from_=FROM_OFFICE, description="Kibana from the office"),
                sm.IngressRuleArgs(ports=[9200, 5044], from_=FROM_ADMIN, description="Logs from every instance"),
            ],
        ),
        sm.ServiceArgs(
            name="ELB-FrontEnd-Web", tier="dmz", internet_facing=True,
            description="Public load balancer of the web front end",
            ingress=[sm.IngressRuleArgs(ports=[80, 443], from_=sm.PeersArgs(internet=True),
                                        description="Web traffic from the internet")],
        ),
        sm.ServiceArgs(
            name="FrontEnd-Web", tier="web", attached_with=["AdminAccess"],
            description="Nginx and PHP-FPM front end",
            ingress=[sm.IngressRuleArgs(ports=[443], from_=sm.PeersArgs(services=["ELB-FrontEnd-Web"]))],
        ),
        sm.ServiceArgs(
            name="ELB-CustomerManagement-API", tier="app",
            description="Internal load balancer of the customer management API",
            ingress=[sm.IngressRuleArgs(ports=[7200], from_=sm.PeersArgs(services=["FrontEnd-Web"]))],
        ),
        sm.ServiceArgs(
            name="CustomerManagement-API", tier="app", attached_with=["AdminAccess"],
            description="Customer management API, Java on Tomcat",
            ingress=[sm.IngressRuleArgs(ports=[7500],
                                        from_=sm.PeersArgs(services=["ELB-CustomerManagement-API"]))],
        ),
        sm.ServiceArgs(
            name="MySQL", tier="data", attached_with=["AdminAccess"],
            description="MySQL cluster",
            ingress=[
                sm.IngressRuleArgs(ports=[3306], from_=sm.PeersArgs(services=["CustomerManagement-API"])),
                sm.IngressRuleArgs(ports=[1186, 2202], from_=sm.PeersArgs(self=True),
                                   description="MySQL Cluster traffic between nodes"),
            ],
        ),
    ],
)

pulumi.export("securityGroupIds", mesh.security_group_ids)
pulumi.export("ruleCounts", mesh.rule_counts)
