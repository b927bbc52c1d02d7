package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The Aho-Corasick automaton of the sensitive terms, built at generate time and embedded as
// data/sensitive.ac: building it in New (trie, failure links, renumbering) cost most of the
// start-up once the word lists were generated. Loading it is one pass that expands the 16-bit
// state numbers into the premultiplied transition table.
//
// Layout (little endian):
//
//	"SVAC" | fingerprint uint64 (FNV-1a of the patterns, each followed by a 0 byte)
//	| nclass, nstates, firstOut, maxLen, nouts, npat uint32 | class [256]byte
//	| outStart [nstates-firstOut+1]uint32 | outs [nouts]uint32 | trans [nstates*nclass]uint16
//
// firstOut is the first state with an output (states are numbered so that those come last).

const acHeader = 4 + 8 + 6*4 + 256

// acFingerprint identifies a pattern list, so that a table is only used for the patterns it was
// built from.
func acFingerprint(pats []string) uint64 {
	h := uint64(14695981039346656037)
	for _, p := range pats {
		for i := 0; i < len(p); i++ {
			h ^= uint64(p[i])
			h *= 1099511628211
		}
		h *= 1099511628211 // the 0 byte after each pattern
	}
	return h
}

// marshalAC writes the automaton for the generator.
func (m *acMatcher) marshalAC(pats []string) ([]byte, error) {
	nclass := m.nclass
	nstates := uint32(0)
	for i := range m.trans {
		nstates = max(nstates, (m.trans[i]&acTransMask)/nclass+1)
	}
	firstOut := m.outFrom / nclass
	if nstates > 1<<16 {
		return nil, fmt.Errorf("detect: automaton of %d states does not fit 16-bit state numbers", nstates)
	}
	b := append([]byte(nil), "SVAC"...)
	b = binary.LittleEndian.AppendUint64(b, acFingerprint(pats))
	for _, v := range []uint32{nclass, nstates, firstOut, uint32(m.maxLen), uint32(len(m.outs)), uint32(len(pats))} {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	b = append(b, m.class[:]...)
	for _, v := range m.outStart {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	for _, v := range m.outs {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	for i := uint32(0); i < nstates*nclass; i++ {
		b = binary.LittleEndian.AppendUint16(b, uint16((m.trans[i]&acTransMask)/nclass))
	}
	return b, nil
}

// loadACTable reads a generated automaton for pats, checking every number it will index with, so
// that a damaged table is refused rather than trusted.
func loadACTable(data string, pats []string) (*acMatcher, error) {
	if len(data) < acHeader || data[:4] != "SVAC" {
		return nil, errors.New("detect: sensitive.ac: bad header")
	}
	b := []byte(data)
	if binary.LittleEndian.Uint64(b[4:]) != acFingerprint(pats) {
		return nil, errors.New("detect: sensitive.ac: built from other patterns")
	}
	var h [6]uint32
	for i := range h {
		h[i] = binary.LittleEndian.Uint32(b[12+4*i:])
	}
	nclass, nstates, firstOut, maxLen, nouts, npat := uint64(h[0]), uint64(h[1]), uint64(h[2]), h[3], uint64(h[4]), h[5]
	nOutStates := nstates - firstOut
	if nclass == 0 || nclass > 256 || nstates == 0 || nstates > 1<<16 || firstOut > nstates || int(npat) != len(pats) ||
		nstates*nclass > acMaxTrans || uint64(len(b)) != acHeader+4*(nOutStates+1)+4*nouts+2*nstates*nclass {
		return nil, errors.New("detect: sensitive.ac: bad sizes")
	}
	m := &acMatcher{nclass: uint32(nclass), outFrom: uint32(firstOut * nclass), maxLen: int32(maxLen)}
	copy(m.class[:], b[36:acHeader])
	for _, c := range m.class {
		if uint64(c) >= nclass {
			return nil, errors.New("detect: sensitive.ac: bad byte class")
		}
	}
	p := b[acHeader:]
	m.outStart = make([]uint32, nOutStates+1)
	for i := range m.outStart {
		m.outStart[i] = binary.LittleEndian.Uint32(p[4*i:])
		if uint64(m.outStart[i]) > nouts || (i > 0 && m.outStart[i] < m.outStart[i-1]) {
			return nil, errors.New("detect: sensitive.ac: bad output index")
		}
	}
	p = p[4*len(m.outStart):]
	m.outs = make([]int32, nouts)
	for i := range m.outs {
		v := binary.LittleEndian.Uint32(p[4*i:])
		if v >= npat {
			return nil, errors.New("detect: sensitive.ac: bad pattern id")
		}
		m.outs[i] = int32(v)
	}
	p = p[4*len(m.outs):]
	m.plen = make([]int32, len(pats))
	for i, pat := range pats {
		m.plen[i] = int32(len(pat))
		if int32(len(pat)) > m.maxLen {
			return nil, errors.New("detect: sensitive.ac: pattern longer than maxLen")
		}
	}
	m.trans = new([acMaxTrans]uint32)
	n := int(nstates * nclass)
	p = p[:2*n]
	for i := range n {
		st := uint32(p[2*i]) | uint32(p[2*i+1])<<8
		if uint64(st) >= nstates {
			return nil, errors.New("detect: sensitive.ac: bad state")
		}
		m.trans[i] = m.entry(st)
	}
	return m, nil
}
