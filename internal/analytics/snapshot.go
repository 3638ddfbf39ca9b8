package analytics

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"unsafe"
)

// A snapshot is Events written to a file so that a fresh process (the CLI)
// need not read every interaction from the store again. Layout, all
// integers little-endian:
//
//	magic "MRDNEVTS", format uint32 (snapshotFormat)
//	tag: uint32 length + bytes (the store's version the columns were read at)
//	counts: accounts, events, combos uint64; hasOrder uint8
//	dictionaries: per field, uint32 count, then each value as uint32 length + bytes
//	columns, each starting at a multiple of 8 bytes from the start of the
//	file (zero padding before it), so that a reader that maps the file can
//	use them in place:
//	         Accounts int64×accounts, Start int32×(accounts+1), At int64×events,
//	         Combo uint32×events, Value float32 bits×events, Combos uint32×6×combos,
//	         Order int32×events when hasOrder
//	trailer: CRC-32C (Castagnoli) of every byte before it
//
// Custom properties are not written: they are loaded lazily, as without a
// snapshot (Order is kept so that they can be placed).

const (
	snapshotMagic  = "MRDNEVTS"
	snapshotFormat = 1
	maxTagBytes    = 4096
	maxValueBytes  = 1 << 20
)

// ErrSnapshotStale is returned by DecodeSnapshot when the snapshot was
// written at another version than the one asked for.
var ErrSnapshotStale = errors.New("analytics snapshot: written at another version")

// ErrSnapshotCorrupt wraps every reason a snapshot is not readable: wrong
// magic or format, truncated, inconsistent counts, bad checksum.
var ErrSnapshotCorrupt = errors.New("analytics snapshot: corrupt or of another format")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// EncodeSnapshot writes ev to w tagged with version.
func EncodeSnapshot(w io.Writer, version string, ev *Events) error {
	if len(version) > maxTagBytes {
		return fmt.Errorf("analytics snapshot: version tag of %d bytes", len(version))
	}
	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	sw := &snapWriter{w: bw}
	sw.bytes([]byte(snapshotMagic))
	sw.u32(snapshotFormat)
	sw.str(version)
	n := len(ev.At)
	if len(ev.Start) != len(ev.Accounts)+1 || len(ev.Combo) != n || len(ev.Value) != n || (ev.Order != nil && len(ev.Order) != n) {
		return fmt.Errorf("analytics snapshot: inconsistent events (%d accounts, %d starts, %d events)", len(ev.Accounts), len(ev.Start), n)
	}
	sw.u64(uint64(len(ev.Accounts)))
	sw.u64(uint64(n))
	sw.u64(uint64(len(ev.Combos)))
	if ev.Order != nil {
		sw.bytes([]byte{1})
	} else {
		sw.bytes([]byte{0})
	}
	for _, d := range ev.Dicts {
		sw.u32(uint32(len(d.Values)))
		for _, v := range d.Values {
			sw.str(v)
		}
	}
	writeColumn(sw, ev.Accounts, 8, func(b []byte, v int64) { binary.LittleEndian.PutUint64(b, uint64(v)) })
	writeColumn(sw, ev.Start, 4, func(b []byte, v int32) { binary.LittleEndian.PutUint32(b, uint32(v)) })
	writeColumn(sw, ev.At, 8, func(b []byte, v int64) { binary.LittleEndian.PutUint64(b, uint64(v)) })
	writeColumn(sw, ev.Combo, 4, binary.LittleEndian.PutUint32)
	writeColumn(sw, ev.Value, 4, func(b []byte, v float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(v)) })
	writeColumn(sw, ev.Combos, 4*numFields, func(b []byte, c Combo) {
		for f, v := range c {
			binary.LittleEndian.PutUint32(b[4*f:], v)
		}
	})
	if ev.Order != nil {
		writeColumn(sw, ev.Order, 4, func(b []byte, v int32) { binary.LittleEndian.PutUint32(b, uint32(v)) })
	}
	if sw.err != nil {
		return sw.err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], crc.Sum32())
	_, err := w.Write(sum[:])
	return err
}

type snapWriter struct {
	w   *bufio.Writer
	n   int64 // bytes written
	buf [1 << 16]byte
	err error
}

