package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/overlay"
)

// CreateOverlay implements overlay.Store.
func (db *DB) CreateOverlay(ctx context.Context, o *overlay.Overlay) (err error) {
	defer derrors.Wrap(&err, "CreateOverlay")
	features, err := o.MarshalFeatures()
	if err != nil {
		return err
	}
	o.CreatedAt = fromMS(ms(db.Now()))
	o.Count = len(o.Features)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.dialect.ReserveIDs(ctx, tx, "overlays", 1)
		if err != nil {
			return err
		}
		o.ID = ids[0]
		b := o.BBox
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO overlays (id, name, features, feature_count, min_lon, min_lat, max_lon, max_lat, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), o.ID, o.Name, string(features), o.Count, b.MinLon, b.MinLat, b.MaxLon, b.MaxLat, nullInt(o.CreatedBy), ms(o.CreatedAt)); err != nil {
			if db.dialect.IsUnique(err) {
				return derrors.Conflictf("name: an overlay named %q already exists", o.Name)
			}
			return err
		}
		return nil
	})
}

const overlayCols = `id, name, feature_count, min_lon, min_lat, max_lon, max_lat, created_by, created_at`

func scanOverlay(s scanner, extra ...any) (*overlay.Overlay, error) {
	var o overlay.Overlay
	var by sql.NullInt64
	var created int64
	if err := s.Scan(append([]any{&o.ID, &o.Name, &o.Count, &o.BBox.MinLon, &o.BBox.MinLat, &o.BBox.MaxLon, &o.BBox.MaxLat, &by, &created}, extra...)...); err != nil {
		return nil, err
	}
	o.CreatedBy, o.CreatedAt = by.Int64, fromMS(created)
	return &o, nil
}

// GetOverlay implements overlay.Store.
func (db *DB) GetOverlay(ctx context.Context, id int64) (*overlay.Overlay, error) {
	var features string
	o, err := scanOverlay(db.r.QueryRowContext(ctx, db.q(`SELECT `+overlayCols+`, features FROM overlays WHERE id = ?`), id), &features)
	if err != nil {
		return nil, notFound(err, "overlay %d not found", id)
	}
	if err := o.UnmarshalFeatures([]byte(features)); err != nil {
		return nil, fmt.Errorf("overlay %d features: %w", id, err)
	}
	return o, nil
}

// ListOverlays implements overlay.Store.
func (db *DB) ListOverlays(ctx context.Context) ([]*overlay.Overlay, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+overlayCols+` FROM overlays ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*overlay.Overlay
	for rows.Next() {
		o, err := scanOverlay(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// DeleteOverlay implements overlay.Store.
func (db *DB) DeleteOverlay(ctx context.Context, id int64) error {
	res, err := db.w.ExecContext(ctx, db.q(`DELETE FROM overlays WHERE id = ?`), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return derrors.NotFoundf("overlay %d not found", id)
	}
	return nil
}
