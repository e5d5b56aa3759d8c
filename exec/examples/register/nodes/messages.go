package nodes

// Message bodies, in Maelstrom's conventions: a type, msg_id on requests,
// in_reply_to on replies, replies typed <request>_ok.

// message is any body a node of this package receives: requests from
// clients or the frontend, answers from the replicas.
type message struct {
	Type      string `json:"type"`
	MsgID     int64  `json:"msg_id"`
	InReplyTo int64  `json:"in_reply_to"`
	Value     *int64 `json:"value"`
	Version   int64  `json:"version"`
}

// request is what the frontend sends a replica.
type request struct {
	Type    string `json:"type"`
	Value   *int64 `json:"value,omitempty"`
	Version int64  `json:"version,omitempty"`
	MsgID   int64  `json:"msg_id"`
}

type writeOK struct {
	Type      string `json:"type"` // write_ok
	InReplyTo int64  `json:"in_reply_to,omitempty"`
}

// readOK answers a read. Value is null for a register never written. The
// replicas report their version; the frontend does not pass it on.
type readOK struct {
	Type      string `json:"type"` // read_ok
	Value     *int64 `json:"value"`
	Version   int64  `json:"version,omitempty"`
	InReplyTo int64  `json:"in_reply_to,omitempty"`
}

// Maelstrom error codes used here (formats.ErrorDefinite says which are
// definite: the operation certainly did not happen).
const (
	codeTimeout          = 0  // indefinite: the frontend gave up waiting for the replicas
	codeNotSupported     = 10 // definite
	codeMalformedRequest = 12 // definite
)

type errorBody struct {
	Type      string `json:"type"` // error
	Code      int    `json:"code"`
	Text      string `json:"text"`
	InReplyTo int64  `json:"in_reply_to,omitempty"`
}

func errorReply(code int, text string) errorBody {
	return errorBody{Type: "error", Code: code, Text: text}
}
