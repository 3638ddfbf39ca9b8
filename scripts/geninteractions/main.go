// Command geninteractions writes a CSV of accounts and a CSV of
// interactions for measuring `meridian import interactions` and
// `meridian analyze funnel` at scale:
//
//	go run ./scripts/geninteractions -accounts 1000000 -interactions 10000000 -out /tmp/big
//	meridian import accounts /tmp/big/accounts.csv --data /tmp/bigdata
//	meridian import interactions /tmp/big/interactions.csv --data /tmp/bigdata
//	time meridian analyze funnel --data /tmp/bigdata --window 90d \
//	  --step stage=first_contact --step stage=research --step stage=demo --step stage=quote --step stage=sale
//
// Each account's interactions follow a journey (first_contact, research,
// demo, quote, sale, each reached by about three in four of the previous)
// with newsletters and calls in between, written in account order.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func main() {
	accounts := flag.Int("accounts", 100_000, "accounts")
	interactions := flag.Int("interactions", 1_000_000, "interactions")
	out := flag.String("out", ".", "directory for accounts.csv and interactions.csv")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	r := rand.New(rand.NewPCG(*seed, 99))
	af, err := os.Create(filepath.Join(*out, "accounts.csv"))
	if err != nil {
		log.Fatal(err)
	}
	aw := csv.NewWriter(bufio.NewWriterSize(af, 1<<20))
	aw.Write([]string{"external_id", "name", "city", "lat", "lon", "stage"})
	for a := 0; a < *accounts; a++ {
		aw.Write([]string{fmt.Sprintf("A%08d", a), fmt.Sprintf("Company %d", a), "Denver",
			strconv.FormatFloat(39.4+r.Float64()*0.8, 'f', 5, 64), strconv.FormatFloat(-105.3+r.Float64()*0.9, 'f', 5, 64), "lead"})
	}
	aw.Flush()
	if err := aw.Error(); err != nil {
		log.Fatal(err)
	}
	af.Close()

	f, err := os.Create(filepath.Join(*out, "interactions.csv"))
	if err != nil {
		log.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write([]string{"account_id", "at", "channel", "type", "outcome", "variant", "stage", "value"})
	stages := []struct{ channel, typ, stage string }{
		{"ad", "ad_click", "first_contact"}, {"web", "web_visit", "research"}, {"video", "demo", "demo"}, {"email", "quote", "quote"}, {"visit", "sale", "sale"},
	}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	per := *interactions / max(*accounts, 1)
	made := 0
	for a := 0; a < *accounts && made < *interactions; a++ {
		k := per
		if a == *accounts-1 {
			k = *interactions - made
		}
		at := start + r.Int64N(300*86400)
		level := 0
		variant := []string{"A", "B"}[r.IntN(2)]
		for i := 0; i < k; i++ {
			row := []string{fmt.Sprintf("A%08d", a), strconv.FormatInt(at, 10), "email", "newsletter", "", "", "", ""}
			if level < len(stages) && (i == 0 || r.IntN(3) > 0) {
				st := stages[level]
				row[2], row[3], row[6] = st.channel, st.typ, st.stage
				if level == 0 {
					row[5] = variant
				}
				if st.stage == "sale" {
					row[4], row[7] = "sale", strconv.Itoa(1000+r.IntN(9000))
				}
				if r.IntN(4) == 0 {
					level = len(stages) // drops out
				} else {
					level++
				}
			} else if r.IntN(2) == 0 {
				row[2], row[3], row[4] = "phone", "check_in", "follow_up"
			}
			w.Write(row)
			at += r.Int64N(5 * 86400)
			made++
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		log.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		log.Fatal(err)
	}
	f.Close()
	fmt.Fprintf(os.Stderr, "%d accounts, %d interactions in %s\n", *accounts, made, *out)
}
