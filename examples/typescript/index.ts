// The article's reference architecture as a Pulumi TypeScript program: one
// security group per service, rules that name their callers by group.
//   pulumi stack init dev && pulumi config set vpcId vpc-... && pulumi up
// The same declaration as examples/reference.yaml (test/fixturecheck proves it).
// With `pulumi config set meshFile mesh.yaml` it declares the mesh from that
// file instead, the one `servicemesh plan` reviews.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import * as servicemesh from "pulumi-servicemesh";

const config = new pulumi.Config();
const vpcId = config.require("vpcId");
const meshFile = config.get("meshFile");

// fromFile reads a declaration file such as mesh.yaml: its fields are the
// component's inputs, as servicemesh plan reads them (the provider refuses a
// field it does not take, at preview). The VPC comes from the stack's config,
// as may other inputs that are outputs (externalGroups' ids, cidrBlocksFrom):
// set them here, not in the file.
function fromFile(path: string): servicemesh.ServiceMeshArgs {
    const declaration: unknown = yaml.load(fs.readFileSync(path, "utf8")); // js-yaml refuses duplicate keys
    if (typeof declaration !== "object" || declaration === null || Array.isArray(declaration)) {
        throw new Error(`${path}: a declaration is a mapping of the component's inputs (tiers, networks, services, ...)`);
    }
    return { ...(declaration as Omit<servicemesh.ServiceMeshArgs, "vpcId">), vpcId };
}

// Typed, so tsc checks these shared literals as it checks the inline ones.
type Peers = servicemesh.types.input.PeersArgs;
const fromAdmin: Peers = { services: ["AdminAccess"] };
const fromOffice: Peers = { networks: ["office"] };

// The inline declaration, typed here so that tsc names a misspelt field on its line.
const inline: servicemesh.ServiceMeshArgs = {
    vpcId,
    tiers: [ // outermost first
        { name: "dmz", cidrBlocks: ["10.0.0.0/24"], description: "Public ELBs, NAT and VPN endpoints" },
        { name: "web", cidrBlocks: ["10.0.1.0/24"], description: "Nginx and PHP-FPM front end" },
        { name: "app", cidrBlocks: ["10.0.2.0/24"], description: "Internal API ELB, Java API on Tomcat, ELK, Graphite" },
        { name: "data", cidrBlocks: ["10.0.3.0/24"], description: "MySQL cluster" },
    ],
    networks: [{ name: "office", cidrBlocks: ["203.0.113.0/24"], description: "Admins and VPN users" }],
    services: [
        {
            name: "AdminAccess", tier: "app", shared: true,
            description: "Administrative access, carried by every instance",
            ingress: [{ ports: [22], from: fromOffice, description: "SSH from the office" }],
        },
        {
            name: "Graphite", tier: "app", shared: true, attachedWith: ["AdminAccess"],
            description: "Graphite and StatsD metrics",
            ingress: [
                { protocol: "udp", ports: [8125], from: fromAdmin, description: "StatsD from every instance" },
                { ports: [2003], from: fromAdmin, description: "Carbon from every instance" },
                { ports: [80, 443], from: fromOffice, description: "Graphite dashboard from the office" },
            ],
        },
        {
            name: "ELK", tier: "app", shared: true, attachedWith: ["AdminAccess"],
            description: "Elasticsearch, Logstash and Kibana",
            ingress: [
                { ports: [5601], from: fromOffice, description: "Kibana from the office" },
                { ports: [9200, 5044], from: fromAdmin, description: "Logs from every instance" },
            ],
        },
        {
            name: "ELB-FrontEnd-Web", tier: "dmz", internetFacing: true,
            description: "Public load balancer of the web front end",
            ingress: [{ ports: [80, 443], from: { internet: true }, description: "Web traffic from the internet" }],
        },
        {
            name: "FrontEnd-Web", tier: "web", attachedWith: ["AdminAccess"],
            description: "Nginx and PHP-FPM front end",
            ingress: [{ ports: [443], from: { services: ["ELB-FrontEnd-Web"] } }],
        },
        {
            name: "ELB-CustomerManagement-API", tier: "app",
            description: "Internal load balancer of the customer management API",
            ingress: [{ ports: [7200], from: { services: ["FrontEnd-Web"] } }],
        },
        {
            name: "CustomerManagement-API", tier: "app", attachedWith: ["AdminAccess"],
            description: "Customer management API, Java on Tomcat",
            ingress: [{ ports: [7500], from: { services: ["ELB-CustomerManagement-API"] } }],
        },
        {
            name: "MySQL", tier: "data", attachedWith: ["AdminAccess"],
            description: "MySQL cluster",
            ingress: [
                { ports: [3306], from: { services: ["CustomerManagement-API"] } },
                { ports: [1186, 2202], from: { self: true }, description: "MySQL Cluster traffic between nodes" },
            ],
        },
    ],
};

const mesh = new servicemesh.ServiceMesh("mesh", meshFile ? fromFile(meshFile) : inline);

export const securityGroupIds = mesh.securityGroupIds;
export const ruleCounts = mesh.ruleCounts;
