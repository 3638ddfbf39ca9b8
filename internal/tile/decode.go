package tile

import (
	"encoding/binary"
	"errors"
	"math"
)

// Decoded is a point feature read back from a tile.
type Decoded struct {
	ID    uint64
	X, Y  int64
	Props map[string]any // string, float64, int64 or bool
}

var errMVT = errors.New("malformed vector tile")

// field reads one protobuf field.
func field(b []byte) (num, wire int, val uint64, data, rest []byte, err error) {
	k, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, 0, 0, nil, nil, errMVT
	}
	b = b[n:]
	num, wire = int(k>>3), int(k&7)
	switch wire {
	case 0:
		val, n = binary.Uvarint(b)
		if n <= 0 {
			return 0, 0, 0, nil, nil, errMVT
		}
		return num, wire, val, nil, b[n:], nil
	case 1:
		if len(b) < 8 {
			return 0, 0, 0, nil, nil, errMVT
		}
		return num, wire, binary.LittleEndian.Uint64(b), nil, b[8:], nil
	case 2:
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return 0, 0, 0, nil, nil, errMVT
		}
		return num, wire, 0, b[n : n+int(l)], b[n+int(l):], nil
	case 5:
		if len(b) < 4 {
			return 0, 0, 0, nil, nil, errMVT
		}
		return num, wire, uint64(binary.LittleEndian.Uint32(b)), nil, b[4:], nil
	}
	return 0, 0, 0, nil, nil, errMVT
}

func unzig(v uint64) int64 { return int64(v>>1) ^ -int64(v&1) }

// DecodeMVT reads the point features of the named layer of a tile: enough
// of the format to check what EncodeMVT writes, in tests and tools.
func DecodeMVT(b []byte, layer string) ([]Decoded, error) {
	var out []Decoded
	for len(b) > 0 {
		num, _, _, lb, rest, err := field(b)
		if err != nil {
			return nil, err
		}
		b = rest
		if num != 3 {
			continue
		}
		var name string
		var keys []string
		var values []any
		var feats [][]byte
		for len(lb) > 0 {
			num, _, _, d, rest, err := field(lb)
			if err != nil {
				return nil, err
			}
			lb = rest
			switch num {
			case 1:
				name = string(d)
			case 2:
				feats = append(feats, d)
			case 3:
				keys = append(keys, string(d))
			case 4:
				n, _, v, dd, _, err := field(d)
				if err != nil {
					return nil, err
				}
				switch n {
				case 1:
					values = append(values, string(dd))
				case 2:
					values = append(values, float64(math.Float32frombits(uint32(v))))
				case 3:
					values = append(values, math.Float64frombits(v))
				case 4, 5:
					values = append(values, int64(v))
				case 6:
					values = append(values, unzig(v))
				case 7:
					values = append(values, v == 1)
				default:
					values = append(values, nil)
				}
			}
		}
		if name != layer {
			continue
		}
		for _, fb := range feats {
			f := Decoded{Props: map[string]any{}}
			for len(fb) > 0 {
				num, _, v, d, rest, err := field(fb)
				if err != nil {
					return nil, err
				}
				fb = rest
				switch num {
				case 1:
					f.ID = v
				case 2:
					var tags []uint64
					for len(d) > 0 {
						t, n := binary.Uvarint(d)
						if n <= 0 {
							return nil, errMVT
						}
						tags = append(tags, t)
						d = d[n:]
					}
					for i := 0; i+1 < len(tags); i += 2 {
						if int(tags[i]) >= len(keys) || int(tags[i+1]) >= len(values) {
							return nil, errMVT
						}
						f.Props[keys[tags[i]]] = values[tags[i+1]]
					}
				case 4:
					_, n := binary.Uvarint(d)
					if n <= 0 {
						return nil, errMVT
					}
					x, n2 := binary.Uvarint(d[n:])
					y, n3 := binary.Uvarint(d[n+n2:])
					if n2 <= 0 || n3 <= 0 {
						return nil, errMVT
					}
					f.X, f.Y = unzig(x), unzig(y)
				}
			}
			out = append(out, f)
		}
	}
	return out, nil
}
