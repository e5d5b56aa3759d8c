package trace

import (
	"math"
	"sort"
	"strconv"

	"github.com/detsys/detsys/formats"
)

// Lane is a node or a client of the run: a column of the sequence diagram.
type Lane uint16

// NoLane is the lane of steps that happen on no node (end) and the sender
// of messages whose sender is not recorded.
const NoLane Lane = 1<<16 - 1

// lanes interns the names of nodes and clients.
type lanes struct {
	names []string
	ids   map[string]Lane
	nodes int // the first nodes names are the run's nodes, in run order
}

func (ls *lanes) intern(name []byte) (Lane, bool) {
	if len(ls.names) <= 16 { // a run has a few nodes: comparing beats hashing
		for i, n := range ls.names {
			if n == string(name) {
				return Lane(i), true
			}
		}
	} else if l, ok := ls.ids[string(name)]; ok { // no allocation on a hit
		return l, true
	}
	if len(ls.names) >= int(NoLane) {
		return NoLane, false
	}
	l := Lane(len(ls.names))
	s := string(name)
	ls.names = append(ls.names, s)
	ls.ids[s] = l
	return l, true
}

// clientNumber is the n of a client lane named cN (formats.IsClientName),
// or -1.
func clientNumber(name string) int {
	if !formats.IsClientName(name) {
		return -1
	}
	n, err := strconv.Atoi(name[1:])
	if err != nil {
		return math.MaxInt // too many digits for an int: after the others
	}
	return n
}

// order is the lanes left to right: the clients by number, then the run's
// nodes in the run's order, then any other name in order of appearance.
func (ls *lanes) order() []Lane {
	var clients, nodes, others []Lane
	for i, name := range ls.names {
		l := Lane(i)
		switch {
		case i < ls.nodes:
			nodes = append(nodes, l)
		case clientNumber(name) >= 0:
			clients = append(clients, l)
		default:
			others = append(others, l)
		}
	}
	sort.SliceStable(clients, func(i, j int) bool {
		return clientNumber(ls.names[clients[i]]) < clientNumber(ls.names[clients[j]])
	})
	return append(append(clients, nodes...), others...)
}
