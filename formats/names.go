package formats

import (
	"strconv"
	"strings"
)

// ClientName is the name of client i in traces and message endpoints:
// c0, c1, … (DESIGN §3). Node names must not look like it.
func ClientName(i int) string { return "c" + strconv.Itoa(i) }

// IsClientName reports whether name is a client's: "c" and decimal digits.
func IsClientName(name string) bool {
	if len(name) < 2 || name[0] != 'c' {
		return false
	}
	for _, c := range name[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// NodeNames lists the nodes' names for messages: "frontend, register1".
func NodeNames(nodes []NodeSpec) string {
	names := make([]string, len(nodes))
	for i, n := range nodes {
		names[i] = n.Name
	}
	return strings.Join(names, ", ")
}