func (s *snapWriter) bytes(b []byte) {
	if s.err == nil {
		_, s.err = s.w.Write(b)
		s.n += int64(len(b))
	}
}

// align pads to a multiple of 8 bytes.
func (s *snapWriter) align() {
	var zero [8]byte
	s.bytes(zero[:(8-s.n%8)%8])
}

func (s *snapWriter) u32(v uint32) { s.bytes(binary.LittleEndian.AppendUint32(nil, v)) }
func (s *snapWriter) u64(v uint64) { s.bytes(binary.LittleEndian.AppendUint64(nil, v)) }
func (s *snapWriter) str(v string) {
	s.u32(uint32(len(v)))
	s.bytes([]byte(v))
}

// nativeLittleEndian says the columns' memory is already the file's
// layout, so they are written and read as they are, without converting
// each value (a third of a warm CLI run at 10,000,000 interactions). A
// variable so that tests can try the portable path.
var nativeLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// columnBytes is the memory of xs, whose elements are width bytes of
// fixed-size integers without padding (int64, int32, uint32, float32, Combo).
func columnBytes[T any](xs []T, width int) []byte {
	if len(xs) == 0 {
		return nil
	}
	if int(unsafe.Sizeof(xs[0])) != width {
		panic("analytics snapshot: column width")
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&xs[0])), len(xs)*width)
}

// writeColumn writes xs, width bytes each: at once on a little-endian
// machine, through the writer's buffer otherwise.
func writeColumn[T any](s *snapWriter, xs []T, width int, put func([]byte, T)) {
	s.align()
	if nativeLittleEndian {
		s.bytes(columnBytes(xs, width))
		return
	}
	per := len(s.buf) / width
	for len(xs) > 0 && s.err == nil {
		k := min(per, len(xs))
		for i, x := range xs[:k] {
			put(s.buf[i*width:], x)
		}
		s.bytes(s.buf[:k*width])
		xs = xs[k:]
	}
}

// DecodeSnapshot reads a snapshot written by EncodeSnapshot from r, which
// holds size bytes (the file's size: counts claiming more are rejected
// before anything is allocated). It returns ErrSnapshotStale when the
// snapshot's tag is not version, an error wrapping ErrSnapshotCorrupt when
// it is damaged in any way, and otherwise Events equal to those written.
func DecodeSnapshot(r io.Reader, size int64, version string) (*Events, error) {
	crc := crc32.New(castagnoli)
	sr := &snapReader{r: io.TeeReader(bufio.NewReaderSize(r, 1<<16), crc), crc: crc, size: size, left: size}
	return sr.decodeSnapshot(version)
}

// DecodeSnapshotBytes is DecodeSnapshot over the whole file in data (a
// read-only memory map of it, typically), with the same checks. On a
// little-endian machine the columns of the Events it returns are data
// itself, not copies, wherever data is aligned for them (it is when data
// starts at a page, as a mapping does); elsewhere they are decoded into
// fresh memory. So data must neither change nor be unmapped while the
// Events is reachable, and the Events must only be read: nothing in this
// package writes to the columns of built Events (custom properties, loaded
// later, are columns of their own). The dictionaries' strings are copies.
func DecodeSnapshotBytes(data []byte, version string) (*Events, error) {
	size := int64(len(data))
	sr := &snapReader{data: data, crc: crc32.New(castagnoli), size: size, left: size}
	return sr.decodeSnapshot(version)
}

// decodeSnapshot decodes and sorts the errors as DecodeSnapshot documents.
func (s *snapReader) decodeSnapshot(version string) (*Events, error) {
	ev, err := s.decode(version)
	if err != nil {
		if errors.Is(err, ErrSnapshotStale) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrSnapshotCorrupt, err)
	}
	return ev, nil
}

// snapReader reads a snapshot from r (which also feeds crc), or, when r is
// nil, from data, the whole file, handing out parts of it without copying.
type snapReader struct {
	r    io.Reader
	data []byte
	crc  hash.Hash32
	size int64 // bytes in the file
	left int64 // bytes of the file not read yet
	buf  [1 << 16]byte
}

