// Runs examples/typescript/index.ts, compiled beside this file, as an
// Automation API inline program (there is no Node.js language host here) and
// prints what happened as JSON on stdout:
//   node bin/run.js preview|up|destroy
// The end-to-end tests call it with a private PULUMI_HOME and file:// backend,
// and set the stack's vpcId config as a user does.
import { LocalWorkspace } from "@pulumi/pulumi/automation";

async function main(action: string): Promise<void> {
    // The program's exports are the stack's outputs, as under `pulumi up`.
    const program = async () => ({ ...require("./index") });
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: "dev", projectName: "servicemesh-reference-typescript", program },
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
            throw new Error(`usage: run.js preview|up|destroy (got ${action})`);
    }
    process.stdout.write(JSON.stringify(result) + "\n");
}

main(process.argv[2]).catch((err) => {
    process.stderr.write(`${err}\n`);
    process.exit(1);
});
