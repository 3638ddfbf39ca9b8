package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

const accountCols = `id, external_id, name, street, city, region, postal_code, country, lon, lat, tile_key,
	precision, geo_source, stage, owner_id, territory_id, estimated_value, source_channel, persona_id,
	tags, custom, created_at, updated_at, last_visit_at, last_visit_result, next_follow_up_at, do_not_contact`

const accountColCount = 27

// accountArgs lists a's values in accountCols order.
func accountArgs(a *account.Account) []any {
	var lon, lat, tile any
	if a.Location != nil {
		lon, lat, tile = a.Location.Lon, a.Location.Lat, a.TileKey()
	}
	return []any{a.ID, nullStr(a.ExternalID), a.Name, a.Street, a.City, a.Region, a.PostalCode, a.Country,
		lon, lat, tile, string(a.Precision), a.GeoSource, a.Stage, nullInt(a.OwnerID), nullInt(a.TerritoryID),
		a.EstimatedValue, a.SourceChannel, nullInt(a.PersonaID), jsonStrings(a.Tags), jsonMap(a.Custom),
		ms(a.CreatedAt), ms(a.UpdatedAt), nullMS(a.LastVisitAt), a.LastVisitResult, nullMS(a.NextFollowUpAt),
		boolInt(a.DoNotContact)}
}

type scanner interface{ Scan(dest ...any) error }

func scanAccount(s scanner) (*account.Account, error) {
	var (
		a                          account.Account
		ext                        sql.NullString
		lon, lat                   sql.NullFloat64
		tile, owner, terr, persona sql.NullInt64
		precision, tags, custom    string
		created, updated           int64
		lastVisit, nextFollowUp    sql.NullInt64
		dnc                        int
	)
	err := s.Scan(&a.ID, &ext, &a.Name, &a.Street, &a.City, &a.Region, &a.PostalCode, &a.Country, &lon, &lat, &tile,
		&precision, &a.GeoSource, &a.Stage, &owner, &terr, &a.EstimatedValue, &a.SourceChannel, &persona,
		&tags, &custom, &created, &updated, &lastVisit, &a.LastVisitResult, &nextFollowUp, &dnc)
	if err != nil {
		return nil, err
	}
	a.ExternalID = ext.String
	if lon.Valid && lat.Valid {
		a.Location = &geo.Point{Lon: lon.Float64, Lat: lat.Float64}
	}
	a.Precision = account.Precision(precision)
	a.OwnerID, a.TerritoryID, a.PersonaID = owner.Int64, terr.Int64, persona.Int64
	if err := json.Unmarshal([]byte(tags), &a.Tags); err != nil {
		return nil, fmt.Errorf("account %d tags: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(custom), &a.Custom); err != nil {
		return nil, fmt.Errorf("account %d custom: %w", a.ID, err)
	}
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	a.LastVisitAt, a.NextFollowUpAt = fromNullMS(lastVisit), fromNullMS(nextFollowUp)
	a.DoNotContact = dnc != 0
	return &a, nil
}

// CreateAccount implements account.Store.
func (db *DB) CreateAccount(ctx context.Context, a *account.Account) (err error) {
	defer derrors.Wrap(&err, "CreateAccount")
	now := db.Now()
	a.CreatedAt, a.UpdatedAt = now, now
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := db.dialect.ReserveIDs(ctx, tx, "accounts", 1)
		if err != nil {
			return err
		}
		a.ID = ids[0]
		_, err = tx.ExecContext(ctx, db.q(`INSERT INTO accounts (`+accountCols+`) VALUES (`+placeholders(accountColCount)+`)`), accountArgs(a)...)
		if err != nil && db.dialect.IsUnique(err) {
			a.ID = 0
			return derrors.Conflictf("external_id: an account with external id %q already exists", a.ExternalID)
		}
		return err
	})
}

// GetAccount implements account.Store.
func (db *DB) GetAccount(ctx context.Context, id int64) (*account.Account, error) {
	a, err := scanAccount(db.r.QueryRowContext(ctx, db.q(`SELECT `+accountCols+` FROM accounts WHERE id = ?`), id))
	return a, notFound(err, "account %d not found", id)
}

