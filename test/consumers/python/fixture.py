"""Prints, as JSON on stdout, the inputs examples/python/__main__.py, copied
beside this file, sends to the provider, under Pulumi's mocks (no engine),
with the offline VPC id (test/reference.VpcID) from SERVICEMESH_VPC_ID and,
when SERVICEMESH_MESH_FILE is set, that file as its meshFile config
(pulumi config set meshFile ...):

    python fixture.py > inputs.json

.ci/check-sdks.sh compares them with examples/reference.yaml
(go run ./test/fixturecheck), so the example cannot drift from the fixture.
"""
import json
import os
import runpy
from typing import Any, Dict, List, Optional, Tuple

import pulumi

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__main__.py")

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
    config = {"fixture:vpcId": os.environ["SERVICEMESH_VPC_ID"]}
    if os.environ.get("SERVICEMESH_MESH_FILE"):
        config["fixture:meshFile"] = os.environ["SERVICEMESH_MESH_FILE"]
    pulumi.runtime.set_all_config(config)

    @pulumi.runtime.test  # type: ignore[misc]  # (pulumi.runtime.test is unannotated)
    def declare() -> None:
        runpy.run_path(EXAMPLE)  # it returns once every resource is registered

    declare()
    if capture.inputs is None:
        raise SystemExit(f"no {MESH_TYPE} was registered")
    print(json.dumps(capture.inputs))


if __name__ == "__main__":
    main()
