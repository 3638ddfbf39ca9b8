package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/visit"
)

// interactionFieldCols are the columns migration 0003 added to interactions.
// They are kept apart from interactionCols, which bulk imports write: those
// leave them to their defaults.
const interactionFieldCols = `ended_at, duration_s, verified, distance_m, follow_up_at`

const interactionFullCols = interactionCols + `, ` + interactionFieldCols

func interactionFullArgs(in *visit.Interaction) []any {
	var verified, dist any
	if in.Verified != nil {
		verified = boolInt(*in.Verified)
	}
	if in.DistanceM != nil {
		dist = *in.DistanceM
	}
	return append(interactionArgs(in), nullMS(in.EndedAt), int64(in.Duration/time.Second), verified, dist, nullMS(in.FollowUpAt))
}

func scanInteractionFull(s scanner) (*visit.Interaction, error) {
	var in visit.Interaction
	var at, created, durS int64
	var user, ended, verified, follow sql.NullInt64
	var lon, lat, dist sql.NullFloat64
	var props string
	if err := s.Scan(&in.ID, &in.AccountID, &at, &in.Channel, &in.Type, &in.Outcome, &user, &in.Variant, &in.Stage,
		&in.Value, &lon, &lat, &in.Notes, &in.Source, &props, &created, &ended, &durS, &verified, &dist, &follow); err != nil {
		return nil, err
	}
	in.At, in.CreatedAt, in.UserID = fromMS(at), fromMS(created), user.Int64
	in.EndedAt, in.FollowUpAt, in.Duration = fromNullMS(ended), fromNullMS(follow), time.Duration(durS)*time.Second
	if lon.Valid && lat.Valid {
		in.Location = &geo.Point{Lon: lon.Float64, Lat: lat.Float64}
	}
	if verified.Valid {
		v := verified.Int64 != 0
		in.Verified = &v
	}
	if dist.Valid {
		d := dist.Float64
		in.DistanceM = &d
	}
	if err := json.Unmarshal([]byte(props), &in.Properties); err != nil {
		return nil, fmt.Errorf("interaction %d properties: %w", in.ID, err)
	}
	return &in, nil
}

// Group commit. SQLite has one writer, and a transaction per check-in
// spends most of its time beginning and committing. Concurrent
// CreateInteraction calls therefore queue up; one goroutine takes
// everything queued (up to maxCommitBatch), writes it in one transaction and
// answers each caller after the commit. A batch whose transaction fails is
// retried one interaction at a time, so one bad row fails only its caller.
//
// Every wait is bounded by the callers' contexts, as in the other store
// methods. A caller whose context ends while its check-in is still queued
// withdraws it and gets the context's error; once the committer has taken
// it, the caller waits for the answer, but the batch's transaction runs
// under a context that ends as soon as any of its callers' does, so a
// caller stuck behind the writer (another transaction holding it, even the
// caller's own: a check-in made inside an import's transaction) gets its
// error instead of waiting forever. Such a batch fails whole, writing
// nothing; the callers still waiting go back to the head of the queue to be
// written one at a time, each under its own context (and free to withdraw
// meanwhile), so they are written and the one that gave up is not. An
// answer is never given for a write whose fate is unknown: success means
// committed, an error means not written.

const maxCommitBatch = 256

type commitReq struct {
	ctx context.Context
	in  *visit.Interaction
	err error
	// taken is set (under committer.mu) when the committer removes the
	// request from the queue; until then the caller may withdraw it.
	taken bool
	// solo marks a request whose batch failed: it is written alone.
	solo bool
	done chan struct{}
}

type committer struct {
	mu      sync.Mutex
	queue   []*commitReq
	running bool
	// stmts are prepared once on the writer pool; a transaction on the
	// same connection reuses them (SQLite parsing a statement costs about
	// as much as running it). Only the draining goroutine touches them.
	stmts map[string]*sql.Stmt
}

// The statements of a check-in.
const (
	sqlAccountExists = `SELECT COUNT(*) FROM accounts WHERE id = ?`
	sqlInsertFull    = `INSERT INTO interactions (` + interactionFullCols + `) VALUES (` + interactionFullPlaceholders + `)`
	// The newest visit wins (ties: the later id, as refreshLastVisit).
	sqlLastVisit = `UPDATE accounts SET last_visit_at = ?, last_visit_result = ?, updated_at = ?
			WHERE id = ? AND (last_visit_at IS NULL OR last_visit_at <= ?)`
	sqlFollowUp = `UPDATE accounts SET next_follow_up_at = ?, updated_at = ? WHERE id = ?`
)

