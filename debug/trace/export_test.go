package trace

// SmallParts makes the index cut inputs into up to n parts of at least
// size bytes, until the returned function is called.
func SmallParts(size, n int) (restore func()) {
	oldSize, oldN := minPart, maxParts
	minPart, maxParts = size, func() int { return n }
	return func() { minPart, maxParts = oldSize, oldN }
}
