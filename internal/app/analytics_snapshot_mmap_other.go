//go:build !unix

package app

import (
	"os"

	"github.com/meridian-crm/meridian/internal/analytics"
)

// loadSnapshotFile reads the snapshot at path into memory (mapped on Unix:
// analytics_snapshot_mmap_unix.go).
func loadSnapshotFile(path, version string) (*analytics.Events, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return snapshotFile(f, version)
}
