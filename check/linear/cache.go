package linear

// linSet is the set of linearized operations: a bitset with an
// incrementally maintained hash (Zobrist hashing: the XOR of one random
// word per member), so that a step costs O(1) instead of a pass over the
// whole set. lo and hi bound the interesting part: every word below lo is
// all ones, every word from hi on is zero. Operations are numbered in call
// order (see newSearch), so in an easy history lo follows the frontier of
// the search and hi-lo stays small however long the history is.
type linSet struct {
	words  []uint64
	hash   uint64
	lo, hi int
}

func newLinSet(n int) linSet { return linSet{words: make([]uint64, (n+63)/64)} }

// zobrist is member i's word: splitmix64 of i, deterministic and well mixed.
func zobrist(i int32) uint64 {
	z := uint64(i)*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (b *linSet) set(i int32) {
	w := int(i / 64)
	b.words[w] |= 1 << (i % 64)
	b.hash ^= zobrist(i)
	if w >= b.hi {
		b.hi = w + 1
	}
	for b.lo < len(b.words) && b.words[b.lo] == ^uint64(0) {
		b.lo++
	}
}

func (b *linSet) clear(i int32) {
	w := int(i / 64)
	b.words[w] &^= 1 << (i % 64)
	b.hash ^= zobrist(i)
	if w < b.lo {
		b.lo = w
	}
	for b.hi > 0 && b.words[b.hi-1] == 0 {
		b.hi--
	}
}

// window is the part of the set that is not implied by lo and hi.
func (b *linSet) window() []uint64 {
	if b.hi <= b.lo {
		return nil
	}
	return b.words[b.lo:b.hi]
}

// cache is the set of configurations (linearized set, model state) already
// explored. Entries are chained by hash through one slice, and their
// windows share one arena, so that adding one allocates nothing but the
// occasional growth.
type cache struct {
	m       Model
	heads   map[uint64]int32 // hash → first entry + 1
	entries []cacheEntry
	arena   []uint64
}

type cacheEntry struct {
	next   int32 // next entry with the same hash + 1; 0 ends the chain
	lo, hi int32
	off    int32 // window in arena
	state  State
}

func newCache(m Model) *cache { return &cache{m: m, heads: map[uint64]int32{}} }

// add records (lin, state) and reports whether it was new.
func (c *cache) add(lin *linSet, state State) bool {
	h := lin.hash ^ c.m.hash(state)*0xff51afd7ed558ccd
	win := lin.window()
	head := c.heads[h]
	for e := head; e != 0; e = c.entries[e-1].next {
		en := &c.entries[e-1]
		if int(en.lo) != lin.lo || int(en.hi) != lin.hi || !c.m.equal(en.state, state) {
			continue
		}
		if equalWords(c.arena[en.off:int(en.off)+len(win)], win) {
			return false
		}
	}
	c.entries = append(c.entries, cacheEntry{next: head, lo: int32(lin.lo), hi: int32(lin.hi), off: int32(len(c.arena)), state: state})
	c.arena = append(c.arena, win...)
	c.heads[h] = int32(len(c.entries))
	return true
}

func equalWords(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
