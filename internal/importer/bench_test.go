package importer

import (
	"bytes"
	"io"
	"sync"
	"testing"
)

const benchRows = 100_000

// benchCSV is a Salesforce-style export of benchRows rows with 15 columns.
var benchCSV = sync.OnceValue(func() []byte {
	b, err := io.ReadAll(&genCSV{n: benchRows})
	if err != nil {
		panic(err)
	}
	return b
})

// BenchmarkReadCSV reads a 15-column CSV to the end; rows/s is the figure
// to watch (the target is over 500k on one core).
func BenchmarkReadCSV(b *testing.B) {
	data := benchCSV()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		tab, err := OpenTable(bytes.NewReader(data), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := tab.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkParseAccounts reads and maps the same file, as an import does.
func BenchmarkParseAccounts(b *testing.B) {
	data := benchCSV()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		tab, err := OpenTable(bytes.NewReader(data), "bench.csv")
		if err != nil {
			b.Fatal(err)
		}
		m, err := NewAccountMapping(tab.Header(), nil)
		if err != nil {
			b.Fatal(err)
		}
		for {
			row, err := tab.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.Parse(row); err != nil {
				b.Fatal(err)
			}
			rows++
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
