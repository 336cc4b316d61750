package flow_test

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
)

const flowPath = "github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"

// kindConstants reads this package's source for its constants of type Kind
// (and, with names, NameKind): name -> value. Read from the source, so a kind
// added there is seen here without editing the test.
func kindConstants(t *testing.T, types ...string) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				typ, ok := vs.Type.(*ast.Ident)
				if !ok || !slices.Contains(types, typ.Name) {
					continue
				}
				for i, n := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					require.True(t, ok, "%s: a kind's value is a string literal", n.Name)
					v, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					out[n.Name] = v
				}
			}
		}
	}
	require.NotEmpty(t, out, "no constants of type %v found: has the source moved?", types)
	return out
}

// TestEveryKindHasItsForms fails when a kind is added without its row here:
// every form the peer model gives, written by hand. A kind that fell through
// to another kind's default (an ID of "cidr:", CIDR inputs) fails its row.
func TestEveryKindHasItsForms(t *testing.T) {
	ctx := flow.EC2Context{GroupName: func(s string) string { return "mesh-" + s }, ExternalIDs: map[string]string{"lb": "sg-9"},
		Lists: map[string][]string{"network:office": {"192.0.2.0/24", "2001:db8::/32"}}}
	// is: group, external, prefix list, one CIDR, list; families: v4, v6.
	type is struct{ group, external, prefixList, cidr, list bool }
	rows := []struct {
		e                        flow.Endpoint
		id, label, slug, text    string
		ec2                      flow.EC2Peer
		is                       is
		addresses, fam4, fam6    bool
		ofGroup, ofExternal, pls string
	}{
		{flow.Endpoint{Kind: flow.CIDR, CIDR: "10.0.0.0/8"}, "cidr:10.0.0.0/8", "10.0.0.0/8", "10.0.0.0_8", "10.0.0.0/8",
			flow.EC2Peer{CidrBlocks: []string{"10.0.0.0/8"}}, is{cidr: true}, true, true, false, "", "", ""},
		{flow.Endpoint{Kind: flow.External, Service: "lb"}, "ext:lb", "lb", "sg_lb", "external group lb",
			flow.EC2Peer{SourceSecurityGroup: &flow.GroupRef{Name: "lb", External: true}, SourceGroupID: "sg-9"},
			is{external: true}, false, true, true, "", "lb", ""},
		{flow.Endpoint{Kind: flow.CIDRList, Via: flow.Network("office")}, "list:network:office", "network:office (cidrBlocksFrom)",
			"network_office", "network:office (cidrBlocksFrom)",
			flow.EC2Peer{CidrBlocksFrom: "network:office", CidrBlocks: []string{"192.0.2.0/24"}, Ipv6CidrBlocks: []string{"2001:db8::/32"}},
			is{list: true}, true, true, true, "", "", ""},
		{flow.Endpoint{Kind: flow.PrefixList, PrefixList: "pl-1"}, "pl:pl-1", "pl-1", "pl-1", "prefix list pl-1",
			flow.EC2Peer{PrefixListIDs: []string{"pl-1"}}, is{prefixList: true}, false, true, true, "", "", "pl-1"},
		{flow.ServiceGroup("web"), "sg:web", "web", "sg_web", "group web",
			flow.EC2Peer{SourceSecurityGroup: &flow.GroupRef{Name: "mesh-web"}}, is{group: true}, false, true, true, "web", "", ""},
	}

	var kinds, ids []string
	for _, r := range rows {
		kinds = append(kinds, string(r.e.Kind))
		ids = append(ids, r.id)
	}
	var want []string
	for _, k := range flow.Kinds {
		want = append(want, string(k))
	}
	assert.Equal(t, want, kinds, "one row per kind, in flow.Kinds order")
	assert.ElementsMatch(t, want, slices.Collect(maps.Values(kindConstants(t, "Kind"))), "flow.Kinds lists every Kind constant")
	assert.True(t, slices.IsSorted(ids), "flow.Kinds is in the order the kinds' IDs sort: %v", ids)

	for _, r := range rows {
		t.Run(string(r.e.Kind), func(t *testing.T) {
			p := flow.Peer{Endpoint: r.e}
			assert.Equal(t, r.id, r.e.ID())
			assert.Equal(t, r.label, r.e.Label())
			assert.Equal(t, r.slug, p.Slug())
			assert.Equal(t, r.text, p.Text(nil))
			assert.Equal(t, r.ec2, p.EC2(ctx))

			group, isGroup := r.e.Group()
			ext, isExternal := r.e.External()
			pl, isPL := r.e.PrefixListID()
			assert.Equal(t, r.is, is{isGroup, isExternal, isPL, r.e.IsCIDR(), r.e.IsList()})
			name, external, either := r.e.GroupOf()
			assert.Equal(t, isGroup || isExternal, either)
			assert.Equal(t, isExternal, external)
			if either {
				assert.Equal(t, r.ofGroup+r.ofExternal, name)
			}
			if isGroup {
				assert.Equal(t, r.ofGroup, group)
				assert.True(t, r.e.IsGroup(r.ofGroup))
			}
			if isExternal {
				assert.Equal(t, r.ofExternal, ext)
			}
			if isPL {
				assert.Equal(t, r.pls, pl)
			}
			assert.Equal(t, r.addresses, r.e.Addresses())
			v4, v6 := r.e.Families()
			assert.Equal(t, [2]bool{r.fam4, r.fam6}, [2]bool{v4, v6})
		})
	}
}

