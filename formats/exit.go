package formats

// Exit codes shared by every detsys binary (DESIGN §2).
const (
	ExitOK           = 0 // holds / ok
	ExitViolation    = 1 // a violation was found: a result, not a failure
	ExitUsage        = 2 // bad flags or arguments
	ExitBadInput     = 3 // malformed input
	ExitInconclusive = 4 // a budget or timeout ran out before an answer
	ExitInternal     = 5 // internal or I/O error
)
