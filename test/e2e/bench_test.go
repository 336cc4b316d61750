package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// benchServices is the size of the end-to-end benchmark mesh (about 2,000 rules).
const benchServices = 200

// remoteMesh receives the component's outputs in a Go program.
type remoteMesh struct {
	pulumi.ResourceState
	SecurityGroupIds pulumi.StringMapOutput `pulumi:"securityGroupIds"`
}

// viaComponent declares m through the ServiceMesh provider plugin, as every
// SDK does.
func viaComponent(m spec.Mesh) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		props, err := Properties(m)
		if err != nil {
			return err
		}
		var res remoteMesh
		return ctx.RegisterRemoteComponentResource(component.Type, "mesh", pulumi.ToMap(props), &res)
	}
}

// direct declares the identical groups and rules by hand, with no component:
// the same names and inputs, planned once outside the timed region.
func direct(p *plan.Plan) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		_, err := component.Emit(ctx, "mesh", component.Args{VpcID: pulumi.String(reference.VpcID)}, p)
		return err
	}
}

// parented declares the same resources by hand under an in-process component,
// to tell the cost of parenting children from the cost of the provider plugin.
func parented(p *plan.Plan) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		var parent struct{ pulumi.ResourceState }
		if err := ctx.RegisterComponentResource(component.Type, "mesh", &parent); err != nil {
			return err
		}
		_, err := component.Emit(ctx, "mesh", component.Args{VpcID: pulumi.String(reference.VpcID)}, p, pulumi.Parent(&parent))
		return err
	}
}

// BenchmarkPreview times `pulumi preview` of a 200-service mesh through the
// real engine and the AWS stand-in, through the component and by hand.
// BENCHMARKS.md records the figures and their ratio (target <= 1.10x).
// PULUMI_SKIP_CHECKPOINTS is set for both: without it the engine serialises
// the whole snapshot at every step (quadratic, the same for both programs),
// which would drown the difference being measured.
func BenchmarkPreview(b *testing.B) {
	e := New(b)
	e.Env["PULUMI_SKIP_CHECKPOINTS"] = "true"
	m := reference.Synthetic(benchServices)
	p, err := plan.Build(m)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		program pulumi.RunFunc
	}{{"component", viaComponent(m)}, {"direct", direct(p)}, {"direct-parented", parented(p)}} {
		b.Run(fmt.Sprintf("%s/services=%d", bc.name, benchServices), func(b *testing.B) {
			ctx := context.Background()
			s, err := auto.UpsertStackInlineSource(ctx, "bench-"+bc.name, "bench", bc.program, e.Opts()...)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(p.Groups)+len(p.Rules)), "resources")
			for b.Loop() {
				c, err := Preview(ctx, s)
				if err != nil {
					b.Fatal(err)
				}
				if got := countByType(c, ruleType, "create"); got != len(p.Rules) {
					b.Fatalf("preview would create %d rules, want %d", got, len(p.Rules))
				}
			}
		})
	}
}

// BenchmarkProviderColdStart times the provider from process start to
// serving (it prints its gRPC port once Construct can be called). Target < 150 ms.
func BenchmarkProviderColdStart(b *testing.B) {
	bin := filepath.Join(Bin(), "pulumi-resource-servicemesh")
	for b.Loop() {
		cmd := exec.Command(bin)
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatalf("%v (run `make build` first)", err)
		}
		if _, err := bufio.NewReader(out).ReadString('\n'); err != nil {
			b.Fatalf("provider printed no port: %v", err)
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
}
