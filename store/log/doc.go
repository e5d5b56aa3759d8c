// Package log is the detsys log: one append-only JSONL file that any tool
// can tail -f, grep or jq, and that store keeps safe.
//
// Appending. A batch (one input of store append, one trace of sched --log)
// is validated in full before anything is written: a line that is not a
// JSON object refuses the whole batch with file:line. The batch is then
// written while holding an exclusive flock(2) on the log, opened O_APPEND,
// so that concurrent appenders never interleave: every appender takes the
// lock, and a batch is written whole before the lock is let go. (It is
// written in 1 MiB write(2)s: one huge write from a mapping costs the
// kernel more, and is no more atomic against kill -9.) With Sync the data
// is fsynced before Append returns.
//
// Torn tails. An appender killed in the middle of its writes can leave
// the last line without its newline (a torn tail), and complete lines of
// its batch before it. Readers never see a torn tail: every reader stops
// at the last newline. The next appender, holding the lock, truncates a
// torn tail back to the last newline before it writes (so a torn record
// never gets glued to the next one), and says so on stderr. Complete lines
// of an interrupted batch stay: each is an intact record, but the batch was
// never acknowledged; merge and sched's cache handle such partial runs
// (a run counts as stored only with its "end" record). Verify finds torn
// tails and corrupt lines; Repair truncates a torn tail and nothing else.
//
// Identity. Runs and tests have content-hash ids (formats.RunID,
// formats.TestID), so a record is identified by what it is: a trace
// record by its run id and step (the "run" record is step -1), a test by
// its test id (its "op" records go with it), anything else (verdicts,
// ldfi's records) by the SHA-256 of its canonical bytes. Merge keeps the
// first copy of each.
//
// The index. FILE.idx is an append-only sidecar of JSON arrays, one a
// line: the extents (offset, length, count) of each run's and test's
// records, and the few fields the runs and tests views show. Its header
// records how many bytes of the log it covers and hashes of the first and
// last 4 KiB of them; a log that shrank or whose hashes changed is
// re-indexed from scratch, a log that grew is indexed from where the index
// stopped. The index is never trusted blindly: every record read through an
// extent must name the run or test asked for, or the index is rebuilt.
//
//	store append < run.ndjson        # log.Append
//	store get r-5c1e0a9b2d71         # log.OpenIndex + Index.Get
package log