// align skips the zero padding before a column.
func (s *snapReader) align() error {
	b, err := s.read(int((8 - (s.size-s.left)%8) % 8))
	if err != nil {
		return err
	}
	for _, c := range b {
		if c != 0 {
			return errors.New("padding is not zero")
		}
	}
	return nil
}

var errTruncated = errors.New("truncated")

func (s *snapReader) read(n int) ([]byte, error) {
	if int64(n) > s.left {
		return nil, errTruncated
	}
	if s.r == nil {
		off := s.size - s.left
		b := s.data[off : off+int64(n) : off+int64(n)]
		s.crc.Write(b)
		s.left -= int64(n)
		return b, nil
	}
	b := s.buf[:0]
	if n > len(s.buf) {
		b = make([]byte, 0, n)
	}
	if _, err := io.ReadFull(s.r, b[:n]); err != nil {
		return nil, errTruncated
	}
	s.left -= int64(n)
	return b[:n], nil
}

func (s *snapReader) u32() (uint32, error) {
	b, err := s.read(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (s *snapReader) u64() (uint64, error) {
	b, err := s.read(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

func (s *snapReader) str(limit int) (string, error) {
	n, err := s.u32()
	if err != nil {
		return "", err
	}
	if int64(n) > int64(limit) {
		return "", fmt.Errorf("string of %d bytes", n)
	}
	b, err := s.read(int(n))
	return string(b), err
}

// readColumn reads n values of width bytes, checking first that the file
// still holds them.
func readColumn[T any](s *snapReader, n uint64, width int, get func([]byte) T) ([]T, error) {
	if err := s.align(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	if n > uint64(s.left)/uint64(width) {
		return nil, errTruncated
	}
	if s.r == nil {
		b, err := s.read(int(n) * width)
		if err != nil {
			return nil, err
		}
		if xs := aliasColumn[T](b, int(n), width); xs != nil {
			return xs, nil
		}
		xs := make([]T, n)
		for i := range xs {
			xs[i] = get(b[i*width:])
		}
		return xs, nil
	}
	xs := make([]T, n)
	if nativeLittleEndian {
		b := columnBytes(xs, width)
		if _, err := io.ReadFull(s.r, b); err != nil {
			return nil, errTruncated
		}
		s.left -= int64(len(b))
		return xs, nil
	}
	per := len(s.buf) / width
	for i := 0; i < len(xs); {
		k := min(per, len(xs)-i)
		b, err := s.read(k * width)
		if err != nil {
			return nil, err
		}
		for j := range k {
			xs[i+j] = get(b[j*width:])
		}
		i += k
	}
	return xs, nil
}

// aliasColumn returns b as n values of width bytes in place when that is
// their memory layout (little-endian machine, b aligned for T), and nil
// otherwise. The slice's capacity is n, so appending to it copies.
func aliasColumn[T any](b []byte, n, width int) []T {
	var zero T
	if !nativeLittleEndian || n == 0 || int(unsafe.Sizeof(zero)) != width || len(b) != n*width ||
		uintptr(unsafe.Pointer(&b[0]))%unsafe.Alignof(zero) != 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}

func (s *snapReader) decode(version string) (*Events, error) {
	magic, err := s.read(len(snapshotMagic))
	if err != nil || string(magic) != snapshotMagic {
		return nil, errors.New("not a snapshot (magic)")
	}
	format, err := s.u32()
	if err != nil {
		return nil, err
	}
	if format != snapshotFormat {
		return nil, fmt.Errorf("format %d, want %d", format, snapshotFormat)
	}
	tag, err := s.str(maxTagBytes)
	if err != nil {
		return nil, err
	}
	if tag != version {
		return nil, ErrSnapshotStale
	}
	nAcct, err := s.u64()
	if err != nil {
		return nil, err
	}
	nEv, err := s.u64()
	if err != nil {
		return nil, err
	}
	nCombos, err := s.u64()
	if err != nil {
		return nil, err
	}
	hasOrder, err := s.read(1)
	if err != nil {
		return nil, err
	}
	ordered := hasOrder[0] == 1
	if hasOrder[0] > 1 || nEv > math.MaxInt32 || nAcct > nEv || nCombos > nEv {
		return nil, fmt.Errorf("counts: %d accounts, %d events, %d combos", nAcct, nEv, nCombos)
	}
	ev := &Events{Props: map[string]*PropColumn{}}
	for f := range ev.Dicts {
		n, err := s.u32()
		if err != nil {
			return nil, err
		}
		if n == 0 || int64(n) > s.left/4 {
			return nil, fmt.Errorf("dictionary %s: %d values", FieldNames[f], n)
		}
		d := &Dict{Values: make([]string, n), index: make(map[string]uint32, n)}
		for i := range d.Values {
			v, err := s.str(maxValueBytes)
			if err != nil {
				return nil, err
			}
			if _, dup := d.index[v]; dup || (i == 0) != (v == "") {
				return nil, fmt.Errorf("dictionary %s: value %d %q misplaced", FieldNames[f], i, v)
			}
			d.Values[i], d.index[v] = v, uint32(i)
		}
		ev.Dicts[f] = d
	}
	le := binary.LittleEndian
	if ev.Accounts, err = readColumn(s, nAcct, 8, func(b []byte) int64 { return int64(le.Uint64(b)) }); err != nil {
		return nil, err
	}
	if ev.Start, err = readColumn(s, nAcct+1, 4, func(b []byte) int32 { return int32(le.Uint32(b)) }); err != nil {
		return nil, err
	}
	if ev.At, err = readColumn(s, nEv, 8, func(b []byte) int64 { return int64(le.Uint64(b)) }); err != nil {
		return nil, err
	}
	if ev.Combo, err = readColumn(s, nEv, 4, le.Uint32); err != nil {
		return nil, err
	}
	if ev.Value, err = readColumn(s, nEv, 4, func(b []byte) float32 { return math.Float32frombits(le.Uint32(b)) }); err != nil {
		return nil, err
	}
	if ev.Combos, err = readColumn(s, nCombos, 4*numFields, func(b []byte) (c Combo) {
		for f := range c {
			c[f] = le.Uint32(b[4*f:])
		}
		return c
	}); err != nil {
		return nil, err
	}
	if ordered {
		if ev.Order, err = readColumn(s, nEv, 4, func(b []byte) int32 { return int32(le.Uint32(b)) }); err != nil {
			return nil, err
		}
	}
	want := s.crc.Sum32()
	got, err := s.u32()
	if err != nil {
		return nil, err
	}
	if got != want {
		return nil, fmt.Errorf("checksum %08x, want %08x", got, want)
	}
	if s.left != 0 {
		return nil, fmt.Errorf("%d bytes after the checksum", s.left)
	}
	if err := ev.check(); err != nil {
		return nil, err
	}
	return ev, nil
}

// check verifies what the analyses index by, so that a snapshot that
// passed its checksum but was written wrong cannot make them panic.
func (e *Events) check() error {
	n := int32(len(e.At))
	if e.Start[0] != 0 || e.Start[len(e.Start)-1] != n {
		return fmt.Errorf("runs cover %d..%d of %d events", e.Start[0], e.Start[len(e.Start)-1], n)
	}
	for r := 1; r < len(e.Start); r++ {
		if e.Start[r] <= e.Start[r-1] {
			return fmt.Errorf("run %d is empty or out of order", r-1)
		}
		if r >= 2 && e.Accounts[r-1] <= e.Accounts[r-2] {
			return fmt.Errorf("account runs out of order at %d", r-1)
		}
	}
	nc := uint32(len(e.Combos))
	for i, c := range e.Combo {
		if c >= nc {
			return fmt.Errorf("event %d: combo %d of %d", i, c, nc)
		}
	}
	for ci, c := range e.Combos {
		for f, v := range c {
			if int(v) >= len(e.Dicts[f].Values) {
				return fmt.Errorf("combo %d: %s code %d of %d", ci, FieldNames[f], v, len(e.Dicts[f].Values))
			}
		}
	}
	for i, o := range e.Order {
		if o < 0 || o >= n {
			return fmt.Errorf("event %d: order %d of %d", i, o, n)
		}
	}
	return nil
}
