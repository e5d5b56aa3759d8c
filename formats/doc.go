// Package formats is the contract between the detsys stages: every NDJSON
// record type with its "type" constant and field names, the executor
// protocol messages, an NDJSON reader that accepts lines of any length and
// reports file:line on bad input, a buffered writer, canonical content
// hashing for test and run ids, and the exit codes every binary shares.
//
// No other package defines a record. A stage that needs a new field adds it
// here, to RECORDS.md and to the golden tests together.
//
// RECORDS.md (in this directory) is the reference of every record: per
// type, who writes and reads it, each field with its type and units, and a
// real example line. records_doc_test.go fails when a struct's JSON fields
// and the document disagree, or when an example does not decode.
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
