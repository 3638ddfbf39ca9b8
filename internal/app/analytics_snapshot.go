package app

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/meridian-crm/meridian/internal/analytics"
)

// The analytics snapshot keeps the column-wise copy of the interactions in
// a file between processes, so that a fresh `meridian analyze` loads it
// instead of reading every interaction from the store. It is a cache: tagged
// with the version the columns were read at (analyticsVersion), used only
// when that equals the store's version now, checksummed, and rebuilt and
// rewritten whenever it is missing, stale or damaged. Custom properties are
// not in it; they load lazily as without it.

// SetAnalyticsSnapshot makes the service keep its analytics columns in the
// file at path (cmd sets DATA_DIR/analytics.snapshot for SQLite); "" keeps
// none. Call it before the first analysis.
func (s *Service) SetAnalyticsSnapshot(path string) {
	ix := s.analyticsIx()
	ix.mu.Lock()
	ix.snapshot = path
	ix.mu.Unlock()
}

func (s *Service) analyticsSnapshotPath() string {
	ix := s.analyticsIx()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.snapshot
}

// snapshotFile reads the open snapshot f with DecodeSnapshot, for where
// it is not mapped (analytics_snapshot_mmap_*.go).
func snapshotFile(f *os.File, version string) (*analytics.Events, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return analytics.DecodeSnapshot(f, st.Size(), version)
}

// readAnalyticsSnapshot returns the snapshot's columns when it holds those
// of version, and nil otherwise (no file, stale, damaged: the caller
// rebuilds).
func (s *Service) readAnalyticsSnapshot(path, version string) *analytics.Events {
	if path == "" {
		return nil
	}
	ev, err := loadSnapshotFile(path, version)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	switch {
	case errors.Is(err, analytics.ErrSnapshotStale):
		s.Log.Info("analytics snapshot is stale; rebuilding", "path", path)
		return nil
	case err != nil:
		s.Log.Warn("analytics snapshot ignored; rebuilding", "path", path, "err", err)
		return nil
	}
	return ev
}

// writeAnalyticsSnapshot writes ev tagged with version to a temporary file
// beside path and renames it over path, so that readers see the old file
// or the new one, never half of one. A crash before the data reaches the
// disk can leave a damaged file, which the checksum catches, so it does
// not fsync. Failing to write only costs the next process a rebuild: it is
// logged, not returned.
func (s *Service) writeAnalyticsSnapshot(path, version string, ev *analytics.Events) {
	if path == "" {
		return
	}
	if err := writeSnapshotFile(path, version, ev); err != nil {
		s.Log.Warn("analytics snapshot not written", "path", path, "err", err)
	}
}

func writeSnapshotFile(path, version string, ev *analytics.Events) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := analytics.EncodeSnapshot(f, version, ev); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
