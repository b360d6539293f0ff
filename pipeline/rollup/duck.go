package rollup

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/duckdb/duckdb-go/v2" // DuckDB's database/sql driver (cgo)
)

// DefaultMemoryLimit is DuckDB's memory_limit unless XHHT_DUCKDB_MEMORY
// says otherwise.
const DefaultMemoryLimit = "512MB"

// openDuckDB opens an in-memory DuckDB whose home and extension
// directories are home (Lambda's HOME is read-only, and nothing is
// downloaded: parquet and json are built in, httpfs is not used). It
// spills to a folder of its own, which DuckDB creates at the first spill
// and removes when the database closes: DuckDB 1.5 names spill files by
// size class, not by instance, so two instances spilling into one folder
// corrupt each other's files. cleanup, when not nil, runs after the
// database is closed (sql.DB.Close closes the connector).
func openDuckDB(ctx context.Context, home string, cleanup func()) (*sql.DB, error) {
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("rollup: open duckdb: %w", err)
	}
	db := sql.OpenDB(closingConnector{c, cleanup})
	// One connection: settings and temp tables are per connection.
	db.SetMaxOpenConns(1)
	stmts := []string{
		"SET home_directory = " + quote(home),
		"SET extension_directory = " + quote(filepath.Join(home, "duckdb-ext")),
		"SET temp_directory = " + quote(spillDir()),
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = true",
		"SET TimeZone = 'UTC'",
	}
	// XHHT_DUCKDB_THREADS caps DuckDB's threads (default: one per core).
	// On a shared, overloaded host, fewer threads can be faster: DuckDB's
	// workers spin while waiting for each other.
	if n, err := strconv.Atoi(os.Getenv("XHHT_DUCKDB_THREADS")); err == nil && n > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads = %d", n))
	}
	// DuckDB's buffer pool defaults to 80 % of the machine's memory; a
	// Lambda has less than it reports, and the roll-up must stay well under
	// 1 GB. Past the limit DuckDB spills to temp_directory.
	mem := os.Getenv("XHHT_DUCKDB_MEMORY")
	if mem == "" {
		mem = DefaultMemoryLimit
	}
	stmts = append(stmts, "SET memory_limit = "+quote(mem))
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("rollup: %s: %w", s, err)
		}
	}
	return db, nil
}

// closingConnector runs cleanup once DuckDB is closed.
type closingConnector struct {
	*duckdb.Connector
	cleanup func()
}

func (c closingConnector) Close() error {
	err := c.Connector.Close()
	if c.cleanup != nil {
		c.cleanup()
	}
	return err
}

// spillDir is a new path, not yet created, for one instance's spill files.
func spillDir() string {
	var r [6]byte
	_, _ = rand.Read(r[:])
	return filepath.Join(os.TempDir(), fmt.Sprintf("xhht-duckdb-spill-%d-%s", os.Getpid(), hex.EncodeToString(r[:])))
}

// shared is the DuckDB instance of the builds in this process, opened on
// first use: opening one costs ~25 ms here, a tenth of a province build,
// and a warm Lambda runs many builds. Each build works on connections of
// its own, in a schema of its own that it drops when it ends (builder.close),
// and no connection is kept idle for reuse (SetMaxIdleConns(0)), so no
// build ever sees another's tables or settings. Its settings (XHHT_DUCKDB_MEMORY,
// XHHT_DUCKDB_THREADS) are read when it opens, once per process, and the
// memory limit is shared by the builds that run at the same time.
var shared struct {
	once sync.Once
	db   *sql.DB
	dir  string
	err  error
}

// buildConn returns a new connection to the shared instance; the caller
// closes it. flush empties DuckDB's external file cache (once a build).
func buildConn(ctx context.Context, flush bool) (*sql.Conn, error) {
	shared.once.Do(func() {
		shared.dir = duckHome()
		if shared.db, shared.err = openDuckDB(context.Background(), shared.dir, nil); shared.err != nil {
			return
		}
		shared.db.SetMaxOpenConns(0)
		shared.db.SetMaxIdleConns(0)
	})
	if shared.err != nil {
		return nil, shared.err
	}
	c, err := shared.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("rollup: duckdb connection: %w", err)
	}
	// DuckDB's external file cache keeps what it read, by path, and the
	// paths of one build (its pinned and downloaded copies) are never
	// read again: left alone, a warm Lambda's instance grows by ~0.4 MB a
	// build. Turning the cache off and on empties it; a build running at
	// the same time in this process only loses its cached reads.
	if !flush {
		return c, nil
	}
	if _, err := c.ExecContext(ctx, "SET enable_external_file_cache = false; SET enable_external_file_cache = true"); err != nil {
		c.Close()
		return nil, fmt.Errorf("rollup: duckdb connection: %w", err)
	}
	// Session settings, in case the instance's defaults do not reach a
	// new connection.
	if _, err := c.ExecContext(ctx, "SET TimeZone = 'UTC'; SET home_directory = "+quote(shared.dir)); err != nil {
		c.Close()
		return nil, fmt.Errorf("rollup: duckdb connection: %w", err)
	}
	return c, nil
}

// quote is a SQL string literal.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// ident is a SQL identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
