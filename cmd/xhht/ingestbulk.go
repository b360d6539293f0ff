package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/xhht/xhht/pipeline/storage/local"
)

// A bulk `xhht ingest` writes the lake without flushing each object to
// disk, and flushes once at the end (local.Store.Deferred: the per-object
// flushes, not the checks, were most of a national burst's time). Before
// writing it records, durably, which uploads it is about to process; only
// a completed flush removes that record. A run interrupted by a crash or a
// power cut thus leaves it behind, and:
//   - the next `xhht ingest` processes those uploads again, whatever keys
//     it is given (each lake object is a pure function of its upload, and
//     uploads are only ever read, so writing them again repairs any object
//     the crash damaged);
//   - `xhht rollup` refuses to read the lake until then (checkLakeSynced).

// bulkNote is the record: the uploads directory and the keys of the run.
type bulkNote struct {
	Uploads string   `json:"uploads"`
	Keys    []string `json:"keys"`
}

type bulkRun struct {
	store   *local.Store
	note    bulkNote
	earlier map[string]bool // keys of an interrupted run, redone by this one
}

// beginBulk records the run before anything is written, and returns the
// keys to process: the given ones, then those of an interrupted earlier
// run that are not among them.
func beginBulk(store *local.Store, uploads string, keys []string, stdout io.Writer) (*bulkRun, []string, error) {
	b := &bulkRun{store: store, note: bulkNote{Uploads: abs(uploads)}, earlier: map[string]bool{}}
	old, err := store.Interrupted()
	if err != nil {
		return nil, nil, err
	}
	if old != nil {
		var was bulkNote
		if err := json.Unmarshal(old, &was); err != nil {
			return nil, nil, fmt.Errorf("ingest: kho có dấu của một lần nạp bị gián đoạn nhưng không đọc được (%w); hãy xóa thư mục kho và chạy lại xhht ingest (the lake's interrupted-run marker is unreadable: rebuild the lake)", err)
		}
		if was.Uploads != b.note.Uploads {
			return nil, nil, fmt.Errorf("ingest: lần nạp trước vào kho này (từ %s) bị gián đoạn trước khi ghi xong xuống đĩa; hãy chạy lại với --uploads %s (an interrupted run from another uploads directory must be redone first)", was.Uploads, was.Uploads)
		}
		given := map[string]bool{}
		for _, k := range keys {
			given[k] = true
		}
		keys = slices.Clone(keys)
		for _, k := range was.Keys {
			b.earlier[k] = true
			if !given[k] {
				keys = append(keys, k)
			}
		}
		fmt.Fprintf(stdout, "Lần nạp trước bị gián đoạn trước khi ghi xong xuống đĩa: xử lý lại %d tệp của lần đó (an interrupted run's %d uploads are processed again).\n", len(was.Keys), len(was.Keys))
	}
	b.note.Keys = keys
	note, err := json.Marshal(b.note)
	if err != nil {
		return nil, nil, err
	}
	if _, err := store.BeginBulk(note); err != nil {
		return nil, nil, err
	}
	return b, keys, nil
}

// end flushes the run's writes to disk and clears the record, except for
// the keys of an interrupted run that failed again: what that run wrote
// for them may still be damaged, so they stay recorded.
func (b *bulkRun) end(keys []string, errs []error) error {
	var rest []byte
	left := bulkNote{Uploads: b.note.Uploads}
	for i, k := range keys {
		if errs[i] != nil && b.earlier[k] {
			left.Keys = append(left.Keys, k)
		}
	}
	if len(left.Keys) > 0 {
		var err error
		if rest, err = json.Marshal(left); err != nil {
			return err
		}
	}
	if err := b.store.EndBulk(rest); err != nil {
		return fmt.Errorf("ingest: ghi kho xuống đĩa (flushing the lake): %w", err)
	}
	return nil
}

// checkLakeSynced refuses a local lake that an interrupted bulk ingest may
// have left with damaged objects.
func checkLakeSynced(lake string) error {
	note, err := local.New(lake).Interrupted()
	if err != nil {
		return err
	}
	if note != nil {
		return fmt.Errorf("kho %s: lần chạy xhht ingest trước bị gián đoạn trước khi ghi xong xuống đĩa, một số tệp trong kho có thể hỏng. Hãy chạy lại xhht ingest (nó xử lý lại các tệp đó); nếu vẫn báo lỗi này, xóa thư mục kho rồi chạy xhht ingest để dựng lại (the last bulk ingest was interrupted: run xhht ingest again, or rebuild the lake)", abs(lake))
	}
	return nil
}