// TestEveryNameKindHasItsForms is the same for the ways of naming a CIDR:
// a NameKind added without its row here fails.
func TestEveryNameKindHasItsForms(t *testing.T) {
	rows := []struct {
		n                 flow.Named
		text, listID      string
		tier, network     string
		internet, literal bool
	}{
		{flow.Named{}, "", "", "", "", false, true},
		{flow.Network("office"), "network:office", "network:office", "", "office", false, false},
		{flow.Tier("web"), "tier:web", "tier:web", "web", "", false, false},
		{flow.TheInternet, "internet", "", "", "", true, false},
	}
	var kinds []string
	for _, r := range rows {
		if r.n.Kind != "" {
			kinds = append(kinds, string(r.n.Kind))
		}
	}
	assert.ElementsMatch(t, slices.Collect(maps.Values(kindConstants(t, "NameKind"))), kinds, "one row per NameKind")
	for _, r := range rows {
		t.Run(cmp.Or(r.text, "literal CIDR"), func(t *testing.T) {
			assert.Equal(t, r.text, r.n.String())
			assert.Equal(t, r.literal, r.n.IsZero())
			assert.Equal(t, r.internet, r.n.IsInternet())
			tier, inTier := r.n.InTier()
			assert.Equal(t, r.tier != "", inTier)
			network, inNetwork := r.n.InNetwork()
			assert.Equal(t, r.network != "", inNetwork)
			if inTier {
				assert.Equal(t, r.tier, tier)
			}
			if inNetwork {
				assert.Equal(t, r.network, network)
			}
			if inTier || inNetwork {
				assert.Equal(t, r.listID, r.n.ListID())
			}
		})
	}
}

// kindUses lists where a file names one of flow's kind constants (names),
// by whatever name it imports package flow, or compares a .Kind with a
// kind's value spelled as a string: a switch or a comparison on peer kinds
// outside the peer model.
func kindUses(fset *token.FileSet, f *ast.File, names map[string]string) []string {
	local := ""
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == flowPath {
			local = "flow"
			if imp.Name != nil {
				local = imp.Name.Name
			}
		}
	}
	if local == "" {
		return nil
	}
	var out []string
	values := map[string]bool{}
	for _, v := range names {
		values[strconv.Quote(v)] = true
	}
	// spelled is a kind's value written as a string ("group") beside a .Kind.
	spelled := func(kind, lit ast.Expr) {
		sel, isSel := kind.(*ast.SelectorExpr)
		if b, ok := lit.(*ast.BasicLit); ok && isSel && sel.Sel.Name == "Kind" && values[b.Value] {
			out = append(out, fmt.Sprintf("%s: .Kind and %s", fset.Position(b.Pos()), b.Value))
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if x, ok := n.X.(*ast.Ident); ok && x.Name == local {
				if _, ok := names[n.Sel.Name]; ok {
					out = append(out, fmt.Sprintf("%s: flow.%s", fset.Position(n.Pos()), n.Sel.Name))
				}
			}
		case *ast.BinaryExpr:
			spelled(n.X, n.Y)
			spelled(n.Y, n.X)
		case *ast.SwitchStmt:
			for _, c := range n.Body.List {
				for _, e := range c.(*ast.CaseClause).List {
					spelled(n.Tag, e)
				}
			}
		}
		return true
	})
	return out
}

// TestNoPeerKindsOutsideThePeerModel keeps the peer model the one place that
// knows the kinds (issue 18): product code (every non-test Go file of the
// repository outside package flow) asks an endpoint (GroupOf, IsCIDR,
// Via.InTier, EC2, ...) and never names a Kind or NameKind constant.
func TestNoPeerKindsOutsideThePeerModel(t *testing.T) {
	names := kindConstants(t, "Kind", "NameKind")

	t.Run("the scanner finds a use", func(t *testing.T) {
		src := `package x
import fl "` + flowPath + `"
func f(e fl.Endpoint) bool {
	switch e.Kind {
	case fl.CIDR:
		return true
	}
	switch e.Kind {
	case "cidrList":
	}
	return e.Via.Kind == fl.ByTier || e.Kind != "prefixList" || e.IsList()
}`
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "x.go", src, 0)
		require.NoError(t, err)
		assert.Equal(t, []string{"x.go:5:7: flow.CIDR", "x.go:9:7: .Kind and \"cidrList\"", "x.go:11:23: flow.ByTier",
			"x.go:11:46: .Kind and \"prefixList\""}, kindUses(fset, f, names))
	})

	root, err := filepath.Abs("../../..")
	require.NoError(t, err)
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	require.Contains(t, string(mod), "module github.com/pulumi-servicemesh/pulumi-servicemesh\n", "the repository root")
	self, err := filepath.Abs(".")
	require.NoError(t, err)

	var uses []string
	importers := 0
	fset := token.NewFileSet()
	require.NoError(t, filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == self || path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if found := kindUses(fset, f, names); found != nil || slices.ContainsFunc(f.Imports, func(i *ast.ImportSpec) bool {
			return i.Path.Value == strconv.Quote(flowPath)
		}) {
			importers++
			uses = append(uses, found...)
		}
		return nil
	}))
	require.GreaterOrEqual(t, importers, 10, "product code importing package flow: fewer than expected, is the walk wrong?")
	for i, u := range uses {
		uses[i] = strings.TrimPrefix(u, root+string(filepath.Separator))
	}
	assert.Empty(t, uses, "a switch or comparison on peer kinds outside provider/pkg/flow: ask the endpoint instead "+
		"(a method in provider/pkg/flow/peer.go), so adding a kind stays one place")
}