// GetAccountByExternalID implements account.Store.
func (db *DB) GetAccountByExternalID(ctx context.Context, ext string) (*account.Account, error) {
	a, err := scanAccount(db.r.QueryRowContext(ctx, db.q(`SELECT `+accountCols+` FROM accounts WHERE external_id = ?`), ext))
	return a, notFound(err, "no account has external id %q", ext)
}

// UpdateAccount implements account.Store.
func (db *DB) UpdateAccount(ctx context.Context, a *account.Account) (err error) {
	defer derrors.Wrap(&err, "UpdateAccount(%d)", a.ID)
	a.UpdatedAt = db.Now()
	args := accountArgs(a)
	set := strings.Split(strings.Join(strings.Fields(accountCols), ""), ",")[1:]
	for i := range set {
		set[i] += " = ?"
	}
	res, err := db.w.ExecContext(ctx, db.q(`UPDATE accounts SET `+strings.Join(set, ", ")+` WHERE id = ?`), append(args[1:], a.ID)...)
	if err != nil {
		if db.dialect.IsUnique(err) {
			return derrors.Conflictf("external_id: an account with external id %q already exists", a.ExternalID)
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return derrors.NotFoundf("account %d not found", a.ID)
	}
	return nil
}

// DeleteAccount implements account.Store.
func (db *DB) DeleteAccount(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM interactions WHERE account_id = ?`), id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM accounts WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return derrors.NotFoundf("account %d not found", id)
		}
		return nil
	})
}

// likePattern escapes LIKE wildcards in s and wraps it in %…%.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// where builds the WHERE clause (without the keyword) for f.
func (db *DB) where(f account.Filter) (string, []any) {
	var conds []string
	var args []any
	if b := f.BBox; b != nil {
		var rs []string
		for _, r := range geo.CoverBBox(*b, 16) {
			rs = append(rs, "tile_key BETWEEN ? AND ?")
			args = append(args, r.Lo, r.Hi)
		}
		conds = append(conds, "("+strings.Join(rs, " OR ")+")", "lon BETWEEN ? AND ?", "lat BETWEEN ? AND ?")
		args = append(args, b.MinLon, b.MaxLon, b.MinLat, b.MaxLat)
	}
	if len(f.Stages) > 0 {
		conds = append(conds, "stage IN ("+placeholders(len(f.Stages))+")")
		for _, s := range f.Stages {
			args = append(args, s)
		}
	}
	if len(f.OwnerIDs) > 0 {
		conds = append(conds, "owner_id IN ("+placeholders(len(f.OwnerIDs))+")")
		args = append(args, int64Args(f.OwnerIDs)...)
	}
	if len(f.TerritoryIDs) > 0 {
		var ids []int64
		none := false
		for _, id := range f.TerritoryIDs {
			if id == 0 {
				none = true
			} else {
				ids = append(ids, id)
			}
		}
		var or []string
		if len(ids) > 0 {
			or = append(or, "territory_id IN ("+placeholders(len(ids))+")")
			args = append(args, int64Args(ids)...)
		}
		if none {
			or = append(or, "territory_id IS NULL")
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		p := likePattern(t)
		op := db.dialect.ILike
		conds = append(conds, fmt.Sprintf(`(name %[1]s ? ESCAPE '\' OR city %[1]s ? ESCAPE '\' OR postal_code %[1]s ? ESCAPE '\' OR external_id %[1]s ? ESCAPE '\')`, op))
		args = append(args, p, p, p, p)
	}
	for _, tag := range account.NormalizeTags(f.Tags) {
		conds = append(conds, `tags LIKE ? ESCAPE '\'`)
		args = append(args, likePattern(jsonText(tag)))
	}
	keys := make([]string, 0, len(f.Custom))
	for k := range f.Custom {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		conds = append(conds, db.dialect.JSONField("custom")+" = ?")
		args = append(args, k, f.Custom[k])
	}
	if len(f.IDs) > 0 {
		conds = append(conds, "id IN ("+placeholders(len(f.IDs))+")")
		args = append(args, int64Args(f.IDs)...)
	}
	if !f.LastVisitFrom.IsZero() || !f.LastVisitTo.IsZero() || f.NeverVisited {
		var or []string
		if !f.LastVisitFrom.IsZero() || !f.LastVisitTo.IsZero() {
			to := f.LastVisitTo
			if to.IsZero() {
				to = time.Unix(1<<40, 0)
			}
			or = append(or, "(last_visit_at >= ? AND last_visit_at <= ?)")
			args = append(args, ms(f.LastVisitFrom), ms(to))
		}
		if f.NeverVisited {
			or = append(or, "last_visit_at IS NULL")
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	if s := f.Scope; s != nil {
		or := []string{"owner_id = ?"}
		args = append(args, s.OwnerID)
		if len(s.TerritoryIDs) > 0 {
			or = append(or, "territory_id IN ("+placeholders(len(s.TerritoryIDs))+")")
			args = append(args, int64Args(s.TerritoryIDs)...)
		}
		conds = append(conds, "("+strings.Join(or, " OR ")+")")
	}
	if len(conds) == 0 {
		return "1=1", nil
	}
	return strings.Join(conds, " AND "), args
}

// ListAccounts implements account.Store.
func (db *DB) ListAccounts(ctx context.Context, f account.Filter, p account.Page) (_ account.List, err error) {
	defer derrors.Wrap(&err, "ListAccounts")
	limit, after, err := p.Normalize()
	if err != nil {
		return account.List{}, err
	}
	where, args := db.where(f)
	var list account.List
	if err := db.r.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM accounts WHERE `+where), args...).Scan(&list.Total); err != nil {
		return account.List{}, err
	}
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+accountCols+` FROM accounts WHERE `+where+` AND id > ? ORDER BY id LIMIT ?`),
		append(args, after, limit+1)...)
	if err != nil {
		return account.List{}, err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return account.List{}, err
		}
		list.Items = append(list.Items, a)
	}
	if err := rows.Err(); err != nil {
		return account.List{}, err
	}
	if len(list.Items) > limit {
		list.Items = list.Items[:limit]
		list.NextCursor = account.EncodeCursor(list.Items[limit-1].ID)
	}
	return list, nil
}

// EachAccount implements account.Store.
func (db *DB) EachAccount(ctx context.Context, f account.Filter, fn func(*account.Account) error) error {
	where, args := db.where(f)
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT `+accountCols+` FROM accounts WHERE `+where+` ORDER BY id`), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return err
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Pipeline implements account.Store.
func (db *DB) Pipeline(ctx context.Context) ([]account.Stage, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT key, name, kind, color FROM stages ORDER BY position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Stage
	for rows.Next() {
		var s account.Stage
		var kind string
		if err := rows.Scan(&s.Key, &s.Name, &kind, &s.Color); err != nil {
			return nil, err
		}
		s.Kind = account.Kind(kind)
		out = append(out, s)
	}
	return out, rows.Err()
}

// SetPipeline implements account.Store.
func (db *DB) SetPipeline(ctx context.Context, stages []account.Stage) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		keys := make([]any, len(stages))
		for i, s := range stages {
			keys[i] = s.Key
		}
		var orphan string
		err := tx.QueryRowContext(ctx, db.q(`SELECT stage FROM accounts WHERE stage NOT IN (`+placeholders(len(keys))+`) LIMIT 1`), keys...).Scan(&orphan)
		if err == nil {
			return derrors.Conflictf("stages: accounts are still in stage %q; move them before removing it", orphan)
		} else if err != sql.ErrNoRows {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM stages`); err != nil {
			return err
		}
		for i, s := range stages {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO stages (key, position, name, kind, color) VALUES (?, ?, ?, ?, ?)`),
				s.Key, i, s.Name, string(s.Kind), s.Color); err != nil {
				return err
			}
		}
		return nil
	})
}

