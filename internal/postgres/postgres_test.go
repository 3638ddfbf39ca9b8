package postgres_test

import (
	"testing"

	"github.com/meridian-crm/meridian/internal/storetest"
)

func TestContract(t *testing.T) {
	storetest.PostgresURL(t)
	storetest.Run(t, func(t *testing.T) storetest.Store { return storetest.OpenPostgres(t) })
}
