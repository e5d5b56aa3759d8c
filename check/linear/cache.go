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
// explored: an open-addressing hash table of entry numbers. Entries and
// their windows live in blocks that never move once full, so that adding
// one allocates nothing but, now and then, a new block, and little is
// copied as the cache grows. The first blocks are small, since most
// searches are (Explain runs many).
type cache struct {
	m       Model
	table   []int32 // entry number + 1; 0 is empty
	n       int     // entries
	entries [][]cacheEntry
	words   [][]uint64 // the windows, each in one block
}

type cacheEntry struct {
	hash   uint64
	lo, hi int32
	block  int32 // window: words[block][off:off+len]
	off    int32
	state  State
}

const (
	entryBlock = 1 << 12
	wordBlock  = 1 << 16
)

func newCache(m Model) *cache { return &cache{m: m, table: make([]int32, 64)} }

func (c *cache) entry(e int32) *cacheEntry { return &c.entries[e>>12][e&(entryBlock-1)] }

// add records (lin, state) and reports whether it was new.
func (c *cache) add(lin *linSet, state State) bool {
	h := lin.hash ^ c.m.hash(state)*0xff51afd7ed558ccd
	unk, win := lin.words[:lin.uw], lin.window()
	n := len(unk) + len(win)
	mask := len(c.table) - 1
	i := int(h>>7) & mask
	for ; c.table[i] != 0; i = (i + 1) & mask {
		en := c.entry(c.table[i] - 1)
		if en.hash != h || int(en.lo) != lin.lo || int(en.hi) != lin.hi || !c.m.equal(en.state, state) {
			continue
		}
		stored := c.words[en.block][en.off : int(en.off)+n]
		if equalWords(stored[:len(unk)], unk) && equalWords(stored[len(unk):], win) {
			return false
		}
	}

	// A new configuration: store its window, then the entry.
	b := len(c.words) - 1
	if b < 0 || len(c.words[b])+n > cap(c.words[b]) {
		size := 64
		if b >= 0 {
			size = min(2*cap(c.words[b]), wordBlock)
		}
		c.words = append(c.words, make([]uint64, 0, max(size, n)))
		b++
	}
	off := len(c.words[b])
	c.words[b] = append(append(c.words[b], unk...), win...)
	e := int32(c.n)
	if c.n%entryBlock == 0 {
		size := entryBlock // entry e is in block e/entryBlock
		if len(c.entries) == 0 {
			size = 16 // grown by append up to entryBlock
		}
		c.entries = append(c.entries, make([]cacheEntry, 0, size))
	}
	last := &c.entries[len(c.entries)-1]
	*last = append(*last, cacheEntry{hash: h, lo: int32(lin.lo), hi: int32(lin.hi), block: int32(b), off: int32(off), state: state})
	c.n++
	c.table[i] = e + 1
	if 2*c.n > len(c.table) {
		c.grow()
	}
	return true
}

// grow doubles the table and puts every entry back.
func (c *cache) grow() {
	c.table = make([]int32, 2*len(c.table))
	mask := len(c.table) - 1
	for e := range int32(c.n) {
		i := int(c.entry(e).hash>>7) & mask
		for c.table[i] != 0 {
			i = (i + 1) & mask
		}
		c.table[i] = e + 1
	}
}

func equalWords(a, b []uint64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
