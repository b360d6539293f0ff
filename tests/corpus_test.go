package tests

// The real-world corpus: every file in corpus/files is uploaded (ingest.Check,
// with an empty lake) under the key of its case in corpus/cases.json, and the
// receipt must say exactly what the case says: status, every issue (code,
// severity, cell; sheet and field where the case names them), the rows, the
// totals of an accepted file and, where encodings matter, the hamlet names.
// The expectations were written by hand from how each file was made
// (corpus/gen), never copied from a receipt. corpus/README.md says what
// each file stands for.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage/local"
)

const corpusDir = "corpus"

// corpusReceived is when every corpus file is taken as uploaded.
var corpusReceived = time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)

// corpusTimeout bounds one file: a hostile upload must be answered, not
// hang the function.
const corpusTimeout = 60 * time.Second

type corpusIssue struct {
	Code     string   `json:"code"`
	Severity string   `json:"severity"`
	Cell     string   `json:"cell,omitempty"`    // "" = the issue has no cell
	Sheet    *string  `json:"sheet,omitempty"`   // compared when given
	Field    *string  `json:"field,omitempty"`   // compared when given
	Message  []string `json:"message,omitempty"` // words the Vietnamese message must hold, where given
}

func (w corpusIssue) String() string {
	s := w.Severity + " " + w.Code
	if w.Cell != "" {
		s += " at " + w.Cell
	}
	if w.Sheet != nil {
		s += fmt.Sprintf(" sheet %q", *w.Sheet)
	}
	if w.Field != nil {
		s += " field " + *w.Field
	}
	return s
}

func (w corpusIssue) matches(is receipt.Issue) bool {
	return w.Code == is.Code && w.Severity == is.Severity && w.Cell == is.Cell &&
		(w.Sheet == nil || *w.Sheet == is.Sheet) && (w.Field == nil || *w.Field == is.Field)
}

