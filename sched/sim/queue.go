package sim

type eventKind uint8

const (
	evInit eventKind = iota
	evInvoke
	evDeliver
	evTimer
	evTimeout // a client gave up waiting
	evCrash
	evRestart
)

// event is one scheduled event. Events are ordered by time, then by the
// order in which they were scheduled (seq), which makes ties deterministic.
type event struct {
	at     int64
	seq    uint64
	kind   eventKind
	node   string // init, timer, crash, restart
	client int    // invoke, timeout
	gen    uint64 // timer, timeout: stale unless it matches the current generation
	timer  string
	msg    message // deliver
}

type message struct {
	id         string
	from, to   string
	body       []byte
	sentAt     int64
	sentStep   int64
	dropReason string // decided at send time (omission, partition); "" if none
}

// queue is a binary min-heap of events by (at, seq), written out rather
// than through container/heap: it is on every step's path.
type queue []*event

func (q queue) Len() int { return len(q) }

func less(a, b *event) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (q *queue) push(e *event) {
	*q = append(*q, e)
	h := *q
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !less(h[i], h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (q *queue) pop() *event {
	h := *q
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = nil
	h = h[:n]
	*q = h
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && less(h[r], h[l]) {
			m = r
		}
		if !less(h[m], h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	return top
}
