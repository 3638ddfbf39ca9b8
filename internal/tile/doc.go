// Package tile turns accounts into map tiles and area figures fast enough
// for a million pins: an in-memory, column-wise copy of every placed
// account, sorted by its Morton tile key, so that any Web Mercator tile is
// one contiguous run and any box a handful of runs.
//
// Clusters are exact by construction: a tile is split into a grid, every
// account of the tile falls in exactly one cell, and a cell with more than
// one account becomes one cluster feature whose point_count is the number of
// its accounts. The features of the tiles of one zoom level therefore add up
// to every account that passes the filter, each once.
//
// The package is pure: the app layer loads it from the store and keeps it
// current.
package tile
