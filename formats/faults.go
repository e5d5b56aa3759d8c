package formats

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Fault kinds understood by sched --faults.
const (
	FaultOmission  = "omission"  // messages from→to sent at At (or in [At, Until]) are lost
	FaultCrash     = "crash"     // Node stops at At (fail-stop)
	FaultRestart   = "restart"   // Node restarts at At: volatile state lost, Disk kept
	FaultPartition = "partition" // messages between Groups sent in [Start, Until) are lost
	FaultSkew      = "skew"      // Node's clock is off by Offset ns and drifts DriftPPM
	FaultDuplicate = "duplicate" // messages from→to sent at At are delivered twice
	FaultDelay     = "delay"     // messages from→to sent at At arrive By ns later
)

// Fault is one fault of a fault set. The JSON shape depends on Kind (see
// DESIGN §3): note that for "partition" the fields "from" and "until" are
// times, while for the message faults "from" and "to" are node names. That
// is why Fault has its own JSON methods.
type Fault struct {
	Kind string

	Node     string // crash, restart, skew
	From, To string // omission, duplicate, delay: the link
	At       int64  // omission, duplicate, delay: send time; crash, restart: when
	Until    *int64 // omission (optional end of a window), partition (exclusive end)
	By       int64  // delay

	Groups [][]string // partition
	Start  int64      // partition: JSON "from"
	OneWay bool       // partition: only messages from earlier groups to later ones are lost

	Offset   int64 // skew
	DriftPPM int64 // skew
}

// MarshalJSON writes the fault in the shape of its kind, keys in a fixed order.
func (f Fault) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"kind":`)
	writeJSON(&b, f.Kind)
	field := func(k string, v any) {
		b.WriteString(`,"`)
		b.WriteString(k)
		b.WriteString(`":`)
		writeJSON(&b, v)
	}
	switch f.Kind {
	case FaultCrash, FaultRestart:
		field("node", f.Node)
		field("at", f.At)
	case FaultOmission, FaultDuplicate, FaultDelay:
		field("from", f.From)
		field("to", f.To)
		field("at", f.At)
		if f.Until != nil {
			field("until", *f.Until)
		}
		if f.Kind == FaultDelay {
			field("by", f.By)
		}
	case FaultPartition:
		field("groups", f.Groups)
		field("from", f.Start)
		if f.Until != nil {
			field("until", *f.Until)
		}
		field("oneway", f.OneWay)
	case FaultSkew:
		field("node", f.Node)
		field("offset", f.Offset)
		field("drift_ppm", f.DriftPPM)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, v any) {
	raw, _ := Marshal(v) // strings, integers and lists of them: cannot fail
	b.Write(raw)
}

// FieldError is a problem with one field of a record; Reader.Decode turns
// it into an InputError with file and line.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return fmt.Sprintf("field %q: %s", e.Field, e.Msg)
}

// UnmarshalJSON reads a fault and checks that it has the fields its kind needs.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*f = Fault{}
	get := func(k string, dst any, required bool) error {
		raw, ok := m[k]
		if !ok {
			if required {
				return &FieldError{k, fmt.Sprintf("missing (a %s fault needs it)", f.Kind)}
			}
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return &FieldError{k, fmt.Sprintf("bad value %s for a %s fault", raw, f.Kind)}
		}
		return nil
	}
	if err := get("kind", &f.Kind, true); err != nil {
		return &FieldError{"kind", "missing: one of " + kindList()}
	}
	var errs []error
	req := func(k string, dst any) { errs = append(errs, get(k, dst, true)) }
	opt := func(k string, dst any) { errs = append(errs, get(k, dst, false)) }
	switch f.Kind {
	case FaultCrash, FaultRestart:
		req("node", &f.Node)
		req("at", &f.At)
	case FaultOmission, FaultDuplicate, FaultDelay:
		req("from", &f.From)
		req("to", &f.To)
		req("at", &f.At)
		opt("until", &f.Until)
		if f.Kind == FaultDelay {
			req("by", &f.By)
		}
	case FaultPartition:
		req("groups", &f.Groups)
		opt("from", &f.Start)
		opt("until", &f.Until)
		opt("oneway", &f.OneWay)
	case FaultSkew:
		req("node", &f.Node)
		opt("offset", &f.Offset)
		opt("drift_ppm", &f.DriftPPM)
	default:
		return &FieldError{"kind", fmt.Sprintf("unknown fault kind %q (kinds: %s)", f.Kind, kindList())}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func kindList() string {
	k := []string{FaultOmission, FaultCrash, FaultRestart, FaultPartition, FaultSkew, FaultDuplicate, FaultDelay}
	sort.Strings(k)
	s := ""
	for i, x := range k {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

// FaultSet is the record ldfi writes per suggestion; sched --faults reads
// either such records or bare fault objects, one a line.
type FaultSet struct {
	Type   string  `json:"type"`
	Faults []Fault `json:"faults"`
}
