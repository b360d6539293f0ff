// Package schemas embeds the project's data files: forms, grading bands,
// table keywords, the administrative-unit registry, targets and deadlines.
// They are data, not code: a province adapts them here and rebuilds. See
// README.md in this folder.
package schemas

import "embed"

// FS holds every data file of this folder.
//
//go:embed forms/*.json adminunits/*.csv charsets/*.csv targets/*.csv deadlines/*.csv rebase/*.csv issuers/*.json quality/*.json grading.json table.json
var FS embed.FS
