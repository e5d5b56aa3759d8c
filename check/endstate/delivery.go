package endstate

import (
	"fmt"
	"slices"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// DeliveryWitness explains a delivery run that fails: the payload, the
// nodes up at the end that logged it (the first is not the broadcaster),
// those up at the end that did not, and the nodes down at the end.
type DeliveryWitness struct {
	Payload string   `json:"payload"`
	Logged  []string `json:"logged"`
	Missing []string `json:"missing"`
	Down    []string `json:"down,omitempty"`
}

// Delivery checks the delivery family's property (Molly's
// deliv_assert.ded): if a node up at the end, other than the broadcaster,
// has logged a payload, every node up at the end has logged it. Nodes
// down at the end are excused on both sides, since a crashed node here
// neither sends nor receives. A node's state must have "log", a list of
// strings; "broadcaster":true marks the broadcaster.
func Delivery(f *Final) (Result, error) {
	logs := map[string][]string{}
	var order []string // payloads, in the order the nodes logged them
	up := f.Up()
	for _, n := range f.Nodes {
		st, ok, err := f.stateOf(n)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			continue
		}
		log := st.Get("log")
		if !log.IsArray() {
			return Result{}, f.fieldError(n, "log", "expected the node's log, a list of payloads, got %.40s (is this a delivery run?)", formats.OrMissing(log))
		}
		log.ForEach(func(i, p gjson.Result) bool {
			if p.Type != gjson.String {
				err = f.fieldError(n, fmt.Sprintf("log[%d]", i.Int()), "expected a payload, a string, got %.40s", p.Raw)
				return false
			}
			logs[n] = append(logs[n], p.Str)
			return true
		})
		if err != nil {
			return Result{}, err
		}
		if f.Down[n] || st.Get("broadcaster").Bool() {
			continue
		}
		for _, p := range logs[n] {
			if !slices.Contains(order, p) {
				order = append(order, p)
			}
		}
	}
	for _, p := range order {
		w := DeliveryWitness{Payload: p, Logged: []string{}, Missing: []string{}, Down: f.DownList()}
		for _, n := range up {
			if slices.Contains(logs[n], p) {
				w.Logged = append(w.Logged, n)
			} else {
				w.Missing = append(w.Missing, n)
			}
		}
		if len(w.Missing) == 0 {
			continue
		}
		// Name a logger that is not the broadcaster first: it is why the
		// property applies.
		slices.SortStableFunc(w.Logged, func(a, b string) int {
			return boolInt(f.State[a].Get("broadcaster").Bool()) - boolInt(f.State[b].Get("broadcaster").Bool())
		})
		return Result{Run: f.Run, Anomalies: []string{"undelivered"}, Witness: w,
			Explanation: fmt.Sprintf("%s logged %q but %s, up at the end, did not", w.Logged[0], p, quoteList(w.Missing))}, nil
	}
	return Result{Run: f.Run, Valid: true}, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
