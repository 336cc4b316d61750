"""Runs examples/python/__main__.py, copied beside this file, as an Automation
API inline program (there is no Python language host here) and prints what
happened as JSON on stdout:

    python run.py preview|up|destroy

The end-to-end tests call it with a private PULUMI_HOME and file:// backend,
and the offline VPC id (test/reference.VpcID) in SERVICEMESH_VPC_ID, which it
sets as the stack's vpcId config, as `pulumi config set vpcId` would.
"""
import json
import os
import runpy
import sys
from typing import Any, Dict

from pulumi import automation as auto

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__main__.py")


def program() -> None:
    runpy.run_path(EXAMPLE)


def main(action: str) -> Dict[str, Any]:
    stack = auto.create_or_select_stack(
        stack_name="dev",
        project_name="servicemesh-reference-python",
        program=program,
        opts=auto.LocalWorkspaceOptions(env_vars=dict(os.environ)),
    )
    stack.set_config("vpcId", auto.ConfigValue(value=os.environ["SERVICEMESH_VPC_ID"]))
    ops: Dict[str, str] = {}

    def on_event(e: auto.events.EngineEvent) -> None:
        if e.resource_pre_event is not None:
            ops[e.resource_pre_event.metadata.urn] = getattr(e.resource_pre_event.metadata.op, "value", e.resource_pre_event.metadata.op)

    def log(s: str) -> None:
        print(s, file=sys.stderr)

    if action == "preview":
        p = stack.preview(on_event=on_event, on_output=log)
        return {"summary": {getattr(k, "value", k): v for k, v in p.change_summary.items()}, "ops": ops}
    if action == "up":
        u = stack.up(on_output=log)
        return {"summary": u.summary.resource_changes, "outputs": {k: v.value for k, v in u.outputs.items()}}
    if action == "destroy":
        d = stack.destroy(on_output=log)
        return {"summary": d.summary.resource_changes}
    raise SystemExit(f"usage: run.py preview|up|destroy (got {action})")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
