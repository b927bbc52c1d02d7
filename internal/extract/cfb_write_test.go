package extract

import "github.com/sendevagt/sendevagt/internal/testgen"

// Compound files for tests are written by testgen.CompoundFile; these name its entries.

func cfbStream(name string, data []byte) *testgen.CFBEntry {
	return &testgen.CFBEntry{Name: name, Data: data}
}

// cfbStorage is a storage (a non-nil Children, even when empty).
func cfbStorage(name string, kids ...*testgen.CFBEntry) *testgen.CFBEntry {
	return &testgen.CFBEntry{Name: name, Children: append([]*testgen.CFBEntry{}, kids...)}
}

func writeCFB(kids []*testgen.CFBEntry) []byte {
	return testgen.CompoundFile(&testgen.CFBEntry{Children: kids})
}
