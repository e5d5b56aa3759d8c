package log

import (
	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// grouper says which run or test each record of a log belongs to, reading
// the records in order: a record with a "run" field belongs to that run
// (its trace and its verdicts); a "test" record and the "op" records right
// after it belong to the test.
type grouper struct {
	test string // the test whose ops may follow, or ""
}

// owner returns the record's owner ("" for none) and its type.
func (g *grouper) owner(data []byte) (owner, typ string) {
	typ = gjson.GetBytes(data, "type").Str
	if run := gjson.GetBytes(data, "run").Str; run != "" {
		g.test = ""
		return run, typ
	}
	switch typ {
	case formats.TypeTest:
		g.test = gjson.GetBytes(data, "test").Str
		return g.test, typ
	case formats.TypeOp:
		return g.test, typ
	}
	g.test = ""
	return "", typ
}
