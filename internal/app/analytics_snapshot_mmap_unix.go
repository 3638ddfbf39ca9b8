//go:build unix

package app

import (
	"os"
	"runtime"
	"syscall"

	"github.com/meridian-crm/meridian/internal/analytics"
)

// loadSnapshotFile maps the snapshot at path read-only and decodes it in
// place (analytics.DecodeSnapshotBytes): the columns are the file's pages,
// so a fresh process neither copies 170 MB at 10,000,000 interactions nor
// faults in fresh memory for them, and the pages are the page cache's,
// shared between processes. The mapping lives as long as the Events: it is
// unmapped when the Events becomes unreachable (the index replaced by a
// rebuild and no analysis still using it; analyses reach the columns only
// through the *Events, which keeps it reachable) or when decoding fails.
// A snapshot replaced meanwhile by rename (writeSnapshotFile) leaves this
// mapping on the old file, which stays valid until unmapped. The mapping is
// private and read-only: nothing writes to the columns of built Events.
// Where the file cannot be mapped it is read as on other systems.
func loadSnapshotFile(path, version string) (*analytics.Events, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size <= 0 || int64(int(size)) != size {
		return snapshotFile(f, version) // nothing to map, or too big to: DecodeSnapshot reports it
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return snapshotFile(f, version)
	}
	ev, err := analytics.DecodeSnapshotBytes(data, version)
	if err != nil {
		syscall.Munmap(data)
		return nil, err
	}
	runtime.AddCleanup(ev, func(b []byte) { syscall.Munmap(b) }, data)
	return ev, nil
}
