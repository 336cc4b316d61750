#!/usr/bin/env bash
# Runs the article's reference architecture — the top-level Pulumi.yaml, with
# the provider `make build` put in .bin — through the real Pulumi CLI and
# engine, offline: preview, up, outputs, a second preview, destroy.
#
# NO AWS IS TOUCHED. The AWS provider here is a STAND-IN pulumi-resource-aws
# (test/awsstandin) that models EC2's rules for security groups and
# rules and keeps its "account" in a local file. Everything lives in .work/demo,
# the stack's settings too (--config-file), so a stack of your own at the root
# is left alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$root/.work/demo
rm -rf "$work"
mkdir -p "$work/home" "$work/state"

export PATH="$root/.bin:$PATH"
export PULUMI_HOME=$work/home PULUMI_BACKEND_URL=file://$work/state PULUMI_CONFIG_PASSPHRASE=
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_IGNORE_AMBIENT_PLUGINS=true
export AWS_STANDIN_STATE=$work/aws-account.json

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# The stand-in is installed as the pulumi-aws version the SDK in go.mod registers
# with; servicemesh comes from .bin, as Pulumi.yaml's plugins section says.
aws_version=$(cd "$root" && go list -m -f '{{.Version}}' github.com/pulumi/pulumi-aws/sdk/v6)
aws_version=${aws_version#v}
say "Installing the AWS STAND-IN as aws $aws_version (servicemesh: $root/.bin, from Pulumi.yaml)"
pulumi plugin install resource aws "$aws_version" --file "$root/.bin/pulumi-resource-aws"

cd "$root"
config=(--config-file "$work/Pulumi.demo.yaml")
pulumi stack init demo --non-interactive >/dev/null
# stack init writes the stack's encryption salt beside Pulumi.yaml: keep it with the rest.
mv Pulumi.demo.yaml "$work/Pulumi.demo.yaml"
vpc=$(go run ./test/fixturecheck -vpc-id)
pulumi config set vpcId "$vpc" "${config[@]}"

say "pulumi preview (Pulumi.yaml, program examples/yaml/Pulumi.yaml: 8 groups, 34 rules, VPC $vpc)"
pulumi preview --non-interactive "${config[@]}"
say "pulumi up"
pulumi up --yes --skip-preview --non-interactive --suppress-progress "${config[@]}" | tail -n 8
say "Stack outputs"
pulumi stack output securityGroupIds --json
pulumi stack output flowMatrix
say "A second preview changes nothing"
pulumi preview --expect-no-changes --non-interactive --diff "${config[@]}" | tail -n 4
say "pulumi destroy"
pulumi destroy --yes --skip-preview --non-interactive --suppress-progress "${config[@]}" | tail -n 6
say "Done. No AWS was touched: the groups lived in the stand-in's file $AWS_STANDIN_STATE."
