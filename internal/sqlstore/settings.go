package sqlstore

import (
	"context"
	"database/sql"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// Setting returns the JSON value stored under key, or NotFound.
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", derrors.NotFoundf("setting %q is not set", key)
	}
	return v, err
}

// SetSetting stores a JSON value under key.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.w.ExecContext(ctx, db.q(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
	return err
}
