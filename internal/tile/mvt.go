package tile

import (
	"encoding/binary"
	"math"
)

// Value is a feature property value: string, float64, int64 or bool.
type Value any

// Prop is one property of an MVT feature.
type Prop struct {
	Key   string
	Value Value
}

// MVTFeature is a point feature to encode.
type MVTFeature struct {
	ID    uint64
	X, Y  int
	Props []Prop
}

// EncodeMVT writes one layer of point features as a Mapbox Vector Tile
// (version 2.1, extent 4096): the protobuf message written by hand, since a
// tile of points needs a few dozen lines, not a protobuf library.
func EncodeMVT(layer string, features []MVTFeature) []byte {
	keys := map[string]uint32{}
	var keyList []string
	type vkey struct {
		kind byte
		s    string
		n    uint64
	}
	values := map[vkey]uint32{}
	var valueMsgs [][]byte
	var feats []byte
	for _, f := range features {
		var tags []uint32
		for _, p := range f.Props {
			ki, ok := keys[p.Key]
			if !ok {
				ki = uint32(len(keyList))
				keys[p.Key] = ki
				keyList = append(keyList, p.Key)
			}
			var k vkey
			var msg []byte
			switch v := p.Value.(type) {
			case string:
				k = vkey{kind: 's', s: v}
				msg = appendBytesField(nil, 1, []byte(v))
			case float64:
				k = vkey{kind: 'd', n: math.Float64bits(v)}
				msg = appendTag(nil, 3, 1)
				msg = binary.LittleEndian.AppendUint64(msg, math.Float64bits(v))
			case int64:
				k = vkey{kind: 'i', n: uint64(v)}
				msg = appendTag(nil, 6, 0)
				msg = binary.AppendUvarint(msg, zigzag64(v))
			case int:
				k = vkey{kind: 'i', n: uint64(v)}
				msg = appendTag(nil, 6, 0)
				msg = binary.AppendUvarint(msg, zigzag64(int64(v)))
			case bool:
				b := uint64(0)
				if v {
					b = 1
				}
				k = vkey{kind: 'b', n: b}
				msg = appendTag(nil, 7, 0)
				msg = binary.AppendUvarint(msg, b)
			default:
				continue
			}
			vi, ok := values[k]
			if !ok {
				vi = uint32(len(valueMsgs))
				values[k] = vi
				valueMsgs = append(valueMsgs, msg)
			}
			tags = append(tags, ki, vi)
		}
		var fm []byte
		fm = appendTag(fm, 1, 0)
		fm = binary.AppendUvarint(fm, f.ID)
		if len(tags) > 0 {
			var packed []byte
			for _, t := range tags {
				packed = binary.AppendUvarint(packed, uint64(t))
			}
			fm = appendBytesField(fm, 2, packed)
		}
		fm = appendTag(fm, 3, 0)
		fm = binary.AppendUvarint(fm, 1) // POINT
		var geom []byte
		geom = binary.AppendUvarint(geom, 1|1<<3) // MoveTo, one point
		geom = binary.AppendUvarint(geom, uint64(zigzag32(int32(f.X))))
		geom = binary.AppendUvarint(geom, uint64(zigzag32(int32(f.Y))))
		fm = appendBytesField(fm, 4, geom)
		feats = appendBytesField(feats, 2, fm)
	}
	var lm []byte
	lm = appendTag(lm, 15, 0)
	lm = binary.AppendUvarint(lm, 2)
	lm = appendBytesField(lm, 1, []byte(layer))
	lm = append(lm, feats...)
	for _, k := range keyList {
		lm = appendBytesField(lm, 3, []byte(k))
	}
	for _, v := range valueMsgs {
		lm = appendBytesField(lm, 4, v)
	}
	lm = appendTag(lm, 5, 0)
	lm = binary.AppendUvarint(lm, Extent)
	return appendBytesField(nil, 3, lm)
}

func appendTag(b []byte, field int, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field<<3|wire))
}

func appendBytesField(b []byte, field int, v []byte) []byte {
	b = appendTag(b, field, 2)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func zigzag32(v int32) uint32 { return uint32((v << 1) ^ (v >> 31)) }
func zigzag64(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }
