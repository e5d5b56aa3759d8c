package nodes

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/detsys/detsys/exec"
)

// Retry timing, in simulated time. Sched's default latency is exp:10ms, so
// an answer missing after RetryAfter is most likely lost. A frontend gives
// up on an operation after GiveUpAfter (answering the client with an
// indefinite timeout error), so that a run with a replica down for good
// still goes quiescent.
const (
	TickEvery   = time.Second
	RetryAfter  = 500 * time.Millisecond
	GiveUpAfter = 5 * time.Second
)

// Timer names.
const (
	tickTimer   = "tick"
	retryPrefix = "retry-" // + the operation's sequence number (frontend4)
)

type retryMode int

const (
	noRetry    retryMode = iota // frontend1: a lost message is a client timeout
	tickRetry                   // one periodic "tick" while operations are pending
	timerRetry                  // one "retry-<seq>" timer per pending operation
)

// policy is what tells the four frontends apart; the code is shared.
type policy struct {
	need      int  // answers before the client is answered
	distinct  bool // count one answer per replica; false is frontend2's bug
	versioned bool // writes carry the sequence number as their version
	retry     retryMode
}

var (
	// frontend1 answers with the first replica's answer: a read that
	// reaches the replica a completed write has not reached yet is stale.
	frontend1 = policy{need: 1}
	// frontend2 waits for two answers but counts them without asking who
	// sent them: a replica answering a retried request twice completes
	// the operation alone.
	frontend2 = policy{need: 2, versioned: true, retry: tickRetry}
	// frontend3 is correct: every write has a version; a read waits for
	// both replicas and returns the higher version, so it sees every write
	// that completed before it began (both replicas have it) and every
	// value an earlier read returned (that replica still has it).
	frontend3 = policy{need: 2, distinct: true, versioned: true, retry: tickRetry}
	// frontend4 is frontend3 with a retry timer per operation.
	frontend4 = policy{need: 2, distinct: true, versioned: true, retry: timerRetry}
)

// Frontend receives client operations and runs them on the replicas.
// Its state in the trace is Seq, Clients, Pending and Ticking.
type Frontend struct {
	policy   policy   `json:"-"`
	replicas []string `json:"-"`

	// Seq is the last sequence number handed out; Clients the highest
	// msg_id seen from each client, so that a duplicated or late request
	// is not run twice. Both are on Disk: a restarted frontend never
	// reuses a sequence number.
	Seq     int64            `json:"seq"`
	Clients map[string]int64 `json:"clients,omitempty"`

	Pending []*operation `json:"pending,omitempty"` // in Seq order
	Ticking bool         `json:"ticking,omitempty"` // the tick timer is armed
}

// operation is one client operation in flight on the replicas.
type operation struct {
	Seq      int64         `json:"seq"`
	Client   string        `json:"client"`
	MsgID    int64         `json:"msg_id"` // the client's
	Type     string        `json:"type"`   // read or write
	Value    *int64        `json:"value,omitempty"`
	Began    time.Duration `json:"began"`
	Sent     time.Duration `json:"sent"`               // last (re)send
	Answered []string      `json:"answered,omitempty"` // replicas that answered, in order
	Read     *versioned    `json:"read,omitempty"`     // read: the highest-version answer so far
}

// versioned is a replica's answer to a read.
type versioned struct {
	Value   *int64 `json:"value"`
	Version int64  `json:"version"`
}

// What a frontend keeps on Disk: its last sequence number under seqKey,
// and each client's highest msg_id under clientKey+name (one key per
// client, so that a request rewrites one small value, not the whole map).
const (
	seqKey    = "seq"
	clientKey = "client/"
)

func newFrontend(p policy) *Frontend {
	return &Frontend{policy: p, replicas: Replicas}
}

func (f *Frontend) Receive(env exec.Env, ev exec.Event) {
	switch ev.Kind {
	case exec.Init, exec.Restart:
		env.Disk().Get(seqKey, &f.Seq)
		for _, k := range env.Disk().Keys() {
			if name, ok := strings.CutPrefix(k, clientKey); ok {
				var id int64
				env.Disk().Get(k, &id)
				if f.Clients == nil {
					f.Clients = map[string]int64{}
				}
				f.Clients[name] = id
			}
		}
	case exec.Message:
		if slices.Contains(f.replicas, ev.From) {
			f.answer(env, ev)
		} else {
			f.request(env, ev)
		}
	case exec.Timer:
		f.timer(env, ev.TimerName)
	}
}

