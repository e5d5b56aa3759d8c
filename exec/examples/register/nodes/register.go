package nodes

import "github.com/detsys/detsys/exec"

// Register is a replica. It keeps the value with the highest version a
// frontend sent it (last writer wins, by the frontend's sequence number);
// a write without a version just overwrites the value. Both are written to
// Disk before the write is acknowledged, so a restarted replica answers
// with what it acknowledged before the crash.
type Register struct {
	Value   *int64 `json:"value"`
	Version int64  `json:"version"`
}

const registerKey = "register"

func (r *Register) Receive(env exec.Env, ev exec.Event) {
	switch ev.Kind {
	case exec.Init, exec.Restart:
		env.Disk().Get(registerKey, r)
	case exec.Message:
		var m message
		if err := ev.Decode(&m); err != nil {
			env.Reply(ev, errorReply(codeMalformedRequest, err.Error()))
			return
		}
		switch m.Type {
		case "read":
			env.Reply(ev, readOK{Type: "read_ok", Value: r.Value, Version: r.Version})
		case "write":
			if m.Value == nil {
				env.Reply(ev, errorReply(codeMalformedRequest, "write without a value"))
				return
			}
			if m.Version == 0 || m.Version > r.Version {
				r.Value = m.Value
				r.Version = max(r.Version, m.Version)
				env.Disk().Put(registerKey, r)
			}
			env.Reply(ev, writeOK{Type: "write_ok"})
		default:
			env.Reply(ev, errorReply(codeNotSupported, "a register answers read and write, not "+m.Type))
		}
	}
}
