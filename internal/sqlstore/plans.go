package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/plan"
)

// planBody is the JSON document stored in route_plans.body.
type planBody struct {
	Routes     []plan.Route `json:"routes"`
	Unassigned []plan.Stop  `json:"unassigned"`
	Warnings   []string     `json:"warnings,omitempty"`
	Request    plan.Request `json:"request"`
}

const planCols = `id, name, day, time_zone, created_by, matrix, distance_meters, body, created_at, updated_at`

func encodePlan(p *plan.Plan) (string, error) {
	b, err := json.Marshal(planBody{Routes: p.Routes, Unassigned: p.Unassigned, Warnings: p.Warnings, Request: p.Request})
	if err != nil {
		return "", fmt.Errorf("encode plan: %w", err)
	}
	return string(b), nil
}

func scanPlan(row interface{ Scan(...any) error }) (*plan.Plan, error) {
	var p plan.Plan
	var body string
	var created, updated int64
	if err := row.Scan(&p.ID, &p.Name, &p.Day, &p.TimeZone, &p.CreatedBy, &p.Matrix, &p.DistanceMeters, &body, &created, &updated); err != nil {
		return nil, err
	}
	var b planBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return nil, fmt.Errorf("plan %d: stored body: %w", p.ID, err)
	}
	p.Routes, p.Unassigned, p.Warnings, p.Request = b.Routes, b.Unassigned, b.Warnings, b.Request
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, nil
}

// writePlanReps replaces the plan's rep index rows.
func (db *DB) writePlanReps(ctx context.Context, tx *sql.Tx, p *plan.Plan) error {
	if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM route_plan_reps WHERE plan_id = ?`), p.ID); err != nil {
		return err
	}
	for _, id := range p.RepIDs() {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO route_plan_reps (plan_id, user_id) VALUES (?, ?)`), p.ID, id); err != nil {
			return err
		}
	}
	return nil
}

// CreatePlan implements plan.Store.
func (db *DB) CreatePlan(ctx context.Context, p *plan.Plan) error {
	body, err := encodePlan(p)
	if err != nil {
		return err
	}
	now := db.Now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.dialect.ReserveIDs(ctx, tx, "route_plans", 1)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO route_plans (`+planCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			ids[0], p.Name, p.Day, p.TimeZone, p.CreatedBy, p.Matrix, p.DistanceMeters, body, ms(now), ms(now))
		if err != nil {
			return err
		}
		p.ID = ids[0]
		if err := db.writePlanReps(ctx, tx, p); err != nil {
			p.ID = 0
			return err
		}
		p.CreatedAt, p.UpdatedAt = fromMS(ms(now)), fromMS(ms(now))
		return nil
	})
}

// GetPlan implements plan.Store.
func (db *DB) GetPlan(ctx context.Context, id int64) (*plan.Plan, error) {
	p, err := scanPlan(db.r.QueryRowContext(ctx, db.q(`SELECT `+planCols+` FROM route_plans WHERE id = ?`), id))
	return p, notFound(err, "route plan %d not found", id)
}

// UpdatePlan implements plan.Store.
func (db *DB) UpdatePlan(ctx context.Context, p *plan.Plan) error {
	body, err := encodePlan(p)
	if err != nil {
		return err
	}
	now := db.Now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE route_plans SET name = ?, day = ?, time_zone = ?, matrix = ?, distance_meters = ?, body = ?, updated_at = ? WHERE id = ?`),
			p.Name, p.Day, p.TimeZone, p.Matrix, p.DistanceMeters, body, ms(now), p.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return derrors.NotFoundf("route plan %d not found", p.ID)
		}
		if err := db.writePlanReps(ctx, tx, p); err != nil {
			return err
		}
		p.UpdatedAt = fromMS(ms(now))
		return nil
	})
}

// DeletePlan implements plan.Store.
func (db *DB) DeletePlan(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM route_plan_reps WHERE plan_id = ?`), id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM route_plans WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return derrors.NotFoundf("route plan %d not found", id)
		}
		return nil
	})
}

// ListPlans implements plan.Store: newest (highest id) first.
func (db *DB) ListPlans(ctx context.Context, f plan.Filter, pg plan.Page) (plan.List, error) {
	var where []string
	var args []any
	if f.RepID != 0 {
		where = append(where, `id IN (SELECT plan_id FROM route_plan_reps WHERE user_id = ?)`)
		args = append(args, f.RepID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var out plan.List
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM route_plans`+cond), args...).Scan(&out.Total); err != nil {
		return out, err
	}
	if pg.BeforeID > 0 {
		where = append(where, `id < ?`)
		args = append(args, pg.BeforeID)
	}
	cond = ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	limit := pg.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+planCols+` FROM route_plans`+cond+` ORDER BY id DESC LIMIT ?`), append(args, limit)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, p)
	}
	return out, rows.Err()
}
