package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/rules"
)

const ruleCols = `id, name, kind, days, stage, territory_id, owner_id, webhook, secret, notify_email, notify_inbox, enabled, created_by, created_at, updated_at`

func ruleArgs(r *rules.Rule) []any {
	return []any{r.ID, r.Name, string(r.Kind), r.Days, r.Stage, nullInt(r.TerritoryID), nullInt(r.OwnerID), r.Notify.Webhook, r.Notify.Secret,
		boolInt(r.Notify.Email), boolInt(r.Notify.Inbox), boolInt(r.Enabled), nullInt(r.CreatedBy), ms(r.CreatedAt), ms(r.UpdatedAt)}
}

func scanRule(s scanner) (*rules.Rule, error) {
	var r rules.Rule
	var kind string
	var terr, owner, by sql.NullInt64
	var email, inbox, enabled int
	var created, updated int64
	if err := s.Scan(&r.ID, &r.Name, &kind, &r.Days, &r.Stage, &terr, &owner, &r.Notify.Webhook, &r.Notify.Secret,
		&email, &inbox, &enabled, &by, &created, &updated); err != nil {
		return nil, err
	}
	r.Kind, r.TerritoryID, r.OwnerID, r.CreatedBy = rules.Kind(kind), terr.Int64, owner.Int64, by.Int64
	r.Notify.Email, r.Notify.Inbox, r.Enabled = email != 0, inbox != 0, enabled != 0
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return &r, nil
}

// CreateRule implements rules.Store.
func (db *DB) CreateRule(ctx context.Context, r *rules.Rule) (err error) {
	defer derrors.Wrap(&err, "CreateRule")
	now := fromMS(ms(db.Now()))
	r.CreatedAt, r.UpdatedAt = now, now
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.dialect.ReserveIDs(ctx, tx, "rules", 1)
		if err != nil {
			return err
		}
		r.ID = ids[0]
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO rules (`+ruleCols+`) VALUES (`+placeholders(15)+`)`), ruleArgs(r)...); err != nil {
			if db.dialect.IsUnique(err) {
				return derrors.Conflictf("name: a rule named %q already exists", r.Name)
			}
			return err
		}
		return nil
	})
}

// GetRule implements rules.Store.
func (db *DB) GetRule(ctx context.Context, id int64) (*rules.Rule, error) {
	r, err := scanRule(db.r.QueryRowContext(ctx, db.q(`SELECT `+ruleCols+` FROM rules WHERE id = ?`), id))
	if err != nil {
		return nil, notFound(err, "rule %d not found", id)
	}
	return r, nil
}

// UpdateRule implements rules.Store.
func (db *DB) UpdateRule(ctx context.Context, r *rules.Rule) (err error) {
	defer derrors.Wrap(&err, "UpdateRule")
	r.UpdatedAt = fromMS(ms(db.Now()))
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE rules SET name = ?, kind = ?, days = ?, stage = ?, territory_id = ?, owner_id = ?, webhook = ?, secret = ?,
		notify_email = ?, notify_inbox = ?, enabled = ?, updated_at = ? WHERE id = ?`),
		r.Name, string(r.Kind), r.Days, r.Stage, nullInt(r.TerritoryID), nullInt(r.OwnerID), r.Notify.Webhook, r.Notify.Secret,
		boolInt(r.Notify.Email), boolInt(r.Notify.Inbox), boolInt(r.Enabled), ms(r.UpdatedAt), r.ID)
	if err != nil {
		if db.dialect.IsUnique(err) {
			return derrors.Conflictf("name: a rule named %q already exists", r.Name)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return derrors.NotFoundf("rule %d not found", r.ID)
	}
	return nil
}

// DeleteRule implements rules.Store: the rule's notifications stay, no
// longer tied to it.
func (db *DB) DeleteRule(ctx context.Context, id int64) (err error) {
	defer derrors.Wrap(&err, "DeleteRule")
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM rules WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return derrors.NotFoundf("rule %d not found", id)
		}
		_, err = tx.ExecContext(ctx, db.q(`UPDATE notifications SET rule_id = NULL WHERE rule_id = ?`), id)
		return err
	})
}

