// A mesh wired into a program: a security group made elsewhere (a load
// balancer's, an EKS node group's) and an office range that is another
// resource's output. Only externalGroups[].securityGroupId and cidrBlocksFrom
// take outputs; rules are named after the declared names, never the values.
import * as pulumi from "@pulumi/pulumi";
import * as servicemesh from "pulumi-servicemesh";

export function wiredArchitecture(
    name: string,
    vpcId: pulumi.Input<string>,
    lbGroupId: pulumi.Input<string>,
    officeRanges: pulumi.Input<string[]>,
): servicemesh.ServiceMesh {
    return new servicemesh.ServiceMesh(name, {
        vpcId,
        egress: "none",
        tiers: [{ name: "dmz" }, { name: "web" }],
        networks: [{ name: "office", cidrBlocksFrom: officeRanges }],
        externalGroups: [{ name: "lb", securityGroupId: lbGroupId, tier: "dmz" }],
        services: [{
            name: "Web", tier: "web", attachedWith: ["lb"],
            ingress: [
                { ports: [443], from: { services: ["lb"] } },
                { ports: [22], from: { networks: ["office"] } },
            ],
        }],
    });
}