// request starts a client's operation: a new sequence number, saved
// before anything is sent, and the request to every replica.
func (f *Frontend) request(env exec.Env, ev exec.Event) {
	var m message
	if err := ev.Decode(&m); err != nil {
		env.Reply(ev, errorReply(codeMalformedRequest, err.Error()))
		return
	}
	switch {
	case m.Type != "read" && m.Type != "write":
		env.Reply(ev, errorReply(codeNotSupported, "the frontend runs read and write, not "+m.Type))
		return
	case m.Type == "write" && m.Value == nil:
		env.Reply(ev, errorReply(codeMalformedRequest, "write without a value"))
		return
	case m.MsgID != 0 && m.MsgID <= f.Clients[ev.From]:
		// A client has one operation in flight, with its highest msg_id
		// yet: this copy is a duplicate, or a request it gave up on.
		env.Logf("ignoring %s %d from %s: already seen msg_id %d", m.Type, m.MsgID, ev.From, f.Clients[ev.From])
		return
	}
	f.Seq++
	if m.MsgID != 0 {
		if f.Clients == nil {
			f.Clients = map[string]int64{}
		}
		f.Clients[ev.From] = m.MsgID
		env.Disk().Put(clientKey+ev.From, m.MsgID)
	}
	env.Disk().Put(seqKey, f.Seq)

	op := &operation{Seq: f.Seq, Client: ev.From, MsgID: m.MsgID, Type: m.Type, Value: m.Value, Began: env.Now()}
	f.Pending = append(f.Pending, op)
	f.send(env, op, f.replicas)
	switch f.policy.retry {
	case tickRetry:
		if !f.Ticking {
			f.Ticking = true
			env.SetTimer(tickTimer, TickEvery)
		}
	case timerRetry:
		env.SetTimer(retryTimer(op.Seq), RetryAfter)
	}
}

func (f *Frontend) send(env exec.Env, op *operation, to []string) {
	req := request{Type: op.Type, Value: op.Value, MsgID: op.Seq}
	if f.policy.versioned && op.Type == "write" {
		req.Version = op.Seq
	}
	for _, r := range to {
		env.Send(r, req)
	}
	op.Sent = env.Now()
}

// answer counts a replica's answer to the operation it names. Answers to
// operations no longer pending (late, or duplicates after completion) are
// dropped, as are (unless the policy is frontend2's) second answers from
// the same replica.
func (f *Frontend) answer(env exec.Env, ev exec.Event) {
	var m message
	if err := ev.Decode(&m); err != nil {
		env.Logf("undecodable answer from %s: %v", ev.From, err)
		return
	}
	i := slices.IndexFunc(f.Pending, func(op *operation) bool { return op.Seq == m.InReplyTo })
	if i < 0 {
		env.Logf("ignoring %s from %s: operation %d is not pending", m.Type, ev.From, m.InReplyTo)
		return
	}
	op := f.Pending[i]
	if m.Type != op.Type+"_ok" {
		env.Logf("ignoring %s from %s for %s %d", m.Type, ev.From, op.Type, op.Seq)
		return
	}
	if f.policy.distinct && slices.Contains(op.Answered, ev.From) {
		env.Logf("ignoring a second answer from %s for %s %d", ev.From, op.Type, op.Seq)
		return
	}
	op.Answered = append(op.Answered, ev.From)
	if op.Type == "read" && (op.Read == nil || m.Version > op.Read.Version) {
		op.Read = &versioned{Value: m.Value, Version: m.Version}
	}
	if len(op.Answered) < f.policy.need {
		return
	}
	if op.Type == "read" {
		env.Send(op.Client, readOK{Type: "read_ok", Value: op.Read.Value, InReplyTo: op.MsgID})
	} else {
		env.Send(op.Client, writeOK{Type: "write_ok", InReplyTo: op.MsgID})
	}
	f.finish(env, i)
}

// finish forgets the i-th pending operation and its timers.
func (f *Frontend) finish(env exec.Env, i int) {
	op := f.Pending[i]
	f.Pending = slices.Delete(f.Pending, i, i+1)
	switch {
	case f.policy.retry == timerRetry:
		env.CancelTimer(retryTimer(op.Seq))
	case f.policy.retry == tickRetry && len(f.Pending) == 0 && f.Ticking:
		f.Ticking = false
		env.CancelTimer(tickTimer)
	}
}

func (f *Frontend) timer(env exec.Env, name string) {
	switch {
	case name == tickTimer:
		f.Ticking = false
		for _, op := range slices.Clone(f.Pending) {
			if env.Now()-op.Sent >= RetryAfter {
				f.retry(env, op)
			}
		}
		if len(f.Pending) > 0 {
			f.Ticking = true
			env.SetTimer(tickTimer, TickEvery)
		}
	case strings.HasPrefix(name, retryPrefix):
		seq, _ := strconv.ParseInt(strings.TrimPrefix(name, retryPrefix), 10, 64)
		i := slices.IndexFunc(f.Pending, func(op *operation) bool { return op.Seq == seq })
		if i < 0 {
			return
		}
		if f.retry(env, f.Pending[i]) {
			env.SetTimer(name, RetryAfter)
		}
	}
}

// retry resends op to the replicas that have not answered (frontend2,
// which does not tell answers apart, resends to all of them), or gives up
// on it after GiveUpAfter. It reports whether op is still pending.
func (f *Frontend) retry(env exec.Env, op *operation) bool {
	if env.Now()-op.Began >= GiveUpAfter {
		env.Logf("giving up on %s %d after %v", op.Type, op.Seq, env.Now()-op.Began)
		env.Send(op.Client, errorBody{Type: "error", Code: codeTimeout, Text: "the replicas did not answer", InReplyTo: op.MsgID})
		f.finish(env, slices.Index(f.Pending, op))
		return false
	}
	to := f.replicas
	if f.policy.distinct {
		to = slices.DeleteFunc(slices.Clone(f.replicas), func(r string) bool { return slices.Contains(op.Answered, r) })
	}
	f.send(env, op, to)
	return true
}

func retryTimer(seq int64) string { return retryPrefix + strconv.FormatInt(seq, 10) }
