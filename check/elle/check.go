package elle

// Check checks one history of the given kind against a consistency level
// (one of Levels). The error is a *formats.InputError when the history
// breaks the workload's rules (a value written twice to a key).
func Check(k Kind, h History, level string) (Result, error) {
	if k == RWRegister {
		return CheckRWRegister(h, level)
	}
	return CheckListAppend(h, level)
}
