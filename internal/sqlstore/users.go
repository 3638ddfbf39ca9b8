package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

const userCols = `id, email, name, role, password_hash, home_lon, home_lat, disabled, created_at, updated_at`

func scanUser(s scanner) (*auth.User, error) {
	var u auth.User
	var role string
	var lon, lat sql.NullFloat64
	var disabled int
	var created, updated int64
	if err := s.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &lon, &lat, &disabled, &created, &updated); err != nil {
		return nil, err
	}
	u.Role = auth.Role(role)
	if lon.Valid && lat.Valid {
		u.Home = &geo.Point{Lon: lon.Float64, Lat: lat.Float64}
	}
	u.Disabled = disabled != 0
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}

func homeArgs(u *auth.User) (any, any) {
	if u.Home == nil {
		return nil, nil
	}
	return u.Home.Lon, u.Home.Lat
}

// CreateUser implements auth.Store.
func (db *DB) CreateUser(ctx context.Context, u *auth.User) error {
	now := db.Now()
	u.CreatedAt, u.UpdatedAt = now, now
	lon, lat := homeArgs(u)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.dialect.ReserveIDs(ctx, tx, "users", 1)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			ids[0], u.Email, u.Name, string(u.Role), u.PasswordHash, lon, lat, boolInt(u.Disabled), ms(now), ms(now))
		if err != nil {
			if db.dialect.IsUnique(err) {
				return derrors.Conflictf("email: a user with email %q already exists", u.Email)
			}
			return err
		}
		u.ID = ids[0]
		return nil
	})
}

// GetUser implements auth.Store.
func (db *DB) GetUser(ctx context.Context, id int64) (*auth.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, db.q(`SELECT `+userCols+` FROM users WHERE id = ?`), id))
	return u, notFound(err, "user %d not found", id)
}

// GetUserByEmail implements auth.Store.
func (db *DB) GetUserByEmail(ctx context.Context, email string) (*auth.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, db.q(`SELECT `+userCols+` FROM users WHERE email = ?`), auth.NormalizeEmail(email)))
	return u, notFound(err, "no user has email %q", email)
}

// ListUsers implements auth.Store.
func (db *DB) ListUsers(ctx context.Context) ([]*auth.User, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	us := []*auth.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// UpdateUser implements auth.Store.
func (db *DB) UpdateUser(ctx context.Context, u *auth.User) error {
	u.UpdatedAt = db.Now()
	lon, lat := homeArgs(u)
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE users SET email = ?, name = ?, role = ?, password_hash = ?, home_lon = ?, home_lat = ?, disabled = ?, updated_at = ? WHERE id = ?`),
		u.Email, u.Name, string(u.Role), u.PasswordHash, lon, lat, boolInt(u.Disabled), ms(u.UpdatedAt), u.ID)
	if err != nil {
		if db.dialect.IsUnique(err) {
			return derrors.Conflictf("email: a user with email %q already exists", u.Email)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return derrors.NotFoundf("user %d not found", u.ID)
	}
	return nil
}

// DeleteUser implements auth.Store.
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM tokens WHERE user_id = ?`,
			`DELETE FROM sessions WHERE user_id = ?`,
			`DELETE FROM territory_reps WHERE user_id = ?`,
			`UPDATE accounts SET owner_id = NULL WHERE owner_id = ?`,
			`UPDATE interactions SET user_id = NULL WHERE user_id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, db.q(q), id); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM users WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return derrors.NotFoundf("user %d not found", id)
		}
		return nil
	})
}

// CreateToken implements auth.Store.
func (db *DB) CreateToken(ctx context.Context, t *auth.Token) error {
	t.CreatedAt = db.Now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.dialect.ReserveIDs(ctx, tx, "tokens", 1)
		if err != nil {
			return err
		}
		t.ID = ids[0]
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO tokens (id, user_id, name, hash, created_at) VALUES (?, ?, ?, ?, ?)`),
			t.ID, t.UserID, t.Name, t.Hash, ms(t.CreatedAt))
		return err
	})
}

func scanToken(s scanner) (*auth.Token, error) {
	var t auth.Token
	var created int64
	var used, revoked sql.NullInt64
	if err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &created, &used, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = fromMS(created), fromNullMS(used), fromNullMS(revoked)
	return &t, nil
}

