// Package importer reads the files a sales team brings to Meridian: CRM
// exports of accounts and interactions as CSV or XLSX, and territories as
// GeoJSON. It turns them into plain rows and shapes and says precisely what
// is wrong with the ones it cannot read; it does not touch the database.
//
// # Tables
//
// OpenTable reads CSV or XLSX. A workbook is recognised by its zip magic
// number or an .xlsx name, and its first sheet is read with the values as
// the spreadsheet displays them (built-in date formats show as
// 2006-01-02 so that they parse again). Anything else is CSV: UTF-8 with or
// without a byte order mark, CRLF or LF line ends, and a delimiter (comma,
// semicolon or tab) chosen by counting each in the header line outside
// quotes; an Excel "sep=;" first line is honoured. Invalid UTF-8 is
// replaced with U+FFFD and NUL bytes are dropped rather than failing.
//
// Rows are numbered as a spreadsheet shows them: the header is row 1 and the
// first data row is row 2, so messages can say "row 17". For CSV the number
// counts records, so a quoted field spanning lines is one row; blank lines
// are skipped and not counted. For XLSX it is the sheet's own row number;
// empty rows are skipped.
//
// Reading streams: a CSV of any length uses memory for one record at a time.
// One record may be at most MaxRecordBytes long, which stops a stray quote
// from swallowing a whole file. A workbook is read into memory whole and
// may be at most MaxXLSXBytes.
//
// A row that cannot be read is reported as a *RowError and reading goes on
// with the next one; any other error from Next ends the table. Rows shorter
// than the header are padded with empty cells. Cells beyond the header are
// dropped when empty (a trailing delimiter is common) and make the row a
// *RowError when they hold a value, since the value would belong to no
// column. Header names are trimmed; unnamed columns at the end of the header
// are dropped, others are called "Column N", and a repeated name gets a
// " (2)" suffix. A table has at most MaxColumns columns.
//
// # Column mapping
//
// NewAccountMapping and NewInteractionMapping decide what each column feeds:
// a Meridian field, a custom field (accounts) or property (interactions), or
// nothing. Headers of Salesforce account exports, HubSpot company exports,
// Meridian's own exports and a few common names are recognised; matching
// ignores case, spaces and punctuation, so "Billing Zip/Postal Code",
// "BillingPostalCode" and "billing_postal_code" are the same header. The
// CLI's --map "Header=field" flags arrive as overrides and win over any
// recognised header. Every other column becomes a custom field named by its
// header; since custom field names are limited to letters, digits, spaces
// and _ . - /, other characters are folded or dropped ("Straße (DE)" becomes
// "Strasse DE"), and Columns shows the name chosen.
//
// Parse turns a row into an AccountRow or InteractionRow and checks what can
// be checked without the database: required values, numbers, coordinates,
// times and yes/no flags. Errors are *RowError values naming the row, the
// column and the bad value, such as
//
//	row 17, column "Billing Latitude": "abc" is not a number
//
// Numbers may carry currency symbols, spaces, thousands separators, a
// decimal comma, parentheses for negative amounts and, for money, a k, M or
// B suffix; a single comma followed by exactly three digits ("1,234") is a
// thousands separator, unless what precedes it cannot be a group of
// thousands ("0,500" and "1234,567" have decimal commas). Coordinates are simpler: a single comma is always a
// decimal comma ("48,8566"). Latitude and longitude must come together, be
// finite and lie within [-90, 90] and [-180, 180]. The position 0,0 exactly
// is read as "no coordinates": it is in the Gulf of Guinea, where no
// account is, and it is what many CRMs store for "unknown".
//
// # GeoJSON
//
// ReadTerritories reads a FeatureCollection (or one Feature) of Polygon and
// MultiPolygon features with a name and optional reps, color and parent. It
// accepts all of the file or none of it: every feature is checked and the
// error lists the invalid ones by 1-based index and name. EncodeFeatureCollection
// writes RFC 7946 GeoJSON for exports.
//
// All errors meant for users are derrors Invalid errors; a *RowError is
// Invalid too, and derrors.Message gives its whole text.
package importer
