package trace

import "github.com/detsys/detsys/formats"

// Kind is the type of a step record.
type Kind uint8

// The kinds of step record (DESIGN §3). KindOther is a record type this
// version does not know: it is listed and shown, but links nothing.
const (
	KindOther Kind = iota
	KindInit
	KindInvoke
	KindOk
	KindFail
	KindInfo
	KindDeliver
	KindTimer
	KindDrop
	KindCrash
	KindRestart
	KindPanic
	KindEnd
)

var kindNames = [...]string{
	KindOther:   "?",
	KindInit:    formats.TypeInit,
	KindInvoke:  formats.TypeInvoke,
	KindOk:      formats.TypeOk,
	KindFail:    formats.TypeFail,
	KindInfo:    formats.TypeInfo,
	KindDeliver: formats.TypeDeliver,
	KindTimer:   formats.TypeTimer,
	KindDrop:    formats.TypeDrop,
	KindCrash:   formats.TypeCrash,
	KindRestart: formats.TypeRestart,
	KindPanic:   formats.TypePanic,
	KindEnd:     formats.TypeEnd,
}

func (k Kind) String() string { return kindNames[k] }

// kindOf maps a record's type to its kind; ok is false for types that are
// not steps (verdicts, faults, …), which have no step number.
func kindOf(typ []byte) (Kind, bool) {
	for k, name := range kindNames {
		if k != int(KindOther) && string(typ) == name {
			return Kind(k), true
		}
	}
	return KindOther, false
}

// Consumes reports whether a step of this kind is the arrival (or loss) of
// a message: its record names the message by id.
func (k Kind) Consumes() bool {
	switch k {
	case KindDeliver, KindDrop, KindOk, KindFail, KindInfo:
		return true
	}
	return false
}

// HasState reports whether a step of this kind records its node's state
// after the step (crash and panic record that it has none).
func (k Kind) HasState() bool {
	switch k {
	case KindInit, KindDeliver, KindTimer, KindRestart, KindCrash, KindPanic:
		return true
	}
	return false
}

// Fault reports whether the step is a fault: a lost message, a crash, a panic.
func (k Kind) Fault() bool { return k == KindDrop || k == KindCrash || k == KindPanic }
