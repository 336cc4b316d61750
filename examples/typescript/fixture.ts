// Prints, as JSON on stdout, the inputs the generated SDK sends to the
// provider for referenceArchitecture, under Pulumi's mocks (no engine):
//   node bin/fixture.js > inputs.json
// .ci/check-sdks.sh compares them with examples/reference.yaml
// (go run ./test/fixturecheck), so the example cannot drift from the fixture.
import * as pulumi from "@pulumi/pulumi";
import { referenceArchitecture } from "./reference";

const meshType = "servicemesh:index:ServiceMesh";

async function main(): Promise<void> {
    let inputs: unknown;
    await pulumi.runtime.setMocks({
        newResource: (args: pulumi.runtime.MockResourceArgs) => {
            if (args.type === meshType) {
                inputs = args.inputs;
            }
            return { id: `${args.name}-id`, state: {} };
        },
        call: () => ({}),
    }, "fixture", "dev", true);
    const mesh = referenceArchitecture("mesh", "vpc-0123456789abcdef0");
    await new Promise((resolve) => mesh.urn.apply(resolve));
    if (inputs === undefined) {
        throw new Error(`no ${meshType} was registered`);
    }
    process.stdout.write(JSON.stringify(inputs) + "\n");
}

main().catch((err) => {
    process.stderr.write(`${err}\n`);
    process.exit(1);
});
