package rounds_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/rounds"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/sched/sim"
)

// counter sends one message to every other node when it acts in rounds 1 to 4, and records in Seen how many messages it had when it acted in each
// round: with n nodes, always n-1 from round 2 on, whatever the order in
// which the deliveries and the timers of a round were scheduled.
type counter struct {
	Seen   []int `json:"seen"`
	others []string
	inbox  int
}

func (c *counter) Start(_ exec.Env, self string, nodes []formats.NodeSpec) int64 {
	for _, n := range nodes {
		if n.Name != self {
			c.others = append(c.others, n.Name)
		}
	}
	return 1
}

func (c *counter) Deliver(exec.Env, int64, exec.Event) bool { c.inbox++; return true }

func (c *counter) Act(env exec.Env, r int64) int64 {
	c.Seen = append(c.Seen, c.inbox)
	c.inbox = 0
	if r >= 5 {
		return 0
	}
	for _, o := range c.others {
		env.Send(o, map[string]string{"type": "ping"})
	}
	return r + 1
}

func TestActSeesEveryMessageOfTheRound(t *testing.T) {
	test := formats.Test{Type: formats.TypeTest, Test: "t-rounds", Nodes: []formats.NodeSpec{{Name: "x", Kind: "c"}, {Name: "y", Kind: "c"}, {Name: "z", Kind: "c"}}}
	o := sim.DefaultOptions()
	o.Latency = sim.MustDist("fixed:1ms")
	var trace strings.Builder
	res, err := sim.Run(&sim.Test{Test: test}, exec.NewExecutor(exec.Kinds{"c": rounds.New[counter]()}, "t"), o, &trace)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reason != formats.EndQuiescent || res.Time != int64(5*time.Millisecond) {
		t.Errorf("ended %s at %d, want quiescent at 5ms (nothing is sent in round 5)", res.Reason, res.Time)
	}
	for _, n := range []string{"x", "y", "z"} {
		last := ""
		for _, l := range strings.Split(trace.String(), "\n") {
			if strings.Contains(l, `"node":"`+n+`"`) && strings.Contains(l, `"timer":"act"`) {
				last = l
			}
		}
		if !strings.Contains(last, `"state":{"seen":[0,2,2,2,2]}`) {
			t.Errorf("%s's last act: %s", n, last)
		}
	}
}

// Outside the model (a latency other than one round), no message is left
// unacted on: one arriving after its round's Act arms another.
func TestEveryMessageIsActedOnWhateverTheLatency(t *testing.T) {
	test := formats.Test{Type: formats.TypeTest, Test: "t-rounds", Nodes: []formats.NodeSpec{{Name: "x", Kind: "c"}, {Name: "y", Kind: "c"}, {Name: "z", Kind: "c"}}}
	for _, lat := range []string{"fixed:500us", "uniform:100us-3ms"} {
		o := sim.DefaultOptions()
		o.Latency = sim.MustDist(lat)
		var trace strings.Builder
		if _, err := sim.Run(&sim.Test{Test: test}, exec.NewExecutor(exec.Kinds{"c": rounds.New[counter]()}, "t"), o, &trace); err != nil {
			t.Fatal(err)
		}
		seen, delivered := map[string]int{}, map[string]int{}
		for _, l := range strings.Split(trace.String(), "\n") {
			var rec struct {
				Type, Node, To, Timer string
				State                 struct{ Seen []int }
			}
			if json.Unmarshal([]byte(l), &rec) != nil {
				continue
			}
			if rec.Type == "deliver" {
				delivered[rec.To]++
			}
			if rec.Timer == rounds.ActTimer {
				seen[rec.Node] = 0
				for _, s := range rec.State.Seen {
					seen[rec.Node] += s
				}
			}
		}
		for _, n := range []string{"x", "y", "z"} {
			if seen[n] != delivered[n] || delivered[n] == 0 {
				t.Errorf("%s: %s acted on %d messages of the %d delivered", lat, n, seen[n], delivered[n])
			}
		}
	}
}
