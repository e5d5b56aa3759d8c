package linear

// linSet is the set of linearized operations: a bitset with an
// incrementally maintained hash (Zobrist hashing: the XOR of one random
// word per member), so that a step costs O(1) instead of a pass over the
// whole set.
//
// Operations 0..u-1 are the unknown ones, which may be linearized in any
// order or never: their words (the first uw) are kept whole. The completed
// operations follow from word uw on, in call order, and are linearized
// roughly in that order: every word from uw to lo is all ones, every word
// from hi on is zero, and only the window between is kept, however long
// the history.
type linSet struct {
	words  []uint64
	hash   uint64
	u, pad int32 // completed op i is bit i+pad
	uw     int   // words of the unknown ops
	lo, hi int
}

func newLinSet(unknown, completed int) linSet {
	uw := (unknown + 63) / 64
	return linSet{
		words: make([]uint64, uw+(completed+63)/64),
		u:     int32(unknown),
		pad:   int32(uw*64 - unknown),
		uw:    uw,
		lo:    uw,
		hi:    uw,
	}
}

// zobrist is member i's word: splitmix64 of i, deterministic and well mixed.
func zobrist(i int32) uint64 {
	z := uint64(i)*0x9e3779b97f4a7c15 + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (b *linSet) set(i int32) {
	b.hash ^= zobrist(i)
	if i < b.u {
		b.words[i/64] |= 1 << (i % 64)
		return
	}
	i += b.pad
	w := int(i / 64)
	b.words[w] |= 1 << (i % 64)
	if w >= b.hi {
		b.hi = w + 1
	}
	for b.lo < len(b.words) && b.words[b.lo] == ^uint64(0) {
		b.lo++
	}
}

func (b *linSet) clear(i int32) {
	b.hash ^= zobrist(i)
	if i < b.u {
		b.words[i/64] &^= 1 << (i % 64)
		return
	}
	i += b.pad
	w := int(i / 64)
	b.words[w] &^= 1 << (i % 64)
	if w < b.lo {
		b.lo = w
	}
	for b.hi > b.uw && b.words[b.hi-1] == 0 {
		b.hi--
	}
}

// window is the part of the completed operations' words that is not
// implied by lo and hi.
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
	unk, win := lin.words[:lin.uw], lin.window()
	head := c.heads[h]
	for e := head; e != 0; e = c.entries[e-1].next {
		en := &c.entries[e-1]
		if int(en.lo) != lin.lo || int(en.hi) != lin.hi || !c.m.equal(en.state, state) {
			continue
		}
		stored := c.arena[en.off : int(en.off)+len(unk)+len(win)]
		if equalWords(stored[:len(unk)], unk) && equalWords(stored[len(unk):], win) {
			return false
		}
	}
	c.entries = append(c.entries, cacheEntry{next: head, lo: int32(lin.lo), hi: int32(lin.hi), off: int32(len(c.arena)), state: state})
	c.arena = append(c.arena, unk...)
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
