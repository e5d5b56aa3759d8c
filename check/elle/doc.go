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
// A pipeline:
//
//	gen list-append --ops 1000 | sched --seed 3 --exec sut-txn | check list-append --consistency serializable
package elle
