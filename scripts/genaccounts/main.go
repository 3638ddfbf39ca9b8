// Command genaccounts writes a synthetic CRM export for import benchmarks:
// N accounts with coordinates around a US metro, in Salesforce's account
// export layout. Deterministic for a seed.
//
//	go run ./scripts/genaccounts -rows 1000000 > accounts-1m.csv
//	time go run ./cmd/meridian import accounts accounts-1m.csv --data /tmp/bench --json
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
)

func main() {
	rows := flag.Int("rows", 1_000_000, "number of accounts")
	seed := flag.Uint64("seed", 1, "random seed")
	noCoords := flag.Bool("zip-only", false, "leave coordinates out so rows are placed by ZIP code")
	flag.Parse()
	r := rand.New(rand.NewPCG(*seed, 7))
	bw := bufio.NewWriterSize(os.Stdout, 1<<20)
	w := csv.NewWriter(bw)
	w.Write([]string{"Account ID", "Account Name", "Billing Street", "Billing City", "Billing State/Province", "Billing Zip/Postal Code",
		"Billing Country", "Billing Latitude", "Billing Longitude", "Type", "Annual Revenue", "Account Source", "Industry", "Employees"})
	types := []string{"Prospect", "Customer - Direct", "Customer - Channel", "Other"}
	industries := []string{"Retail", "Healthcare", "Construction", "Hospitality", "Manufacturing", "Services"}
	zips := []string{"80202", "80203", "80204", "80205", "80206", "80207", "80209", "80210", "80211", "80212", "80218", "80219", "80220", "80222", "80223", "80224"}
	for i := 0; i < *rows; i++ {
		lat, lon := "", ""
		if !*noCoords {
			lat = strconv.FormatFloat(39.4+r.Float64()*0.8, 'f', 6, 64)
			lon = strconv.FormatFloat(-105.3+r.Float64()*0.9, 'f', 6, 64)
		}
		w.Write([]string{fmt.Sprintf("001B%09d", i), fmt.Sprintf("Company %d", i), fmt.Sprintf("%d Main St", 1+r.IntN(9999)),
			"Denver", "CO", zips[r.IntN(len(zips))], "US", lat, lon, types[r.IntN(len(types))],
			strconv.Itoa(r.IntN(5_000_000)), "Web", industries[r.IntN(len(industries))], strconv.Itoa(1 + r.IntN(500))})
	}
	w.Flush()
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
