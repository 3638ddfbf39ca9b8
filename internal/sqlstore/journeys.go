package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/journey"
)

// Personas and journeys. Documents are stored as their canonical JSON
// (journey.Document.MarshalCanonical), so what is read back is byte for
// byte what was saved.

func decodePersona(id int64, doc string) (*journey.Persona, error) {
	p, err := journey.ParsePersona(strings.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("persona %d: stored document: %w", id, err)
	}
	p.ID = id
	return p, nil
}

// ListPersonas implements journey.Store.
func (db *DB) ListPersonas(ctx context.Context) ([]*journey.Persona, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, doc FROM personas ORDER BY name, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*journey.Persona{}
	for rows.Next() {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, err
		}
		p, err := decodePersona(id, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GetPersona implements journey.Store.
func (db *DB) GetPersona(ctx context.Context, id int64) (*journey.Persona, error) {
	var doc string
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT doc FROM personas WHERE id = ?`), id).Scan(&doc); err != nil {
		return nil, notFound(err, "persona %d not found", id)
	}
	return decodePersona(id, doc)
}

// SavePersona implements journey.Store.
func (db *DB) SavePersona(ctx context.Context, p *journey.Persona) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if p.ID == 0 {
			_, err := db.insertPersona(ctx, tx, p)
			return err
		}
		res, err := tx.ExecContext(ctx, db.q(`UPDATE personas SET name = ?, doc = ?, updated_at = ? WHERE id = ?`), p.Name, string(p.MarshalCanonical()), ms(db.Now()), p.ID)
		if err != nil {
			if db.dialect.IsUnique(err) {
				return derrors.Conflictf("name: a persona named %q already exists", p.Name)
			}
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return derrors.NotFoundf("persona %d not found", p.ID)
		}
		return nil
	})
}

func (db *DB) insertPersona(ctx context.Context, tx *sql.Tx, p *journey.Persona) (int64, error) {
	ids, err := db.dialect.ReserveIDs(ctx, tx, "personas", 1)
	if err != nil {
		return 0, err
	}
	now := ms(db.Now())
	_, err = tx.ExecContext(ctx, db.q(`INSERT INTO personas (id, name, doc, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`), ids[0], p.Name, string(p.MarshalCanonical()), now, now)
	if err != nil {
		if db.dialect.IsUnique(err) {
			return 0, derrors.Conflictf("name: a persona named %q already exists", p.Name)
		}
		return 0, err
	}
	p.ID = ids[0]
	return ids[0], nil
}

// DeletePersona implements journey.Store.
func (db *DB) DeletePersona(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(`SELECT name FROM journeys WHERE persona_id = ? ORDER BY name LIMIT 4`), id)
		if err != nil {
			return err
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			names = append(names, fmt.Sprintf("%q", n))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(names) > 0 {
			return derrors.Conflictf("persona %d is used by journeys %s: give them another persona first", id, strings.Join(names, ", "))
		}
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM personas WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return derrors.NotFoundf("persona %d not found", id)
		}
		return nil
	})
}

// upsertPersona finds the persona named p.Name, bringing its fields in line
// with p, or creates it.
func (db *DB) upsertPersona(ctx context.Context, tx *sql.Tx, p *journey.Persona) (int64, error) {
	var id int64
	var doc string
	err := tx.QueryRowContext(ctx, db.q(`SELECT id, doc FROM personas WHERE name = ?`), p.Name).Scan(&id, &doc)
	if err == sql.ErrNoRows {
		return db.insertPersona(ctx, tx, p)
	}
	if err != nil {
		return 0, err
	}
	if want := string(p.MarshalCanonical()); want != doc {
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE personas SET doc = ?, updated_at = ? WHERE id = ?`), want, ms(db.Now()), id); err != nil {
			return 0, err
		}
	}
	p.ID = id
	return id, nil
}

// SaveJourney implements journey.Store.
func (db *DB) SaveJourney(ctx context.Context, j *journey.Journey, doc *journey.Document, baseVersion int, authorID int64) error {
	now := db.Now()
	return db.inTx(ctx, func(tx *sql.Tx) error {
		pid, err := db.upsertPersona(ctx, tx, &doc.Persona)
		if err != nil {
			return err
		}
		var authorEmail string
		if authorID != 0 {
			if err := tx.QueryRowContext(ctx, db.q(`SELECT email FROM users WHERE id = ?`), authorID).Scan(&authorEmail); err != nil && err != sql.ErrNoRows {
				return err
			}
		}
		version := 1
		if j.ID == 0 {
			ids, err := db.dialect.ReserveIDs(ctx, tx, "journeys", 1)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, db.q(`INSERT INTO journeys (id, name, status, owner_email, persona_id, review_every_days, version, created_at, updated_at, reviewed_at)
				VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`), ids[0], doc.Name, doc.Status, doc.Owner, pid, doc.ReviewEveryDays, ms(now), ms(now), ms(now))
			if err != nil {
				return err
			}
			j.ID, j.CreatedAt = ids[0], now
		} else {
			var current int
			var created int64
			if err := tx.QueryRowContext(ctx, db.q(`SELECT version, created_at FROM journeys WHERE id = ?`), j.ID).Scan(&current, &created); err != nil {
				return notFound(err, "journey %d not found", j.ID)
			}
			if baseVersion != 0 && baseVersion != current {
				return derrors.Conflictf("version: journey %d is at version %d, not %d: someone saved it meanwhile; reload, then save again", j.ID, current, baseVersion)
			}
			version = current + 1
			// The version in the WHERE clause makes two saves racing from
			// the same version fail one of them rather than both write.
			res, err := tx.ExecContext(ctx, db.q(`UPDATE journeys SET name = ?, status = ?, owner_email = ?, persona_id = ?, review_every_days = ?, version = ?, updated_at = ?, reviewed_at = ?
				WHERE id = ? AND version = ?`), doc.Name, doc.Status, doc.Owner, pid, doc.ReviewEveryDays, version, ms(now), ms(now), j.ID, current)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return derrors.Conflictf("version: journey %d was saved meanwhile; reload, then save again", j.ID)
			}
			j.CreatedAt = fromMS(created)
		}
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO journey_versions (journey_id, version, doc, author_id, author_email, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
			j.ID, version, string(doc.MarshalCanonical()), nullInt(authorID), authorEmail, ms(now))
		if err != nil {
			if db.dialect.IsUnique(err) {
				return derrors.Conflictf("version: journey %d was saved meanwhile; reload, then save again", j.ID)
			}
			return err
		}
		j.Name, j.Status, j.Owner, j.PersonaID, j.PersonaName = doc.Name, doc.Status, doc.Owner, pid, doc.Persona.Name
		j.ReviewEveryDays, j.Version, j.UpdatedAt, j.ReviewedAt = doc.ReviewEveryDays, version, now, now
		j.Document = doc
		return nil
	})
}

