"""Prints, as JSON on stdout, the inputs the generated SDK sends to the
provider for reference_architecture, under Pulumi's mocks (no engine):

    python fixture.py > inputs.json

.ci/check-sdks.sh compares them with examples/reference.yaml
(go run ./test/fixturecheck), so the example cannot drift from the fixture.
"""
import json
from typing import Any, Dict, List, Optional, Tuple

import pulumi

from reference import reference_architecture

MESH_TYPE = "servicemesh:index:ServiceMesh"


class Capture(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.inputs: Optional[Dict[str, Any]] = None

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> Tuple[Optional[str], Dict[Any, Any]]:
        if args.typ == MESH_TYPE:
            self.inputs = dict(args.inputs)
        return f"{args.name}-id", {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> Tuple[Dict[Any, Any], Optional[List[Tuple[str, str]]]]:
        return {}, None


def main() -> None:
    capture = Capture()
    pulumi.runtime.set_mocks(capture, project="fixture", stack="dev", preview=True)

    @pulumi.runtime.test  # type: ignore[misc]  # (pulumi.runtime.test is unannotated)
    def declare() -> pulumi.Output[str]:
        return reference_architecture("mesh", "vpc-0123456789abcdef0").urn

    declare()
    if capture.inputs is None:
        raise SystemExit(f"no {MESH_TYPE} was registered")
    print(json.dumps(capture.inputs))


if __name__ == "__main__":
    main()