type corpusCase struct {
	File     string           `json:"file"`
	Key      string           `json:"key"`
	Status   string           `json:"status"`
	Format   string           `json:"format,omitempty"`
	Forms    []string         `json:"forms,omitempty"`
	Rows     *int             `json:"rows,omitempty"`
	Issues   []corpusIssue    `json:"issues"`
	Totals   map[string]int64 `json:"totals,omitempty"`
	Hamlets  []string         `json:"hamlets,omitempty"`
	MaxBytes int64            `json:"max_bytes,omitempty"` // upload size limit for this case (0: the default)
}

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Comment string       `json:"_comment"`
		Cases   []corpusCase `json:"cases"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	return doc.Cases
}

// TestCorpusComplete: every file has a case and every case a file.
func TestCorpusComplete(t *testing.T) {
	cases := loadCorpus(t)
	ents, err := os.ReadDir(filepath.Join(corpusDir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, e := range ents {
		if !e.IsDir() {
			files[e.Name()] = true
		}
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.File] {
			t.Errorf("cases.json: %s has two cases", c.File)
		}
		seen[c.File] = true
		if !files[c.File] {
			t.Errorf("cases.json: %s has a case but no file in corpus/files", c.File)
		}
		if !strings.HasSuffix(c.Key, "/"+c.File) {
			t.Errorf("%s: key %q does not end in the file name", c.File, c.Key)
		}
	}
	for _, f := range slices.Sorted(maps.Keys(files)) {
		if !seen[f] {
			t.Errorf("corpus/files/%s has no case in cases.json", f)
		}
	}
	if len(files) < 30 {
		t.Errorf("%d corpus files, want at least 30", len(files))
	}
}

func TestCorpus(t *testing.T) {
	for _, c := range loadCorpus(t) {
		t.Run(c.File, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(filepath.Join(corpusDir, "files", c.File))
			if err != nil {
				t.Fatal(err)
			}
			p, err := ingest.New(nil, local.New(t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			if c.MaxBytes > 0 {
				p.Limits.MaxBytes = c.MaxBytes
			}
			type result struct {
				rc  *receipt.Receipt
				err error
			}
			done := make(chan result, 1)
			start := time.Now()
			go func() {
				res, err := ingest.Check(context.Background(), p, ingest.Upload{Bucket: "local", Key: c.Key}, "v1", corpusReceived, data)
				if err != nil {
					done <- result{err: err}
					return
				}
				done <- result{rc: res.Receipt}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(corpusTimeout):
				t.Fatalf("%s: no receipt after %v", c.File, corpusTimeout)
			}
			if r.err != nil {
				t.Fatalf("%s: infrastructure error: %v", c.File, r.err)
			}
			if d := compareCorpus(c, r.rc); d != "" {
				t.Errorf("%s (%s, %v):%s\nreceipt issues:%s", c.File, c.Key, time.Since(start).Round(time.Millisecond), d, listIssues(r.rc))
			}
		})
	}
}

func listIssues(rc *receipt.Receipt) string {
	var b strings.Builder
	for _, is := range rc.Errors {
		fmt.Fprintf(&b, "\n    %s %s %s!%s field=%s: %s", is.Severity, is.Code, is.Sheet, is.Cell, is.Field, is.MessageEN)
	}
	if len(rc.Errors) == 0 {
		b.WriteString(" none")
	}
	return b.String()
}

// compareCorpus lists every difference between a case and a receipt, one
// per line; "" when there is none.
func compareCorpus(c corpusCase, rc *receipt.Receipt) string {
	var d []string
	diff := func(format string, a ...any) { d = append(d, fmt.Sprintf(format, a...)) }
	if rc.Status != c.Status {
		diff("status %s, want %s", rc.Status, c.Status)
	}
	if c.Format != "" && rc.Format != c.Format {
		diff("format %q, want %q", rc.Format, c.Format)
	}
	if c.Forms != nil && !slices.Equal(rc.Forms, c.Forms) {
		diff("forms %v, want %v", rc.Forms, c.Forms)
	}
	if c.Rows != nil && rc.Rows != *c.Rows {
		diff("%d hamlet rows, want %d", rc.Rows, *c.Rows)
	}
	// Issues: a one-to-one match, in any order.
	used := make([]bool, len(rc.Errors))
	for _, w := range c.Issues {
		found := false
		for i, is := range rc.Errors {
			if !used[i] && w.matches(is) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			diff("missing issue: %s", w)
		}
	}
	for i, is := range rc.Errors {
		if !used[i] {
			diff("unexpected issue: %s %s at %q sheet %q field %q (%s)", is.Severity, is.Code, is.Cell, is.Sheet, is.Field, is.MessageEN)
		}
		// Every message is one an official can read: no codes, no tags,
		// no brackets inside brackets (receipt.WordingProblem).
		if why := receipt.WordingProblem(is.Message); why != "" {
			diff("%s %s: the Vietnamese message has %s: %q", is.Code, is.Cell, why, is.Message)
		}
	}
	for _, w := range c.Issues {
		for _, s := range w.Message {
			found := false
			for _, is := range rc.Errors {
				found = found || (w.matches(is) && strings.Contains(is.Message, s))
			}
			if !found {
				diff("no %s message says %q", w, s)
			}
		}
	}
	if c.Status == receipt.Accepted || c.Totals != nil {
		for _, code := range slices.Sorted(maps.Keys(c.Totals)) {
			n := rc.Totals[code]
			switch {
			case n == nil:
				diff("total %s missing, want %d", code, c.Totals[code])
			case !n.IsInt || n.Int != c.Totals[code]:
				diff("total %s = %s, want %d", code, numString(n), c.Totals[code])
			}
		}
		for _, code := range slices.Sorted(maps.Keys(rc.Totals)) {
			if _, ok := c.Totals[code]; !ok {
				diff("unexpected total %s = %s", code, numString(rc.Totals[code]))
			}
		}
	}
	if c.Hamlets != nil {
		var got []string
		for _, h := range rc.Hamlets {
			got = append(got, h.Name)
		}
		if !slices.Equal(got, c.Hamlets) {
			diff("hamlets %q, want %q", got, c.Hamlets)
		}
	}
	if len(d) == 0 {
		return ""
	}
	return "\n  " + strings.Join(d, "\n  ")
}

func numString(n *receipt.Num) string {
	if n.IsInt {
		return fmt.Sprint(n.Int)
	}
	return fmt.Sprint(n.Float)
}

// TestCorpusOversizeUpload: a 200 MB CSV (a whole household register) is
// refused from its size under the default limit (50 MB), with the limit in
// the receipt, through the same path as an S3 upload (Process reads the
// object only up to the limit). Made at run time: too big to commit.
func TestCorpusOversizeUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200 MB")
	}
	dir := t.TempDir()
	uploads, lake := local.New(filepath.Join(dir, "uploads")), local.New(filepath.Join(dir, "lake"))
	key := "2026/19/01864/danh-sach-ho-toan-xa.csv"
	path := filepath.Join(dir, "uploads", filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	line := "1;Hoàng Văn Tâm;Thôn Nà Pài;4;x;x\r\n"
	block := []byte("STT;Họ và tên chủ hộ;Thôn;Số nhân khẩu;Đăng ký GĐHT;Được công nhận GĐHT\r\n" + strings.Repeat(line, (1<<20)/len(line)))
	const size = 200 << 20
	for n := 0; n < size; n += len(block) {
		if _, err := f.Write(block); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := ingest.New(uploads, lake)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := p.Process(context.Background(), ingest.Upload{Bucket: "local", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Status != receipt.Rejected || len(rc.Errors) != 1 || rc.Errors[0].Code != receipt.FileTooLarge {
		t.Fatalf("200 MB CSV: %s%s", rc.Status, listIssues(rc))
	}
	if m := rc.Errors[0].Message; !strings.Contains(m, "50,0 MB") {
		t.Errorf("message %q should state the limit, 50,0 MB", m)
	}
}
