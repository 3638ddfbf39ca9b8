package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/visit"
)

const interactionCols = `id, account_id, at, channel, type, outcome, user_id, variant, stage, value, lon, lat, notes, source, properties, created_at`

const interactionColCount = 16

func interactionArgs(in *visit.Interaction) []any {
	var lon, lat any
	if in.Location != nil {
		lon, lat = in.Location.Lon, in.Location.Lat
	}
	// jsonMap, not encoding/json: this runs for every imported row.
	return []any{in.ID, in.AccountID, ms(in.At), in.Channel, in.Type, in.Outcome, nullInt(in.UserID), in.Variant, in.Stage,
		in.Value, lon, lat, in.Notes, in.Source, jsonMap(in.Properties), ms(in.CreatedAt)}
}

func scanInteraction(s scanner) (*visit.Interaction, error) {
	var in visit.Interaction
	var at, created int64
	var user sql.NullInt64
	var lon, lat sql.NullFloat64
	var props string
	if err := s.Scan(&in.ID, &in.AccountID, &at, &in.Channel, &in.Type, &in.Outcome, &user, &in.Variant, &in.Stage,
		&in.Value, &lon, &lat, &in.Notes, &in.Source, &props, &created); err != nil {
		return nil, err
	}
	in.At, in.CreatedAt, in.UserID = fromMS(at), fromMS(created), user.Int64
	if lon.Valid && lat.Valid {
		in.Location = &geo.Point{Lon: lon.Float64, Lat: lat.Float64}
	}
	if err := json.Unmarshal([]byte(props), &in.Properties); err != nil {
		return nil, fmt.Errorf("interaction %d properties: %w", in.ID, err)
	}
	return &in, nil
}

// CreateInteraction (with group commit) is in field.go.

// refreshLastVisit sets each account's last visit from its newest visit.
func (db *DB) refreshLastVisit(ctx context.Context, tx *sql.Tx, ids []int64) error {
	stmt, err := tx.PrepareContext(ctx, db.q(`UPDATE accounts SET
		last_visit_at = (SELECT MAX(at) FROM interactions WHERE account_id = ? AND channel = 'visit'),
		last_visit_result = COALESCE((SELECT outcome FROM interactions WHERE account_id = ? AND channel = 'visit' ORDER BY at DESC, id DESC LIMIT 1), ''),
		updated_at = ?
		WHERE id = ?`))
	if err != nil {
		return err
	}
	defer stmt.Close()
	now := ms(db.Now())
	for _, id := range ids {
		if _, err := stmt.ExecContext(ctx, id, id, now, id); err != nil {
			return err
		}
	}
	return nil
}

func encodeInteractionCursor(at, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("i" + strconv.FormatInt(at, 10) + "." + strconv.FormatInt(id, 10)))
}

func decodeInteractionCursor(c string) (at, id int64, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 1 && b[0] == 'i' {
		if a, i, ok := strings.Cut(string(b[1:]), "."); ok {
			at, err1 := strconv.ParseInt(a, 10, 64)
			id, err2 := strconv.ParseInt(i, 10, 64)
			if err1 == nil && err2 == nil {
				return at, id, nil
			}
		}
	}
	return 0, 0, derrors.Invalidf("cursor: %q is not a cursor this server gave out", c)
}

// ListInteractions implements visit.Store: newest first, ties newest id first.
func (db *DB) ListInteractions(ctx context.Context, accountID int64, p visit.Page) (visit.List, error) {
	limit := p.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > 500 {
		limit = 500
	}
	var list visit.List
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM interactions WHERE account_id = ?`), accountID).Scan(&list.Total); err != nil {
		return list, err
	}
	query := `SELECT ` + interactionFullCols + ` FROM interactions WHERE account_id = ?`
	args := []any{accountID}
	if p.Cursor != "" {
		at, id, err := decodeInteractionCursor(p.Cursor)
		if err != nil {
			return list, err
		}
		query += ` AND (at < ? OR (at = ? AND id < ?))`
		args = append(args, at, at, id)
	}
	rows, err := db.r.QueryContext(ctx, db.q(query+` ORDER BY at DESC, id DESC LIMIT ?`), append(args, limit+1)...)
	if err != nil {
		return list, err
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanInteractionFull(rows)
		if err != nil {
			return list, err
		}
		list.Items = append(list.Items, in)
	}
	if err := rows.Err(); err != nil {
		return list, err
	}
	if len(list.Items) > limit {
		list.Items = list.Items[:limit]
		last := list.Items[limit-1]
		list.NextCursor = encodeInteractionCursor(ms(last.At), last.ID)
	}
	return list, nil
}

// EachInteraction implements visit.Store.
func (db *DB) EachInteraction(ctx context.Context, fn func(*visit.Interaction) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT `+interactionCols+` FROM interactions ORDER BY at, id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		in, err := scanInteraction(rows)
		if err != nil {
			return err
		}
		if err := fn(in); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ImportInteractions implements visit.Store.
func (db *DB) ImportInteractions(ctx context.Context, fn func(visit.Importer) error) error {
	// No whole-table foreign-key check: on a large table it would read every
	// row; finish checks the accounts and users this import referred to.
	return db.inBulkTx(ctx, "", func(tx *sql.Tx) error {
		im := newBulkInteractionImporter(db, tx) // interactions_bulk.go
		defer im.close()
		if err := fn(im); err != nil {
			return err
		}
		return im.finish(ctx)
	})
}
