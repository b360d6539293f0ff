package rollup

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver (cgo)
)

// DefaultMemoryLimit is DuckDB's memory_limit unless XHHT_DUCKDB_MEMORY
// says otherwise.
const DefaultMemoryLimit = "512MB"

// openDuckDB opens an in-memory DuckDB whose home, extension and temp
// directories are under workDir: Lambda's HOME is read-only, and nothing
// may be downloaded (parquet and json are built in; httpfs is not used).
func openDuckDB(ctx context.Context, workDir string) (*sql.DB, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("rollup: open duckdb: %w", err)
	}
	// One connection: settings and temp tables are per connection.
	db.SetMaxOpenConns(1)
	stmts := []string{
		"SET home_directory = " + quote(workDir),
		"SET extension_directory = " + quote(filepath.Join(workDir, "duckdb-ext")),
		"SET temp_directory = " + quote(filepath.Join(workDir, "duckdb-tmp")),
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

// shared is the DuckDB instance of the builds in this process, opened on
// first use: opening one costs ~25 ms here, a tenth of a province build,
// and a warm Lambda runs many builds. Each build works on a connection of
// its own; DuckDB drops a connection's temp tables and views when it
// closes, and no connection is kept idle for reuse (SetMaxIdleConns(0)),
// so no build ever sees another's tables.
var shared struct {
	once sync.Once
	db   *sql.DB
	dir  string
	err  error
}

// buildConn returns a new connection to the shared instance; the caller
// closes it.
func buildConn(ctx context.Context) (*sql.Conn, error) {
	shared.once.Do(func() {
		if shared.dir, shared.err = viewsWorkDir(); shared.err != nil {
			return
		}
		if shared.db, shared.err = openDuckDB(context.Background(), shared.dir); shared.err != nil {
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
