package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
)

const territoryCols = `id, name, parent_id, color, shape, created_at, updated_at`

// A shape is stored as the GeoJSON coordinates of a MultiPolygon.
func encodeShape(m geo.MultiPolygon) string { return jsonText(m.Coordinates()) }

func decodeShape(s string) (geo.MultiPolygon, error) {
	var coords [][][][2]float64
	if err := json.Unmarshal([]byte(s), &coords); err != nil {
		return nil, err
	}
	return geo.FromCoordinates(coords), nil
}

func scanTerritory(s scanner) (*territory.Territory, error) {
	var t territory.Territory
	var parent sql.NullInt64
	var shape string
	var created, updated int64
	if err := s.Scan(&t.ID, &t.Name, &parent, &t.Color, &shape, &created, &updated); err != nil {
		return nil, err
	}
	t.ParentID = parent.Int64
	var err error
	if t.Shape, err = decodeShape(shape); err != nil {
		return nil, fmt.Errorf("territory %d shape: %w", t.ID, err)
	}
	t.CreatedAt, t.UpdatedAt = fromMS(created), fromMS(updated)
	return &t, nil
}

func (db *DB) loadReps(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, ts []*territory.Territory) error {
	if len(ts) == 0 {
		return nil
	}
	byID := map[int64]*territory.Territory{}
	for _, t := range ts {
		byID[t.ID] = t
		t.RepIDs = []int64{}
	}
	rows, err := q.QueryContext(ctx, `SELECT territory_id, user_id FROM territory_reps ORDER BY territory_id, user_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var tid, uid int64
		if err := rows.Scan(&tid, &uid); err != nil {
			return err
		}
		if t := byID[tid]; t != nil {
			t.RepIDs = append(t.RepIDs, uid)
		}
	}
	return rows.Err()
}

// GetTerritory implements territory.Store.
func (db *DB) GetTerritory(ctx context.Context, id int64) (*territory.Territory, error) {
	t, err := scanTerritory(db.r.QueryRowContext(ctx, db.q(`SELECT `+territoryCols+` FROM territories WHERE id = ?`), id))
	if err != nil {
		return nil, notFound(err, "territory %d not found", id)
	}
	return t, db.loadReps(ctx, db.r, []*territory.Territory{t})
}

// GetTerritoryByName implements territory.Store.
func (db *DB) GetTerritoryByName(ctx context.Context, name string) (*territory.Territory, error) {
	t, err := scanTerritory(db.r.QueryRowContext(ctx, db.q(`SELECT `+territoryCols+` FROM territories WHERE name = ?`), name))
	if err != nil {
		return nil, notFound(err, "territory %q not found", name)
	}
	return t, db.loadReps(ctx, db.r, []*territory.Territory{t})
}

// ListTerritories implements territory.Store.
func (db *DB) ListTerritories(ctx context.Context) ([]*territory.Territory, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+territoryCols+` FROM territories ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ts := []*territory.Territory{}
	for rows.Next() {
		t, err := scanTerritory(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return ts, db.loadReps(ctx, db.r, ts)
}

// writeTerritory inserts t under newID when t.ID is 0 (t.ID stays 0 if
// that fails), or else updates it, and sets its reps, inside tx. Shared by
// SaveTerritory and ApplyBalance. Conflict when the name is taken, NotFound
// when the territory to update is gone.
func (db *DB) writeTerritory(ctx context.Context, tx *sql.Tx, t *territory.Territory, newID int64, now time.Time) error {
	b := t.Shape.Bounds()
	var err error
	if t.ID == 0 {
		t.CreatedAt, t.UpdatedAt = now, now
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO territories (id, name, parent_id, color, shape, min_lon, min_lat, max_lon, max_lat, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			newID, t.Name, nullInt(t.ParentID), t.Color, encodeShape(t.Shape), b.MinLon, b.MinLat, b.MaxLon, b.MaxLat, ms(now), ms(now))
	} else {
		t.UpdatedAt = now
		var res sql.Result
		res, err = tx.ExecContext(ctx, db.q(`UPDATE territories SET name = ?, parent_id = ?, color = ?, shape = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?, updated_at = ? WHERE id = ?`),
			t.Name, nullInt(t.ParentID), t.Color, encodeShape(t.Shape), b.MinLon, b.MinLat, b.MaxLon, b.MaxLat, ms(now), t.ID)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				return derrors.NotFoundf("territory %d not found", t.ID)
			}
			_, err = tx.ExecContext(ctx, db.q(`DELETE FROM territory_reps WHERE territory_id = ?`), t.ID)
		}
	}
	if err != nil {
		if db.dialect.IsUnique(err) {
			return derrors.Conflictf("name: a territory named %q already exists", t.Name)
		}
		return err
	}
	if t.ID == 0 {
		t.ID = newID
	}
	// Repeated reps are skipped here: on PostgreSQL a failed insert would
	// abort the whole transaction.
	seen := map[int64]bool{}
	for _, uid := range t.RepIDs {
		if seen[uid] {
			continue
		}
		seen[uid] = true
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO territory_reps (territory_id, user_id) VALUES (?, ?)`), t.ID, uid); err != nil {
			return err
		}
	}
	return nil
}

// SaveTerritory implements territory.Store.
func (db *DB) SaveTerritory(ctx context.Context, t *territory.Territory, reassign func(id int64) ([]account.Assignment, error)) error {
	now := db.Now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if t.ParentID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM territories WHERE id = ?`), t.ParentID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return derrors.Invalidf("parent: territory %d does not exist", t.ParentID)
			}
		}
		var newID int64
		if t.ID == 0 {
			ids, err := db.dialect.ReserveIDs(ctx, tx, "territories", 1)
			if err != nil {
				return err
			}
			newID = ids[0]
		}
		if err := db.writeTerritory(ctx, tx, t, newID, now); err != nil {
			return err
		}
		if reassign == nil {
			return nil
		}
		as, err := reassign(t.ID)
		if err != nil {
			return err
		}
		return db.assign(ctx, tx, as)
	})
}

// DeleteTerritory implements territory.Store.
func (db *DB) DeleteTerritory(ctx context.Context, id int64, as []account.Assignment) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var parent sql.NullInt64
		if err := tx.QueryRowContext(ctx, db.q(`SELECT parent_id FROM territories WHERE id = ?`), id).Scan(&parent); err != nil {
			return notFound(err, "territory %d not found", id)
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE territories SET parent_id = ? WHERE parent_id = ?`), parent, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM territory_reps WHERE territory_id = ?`), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE accounts SET territory_id = NULL WHERE territory_id = ?`), id); err != nil {
			return err
		}
		if err := db.assign(ctx, tx, as); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.q(`DELETE FROM territories WHERE id = ?`), id)
		return err
	})
}

// TerritoriesVersion implements territory.Store.
func (db *DB) TerritoriesVersion(ctx context.Context) (string, error) {
	var n, maxUpdated, sumID int64
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(updated_at), 0), COALESCE(SUM(id), 0) FROM territories`).Scan(&n, &maxUpdated, &sumID)
	return fmt.Sprintf("%d.%d.%d", n, maxUpdated, sumID), err
}