const interactionFullPlaceholders = `?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?`

// prepare prepares the check-in statements on the writer pool once. It runs
// outside any transaction: the writer pool has one connection, which a
// transaction holds.
func (c *committer) prepare(ctx context.Context, db *DB) error {
	if c.stmts != nil {
		return nil
	}
	m := map[string]*sql.Stmt{}
	for _, q := range []string{sqlAccountExists, sqlInsertFull, sqlLastVisit, sqlFollowUp} {
		st, err := db.w.PrepareContext(ctx, db.q(q))
		if err != nil {
			for _, st := range m {
				st.Close()
			}
			return err
		}
		m[q] = st
	}
	c.stmts = m
	return nil
}

// stmt returns a prepared check-in statement for tx. Only the draining
// goroutine calls it.
func (c *committer) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	return tx.StmtContext(ctx, c.stmts[query])
}

// committers holds each DB's queue (DB's fields belong to db.go).
var committers sync.Map // *DB → *committer

func (db *DB) committer() *committer {
	if c, ok := committers.Load(db); ok {
		return c.(*committer)
	}
	c, _ := committers.LoadOrStore(db, &committer{})
	return c.(*committer)
}

// forgetCommitter drops db's queue once db is closed. A committer still
// draining keeps its own reference and answers its callers with the
// closed pool's error.
func (db *DB) forgetCommitter() { committers.Delete(db) }

// CreateInteraction implements visit.Store. If ctx ends before the write
// begins it returns ctx's error and nothing is written; once the write has
// begun it waits for the commit (cut short when ctx ends, the transaction
// rolled back), so an answer is never given for a write whose fate is
// unknown.
func (db *DB) CreateInteraction(ctx context.Context, in *visit.Interaction) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	in.CreatedAt = db.Now()
	r := &commitReq{ctx: ctx, in: in, done: make(chan struct{})}
	c := db.committer()
	c.mu.Lock()
	c.queue = append(c.queue, r)
	if !c.running {
		c.running = true
		go db.drainCommits(c)
	}
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
	}
	c.mu.Lock()
	if !r.taken {
		for i, q := range c.queue {
			if q == r {
				c.queue = append(c.queue[:i:i], c.queue[i+1:]...)
				break
			}
		}
		c.mu.Unlock()
		in.ID = 0
		return ctx.Err()
	}
	c.mu.Unlock()
	// Taken: the batch's context ends with ours, so this is prompt.
	<-r.done
	return r.err
}

func (db *DB) drainCommits(c *committer) {
	for {
		c.mu.Lock()
		n := 0
		switch {
		case len(c.queue) == 0:
		case c.queue[0].solo:
			n = 1
		default:
			for n < len(c.queue) && n < maxCommitBatch && !c.queue[n].solo {
				n++
			}
		}
		if n == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		batch := c.queue[:n:n]
		c.queue = c.queue[n:]
		if len(c.queue) == 0 {
			c.queue = nil
		}
		for _, r := range batch {
			r.taken = true
		}
		c.mu.Unlock()
		// Callers that gave up meanwhile are answered at once, not after
		// the others' commit (which may wait long for the writer).
		var live, answered []*commitReq
		for _, r := range batch {
			if err := r.ctx.Err(); err != nil {
				r.err, r.in.ID = err, 0
				close(r.done)
				continue
			}
			live = append(live, r)
		}
		if len(live) > 0 {
			err := db.commitInteractions(c, live)
			switch {
			case err == nil || len(live) == 1:
				if err != nil {
					// Cut short by its caller: say so, rather than
					// how the cut surfaced.
					if cerr := live[0].ctx.Err(); cerr != nil {
						err = cerr
					}
					live[0].err = err
				}
				answered = append(answered, live...)
			default:
				// The batch failed and wrote nothing. Whoever gave up
				// is answered; the rest go back to the head of the
				// queue to be written one at a time, where they may
				// still withdraw while another is being written.
				// The check and the return to the queue are one step
				// under the lock: a caller who saw its request taken
				// had already given up, so it is answered here, never
				// queued again behind a wait it could not leave.
				var again []*commitReq
				c.mu.Lock()
				for _, r := range live {
					if err := r.ctx.Err(); err != nil {
						r.err = err
						answered = append(answered, r)
						continue
					}
					r.err, r.taken, r.solo = nil, false, true
					again = append(again, r)
				}
				if len(again) > 0 {
					c.queue = append(again, c.queue...)
				}
				c.mu.Unlock()
			}
		}
		for _, r := range answered {
			if r.err != nil {
				r.in.ID = 0
			}
			close(r.done)
		}
	}
}

