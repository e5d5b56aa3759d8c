package elle

import "slices"

// Kind of a dependency edge between two transactions (Adya's direct
// serialization graph, as Elle infers it; Elle §3–4).
type Edge uint8

const (
	WW Edge = 1 << iota // write dependency: T2 installs the next version of something T1 wrote
	WR                  // read dependency: T2 read a version T1 wrote
	RW                  // anti-dependency: T2 installs the version after the one T1 read
	RT                  // real time: T1 completed before T2 was invoked
)

func (e Edge) String() string {
	switch e {
	case WW:
		return "ww"
	case WR:
		return "wr"
	case RW:
		return "rw"
	case RT:
		return "rt"
	}
	return "?"
}

// first is the kind a witness names for an edge of several kinds, among
// those allowed: the strongest dependency first, anti-dependencies last,
// so that a cycle is counted with as few rw edges as it can be.
func (e Edge) first() Edge {
	for _, k := range []Edge{WW, WR, RT, RW} {
		if e&k != 0 {
			return k
		}
	}
	return 0
}

type arc struct {
	to    int32
	kinds Edge
}

// graph is a dependency graph over transaction indices.
type graph struct {
	out  [][]arc
	seen map[uint64]int32 // from<<32|to → index into out[from]

	index, low []int32 // Tarjan's scratch
	onStack    []bool
}

func newGraph(n int) *graph {
	return &graph{out: make([][]arc, n), seen: map[uint64]int32{}}
}

func (g *graph) add(from, to int, k Edge) {
	if from == to || from < 0 || to < 0 {
		return
	}
	key := uint64(from)<<32 | uint64(to)
	if i, ok := g.seen[key]; ok {
		g.out[from][i].kinds |= k
		return
	}
	g.seen[key] = int32(len(g.out[from]))
	g.out[from] = append(g.out[from], arc{to: int32(to), kinds: k})
}

// kinds returns the kinds of the edge from→to (0 if none).
func (g *graph) kinds(from, to int) Edge {
	if i, ok := g.seen[uint64(from)<<32|uint64(to)]; ok {
		return g.out[from][i].kinds
	}
	return 0
}

// sccs returns the strongly connected components of more than one node,
// following only edges with a kind in mask and nodes for which in is true
// (all nodes when in is nil). Tarjan's algorithm, iterative so that long
// chains do not overflow the stack. Components are sorted internally by
// node, and listed by their smallest node, for deterministic output.
func (g *graph) sccs(nodes []int32, mask Edge, in func(int32) bool) [][]int32 {
	// Scratch arrays over all transactions, allocated once per graph and
	// reset only for the nodes searched: a history broken everywhere has
	// thousands of components, each searched again for sub-components.
	if g.index == nil {
		n := len(g.out)
		g.index, g.low, g.onStack = make([]int32, n), make([]int32, n), make([]bool, n)
		for i := range g.index {
			g.index[i] = -1
		}
	}
	index, low, onStack := g.index, g.low, g.onStack
	for _, v := range nodes {
		index[v], onStack[v] = -1, false
	}
	var stack []int32
	var out [][]int32
	next := int32(0)
	type frame struct {
		v int32
		i int
	}
	var call []frame
	for _, root := range nodes {
		if index[root] >= 0 {
			continue
		}
		call = append(call[:0], frame{v: root})
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(call) > 0 {
			f := &call[len(call)-1]
			v := f.v
			if f.i < len(g.out[v]) {
				a := g.out[v][f.i]
				f.i++
				w := a.to
				if a.kinds&mask == 0 || in != nil && !in(w) {
					continue
				}
				if index[w] < 0 {
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					call = append(call, frame{v: w})
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				if low[v] < low[p] {
					low[p] = low[v]
				}
			}
			if low[v] == index[v] {
				var c []int32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					c = append(c, w)
					if w == v {
						break
					}
				}
				if len(c) > 1 {
					slices.Sort(c)
					out = append(out, c)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b []int32) int { return int(a[0] - b[0]) })
	return out
}

// step is one edge of a cycle: from a transaction, by an edge of a kind.
type step struct {
	from int32
	kind Edge
}

// path returns the shortest path from → to (breadth first) over edges with
// a kind in mask and nodes in the component, as steps ending at to, or
// nil. budget bounds the nodes visited; it is decremented.
func (g *graph) path(from, to int32, mask Edge, in func(int32) bool, budget *int) []step {
	if from == to {
		return []step{}
	}
	prev := map[int32]int32{from: -1}
	queue := []int32{from}
	for len(queue) > 0 && *budget > 0 {
		v := queue[0]
		queue = queue[1:]
		*budget--
		for _, a := range g.out[v] {
			w := a.to
			if a.kinds&mask == 0 || !in(w) {
				continue
			}
			if _, ok := prev[w]; ok {
				continue
			}
			prev[w] = v
			if w == to {
				var rev []step
				for x := w; x != from; x = prev[x] {
					p := prev[x]
					rev = append(rev, step{from: p, kind: (g.kinds(int(p), int(x)) & mask).first()})
				}
				for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
					rev[i], rev[j] = rev[j], rev[i]
				}
				return rev
			}
			queue = append(queue, w)
		}
	}
	return nil
}
