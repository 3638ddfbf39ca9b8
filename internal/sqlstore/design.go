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
			var newID int64
			if t.ID == 0 {
				newID, ids = ids[0], ids[1:]
			}
			if err := db.writeTerritory(ctx, tx, t, newID, now); err != nil {
				return err
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
func (db *DB) TerritoryHistory(ctx context.Context, limit int, beforeID int64) (territory.HistoryList, error) {
	if limit <= 0 {
		limit = 50
	}
	var l territory.HistoryList
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM territory_history`).Scan(&l.Total); err != nil {
		return l, err
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
		return l, err
	}
	defer rows.Close()
	l.Items = []*territory.HistoryEntry{}
	for rows.Next() {
		var h territory.HistoryEntry
		var at int64
		var actor sql.NullInt64
		if err := rows.Scan(&h.ID, &at, &actor, &h.Action, &h.Summary, &h.Before, &h.After); err != nil {
			return l, err
		}
		h.At, h.ActorID = fromMS(at), actor.Int64
		l.Items = append(l.Items, &h)
	}
	return l, rows.Err()
}
