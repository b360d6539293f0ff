package targets

import "github.com/xhht/xhht/pipeline/internal/csvtable"

// RowError is a problem in one row of a targets file: the file, its line
// (1-based, as an editor shows it) and the column, so the message leads a
// province straight to the cell. Its message starts with "targets: ".
type RowError = csvtable.RowError
