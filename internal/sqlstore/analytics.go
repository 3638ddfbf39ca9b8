package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// EachAnalyticsRow implements analytics.Source: one sequential scan in id
// order, the text columns read as raw bytes so that the caller's
// dictionaries allocate only for new values.
func (db *DB) EachAnalyticsRow(ctx context.Context, fn func(accountID, atMS int64, fields *[6][]byte, value float64) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT account_id, at, channel, type, outcome, variant, stage, source, value FROM interactions ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var acct, at int64
	var value float64
	var f [6]sql.RawBytes
	var out [6][]byte
	for rows.Next() {
		if err := rows.Scan(&acct, &at, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &value); err != nil {
			return err
		}
		for i := range f {
			out[i] = f[i]
		}
		if err := fn(acct, at, &out, value); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachAnalyticsProperty implements analytics.Source.
func (db *DB) EachAnalyticsProperty(ctx context.Context, name string, fn func(value string) error) error {
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT COALESCE(`+db.dialect.JSONField("properties")+`, '') FROM interactions ORDER BY id`), name)
	if err != nil {
		return err
	}
	defer rows.Close()
	var v string
	for rows.Next() {
		if err := rows.Scan(&v); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// InteractionsVersion implements analytics.Source. Interactions are only
// added (deleting an account, which removes its interactions, moves the
// accounts' version instead), so the newest id tells a change; MAX(id) is
// one step down the primary key, where COUNT(*) would read every row.
func (db *DB) InteractionsVersion(ctx context.Context) (string, error) {
	var maxID int64
	err := db.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM interactions`).Scan(&maxID)
	return fmt.Sprintf("%d", maxID), err
}
