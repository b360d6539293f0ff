package portal_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/xhht/xhht/pipeline/ingest"
	"github.com/xhht/xhht/pipeline/receipt"
	"github.com/xhht/xhht/pipeline/storage"
)

// TestOriginalNameKeptAndShownEscaped (issue 11, "File names"): a hostile
// file name is reduced to a safe object key, kept whole as the upload's
// metadata and in its receipt, and shown escaped in the uploads list after
// a reload, where it used to show the key's safe name.
func TestOriginalNameKeptAndShownEscaped(t *testing.T) {
	long := strings.Repeat("Đ", 295) + ".xlsx" // 300 letters
	cases := []struct {
		name       string
		original   string
		shown      string // as it must appear in the page's HTML
		notInPage  []string
		wholeInRec bool // the receipt keeps the whole name (else a prefix)
	}{
		{"script", "<script>alert(1)</script>.xlsx", "&lt;script&gt;alert(1)&lt;/script&gt;.xlsx", []string{"<script>alert"}, true},
		{"right-to-left override", "hoa-don\u202Excod.xlsx", "hoa-don\uFFFDxcod.xlsx", []string{"\u202E"}, true},
		{"dot dot", "../../x.xlsx", "../../x.xlsx", nil, true},
		{"300 letters", long, strings.Repeat("Đ", 120), []string{strings.Repeat("Đ", 200)}, false},
	}
	e := newEnv(t)
	c := e.client()
	csrf := c.mustSignIn(communeA)
	for _, tc := range cases {
		if r := c.upload(csrf, tc.original, goodFile(t, communeA, 3), nil, nil); r.status != http.StatusOK {
			t.Fatalf("%s: upload %d", tc.name, r.status)
		}
	}
	keys := e.uploadsOf(communeA, "19")
	if len(keys) != len(cases) {
		t.Fatalf("uploads %q, want %d", keys, len(cases))
	}
	byName := map[string]string{} // original (from metadata) → key
	for _, k := range keys {
		file := strings.TrimPrefix(k, "2026/19/"+communeA+"/")
		if strings.ContainsAny(file, "/<>\\\u202E") || strings.Contains(file, "..") || len([]rune(file)) > 120 {
			t.Errorf("object key %q is not safe", k)
		}
		_, obj, err := e.uploads.Get(ctx(), k, "")
		if err != nil {
			t.Fatal(err)
		}
		byName[storage.OriginalName(obj)] = k
	}
	for _, tc := range cases {
		found := false
		for orig := range byName {
			if orig == tc.original || !tc.wholeInRec && len(orig) > 100 && strings.HasPrefix(tc.original, orig) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no upload carries the original name as metadata (have %q)", tc.name, keysOf(byName))
		}
	}
	// The receipts record it.
	objs, err := e.lake.List(ctx(), "receipts/")
	if err != nil {
		t.Fatal(err)
	}
	var recorded []string
	for _, o := range objs {
		b, _, err := e.lake.Get(ctx(), o.Key, "")
		if err != nil {
			t.Fatal(err)
		}
		var rc receipt.Receipt
		if err := json.Unmarshal(b, &rc); err != nil {
			t.Fatal(err)
		}
		recorded = append(recorded, rc.OriginalName)
	}
	for _, tc := range cases {
		ok := false
		for _, r := range recorded {
			ok = ok || r == tc.original || !tc.wholeInRec && len(r) > 100 && strings.HasPrefix(tc.original, r)
		}
		if !ok {
			t.Errorf("%s: no receipt records the original name (have %q)", tc.name, recorded)
		}
	}
	// After a reload the list shows the original names, escaped.
	page := c.get("/").body
	for _, tc := range cases {
		if !strings.Contains(page, `<td class="name">`+tc.shown) {
			t.Errorf("%s: the list does not show %q", tc.name, tc.shown)
		}
		for _, bad := range tc.notInPage {
			if strings.Contains(page, bad) {
				t.Errorf("%s: the page contains %q", tc.name, bad)
			}
		}
	}
}

// An upload without metadata (CLI, S3 tools) is listed under the readable
// part of its key, as before.
func TestUploadWithoutOriginalNameListedByKey(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.mustSignIn(communeA)
	key := "2026/19/" + communeA + "/20261201-080000-abcdef-bao-cao-thon.xlsx"
	if err := e.uploads.Put(ctx(), key, goodFile(t, communeA, 3), ""); err != nil {
		t.Fatal(err)
	}
	processUpload(t, e, key)
	if page := c.get("/").body; !strings.Contains(page, `<td class="name">bao-cao-thon.xlsx</td>`) {
		t.Errorf("upload without metadata not listed by its key's name:\n%s", page)
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// processUpload runs the ingest the S3 event would run.
func processUpload(t *testing.T, e *env, key string) {
	t.Helper()
	p, err := ingest.New(e.uploads, e.lake)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Process(ctx(), ingest.Upload{Bucket: "local", Key: key}); err != nil {
		t.Fatal(err)
	}
}
