package analytics

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
	"unsafe"
)

// unsorted makes events given out of account order, so that Events has an
// Order column, with a custom property loaded.
func unsorted(t *testing.T, n int) *Events {
	b := NewBuilder(0)
	for i := range n {
		b.Add(&Row{AccountID: int64(50 - i%50), AtMS: int64(1_700_000_000_000 - i*60_000),
			Fields: [numFields]string{"visit", []string{"demo", "quote", "sale"}[i%3], "", []string{"", "A", "B"}[i%3], "", "csv"}, Value: float64(i) / 4})
	}
	ev := b.Build()
	if ev.Order == nil {
		t.Fatal("expected an Order column")
	}
	return ev
}

func encode(t *testing.T, ev *Events, tag string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := EncodeSnapshot(&buf, tag, ev); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSnapshotRoundTrip(t *testing.T) {
	t.Run("native", testSnapshotRoundTrip)
	// The portable path, which big-endian machines take.
	defer func(v bool) { nativeLittleEndian = v }(nativeLittleEndian)
	nativeLittleEndian = false
	t.Run("portable", testSnapshotRoundTrip)
}

func testSnapshotRoundTrip(t *testing.T) {
	for name, ev := range map[string]*Events{"sorted": synthetic(20_000), "unsorted": unsorted(t, 500), "empty": NewBuilder(0).Build()} {
		t.Run(name, func(t *testing.T) {
			b := encode(t, ev, "42/7.1.9")
			got, err := DecodeSnapshot(bytes.NewReader(b), int64(len(b)), "42/7.1.9")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, ev) {
				t.Fatal("decoded events differ from those encoded")
			}
			// Over the bytes (a mapped file): equal too, the columns in
			// place on a little-endian machine.
			mapped := aligned(b)
			inPlace, err := DecodeSnapshotBytes(mapped, "42/7.1.9")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(inPlace, ev) {
				t.Fatal("events decoded from bytes differ from those encoded")
			}
			if ev.Len() > 0 {
				lo, hi := uintptr(unsafe.Pointer(&mapped[0])), uintptr(unsafe.Pointer(&mapped[len(mapped)-1]))
				at := uintptr(unsafe.Pointer(&inPlace.At[0]))
				if aliased := at >= lo && at <= hi; aliased != nativeLittleEndian {
					t.Fatalf("columns in place: %v, want %v", aliased, nativeLittleEndian)
				}
				if res, err := Funnel(inPlace, FunnelQuery{Steps: steps(t, "type=demo", "type=sale"), Window: 90 * 24 * time.Hour, PerAccount: true}); err != nil {
					t.Fatal(err)
				} else if want, _ := Funnel(ev, FunnelQuery{Steps: steps(t, "type=demo", "type=sale"), Window: 90 * 24 * time.Hour, PerAccount: true}); !reflect.DeepEqual(res, want) {
					t.Fatal("funnel over the events decoded from bytes differs")
				}
			}
			if ev.Len() == 0 {
				return
			}
			q := FunnelQuery{Steps: steps(t, "type=demo", "type=quote", "type=sale"), Window: 90 * 24 * time.Hour, PerAccount: true}
			want, err := Funnel(ev, q)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Funnel(got, q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res, want) {
				t.Fatalf("funnel over the decoded events:\n%+v\nwant\n%+v", res.Steps, want.Steps)
			}
			// Properties load into a decoded snapshot as into built events.
			vals := make([]string, ev.Len())
			for i := range vals {
				vals[i] = []string{"x", "y"}[i%2]
			}
			if err := ev.SetProperty("p", vals); err != nil {
				t.Fatal(err)
			}
			if err := got.SetProperty("p", vals); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Props, ev.Props) {
				t.Fatal("property placed differently in the decoded events")
			}
			delete(ev.Props, "p")
		})
	}
}

// aligned copies b to memory starting at 8 bytes, as a mapping starts at a
// page.
func aligned(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	words := make([]uint64, (len(b)+7)/8)
	return append(unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), len(words)*8)[:0], b...)
}

func TestSnapshotStale(t *testing.T) {
	b := encode(t, unsorted(t, 100), "1/a")
	if _, err := DecodeSnapshot(bytes.NewReader(b), int64(len(b)), "2/a"); !errors.Is(err, ErrSnapshotStale) {
		t.Fatalf("other version: %v, want ErrSnapshotStale", err)
	}
	if _, err := DecodeSnapshotBytes(aligned(b), "2/a"); !errors.Is(err, ErrSnapshotStale) {
		t.Fatalf("other version, from bytes: %v, want ErrSnapshotStale", err)
	}
}

// TestSnapshotCorrupt damages a snapshot every way a file can be damaged
// and expects an error every time: never a panic, never events.
func TestSnapshotCorrupt(t *testing.T) {
	const tag = "9/x"
	b := encode(t, unsorted(t, 100), tag)
	try := func(what string, data []byte, size int64) {
		t.Helper()
		ev, err := DecodeSnapshot(bytes.NewReader(data), size, tag)
		if err == nil || ev != nil || !errors.Is(err, ErrSnapshotCorrupt) {
			t.Fatalf("%s: got %v, %v; want ErrSnapshotCorrupt", what, ev != nil, err)
		}
		if int64(len(data)) != size {
			return // the bytes are the whole file
		}
		ev, err = DecodeSnapshotBytes(aligned(data), tag)
		if err == nil || ev != nil || !errors.Is(err, ErrSnapshotCorrupt) {
			t.Fatalf("%s, from bytes: got %v, %v; want ErrSnapshotCorrupt", what, ev != nil, err)
		}
	}
	for n := range len(b) {
		try("truncated", b[:n], int64(n))
	}
	try("size claims more than the data", b[:len(b)-10], int64(len(b)))
	try("trailing bytes", append(append([]byte{}, b...), 0), int64(len(b)+1))
	tagEnd := len(snapshotMagic) + 4 + 4 + len(tag)
	for i := range b {
		if i >= len(snapshotMagic)+4 && i < tagEnd {
			continue // a damaged tag reads as another version (tested below)
		}
		for _, bit := range []byte{0x01, 0x80} {
			c := append([]byte{}, b...)
			c[i] ^= bit
			try("bit flipped", c, int64(len(c)))
		}
	}
	for i := len(snapshotMagic) + 4; i < tagEnd; i++ {
		c := append([]byte{}, b...)
		c[i] ^= 0x01
		if ev, err := DecodeSnapshot(bytes.NewReader(c), int64(len(c)), tag); ev != nil || err == nil {
			t.Fatalf("damaged tag byte %d accepted", i)
		}
		if ev, err := DecodeSnapshotBytes(aligned(c), tag); ev != nil || err == nil {
			t.Fatalf("damaged tag byte %d accepted from bytes", i)
		}
	}
	old := append([]byte{}, b...)
	old[len(snapshotMagic)] = 0 // format 0
	try("old format", old, int64(len(old)))
	try("empty", nil, 0)
}
