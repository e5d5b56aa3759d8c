package trace

// msgTable gives each message id a dense slot and remembers, per slot,
// the first step that consumed the message (delivered it, dropped it or
// completed a client operation with it). sched names messages m1, m2, …:
// those take a slice lookup, any other id a map entry.
type msgTable struct {
	byNum []int32          // N of "mN" → slot+1
	other map[string]int32 // any other id → slot
	recv  []int32          // slot → consuming step index, -1
}

const maxDenseID = 1 << 26

// slot returns the id's slot, adding it when add is set; -1 when the id
// is unknown and not added.
func (m *msgTable) slot(id []byte, add bool) int32 {
	if n, ok := denseID(id); ok {
		if n < len(m.byNum) && m.byNum[n] != 0 {
			return m.byNum[n] - 1
		}
		if !add {
			return -1
		}
		return m.numSlot(n)
	}
	if s, ok := m.other[string(id)]; ok {
		return s
	}
	if !add {
		return -1
	}
	if m.other == nil {
		m.other = map[string]int32{}
	}
	s := int32(len(m.recv))
	m.recv = append(m.recv, -1)
	m.other[string(id)] = s
	return s
}

// numSlot is the slot of the id "mN", added if new.
func (m *msgTable) numSlot(n int) int32 {
	if n < len(m.byNum) && m.byNum[n] != 0 {
		return m.byNum[n] - 1
	}
	if n >= len(m.byNum) {
		m.byNum = append(m.byNum, make([]int32, n+1-len(m.byNum))...)
	}
	s := int32(len(m.recv))
	m.recv = append(m.recv, -1)
	m.byNum[n] = s + 1
	return s
}

// denseID is the N of an id "mN" when N is small enough for a slice.
func denseID(id []byte) (int, bool) {
	if len(id) < 2 || len(id) > 9 || id[0] != 'm' || (id[1] == '0' && len(id) > 2) {
		return 0, false
	}
	n := 0
	for _, c := range id[1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n < maxDenseID
}