// batchContext ends when any of the batch's callers' contexts ends: one who
// gave up must not wait for the others, nor they for a writer that may
// never come free. It carries no values (each caller's are its own).
func batchContext(batch []*commitReq) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	stops := make([]func() bool, 0, len(batch))
	for _, r := range batch {
		if r.ctx.Done() != nil {
			stops = append(stops, context.AfterFunc(r.ctx, cancel))
		}
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// commitInteractions writes a batch in one transaction; a missing account
// fails only its own request (r.err), the returned error the whole batch,
// none of which is then written.
func (db *DB) commitInteractions(c *committer, batch []*commitReq) error {
	ctx, cancel := batchContext(batch)
	defer cancel()
	if err := c.prepare(ctx, db); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.dialect.ReserveIDs(ctx, tx, "interactions", len(batch))
		if err != nil {
			return err
		}
		check, ins, last := c.stmt(ctx, tx, sqlAccountExists), c.stmt(ctx, tx, sqlInsertFull), c.stmt(ctx, tx, sqlLastVisit)
		now := ms(db.Now())
		for i, r := range batch {
			r.err = nil
			in := r.in
			var n int
			if err := check.QueryRowContext(ctx, in.AccountID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				r.err = derrors.NotFoundf("account %d not found", in.AccountID)
				continue
			}
			in.ID = ids[i]
			if _, err := ins.ExecContext(ctx, interactionFullArgs(in)...); err != nil {
				return err
			}
			if in.Channel == "visit" {
				if _, err := last.ExecContext(ctx, ms(in.At), in.Outcome, now, in.AccountID, ms(in.At)); err != nil {
					return err
				}
			}
			if !in.FollowUpAt.IsZero() {
				if _, err := c.stmt(ctx, tx, sqlFollowUp).ExecContext(ctx, ms(in.FollowUpAt), now, in.AccountID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// AddPings implements visit.PingStore.
func (db *DB) AddPings(ctx context.Context, userID int64, pings []visit.Ping) (int, error) {
	const cols = 5
	per := min(500, db.dialect.MaxParams/cols)
	stored := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		stored = 0
		for rest := pings; len(rest) > 0; {
			n := min(per, len(rest))
			args := make([]any, 0, n*cols)
			for _, p := range rest[:n] {
				var acc any
				if p.AccuracyM > 0 {
					acc = p.AccuracyM
				}
				args = append(args, userID, ms(p.At), p.Location.Lon, p.Location.Lat, acc)
			}
			one := "(" + placeholders(cols) + ")"
			res, err := tx.ExecContext(ctx, db.q(`INSERT INTO pings (user_id, at, lon, lat, accuracy_m) VALUES `+
				strings.TrimSuffix(strings.Repeat(one+",", n), ",")+` ON CONFLICT (user_id, at) DO NOTHING`), args...)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			stored += int(k)
			rest = rest[n:]
		}
		return nil
	})
	return stored, err
}

// Pings implements visit.PingStore.
func (db *DB) Pings(ctx context.Context, userID int64, from, to time.Time) ([]visit.Ping, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT at, lon, lat, accuracy_m FROM pings WHERE user_id = ? AND at >= ? AND at < ? ORDER BY at`), userID, ms(from), ms(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []visit.Ping
	for rows.Next() {
		var at int64
		var acc sql.NullFloat64
		p := visit.Ping{UserID: userID}
		if err := rows.Scan(&at, &p.Location.Lon, &p.Location.Lat, &acc); err != nil {
			return nil, err
		}
		p.At, p.AccuracyM = fromMS(at), acc.Float64
		out = append(out, p)
	}
	return out, rows.Err()
}

// PurgePings implements visit.PingStore.
func (db *DB) PurgePings(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, db.q(`DELETE FROM pings WHERE at < ?`), ms(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Tracking implements visit.PingStore.
func (db *DB) Tracking(ctx context.Context, userID int64) (enabled, set bool, err error) {
	var v int
	err = db.r.QueryRowContext(ctx, db.q(`SELECT enabled FROM user_tracking WHERE user_id = ?`), userID).Scan(&v)
	if err == sql.ErrNoRows {
		return false, false, nil
	}
	return v != 0, err == nil, err
}

// SetTracking implements visit.PingStore.
func (db *DB) SetTracking(ctx context.Context, userID int64, enabled bool, at time.Time) error {
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO user_tracking (user_id, enabled, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`), userID, boolInt(enabled), ms(at))
	return err
}

// SaveAutoVisits implements visit.PingStore.
func (db *DB) SaveAutoVisits(ctx context.Context, userID int64, visits []visit.AutoVisit) (int, error) {
	changed := 0
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		changed = 0
		var touched []int64
		for _, v := range visits {
			rows, err := tx.QueryContext(ctx, db.q(`SELECT id, at, COALESCE(ended_at, at), duration_s FROM interactions
				WHERE source = 'auto' AND user_id = ? AND account_id = ? AND at <= ? AND COALESCE(ended_at, at) >= ?`),
				userID, v.AccountID, ms(v.End), ms(v.Start))
			if err != nil {
				return err
			}
			var ids []int64
			var stored []visit.AutoVisit
			for rows.Next() {
				var id, at, end, dur int64
				if err := rows.Scan(&id, &at, &end, &dur); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
				stored = append(stored, visit.AutoVisit{AccountID: v.AccountID, Start: fromMS(at), End: fromMS(end), Duration: time.Duration(dur) * time.Second})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			merged, ok := visit.MergeAutoVisit(stored, v)
			if !ok {
				continue
			}
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM accounts WHERE id = ?`), v.AccountID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				continue // deleted meanwhile
			}
			if len(ids) > 0 {
				if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM interactions WHERE id IN (`+placeholders(len(ids))+`)`), int64Args(ids)...); err != nil {
					return err
				}
			}
			newIDs, err := db.dialect.ReserveIDs(ctx, tx, "interactions", 1)
			if err != nil {
				return err
			}
			in := &visit.Interaction{ID: newIDs[0], AccountID: v.AccountID, At: merged.Start, EndedAt: merged.End, Duration: merged.Duration.Truncate(time.Second),
				Channel: "visit", Type: "visit", UserID: userID, Source: "auto", CreatedAt: db.Now(), Properties: map[string]string{}}
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO interactions (`+interactionFullCols+`) VALUES (`+placeholders(interactionColCount+5)+`)`), interactionFullArgs(in)...); err != nil {
				return err
			}
			changed++
			touched = append(touched, v.AccountID)
		}
		return db.refreshLastVisit(ctx, tx, touched)
	})
	return changed, err
}

// RepActivity implements visit.PingStore.
func (db *DB) RepActivity(ctx context.Context, from, to time.Time) (visit.RepActivity, error) {
	var act visit.RepActivity
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT user_id, outcome, COUNT(*), SUM(CASE WHEN verified = 1 THEN 1 ELSE 0 END)
		FROM interactions WHERE channel = 'visit' AND user_id IS NOT NULL AND at >= ? AND at < ? GROUP BY user_id, outcome ORDER BY user_id, outcome`), ms(from), ms(to))
	if err != nil {
		return act, err
	}
	for rows.Next() {
		var v visit.VisitCount
		if err := rows.Scan(&v.UserID, &v.Outcome, &v.Visits, &v.Verified); err != nil {
			rows.Close()
			return act, err
		}
		act.Visits = append(act.Visits, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return act, err
	}
	rows, err = db.r.QueryContext(ctx, db.q(`SELECT owner_id, stage, COUNT(*), COALESCE(SUM(estimated_value), 0)
		FROM accounts WHERE owner_id IS NOT NULL AND created_at >= ? AND created_at < ? GROUP BY owner_id, stage ORDER BY owner_id, stage`), ms(from), ms(to))
	if err != nil {
		return act, err
	}
	defer rows.Close()
	for rows.Next() {
		var a visit.AccountCount
		if err := rows.Scan(&a.OwnerID, &a.Stage, &a.N, &a.Value); err != nil {
			return act, err
		}
		act.Accounts = append(act.Accounts, a)
	}
	return act, rows.Err()
}