// ExternalIDs implements account.Store.
func (db *DB) ExternalIDs(ctx context.Context) (map[string]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT external_id, id FROM accounts WHERE external_id IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var ext string
		var id int64
		if err := rows.Scan(&ext, &id); err != nil {
			return nil, err
		}
		m[ext] = id
	}
	return m, rows.Err()
}

// LocatedIn implements account.Store.
func (db *DB) LocatedIn(ctx context.Context, b geo.BBox) ([]account.Located, error) {
	where, args := db.where(account.Filter{BBox: &b})
	rows, err := db.r.QueryContext(ctx, db.q(`SELECT id, lon, lat, territory_id FROM accounts WHERE `+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Located
	for rows.Next() {
		var l account.Located
		var terr sql.NullInt64
		if err := rows.Scan(&l.ID, &l.Location.Lon, &l.Location.Lat, &terr); err != nil {
			return nil, err
		}
		l.TerritoryID = terr.Int64
		out = append(out, l)
	}
	return out, rows.Err()
}

// SetTerritories implements account.Store.
func (db *DB) SetTerritories(ctx context.Context, as []account.Assignment) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.assign(ctx, tx, as) })
}

func (db *DB) assign(ctx context.Context, tx *sql.Tx, as []account.Assignment) error {
	if len(as) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, db.q(`UPDATE accounts SET territory_id = ?, updated_at = ? WHERE id = ?`))
	if err != nil {
		return err
	}
	defer stmt.Close()
	now := ms(db.Now())
	for _, a := range as {
		if _, err := stmt.ExecContext(ctx, nullInt(a.TerritoryID), now, a.AccountID); err != nil {
			return err
		}
	}
	return nil
}

