package message

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// rtfPrebuf is the initial dictionary of the RTF compression algorithm ([MS-OXRTFCP] 2.1.2.1).
const rtfPrebuf = `{\rtf1\ansi\mac\deff0\deftab720{\fonttbl;}{\f0\fnil \froman \fswiss \fmodern \fscript \fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\colortbl\red0\green0\blue0` +
	"\r\n" + `\par \pard\plain\f0\fs20\b\i\u\tab\tx`

const (
	rtfCompressed   = 0x75465A4C // "LZFu"
	rtfUncompressed = 0x414C454D // "MELA"
)

// DecompressRTF decodes the value of PR_RTF_COMPRESSED ([MS-OXRTFCP]): "LZFu" compressed data
// (whose CRC must match) or "MELA" uncompressed data. The output is at most maxOut bytes
// (DefaultMaxBytes when maxOut <= 0); more fails with ErrTooLarge. Damaged input fails with
// ErrMalformed.
func DecompressRTF(b []byte, maxOut int) ([]byte, error) {
	if maxOut <= 0 {
		maxOut = DefaultMaxBytes
	}
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: compressed RTF shorter than its header", ErrMalformed)
	}
	le := binary.LittleEndian
	compSize, rawSize, typ, crc := le.Uint32(b), le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint32(b[12:])
	body := b[16:]
	if compSize < 12 || uint64(compSize)-12 > uint64(len(body)) {
		return nil, fmt.Errorf("%w: compressed RTF truncated", ErrMalformed)
	}
	body = body[:compSize-12]
	switch typ {
	case rtfUncompressed:
		if uint64(rawSize) < uint64(len(body)) {
			body = body[:rawSize]
		}
		if len(body) > maxOut {
			return nil, fmt.Errorf("%w: RTF body larger than %d bytes", ErrTooLarge, maxOut)
		}
		return append([]byte(nil), body...), nil
	case rtfCompressed:
	default:
		return nil, fmt.Errorf("%w: unknown RTF compression type", ErrMalformed)
	}
	// The CRC of [MS-OXRTFCP] 3.1.3.2 is CRC-32 without the initial and final inversion.
	if got := ^crc32.Update(0xFFFFFFFF, crc32.IEEETable, body); got != crc {
		return nil, fmt.Errorf("%w: compressed RTF checksum mismatch", ErrMalformed)
	}
	var dict [4096]byte
	copy(dict[:], rtfPrebuf)
	wp := len(rtfPrebuf)
	out := make([]byte, 0, min(int64(rawSize), int64(maxOut), int64(len(body))*9+16))
	put := func(c byte) {
		out = append(out, c)
		dict[wp] = c
		wp = (wp + 1) & 4095
	}
	for i := 0; i < len(body); {
		ctrl := body[i]
		i++
		for bit := 0; bit < 8; bit++ {
			if ctrl&(1<<bit) == 0 {
				if i >= len(body) {
					return finishRTF(out, rawSize), nil
				}
				put(body[i])
				i++
			} else {
				if i+1 >= len(body) {
					return finishRTF(out, rawSize), nil
				}
				ref := int(body[i])<<8 | int(body[i+1])
				i += 2
				off, n := ref>>4, ref&15+2
				if off == wp {
					return finishRTF(out, rawSize), nil
				}
				for k := 0; k < n; k++ {
					put(dict[(off+k)&4095])
				}
			}
			if len(out) > maxOut {
				return nil, fmt.Errorf("%w: RTF body larger than %d bytes", ErrTooLarge, maxOut)
			}
		}
	}
	return finishRTF(out, rawSize), nil
}

func finishRTF(out []byte, rawSize uint32) []byte {
	if uint64(len(out)) > uint64(rawSize) {
		out = out[:rawSize]
	}
	return out
}
