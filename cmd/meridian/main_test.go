package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/sqlite"
)

// cli runs the program in-process with a clean environment.
func cli(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(string) string { return "" }
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const hubspotCSV = "Record ID,Company name,Street Address,City,State/Region,Postal Code,Country/Region,Lifecycle Stage,Company owner,Annual Revenue,Employees\r\n" +
	"101,Acme Corp,1 Main St,Denver,CO,80202,United States,customer,Rep One,\"1,200,000\",40\r\n" +
	"102,\"Beta, Inc.\",2 Main St,Boulder,CO,80302,United States,lead,rep@example.com,,3\r\n" +
	"103,,3 Main St,Denver,CO,80202,United States,lead,,,1\r\n"

func TestCLIEndToEnd(t *testing.T) {
	data := t.TempDir()
	work := t.TempDir()
	out, _, err := cli(t, "", "user", "add", "--email", "admin@example.com", "--name", "Ann Admin", "--role", "admin", "--data", data)
	if err != nil || !strings.Contains(out, "password: ") {
		t.Fatalf("user add = %q, %v", out, err)
	}
	// Flags after the positional arguments, password from stdin.
	if _, _, err := cli(t, "a rep password\n", "user", "add", "--data", data, "--email", "rep@example.com", "--name", "Rep One", "--role", "rep", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	_, _, err = cli(t, "", "user", "add", "--data", data, "--email", "rep@example.com", "--name", "Again", "--role", "rep")
	if code := exitCode(err, io.Discard); code != 4 {
		t.Errorf("duplicate user exit code = %d (%v), want 4", code, err)
	}
	tok, _, err := cli(t, "", "token", "create", "--email", "admin@example.com", "--data", data)
	if err != nil || !regexp.MustCompile(`^mrd_[A-Za-z0-9_-]{43}\n$`).MatchString(tok) {
		t.Fatalf("token create printed %q, %v; want only the token", tok, err)
	}
	terr := writeFile(t, work, "t.geojson", `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"Colorado","reps":["rep@example.com"],"color":"#123456"},
		 "geometry":{"type":"Polygon","coordinates":[[[-109,37],[-102,37],[-102,41],[-109,41],[-109,37]]]}}]}`)
	out, _, err = cli(t, "", "import", "territories", terr, "--json", "--data", data)
	if err != nil || !strings.Contains(out, `"imported":1`) {
		t.Fatalf("import territories = %q, %v", out, err)
	}
	bad := writeFile(t, work, "bad.geojson", `{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"Open"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}`)
	_, _, err = cli(t, "", "import", "territories", bad, "--data", data)
	if err == nil || !strings.Contains(err.Error(), `feature 1 ("Open")`) {
		t.Errorf("unclosed territory error = %v, want it to name feature 1 (\"Open\")", err)
	}

	accounts := writeFile(t, work, "hubspot.csv", hubspotCSV)
	out, _, err = cli(t, "", "import", "accounts", accounts, "--json", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var sum map[string]any
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("--json output %q: %v", out, err)
	}
	if sum["imported"] != 2.0 || sum["updated"] != 0.0 || sum["rejected"] != 1.0 || sum["rejects_file"] != filepath.Join(work, "hubspot.rejects.csv") {
		t.Errorf("import summary = %v", sum)
	}
	out, _, _ = cli(t, "", "import", "accounts", "--data", data, accounts, "--json")
	json.Unmarshal([]byte(out), &sum)
	if sum["imported"] != 0.0 || sum["updated"] != 2.0 {
		t.Errorf("second import summary = %v, want 0 imported, 2 updated", sum)
	}

	// Interactions reference accounts by their external id.
	inter := writeFile(t, work, "i.csv", "account_id,at,channel,type,outcome,user\n101,2026-01-02T10:00:00Z,visit,demo,appointment,rep@example.com\n101,1767348000,email,newsletter,,\n999,2026-01-02T10:00:00Z,visit,demo,,\n")
	out, _, err = cli(t, "", "import", "interactions", inter, "--json", "--data", data)
	if err != nil || !strings.Contains(out, `"imported":2`) || !strings.Contains(out, `"rejected":1`) {
		t.Errorf("import interactions = %q, %v", out, err)
	}

	// Export, then import the export into a fresh database: the same accounts.
	exp, _, err := cli(t, "", "export", "accounts", "--format", "csv", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	data2 := t.TempDir()
	cli(t, "", "user", "add", "--email", "rep@example.com", "--name", "Rep One", "--role", "rep", "--data", data2)
	cli(t, "", "import", "territories", terr, "--data", data2)
	expPath := writeFile(t, work, "export.csv", exp)
	out, _, err = cli(t, "", "import", "accounts", expPath, "--json", "--data", data2)
	if err != nil || !strings.Contains(out, `"imported":2`) || !strings.Contains(out, `"rejected":0`) {
		t.Fatalf("re-import of the export = %q, %v", out, err)
	}
	exp2, _, _ := cli(t, "", "export", "accounts", "--format", "csv", "--data", data2)
	if exp != exp2 {
		t.Errorf("export → import → export changed the file:\n%s\nvs\n%s", exp, exp2)
	}
	gj, _, err := cli(t, "", "export", "accounts", "--format", "geojson", "--data", data)
	var fc struct {
		Type     string `json:"type"`
		Features []any  `json:"features"`
	}
	if err != nil || json.Unmarshal([]byte(gj), &fc) != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 2 {
		t.Errorf("geojson export = %.200q, %v", gj, err)
	}

	// Backup while the database is open elsewhere.
	bk := filepath.Join(work, "backup.db")
	if _, _, err := cli(t, "", "backup", bk, "--data", data); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.OpenFile(context.Background(), bk)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := db.ListAccounts(context.Background(), account.Filter{}, account.Page{})
	db.Close()
	if list.Total != 2 {
		t.Errorf("backup holds %d accounts, want 2", list.Total)
	}

	// Serve on a free port and use the token.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", data}, func(string) string { return "" }, nil, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var url string
	for sc.Scan() {
		if m := regexp.MustCompile(`running at (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if url == "" {
		t.Fatal("serve never printed its URL")
	}
	req, _ := http.NewRequest("GET", url+"/api/v1/accounts?q=acme", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(tok))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if body.Total != 1 || body.Items[0]["name"] != "Acme Corp" || body.Items[0]["territory"] != "Colorado" || body.Items[0]["owner"] != "rep@example.com" {
		t.Errorf("GET accounts?q=acme = %+v", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v after shutdown", err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"import"}, {"import", "widgets", "x"}, {"import", "accounts"}, {"user", "add", "--bogus"}} {
		_, _, err := cli(t, "", args...)
		if code := exitCode(err, io.Discard); code != 2 {
			t.Errorf("meridian %v exit code = %d, want 2", args, code)
		}
	}
	out, _, err := cli(t, "", "help")
	if err != nil || !strings.Contains(out, "meridian serve") {
		t.Errorf("help = %q, %v", out, err)
	}
	_, stderr, err := cli(t, "", "import", "accounts", "--help")
	if exitCode(err, io.Discard) != 0 || !strings.Contains(stderr, "--map") {
		t.Errorf("import accounts --help = %q, %v", stderr, err)
	}
}

// TestKilledImport kills an import process with SIGKILL part-way and checks
// that the database holds either none or all of the import, never part of
// it, and that running the import again leaves exactly the file's accounts.
func TestKilledImport(t *testing.T) {
	if os.Getenv("MERIDIAN_KILL_CHILD") != "" {
		// The child: run the import, to be killed by the parent.
		err := run(context.Background(), strings.Split(os.Getenv("MERIDIAN_KILL_CHILD"), "\x1f"), os.Getenv, os.Stdin, io.Discard, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("slow: kills an import process")
	}
	data, work := t.TempDir(), t.TempDir()
	const rows = 40000
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"external_id", "name", "lat", "lon", "stage"})
	for i := 0; i < rows; i++ {
		w.Write([]string{fmt.Sprintf("K%07d", i), fmt.Sprintf("Killed %d", i), fmt.Sprintf("%.5f", 39+float64(i%1000)/1000), fmt.Sprintf("%.5f", -105+float64(i%977)/1000), "lead"})
	}
	w.Flush()
	file := writeFile(t, work, "big.csv", buf.String())
	// Kill it half-way through: time the same import in this process first,
	// then kill the child once its database exists and half that time has
	// passed.
	ref := t.TempDir()
	start := time.Now()
	if _, _, err := cli(t, "", "import", "accounts", file, "--data", ref, "--rejects", filepath.Join(ref, "r.csv")); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	args := []string{"import", "accounts", file, "--data", data}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledImport$")
	defer func() {
		if cmd.Process != nil {
			_ = cmd.Process.Kill()
		}
	}()
	cmd.Env = append(os.Environ(), "MERIDIAN_KILL_CHILD="+strings.Join(args, "\x1f"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(data, sqlite.FileName)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(db); err == nil {
			break
		}
	}
	time.Sleep(took / 2)
	cmd.Process.Signal(syscall.SIGKILL)
	err := cmd.Wait()
	t.Logf("child ended with %v; stderr: %s", err, stderr.String())

	count := func() int {
		db, err := sqlite.Open(context.Background(), data)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var ok string
		if err := db.Reader().QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
			t.Errorf("integrity_check = %q, %v", ok, err)
		}
		list, err := db.ListAccounts(context.Background(), account.Filter{}, account.Page{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return list.Total
	}
	n := count()
	if n != 0 && n != rows {
		t.Fatalf("after the kill the database holds %d accounts: part of the import survived", n)
	}
	t.Logf("after the kill: %d accounts (0 means it died mid-import, as intended)", n)
	if _, _, err := cli(t, "", args...); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != rows {
		t.Errorf("after re-running the import: %d accounts, want %d", n, rows)
	}
}