// ImportAccounts implements account.Store.
func (db *DB) ImportAccounts(ctx context.Context, fn func(account.Importer) error) error {
	return db.inBulkTx(ctx, "accounts", func(tx *sql.Tx) error {
		im := &accountImporter{db: db, tx: tx, stmts: map[string]*sql.Stmt{}, existing: -1}
		defer im.close()
		if err := fn(im); err != nil {
			return err
		}
		return im.rebuildIndexes(ctx)
	})
}

type accountImporter struct {
	db       *DB
	tx       *sql.Tx
	stmts    map[string]*sql.Stmt
	reserved int64 // highest id handed out so far in this import

	inserted int64       // rows inserted so far
	existing int64       // rows in the table when the import began; -1 unknown
	dropped  [][2]string // indexes dropped for this import, to rebuild
}

// bulkThreshold is how many rows an import must add, and more than the table
// held before, for its secondary indexes to be dropped and rebuilt.
const bulkThreshold = 50_000

// maybeDropIndexes drops the table's secondary indexes once the import has
// grown large next to the table, where rebuilding them at the end is cheaper
// than keeping them up to date.
func (im *accountImporter) maybeDropIndexes(ctx context.Context) error {
	if im.dropped != nil || im.db.dialect.SecondaryIndexes == nil || im.inserted < bulkThreshold {
		return nil
	}
	if im.existing < 0 {
		if err := im.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&im.existing); err != nil {
			return err
		}
		im.existing -= im.inserted
	}
	if im.inserted < im.existing {
		return nil
	}
	idx, err := im.db.dialect.SecondaryIndexes(ctx, im.tx, "accounts")
	if err != nil {
		return err
	}
	for _, ix := range idx {
		if _, err := im.tx.ExecContext(ctx, "DROP INDEX "+ix[0]); err != nil {
			return err
		}
	}
	im.dropped = append([][2]string{}, idx...)
	// Statements prepared against the old schema are re-prepared as needed.
	return nil
}

func (im *accountImporter) rebuildIndexes(ctx context.Context) error {
	for _, ix := range im.dropped {
		if _, err := im.tx.ExecContext(ctx, ix[1]); err != nil {
			return fmt.Errorf("rebuild index %s: %w", ix[0], err)
		}
	}
	return nil
}

func (im *accountImporter) close() {
	for _, s := range im.stmts {
		s.Close()
	}
}

func (im *accountImporter) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := im.stmts[query]; ok {
		return s, nil
	}
	s, err := im.tx.PrepareContext(ctx, im.db.q(query))
	if err != nil {
		return nil, err
	}
	im.stmts[query] = s
	return s, nil
}

func (im *accountImporter) NextIDs(ctx context.Context, n int) ([]int64, error) {
	ids, err := im.db.dialect.ReserveIDs(ctx, im.tx, "accounts", n)
	if err != nil {
		return nil, err
	}
	// Ids handed out earlier may not be inserted yet, so a reservation based
	// on MAX(id) (SQLite) would repeat them: continue above them instead.
	if len(ids) > 0 && ids[0] <= im.reserved {
		for i := range ids {
			ids[i] = im.reserved + int64(i) + 1
		}
	}
	for _, id := range ids {
		im.reserved = max(im.reserved, id)
	}
	return ids, nil
}