// ListRules implements rules.Store.
func (db *DB) ListRules(ctx context.Context) ([]*rules.Rule, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+ruleCols+` FROM rules ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*rules.Rule
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rules.SortRules(out)
	return out, nil
}

const notificationCols = `id, user_id, rule_id, rule_name, account_id, account_external_id, account_name, day, message, inbox, email, created_at, read_at, emailed_at`

func scanNotification(s scanner) (*rules.Notification, error) {
	var n rules.Notification
	var user, rule sql.NullInt64
	var inbox, email int
	var created int64
	var read, emailed sql.NullInt64
	if err := s.Scan(&n.ID, &user, &rule, &n.RuleName, &n.AccountID, &n.AccountExternalID, &n.AccountName, &n.Day, &n.Message,
		&inbox, &email, &created, &read, &emailed); err != nil {
		return nil, err
	}
	n.UserID, n.RuleID, n.Inbox, n.Email = user.Int64, rule.Int64, inbox != 0, email != 0
	n.CreatedAt, n.ReadAt, n.EmailedAt = fromMS(created), fromNullMS(read), fromNullMS(emailed)
	return &n, nil
}

// RecordNotifications implements rules.Store. The unique key (rule_id,
// account_id, day) decides which are new: ON CONFLICT DO NOTHING keeps the
// older row and affects no row.
func (db *DB) RecordNotifications(ctx context.Context, ns []*rules.Notification) (_ []*rules.Notification, err error) {
	defer derrors.Wrap(&err, "RecordNotifications")
	if len(ns) == 0 {
		return nil, nil
	}
	type recorded struct {
		n  *rules.Notification
		id int64
	}
	var done []recorded
	now := fromMS(ms(db.Now()))
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		done = done[:0]
		ids, err := db.dialect.ReserveIDs(ctx, tx, "notifications", len(ns))
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, db.q(`INSERT INTO notifications (`+notificationCols+`) VALUES (`+placeholders(14)+`)
			ON CONFLICT (rule_id, account_id, day) DO NOTHING`))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, n := range ns {
			res, err := stmt.ExecContext(ctx, ids[i], nullInt(n.UserID), nullInt(n.RuleID), n.RuleName, n.AccountID, n.AccountExternalID, n.AccountName,
				n.Day, n.Message, boolInt(n.Inbox), boolInt(n.Email), ms(now), nil, nil)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			if k == 1 {
				done = append(done, recorded{n, ids[i]})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Only once committed do the ids belong to the caller's values.
	out := make([]*rules.Notification, len(done))
	for i, d := range done {
		d.n.ID, d.n.CreatedAt = d.id, now
		out[i] = d.n
	}
	return out, nil
}

// ListNotifications implements rules.Store.
func (db *DB) ListNotifications(ctx context.Context, userID int64, p rules.Page) (_ rules.List, err error) {
	defer derrors.Wrap(&err, "ListNotifications")
	limit, before, err := p.Normalize()
	if err != nil {
		return rules.List{}, err
	}
	var list rules.List
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0)
		FROM notifications WHERE user_id = ? AND inbox = 1`), userID).Scan(&list.Total, &list.Unread); err != nil {
		return rules.List{}, err
	}
	if before == 0 {
		before = 1 << 62
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+notificationCols+` FROM notifications WHERE user_id = ? AND inbox = 1 AND id < ? ORDER BY id DESC LIMIT ?`),
		userID, before, limit+1)
	if err != nil {
		return rules.List{}, err
	}
	defer rows.Close()
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return rules.List{}, err
		}
		list.Items = append(list.Items, n)
	}
	if err := rows.Err(); err != nil {
		return rules.List{}, err
	}
	if len(list.Items) > limit {
		list.Items = list.Items[:limit]
		list.NextCursor = rules.EncodeCursor(list.Items[limit-1].ID)
	}
	return list, nil
}

