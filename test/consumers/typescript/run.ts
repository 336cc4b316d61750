// Runs examples/typescript/index.ts, compiled beside this file, as an
// Automation API inline program (there is no Node.js language host here) and
// prints what happened as JSON on stdout:
//   node bin/run.js preview|up|destroy [wired]
// "wired" runs wired.ts instead, fed by a group made in the same program (its
// id unknown at the first preview) and office ranges derived from its id
// ($SERVICEMESH_OFFICE, comma-separated, else 203.0.113.0/24). The end-to-end tests call it with a
// private PULUMI_HOME and file:// backend, and set the stack's vpcId config
// as a user does.
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { wiredArchitecture } from "./wired";

// Stands for a group made elsewhere: an aws.ec2.SecurityGroup, untyped here
// (the consumer depends on @pulumi/pulumi and the mesh's SDK only).
class Group extends pulumi.CustomResource {
    constructor(name: string, props: pulumi.Inputs) {
        super("aws:ec2/securityGroup:SecurityGroup", name, props);
    }
}

const wired = async () => {
    const vpcId = new pulumi.Config().require("vpcId");
    const lb = new Group("lb", { name: "lb", description: "load balancer, made outside the mesh", vpcId, revokeRulesOnDelete: true });
    // SERVICEMESH_OFFICE (comma-separated) replaces the office ranges, so a
    // test can reorder an output-valued list between runs.
    const office = lb.id.apply(() => (process.env.SERVICEMESH_OFFICE ?? "203.0.113.0/24").split(","));
    const mesh = wiredArchitecture("mesh", vpcId, lb.id, office);
    return { lb: lb.id, securityGroupIds: mesh.securityGroupIds, attachments: mesh.attachments };
};

async function main(action: string, which?: string): Promise<void> {
    // The example's exports are the stack's outputs, as under `pulumi up`.
    const program = which === "wired" ? wired : async () => ({ ...require("./index") });
    const project = which === "wired" ? "servicemesh-wired-typescript" : "servicemesh-reference-typescript";
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: "dev", projectName: project, program },
        { envVars: process.env as { [key: string]: string } },
    );
    // test/reference.VpcID, from the caller, as `pulumi config set vpcId` would.
    await stack.setConfig("vpcId", { value: process.env.SERVICEMESH_VPC_ID ?? "" });
    const ops: { [urn: string]: string } = {};
    const onEvent = (e: any) => {
        if (e.resourcePreEvent) {
            ops[e.resourcePreEvent.metadata.urn] = e.resourcePreEvent.metadata.op;
        }
    };
    const log = (s: string) => process.stderr.write(s);
    let result: any;
    switch (action) {
        case "preview": {
            const r = await stack.preview({ onEvent, onOutput: log });
            result = { summary: r.changeSummary, ops };
            break;
        }
        case "up": {
            const r = await stack.up({ onOutput: log });
            const outputs: { [k: string]: unknown } = {};
            for (const [k, v] of Object.entries(r.outputs)) outputs[k] = v.value;
            result = { summary: r.summary.resourceChanges, outputs };
            break;
        }
        case "destroy": {
            const r = await stack.destroy({ onOutput: log });
            result = { summary: r.summary.resourceChanges };
            break;
        }
        default:
            throw new Error(`usage: run.js preview|up|destroy [wired] (got ${action})`);
    }
    process.stdout.write(JSON.stringify(result) + "\n");
}

main(process.argv[2], process.argv[3]).catch((err) => {
    process.stderr.write(`${err}\n`);
    process.exit(1);
});