func (im *accountImporter) Insert(ctx context.Context, batch []*account.Account) error {
	chunks, stop := bindChunks(batch, min(500, im.db.dialect.MaxParams/accountColCount), accountColCount, accountArgs)
	defer stop()
	one := "(" + placeholders(accountColCount) + ")"
	for c := range chunks {
		if err := im.maybeDropIndexes(ctx); err != nil {
			return err
		}
		query := im.db.dialect.BulkInsert + ` INTO accounts (` + accountCols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+",", c.n), ",")
		s, err := im.stmt(ctx, query)
		if err != nil {
			return err
		}
		if _, err := s.ExecContext(ctx, c.args...); err != nil {
			if im.db.dialect.IsUnique(err) {
				return derrors.Conflictf("import: another writer added an account with one of these ids or external ids meanwhile; run the import again")
			}
			return err
		}
		im.inserted += int64(c.n)
	}
	return nil
}

func (im *accountImporter) Update(ctx context.Context, batch []*account.Account, f account.Fields) error {
	for _, a := range batch {
		set := []string{"name = ?", "updated_at = ?"}
		args := []any{a.Name, ms(a.UpdatedAt)}
		add := func(flag account.Fields, cols string, vals ...any) {
			if f&flag != 0 {
				set = append(set, cols)
				args = append(args, vals...)
			}
		}
		add(account.FieldExternalID, "external_id = ?", nullStr(a.ExternalID))
		add(account.FieldAddress, "street = ?, city = ?, region = ?, postal_code = ?, country = ?", a.Street, a.City, a.Region, a.PostalCode, a.Country)
		add(account.FieldStage, "stage = ?", a.Stage)
		add(account.FieldOwner, "owner_id = ?", nullInt(a.OwnerID))
		add(account.FieldValue, "estimated_value = ?", a.EstimatedValue)
		add(account.FieldSource, "source_channel = ?", a.SourceChannel)
		add(account.FieldPersona, "persona_id = ?", nullInt(a.PersonaID))
		if f&account.FieldTags != 0 {
			set = append(set, "tags = ?")
			args = append(args, jsonStrings(account.NormalizeTags(a.Tags)))
		}
		if f&account.FieldCustom != 0 && len(a.Custom) > 0 {
			set = append(set, "custom = "+im.db.dialect.JSONMerge("custom"))
			args = append(args, jsonMap(a.Custom))
		}
		add(account.FieldDoNotContact, "do_not_contact = ?", boolInt(a.DoNotContact))
		if a.Location != nil {
			set = append(set, "lon = ?, lat = ?, tile_key = ?, precision = ?, geo_source = ?, territory_id = ?")
			args = append(args, a.Location.Lon, a.Location.Lat, a.TileKey(), string(a.Precision), a.GeoSource, nullInt(a.TerritoryID))
		}
		s, err := im.stmt(ctx, `UPDATE accounts SET `+strings.Join(set, ", ")+` WHERE id = ?`)
		if err != nil {
			return err
		}
		if _, err := s.ExecContext(ctx, append(args, a.ID)...); err != nil {
			return err
		}
	}
	return nil
}

// EachPlaced implements account.Store.
func (db *DB) EachPlaced(ctx context.Context, fn func(account.Placed) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, lon, lat, stage, owner_id, territory_id, estimated_value, created_at, last_visit_at, last_visit_result
		FROM accounts WHERE lon IS NOT NULL AND lat IS NOT NULL`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var p account.Placed
		var owner, terr, lastVisit sql.NullInt64
		var created int64
		if err := rows.Scan(&p.ID, &p.Name, &p.Location.Lon, &p.Location.Lat, &p.Stage, &owner, &terr, &p.EstimatedValue, &created, &lastVisit, &p.LastVisitResult); err != nil {
			return err
		}
		p.OwnerID, p.TerritoryID = owner.Int64, terr.Int64
		p.CreatedAt = created / 1000
		if lastVisit.Valid {
			p.LastVisitAt = lastVisit.Int64 / 1000
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Version implements account.Store: the count, the newest change and the
// sum of ids, which together move on any insert, update or delete.
func (db *DB) Version(ctx context.Context) (string, error) {
	var n, newest, sum int64
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(updated_at), 0), COALESCE(SUM(id), 0) FROM accounts`).Scan(&n, &newest, &sum)
	return fmt.Sprintf("%d.%d.%d", n, newest, sum), err
}
