package rollup

import (
	"context"
	"fmt"
)

// readNew reads one batch of new objects into <into>_new.
//
// Submissions are read first as files of one schema (union_by_name =
// false), which DuckDB matches by column name against the first file.
// With union_by_name it opens every file's schema before reading any, and
// a first national build, which reads every submission of the year
// (thousands of files of a few rows), spent about a third more CPU on
// that read (BENCHMARKS.md, "The deadline burst"). A lake holds files of
// older schema versions too: a batch that mixes them fails to bind or to
// read (DuckDB names the missing column), nothing is inserted (the
// statement is atomic), and the batch is read again with union_by_name,
// where a missing column reads as null. So the rows are the same either way.
func (b *builder) readNew(ctx context.Context, into, kind string, batch []string, readSQL func([]string) string) error {
	insert := func(src string) string {
		return fmt.Sprintf(`INSERT INTO %[1]s_new BY NAME SELECT n.* EXCLUDE (_path), l._key, l._etag FROM (%[2]s) n JOIN %[1]s_listing l ON l._path = n._path`, into, src)
	}
	if kind == cacheSubs {
		err := b.exec(ctx, "read "+into+" (one schema)", insert(subsSQLBy(batch, false)))
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		b.log.Debug("rollup: submissions of several schemas; reading the batch by name", "err", err)
	}
	return b.exec(ctx, "read "+into, insert(readSQL(batch)))
}
