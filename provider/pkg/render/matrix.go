package render

import (
	"fmt"
	"strings"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
)

// MatrixWidth is the widest line Matrix draws. The matrix is read in a
// terminal and in `pulumi preview`'s outputs, so it keeps to a width that
// fits one (120 columns; the preview indents outputs by a few).
const MatrixWidth = 120

// Matrix is the flow matrix: who may reach whom on which ports.
//
// Callers are rows and callees columns, both in the order traffic enters the
// mesh: the outside world (internet, named networks, tiers' subnets, CIDRs,
// prefix lists), then services by tier, outermost first, then by name.
// Columns are numbered and named in the legend below, which also gives each
// outside name its CIDRs, and each service its tier. A cell lists the
// protocol/ports the row may open on the column ("tcp/80, tcp/443"), "." none.
//
// Three layouts, the first that fits in MatrixWidth:
//  1. the grid, each cell on one line;
//  2. the grid with each port range of a cell on a line of its own (narrower
//     columns, taller rows: the reference architecture takes this one);
//  3. a list, one line per callee: "callee <- caller ports; caller ports".
//     A grid grows with the square of the services; the list grows with the
//     flows, which is what large meshes (and the stack's outputs) can afford.
//
// The egress policy's allow-all flows are not drawn; a note states them.
func Matrix(p *plan.Plan) string { return newGraph(p).matrix() }

func (g *graph) matrix() string {
	var b strings.Builder
	if len(g.edges) == 0 {
		b.WriteString("No flows: nothing may reach any group.\n")
		g.legend(&b, nil)
		return b.String()
	}
	var callers, callees []*node
	column := map[*node]int{}
	isCaller := map[*node]bool{}
	for _, e := range g.edges {
		if !isCaller[e.from] {
			isCaller[e.from] = true
			callers = append(callers, e.from)
		}
		if _, ok := column[e.to]; !ok {
			column[e.to] = -1
			callees = append(callees, e.to)
		}
	}
	// Edges are sorted by caller; callees are collected in caller order, so
	// sort them into node order.
	sortNodes(callees)
	for j, n := range callees {
		column[n] = j
	}

	const corner = `caller \ callee`
	first := len(corner)
	for _, c := range callers {
		first = max(first, len(c.label))
	}
	inline, wrapped := make([]int, len(callees)), make([]int, len(callees))
	for j := range callees {
		inline[j] = len(colName(j))
		wrapped[j] = inline[j]
	}
	for _, e := range g.edges {
		j := column[e.to]
		ps := e.portList()
		inline[j] = max(inline[j], len(strings.Join(ps, ", ")))
		for _, s := range ps {
			wrapped[j] = max(wrapped[j], len(s))
		}
	}
	fits := func(widths []int) bool {
		w := first
		for _, c := range widths {
			w += 3 + c
		}
		return w <= MatrixWidth
	}
	switch {
	case fits(inline):
		g.grid(&b, callers, callees, column, first, inline, false)
	case fits(wrapped):
		g.grid(&b, callers, callees, column, first, wrapped, true)
	default:
		g.list(&b, callees)
		g.legend(&b, nil)
		return b.String()
	}
	g.legend(&b, callees)
	return b.String()
}

func colName(j int) string { return fmt.Sprintf("[%d]", j+1) }

// grid writes the matrix as a table; wrap puts each port range of a cell on a
// line of its own.
func (g *graph) grid(b *strings.Builder, callers, callees []*node, column map[*node]int, first int, widths []int, wrap bool) {
	row := func(cells []string) {
		var line strings.Builder
		for j, c := range cells {
			if j > 0 {
				line.WriteString(" | ")
			}
			w := first
			if j > 0 {
				w = widths[j-1]
			}
			line.WriteString(c + strings.Repeat(" ", w-len(c)))
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	head := []string{`caller \ callee`}
	rule := []string{strings.Repeat("-", first)}
	for j := range callees {
		head = append(head, colName(j))
		rule = append(rule, strings.Repeat("-", widths[j]))
	}
	row(head)
	row(rule)
	e := 0
	for _, c := range callers {
		cells := make([][]string, len(callees))
		for ; e < len(g.edges) && g.edges[e].from == c; e++ {
			ps := g.edges[e].portList()
			if !wrap {
				ps = []string{strings.Join(ps, ", ")}
			}
			cells[column[g.edges[e].to]] = ps
		}
		height := 1
		for _, cell := range cells {
			height = max(height, len(cell))
		}
		for line := range height {
			out := []string{""}
			if line == 0 {
				out[0] = c.label
			}
			for _, cell := range cells {
				switch {
				case line < len(cell):
					out = append(out, cell[line])
				case line == 0:
					out = append(out, ".")
				default:
					out = append(out, "")
				}
			}
			row(out)
		}
	}
}

// list writes the matrix one callee a line, for meshes too wide for a grid.
func (g *graph) list(b *strings.Builder, callees []*node) {
	byCallee := map[*node][]string{}
	for _, e := range g.edges {
		byCallee[e.to] = append(byCallee[e.to], e.from.label+" "+strings.Join(e.portList(), ", "))
	}
	fmt.Fprintf(b, "Too many callees for a grid (%d); each callee, then who may reach it on which ports:\n", len(callees))
	for _, n := range callees {
		fmt.Fprintf(b, "%s <- %s\n", n.label, strings.Join(byCallee[n], "; "))
	}
}

// legend names the numbered columns, says what each outside name stands for,
// and how to read a cell.
func (g *graph) legend(b *strings.Builder, callees []*node) {
	b.WriteString("\n")
	numbered := map[*node]string{}
	indent := 0
	for j, n := range callees {
		numbered[n] = colName(j) + " "
		indent = max(indent, len(numbered[n]))
	}
	var rows []*node
	w := 0
	for j, n := range callees {
		rows = append(rows, n)
		w = max(w, len(colName(j))+1+len(n.label))
	}
	for _, n := range g.nodes {
		if _, ok := numbered[n]; !ok && n.kind != serviceNode && n.kind != prefixListNode {
			rows = append(rows, n)
			w = max(w, indent+len(n.label))
		}
	}
	for _, n := range rows {
		head := numbered[n]
		if head == "" {
			head = strings.Repeat(" ", indent)
		}
		fmt.Fprintf(b, "%-*s  %s\n", w, head+n.label, describeNode(n))
	}
	if len(g.edges) > 0 {
		b.WriteString("A cell is what the row may open on the column (protocol/ports; all: every protocol); . nothing.\n")
	}
	b.WriteString(upperFirst(g.policy) + ".\n")
}

// describeNode is what a node stands for, for legends: a service's tier and
// flags, an outside name's CIDRs.
func describeNode(n *node) string {
	switch n.kind {
	case serviceNode:
		s := "tier " + n.tier
		if n.shared {
			s += ", shared"
		}
		if n.internetFacing {
			s += ", internet-facing"
		}
		return s
	case prefixListNode:
		return "customer-managed prefix list"
	case externalGroupNode:
		return "security group made outside the mesh"
	case cidrNode:
		return "CIDR named in a rule"
	default:
		return strings.Join(n.cidrs, ", ")
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
