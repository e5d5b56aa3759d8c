package sim

import "container/heap"

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

type queue []*event

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *queue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return e
}

func (q *queue) push(e *event) { heap.Push(q, e) }
func (q *queue) pop() *event   { return heap.Pop(q).(*event) }
