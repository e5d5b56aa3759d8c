// Package sim is the deterministic scheduler: it owns simulated time, the
// network, randomness and faults, and drives the nodes of a test one event
// at a time through an Executor (in process, or behind the FIFOs of
// sched/pipe), writing the trace as it goes.
//
// A Go test of a system under test runs it in process, without pipes:
//
//	t, _ := sim.ReadTest(formats.NewReader(testFile, "test.ndjson"))
//	o := sim.DefaultOptions()
//	o.Seed, o.Drop = 7, 0.1
//	res, err := sim.Run(t, exec.NewExecutor(mysut.Kinds, "test"), o, &trace)
//
// which is what `gen register | sched --seed 7 --drop 0.1 --exec sut-register`
// does across processes, with the same trace.
//
// # Order and randomness
//
// Events are ordered by simulated time, then by the order in which they
// were scheduled. Randomness comes from three PCG streams (math/rand/v2)
// seeded with (seed, 1), (seed, 2) and (seed, 3):
//
//   - network: for every message sent, in the order of the step's effects,
//     one draw for its latency and one for --drop, whether or not a fault
//     then drops it;
//   - clients: one draw of think time each time a client becomes ready for
//     its next op;
//   - faults: before the run, per random crash, one draw for the node and
//     one for the time.
//
// So a fault changes the rest of a run only through its causal effects: two
// runs that share a prefix share it exactly (DESIGN §6).
//
// # Semantics the trace relies on
//
//   - Message faults (omission, duplicate, delay, partition) are decided
//     when the message is sent, by its send time; the drop is recorded
//     when it would have arrived. A message to a crashed node is dropped on
//     arrival with reason "crash".
//   - A crash stops the node and forgets its timers; a restart builds the
//     node anew (Disk survives) and delivers a restart event. A panic
//     counts as a crash.
//   - A client sends its op to the op's node as a message with a msg_id.
//     A reply with that in_reply_to completes it: ok, or for an error body
//     fail (definite Maelstrom codes) or info. No reply within the client
//     timeout: info "timeout". Ops in flight when the run stops: info "run
//     ended". A late reply is recorded as a deliver to the client.
//   - The run ends quiescent when nothing is scheduled, or at --max-time /
//     --max-steps.
package sim
