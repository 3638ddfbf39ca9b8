package sqlstore

import (
	"context"
	"database/sql"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/territory"
)

// ApplyBalance implements territory.DesignStore. Replaced territories go
// first (their accounts are cleared, then set again by the assignments), so
// a new territory may take a deleted one's name.
func (db *DB) ApplyBalance(ctx context.Context, c *territory.BalanceChange) error {
	now := db.Now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range c.Delete {
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM territories WHERE parent_id = ?`), id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return derrors.Conflictf("territory %d has child territories and cannot be replaced", id)
			}
			for _, q := range []string{
				`UPDATE accounts SET territory_id = NULL WHERE territory_id = ?`,
				`DELETE FROM territory_reps WHERE territory_id = ?`,
			} {
				if _, err := tx.ExecContext(ctx, db.q(q), id); err != nil {
					return err
				}
			}
			res, err := tx.ExecContext(ctx, db.q(`DELETE FROM territories WHERE id = ?`), id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return derrors.NotFoundf("territory %d not found", id)
			}
		}
		var fresh int
		for _, t := range c.Save {
			if t.ID == 0 {
				fresh++
			}
		}
		var ids []int64
		if fresh > 0 {
			var err error
			if ids, err = db.dialect.ReserveIDs(ctx, tx, "territories", fresh); err != nil {
				return err
			}
		}
		saved := make([]int64, len(c.Save))
		for i, t := range c.Save {
			b := t.Shape.Bounds()
			if t.ID == 0 {
				t.ID, ids = ids[0], ids[1:]
				t.CreatedAt, t.UpdatedAt = now, now
				_, err := tx.ExecContext(ctx, db.q(`INSERT INTO territories (id, name, parent_id, color, shape, min_lon, min_lat, max_lon, max_lat, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
					t.ID, t.Name, nullInt(t.ParentID), t.Color, encodeShape(t.Shape), b.MinLon, b.MinLat, b.MaxLon, b.MaxLat, ms(now), ms(now))
				if err != nil {
					t.ID = 0
					if db.dialect.IsUnique(err) {
						return derrors.Conflictf("name: a territory named %q already exists", t.Name)
					}
					return err
				}
			} else {
				t.UpdatedAt = now
				res, err := tx.ExecContext(ctx, db.q(`UPDATE territories SET name = ?, parent_id = ?, color = ?, shape = ?, min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ?, updated_at = ? WHERE id = ?`),
					t.Name, nullInt(t.ParentID), t.Color, encodeShape(t.Shape), b.MinLon, b.MinLat, b.MaxLon, b.MaxLat, ms(now), t.ID)
				if err != nil {
					if db.dialect.IsUnique(err) {
						return derrors.Conflictf("name: a territory named %q already exists", t.Name)
					}
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return derrors.NotFoundf("territory %d not found", t.ID)
				}
				if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM territory_reps WHERE territory_id = ?`), t.ID); err != nil {
					return err
				}
			}
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
			saved[i] = t.ID
		}
		if c.Assign != nil {
			as, err := c.Assign(saved)
			if err != nil {
				return err
			}
			if err := db.assign(ctx, tx, as); err != nil {
				return err
			}
		}
		if h := c.History; h != nil {
			hid, err := db.dialect.ReserveIDs(ctx, tx, "territory_history", 1)
			if err != nil {
				return err
			}
			h.ID, h.At = hid[0], now
			_, err = tx.ExecContext(ctx, db.q(`INSERT INTO territory_history (id, at, actor_id, action, summary, before_state, after_state) VALUES (?, ?, ?, ?, ?, ?, ?)`),
				h.ID, ms(now), nullInt(h.ActorID), h.Action, h.Summary, h.Before, h.After)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// TerritoryHistory implements territory.DesignStore.
func (db *DB) TerritoryHistory(ctx context.Context, limit int, beforeID int64) ([]*territory.HistoryEntry, error) {
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT id, at, actor_id, action, summary, before_state, after_state FROM territory_history`
	args := []any{}
	if beforeID > 0 {
		q += ` WHERE id < ?`
		args = append(args, beforeID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, db.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*territory.HistoryEntry{}
	for rows.Next() {
		var h territory.HistoryEntry
		var at int64
		var actor sql.NullInt64
		if err := rows.Scan(&h.ID, &at, &actor, &h.Action, &h.Summary, &h.Before, &h.After); err != nil {
			return nil, err
		}
		h.At, h.ActorID = fromMS(at), actor.Int64
		out = append(out, &h)
	}
	return out, rows.Err()
}