// TokenUser implements auth.Store.
func (db *DB) TokenUser(ctx context.Context, hash string, now time.Time) (*auth.Token, *auth.User, error) {
	t, err := scanToken(db.r.QueryRowContext(ctx, db.q(`SELECT id, user_id, name, hash, created_at, last_used_at, revoked_at FROM tokens WHERE hash = ? AND revoked_at IS NULL`), hash))
	if err != nil {
		return nil, nil, notFound(err, "unknown or revoked token")
	}
	u, err := db.GetUser(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	// Record use at most once a minute, so reads don't all turn into writes.
	if now.Sub(t.LastUsedAt) > time.Minute {
		if _, err := db.w.ExecContext(ctx, db.q(`UPDATE tokens SET last_used_at = ? WHERE id = ?`), ms(now), t.ID); err != nil {
			return nil, nil, err
		}
		t.LastUsedAt = now
	}
	return t, u, nil
}

// ListTokens implements auth.Store.
func (db *DB) ListTokens(ctx context.Context, userID int64) ([]*auth.Token, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, user_id, name, hash, created_at, last_used_at, revoked_at FROM tokens WHERE user_id = ? ORDER BY id`), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ts := []*auth.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// RevokeToken implements auth.Store.
func (db *DB) RevokeToken(ctx context.Context, id int64, now time.Time) error {
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`), ms(now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return derrors.NotFoundf("token %d not found or already revoked", id)
	}
	return nil
}

// CreateSession implements auth.Store.
func (db *DB) CreateSession(ctx context.Context, s *auth.Session) error {
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO sessions (hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		s.Hash, s.UserID, s.CSRF, ms(s.CreatedAt), ms(s.ExpiresAt))
	return err
}

// SessionUser implements auth.Store.
func (db *DB) SessionUser(ctx context.Context, hash string, now time.Time) (*auth.Session, *auth.User, error) {
	var s auth.Session
	var created, expires int64
	err := db.r.QueryRowContext(ctx, db.q(`SELECT hash, user_id, csrf, created_at, expires_at FROM sessions WHERE hash = ? AND expires_at > ?`), hash, ms(now)).
		Scan(&s.Hash, &s.UserID, &s.CSRF, &created, &expires)
	if err != nil {
		return nil, nil, notFound(err, "session expired or unknown")
	}
	s.CreatedAt, s.ExpiresAt = fromMS(created), fromMS(expires)
	u, err := db.GetUser(ctx, s.UserID)
	if err != nil {
		return nil, nil, err
	}
	return &s, u, nil
}

// DeleteSession implements auth.Store.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	_, err := db.w.ExecContext(ctx, db.q(`DELETE FROM sessions WHERE hash = ?`), hash)
	return err
}

// RecordSignIn implements auth.Store.
func (db *DB) RecordSignIn(ctx context.Context, email, ip string, ok bool, at time.Time) error {
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO sign_ins (email, ip, ok, at) VALUES (?, ?, ?, ?)`), auth.NormalizeEmail(email), ip, boolInt(ok), ms(at))
	return err
}

// FailedSignIns implements auth.Store.
func (db *DB) FailedSignIns(ctx context.Context, email, ip string, since time.Time) (int, int, error) {
	var byEmail, byIP int
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM sign_ins WHERE email = ? AND ok = 0 AND at >= ?`), auth.NormalizeEmail(email), ms(since)).Scan(&byEmail); err != nil {
		return 0, 0, err
	}
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM sign_ins WHERE ip = ? AND ok = 0 AND at >= ?`), ip, ms(since)).Scan(&byIP); err != nil {
		return 0, 0, err
	}
	return byEmail, byIP, nil
}

// AddAudit implements auth.Store.
func (db *DB) AddAudit(ctx context.Context, e *auth.AuditEntry) error {
	if e.At.IsZero() {
		e.At = db.Now()
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.dialect.ReserveIDs(ctx, tx, "audit", 1)
		if err != nil {
			return err
		}
		e.ID = ids[0]
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO audit (id, at, actor_id, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			e.ID, ms(e.At), nullInt(e.ActorID), e.Action, e.Target, e.Detail, e.IP)
		return err
	})
}

// ListAudit implements auth.Store: newest first, before an id when given.
func (db *DB) ListAudit(ctx context.Context, limit int, beforeID int64) ([]*auth.AuditEntry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	query := `SELECT id, at, actor_id, action, target, detail, ip FROM audit`
	args := []any{}
	if beforeID > 0 {
		query += ` WHERE id < ?`
		args = append(args, beforeID)
	}
	rows, err := db.r.QueryContext(ctx, db.q(query+` ORDER BY id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*auth.AuditEntry{}
	for rows.Next() {
		var e auth.AuditEntry
		var at int64
		var actor sql.NullInt64
		if err := rows.Scan(&e.ID, &at, &actor, &e.Action, &e.Target, &e.Detail, &e.IP); err != nil {
			return nil, err
		}
		e.At, e.ActorID = fromMS(at), actor.Int64
		out = append(out, &e)
	}
	return out, rows.Err()
}

// RepTerritoryIDs implements auth.Store.
func (db *DB) RepTerritoryIDs(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT territory_id FROM territory_reps WHERE user_id = ? ORDER BY territory_id`), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// PurgeExpired implements auth.Store.
func (db *DB) PurgeExpired(ctx context.Context, now, signInsBefore time.Time) (int64, error) {
	var total int64
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM sessions WHERE expires_at <= ?`, ms(now)},
		{`DELETE FROM sign_ins WHERE at < ?`, ms(signInsBefore)},
	} {
		res, err := db.w.ExecContext(ctx, db.q(q.sql), q.arg)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
