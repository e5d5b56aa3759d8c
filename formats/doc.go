// Package formats is the contract between the detsys stages: every NDJSON
// record type with its "type" constant and field names, the executor
// protocol messages, an NDJSON reader that accepts lines of any length and
// reports file:line on bad input, a buffered writer, canonical content
// hashing for test and run ids, and the exit codes every binary shares.
//
// No other package defines a record. A stage that needs a new field adds it
// here, to DESIGN.md and to the golden tests together.
//
// A trace is read record by record:
//
//	r := formats.NewReader(os.Stdin, "-")
//	for {
//		line, err := r.Next()
//		if err == io.EOF { break }
//		if err != nil { return err } // *InputError: file:line, exit code 3
//		switch formats.TypeOf(line.Data) {
//		case formats.TypeInvoke: ...
//		}
//	}
package formats
