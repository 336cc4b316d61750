// Prints, as JSON on stdout, the inputs examples/typescript/index.ts sends to
// the provider, under Pulumi's mocks (no engine):
//   node bin/fixture.js > inputs.json
// With SERVICEMESH_MESH_FILE set, the example runs with that file as its
// meshFile config (pulumi config set meshFile ...).
// .ci/check-sdks.sh compares them with examples/reference.yaml
// (go run ./test/fixturecheck), so the example cannot drift from the fixture.
import * as pulumi from "@pulumi/pulumi";

const meshType = "servicemesh:index:ServiceMesh";
const vpcId = process.env.SERVICEMESH_VPC_ID ?? ""; // test/reference.VpcID, from the caller

async function main(): Promise<void> {
    let captured: (inputs: unknown) => void = () => undefined;
    const inputs = new Promise<unknown>((resolve) => { captured = resolve; });
    await pulumi.runtime.setMocks({
        newResource: (args: pulumi.runtime.MockResourceArgs) => {
            if (args.type === meshType) {
                captured(args.inputs);
            }
            return { id: `${args.name}-id`, state: {} };
        },
        call: () => ({}),
    }, "fixture", "dev", true);
    const meshFile = process.env.SERVICEMESH_MESH_FILE;
    pulumi.runtime.setAllConfig({ "fixture:vpcId": vpcId, ...(meshFile ? { "fixture:meshFile": meshFile } : {}) });
    require("./index"); // the example program, compiled beside this file
    process.stdout.write(JSON.stringify(await inputs) + "\n");
}

main().catch((err) => {
    process.stderr.write(`${err}\n`);
    process.exit(1);
});