const journeyCols = `j.id, j.name, j.status, j.owner_email, j.persona_id, p.name, j.review_every_days, j.version, j.created_at, j.updated_at, j.reviewed_at, j.review_notified_at`

func scanJourney(s scanner) (*journey.Journey, error) {
	var j journey.Journey
	var created, updated, reviewed int64
	var notified sql.NullInt64
	if err := s.Scan(&j.ID, &j.Name, &j.Status, &j.Owner, &j.PersonaID, &j.PersonaName, &j.ReviewEveryDays, &j.Version, &created, &updated, &reviewed, &notified); err != nil {
		return nil, err
	}
	j.CreatedAt, j.UpdatedAt, j.ReviewedAt, j.ReviewNotifiedAt = fromMS(created), fromMS(updated), fromMS(reviewed), fromNullMS(notified)
	return &j, nil
}

// GetJourney implements journey.Store.
func (db *DB) GetJourney(ctx context.Context, id int64) (*journey.Journey, error) {
	j, err := scanJourney(db.r.QueryRowContext(ctx, db.q(`SELECT `+journeyCols+` FROM journeys j JOIN personas p ON p.id = j.persona_id WHERE j.id = ?`), id))
	if err != nil {
		return nil, notFound(err, "journey %d not found", id)
	}
	v, err := db.GetJourneyVersion(ctx, id, j.Version)
	if err != nil {
		return nil, err
	}
	j.Document = v.Document
	return j, nil
}

// ListJourneys implements journey.Store.
func (db *DB) ListJourneys(ctx context.Context) ([]*journey.Journey, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT `+journeyCols+` FROM journeys j JOIN personas p ON p.id = j.persona_id ORDER BY j.updated_at DESC, j.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*journey.Journey{}
	for rows.Next() {
		j, err := scanJourney(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// ListJourneyVersions implements journey.Store.
func (db *DB) ListJourneyVersions(ctx context.Context, id int64) ([]*journey.Version, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM journeys WHERE id = ?`), id).Scan(&n); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, derrors.NotFoundf("journey %d not found", id)
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT version, author_id, author_email, created_at FROM journey_versions WHERE journey_id = ? ORDER BY version DESC`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*journey.Version{}
	for rows.Next() {
		v := &journey.Version{JourneyID: id}
		var author sql.NullInt64
		var created int64
		if err := rows.Scan(&v.Version, &author, &v.AuthorEmail, &created); err != nil {
			return nil, err
		}
		v.AuthorID, v.CreatedAt = author.Int64, fromMS(created)
		out = append(out, v)
	}
	return out, rows.Err()
}

// GetJourneyVersion implements journey.Store.
func (db *DB) GetJourneyVersion(ctx context.Context, id int64, version int) (*journey.Version, error) {
	v := &journey.Version{JourneyID: id, Version: version}
	var author sql.NullInt64
	var created int64
	var doc string
	err := db.r.QueryRowContext(ctx, db.q(`SELECT author_id, author_email, created_at, doc FROM journey_versions WHERE journey_id = ? AND version = ?`), id, version).
		Scan(&author, &v.AuthorEmail, &created, &doc)
	if err != nil {
		return nil, notFound(err, "journey %d has no version %d", id, version)
	}
	v.AuthorID, v.CreatedAt = author.Int64, fromMS(created)
	d, _, _, err := journey.Parse(strings.NewReader(doc))
	if err != nil {
		return nil, fmt.Errorf("journey %d version %d: stored document: %w", id, version, err)
	}
	v.Document = d
	return v, nil
}

// MarkJourneyReviewed implements journey.Store.
func (db *DB) MarkJourneyReviewed(ctx context.Context, id int64, at time.Time) error {
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE journeys SET reviewed_at = ? WHERE id = ?`), ms(at), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return derrors.NotFoundf("journey %d not found", id)
	}
	return nil
}

// ClaimJourneyReviewNotice implements journey.Store.
func (db *DB) ClaimJourneyReviewNotice(ctx context.Context, id int64, dueAt time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE journeys SET review_notified_at = ? WHERE id = ? AND (review_notified_at IS NULL OR review_notified_at <> ?)`), ms(dueAt), id, ms(dueAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