// MarkRead implements rules.Store.
func (db *DB) MarkRead(ctx context.Context, userID, id int64, at time.Time) (err error) {
	defer derrors.Wrap(&err, "MarkRead")
	var n int
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM notifications WHERE id = ? AND user_id = ? AND inbox = 1`), id, userID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return derrors.NotFoundf("notification %d not found", id)
	}
	_, err = db.w.ExecContext(ctx, db.q(`UPDATE notifications SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL`), ms(at), id, userID)
	return err
}

// MarkAllRead implements rules.Store.
func (db *DB) MarkAllRead(ctx context.Context, userID int64, at time.Time) (_ int, err error) {
	defer derrors.Wrap(&err, "MarkAllRead")
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE notifications SET read_at = ? WHERE user_id = ? AND inbox = 1 AND read_at IS NULL`), ms(at), userID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// PendingEmail implements rules.Store.
func (db *DB) PendingEmail(ctx context.Context) (_ []*rules.Notification, err error) {
	defer derrors.Wrap(&err, "PendingEmail")
	rows, err := db.r.QueryContext(ctx, `SELECT `+notificationCols+` FROM notifications WHERE email = 1 AND emailed_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*rules.Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkEmailed implements rules.Store.
func (db *DB) MarkEmailed(ctx context.Context, ids []int64, at time.Time) (err error) {
	defer derrors.Wrap(&err, "MarkEmailed")
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE notifications SET emailed_at = ? WHERE id IN (`+placeholders(len(chunk))+`)`),
				append([]any{ms(at)}, int64Args(chunk)...)...); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClaimDigest implements rules.Store.
func (db *DB) ClaimDigest(ctx context.Context, userID int64, day string) (_ bool, err error) {
	defer derrors.Wrap(&err, "ClaimDigest")
	res, err := db.w.ExecContext(ctx, db.q(`INSERT INTO digests (user_id, day, created_at) VALUES (?, ?, ?) ON CONFLICT (user_id, day) DO NOTHING`),
		userID, day, ms(db.Now()))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseDigest implements rules.Store.
func (db *DB) ReleaseDigest(ctx context.Context, userID int64, day string) error {
	_, err := db.w.ExecContext(ctx, db.q(`DELETE FROM digests WHERE user_id = ? AND day = ?`), userID, day)
	return err
}

// AddDelivery implements rules.Store.
func (db *DB) AddDelivery(ctx context.Context, d *rules.Delivery) (err error) {
	defer derrors.Wrap(&err, "AddDelivery")
	if d.At.IsZero() {
		d.At = fromMS(ms(db.Now()))
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.dialect.ReserveIDs(ctx, tx, "deliveries", 1)
		if err != nil {
			return err
		}
		d.ID = ids[0]
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO deliveries (id, rule_id, channel, target, accounts, attempts, ok, error, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			d.ID, nullInt(d.RuleID), d.Channel, d.Target, d.Accounts, d.Attempts, boolInt(d.OK), d.Error, ms(d.At))
		return err
	})
}

// ListDeliveries implements rules.Store.
func (db *DB) ListDeliveries(ctx context.Context, ruleID int64, limit int) (_ []*rules.Delivery, err error) {
	defer derrors.Wrap(&err, "ListDeliveries")
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	q, args := `SELECT id, rule_id, channel, target, accounts, attempts, ok, error, at FROM deliveries`, []any{}
	if ruleID != 0 {
		q += ` WHERE rule_id = ?`
		args = append(args, ruleID)
	}
	rows, err := db.r.QueryContext(ctx, db.q(q+` ORDER BY id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*rules.Delivery
	for rows.Next() {
		var d rules.Delivery
		var rule sql.NullInt64
		var ok int
		var at int64
		if err := rows.Scan(&d.ID, &rule, &d.Channel, &d.Target, &d.Accounts, &d.Attempts, &ok, &d.Error, &at); err != nil {
			return nil, err
		}
		d.RuleID, d.OK, d.At = rule.Int64, ok != 0, fromMS(at)
		out = append(out, &d)
	}
	return out, rows.Err()
}
