// Package sqlstore is the SQL implementation of Meridian's store interfaces,
// written once in the portable subset of SQL that SQLite and PostgreSQL
// share. The sqlite and postgres packages open a connection, apply their own
// migrations (DDL differs) and hand this package a Dialect that covers the
// few places the engines differ: placeholders, case-insensitive LIKE, JSON
// field access, reserving ids, unique-violation errors.
//
// Times are stored as Unix milliseconds (BIGINT) and locations as plain
// lon/lat columns plus the Morton tile key (geo.TileKey) with an ordinary
// index, so no spatial extension is needed on either engine.
package sqlstore
