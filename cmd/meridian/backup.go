package main

import (
	"fmt"
	"path/filepath"

	"github.com/meridian-crm/meridian/internal/postgres"
	"github.com/meridian-crm/meridian/internal/sqlite"
)

func cmdBackup(e *env, args []string) error {
	fs := e.flags("backup", "backup FILE")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	out, err := filepath.Abs(pos[0])
	if err != nil {
		return err
	}
	if e.dbURL != "" {
		if err := postgres.Backup(e.ctx, e.dbURL, out); err != nil {
			return err
		}
	} else {
		db, err := sqlite.Open(e.ctx, e.dataDir)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := sqlite.Backup(e.ctx, db, out); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "backup written to %s\n", out)
	return nil
}
