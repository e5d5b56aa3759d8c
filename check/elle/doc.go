// Package elle checks transactional histories the way Elle does
// (Kingsbury & Alvaro, "Elle: Inferring Isolation Anomalies from
// Experimental Observations", VLDB 2020): it infers Adya's direct
// serialization graph from what clients saw — ww, wr and rw dependencies,
// and real-time order for strict serializability — finds its cycles
// (Tarjan's strongly connected components, then the shortest cycle of
// each kind by breadth-first search) and names the anomalies: G0, G1a,
// G1b, G1c, G-single, G2 and internal inconsistency, counted or not
// according to the consistency level asked for.
//
// Two workloads, in Maelstrom's txn body shape:
//
//	list-append  {"type":"txn","txn":[["append",1,3],["r",1,null]]}
//	             → {"type":"txn_ok","txn":[["append",1,3],["r",1,[1,2,3]]]}
//	rw-register  {"type":"txn","txn":[["w",1,3],["r",2,null]]}
//	             → {"type":"txn_ok","txn":[["w",1,3],["r",2,5]]}
//
// Values written must be unique per key. For list-append every read
// reveals the whole version prefix, so the version order of each key, and
// with it every dependency, is known exactly; for rw-register only part
// of it is (see CheckRWRegister).
//
// Limits, against Elle: process-order edges are not added separately (in
// a closed-loop client they coincide with real-time order for ok
// transactions); G-nonadjacent, G-SIa/b and the session models are not
// reported; an append that no read observed has no place in the version
// order and so no edges; reads of info and failed transactions are
// unknown and ignored.
//
// The tests check the list-append checker against brute force (every
// serial order, or every one that respects real time) on thousands of
// small random histories, where the two must agree exactly, and the
// rw-register checker for soundness (what it reports is never
// serializable).
//
// A worked example: two transactions each read as empty the key the
// other appends to, and a later one reads both appends (write skew).
//
//	$ check list-append --consistency serializable skew.ndjson
//	{"type":"verdict",…,"valid":false,"anomaly":"G2","witness":{"anomalies":[{"name":"G2","cycle":[
//	  {"client":0,…,"txn":[["r",1,[]],["append",2,1]],"edge":"rw","why":"c0's txn at step 1 read key 1 as [], before c1's txn at step 2 appended 1 next"},
//	  {"client":1,…,"txn":[["r",2,[]],["append",1,1]],"edge":"rw","why":"c1's txn at step 2 read key 2 as [], before c0's txn at step 1 appended 1 next"}],
//	  "explanation":"G2 (anti-dependency cycle: two or more rw edges): a cycle of 2 transactions: c0@1 -rw-> c1@2 -rw-> c0@1"}]}}
//
// Under --consistency snapshot-isolation the same history holds: SI allows
// write skew. (testdata/script/check_txn_list_append.txtar runs exactly
// this.) Once a store speaks the txn bodies, the pipeline is the usual one:
//
//	gen list-append --ops 1000 | sched --seed 3 --exec sut-STORE | check list-append
package elle
