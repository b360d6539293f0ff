package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/contacts"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// cmdContacts checks a province's commune contacts file (issue 15), and
// with --put keeps it in the local lake, as a province does in the lake
// bucket (where the report function checks it and subscribes the
// addresses, docs/reminders.md):
//
//	xhht contacts --province 19 [--json] [--put] [--lake DIR] FILE.csv
//
// Exit 0 accepted (warnings allowed), 1 rejected (nothing is put), 2 usage.
func cmdContacts(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	fs := newCommand("contacts", Help{
		Usage:   "xhht contacts --province MÃ_TỈNH [--json] [--put] [--lake DIR] FILE.csv",
		Summary: "kiểm tra danh bạ liên hệ của các xã (ma_xa,ten_xa,email,dien_thoai) để gửi thư nhắc; --put: lưu vào kho (check a province's commune contacts file)",
		Details: "Tệp CSV UTF-8, mỗi dòng một địa chỉ thư điện tử của một xã; một xã có thể có nhiều dòng. Xem docs/reminders.md.",
		Examples: []string{
			"xhht contacts --province 19 danh-ba.csv",
			"xhht contacts --province 19 --put danh-ba.csv   # lưu vào xhht-data/lake/" + lake.ContactsKey("19"),
		},
	})
	province := fs.String("province", "", "province code `MÃ_TỈNH`, 2 digits (required)")
	jsonOut := fs.Bool("json", false, "print the receipt as JSON (it names the bad cells' values: personal data)")
	put := fs.Bool("put", false, "when accepted, keep the file and its receipt in the lake")
	lakeDir := fs.String("lake", defaultLake, "lake directory `DIR`")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if fs.NArg() != 1 {
		return exitUsage, usageError{"contacts: cần đúng một tệp CSV (want one FILE.csv)"}
	}
	if len(*province) != 2 || strings.Trim(*province, "0123456789") != "" {
		return exitUsage, usageError{fmt.Sprintf("contacts: --province %q: cần mã tỉnh 2 chữ số, ví dụ 19 (want a 2-digit code)", *province)}
	}
	reg, err := registry.Load()
	if err != nil {
		return exitRuntime, err
	}
	now := time.Now()
	ver := reg.ForYear(now.Year())
	if ver == nil || ver.Provinces[*province] == nil {
		return exitUsage, usageError{fmt.Sprintf("contacts: --province %s: không có trong danh mục (not in the register)", *province)}
	}
	path := fs.Arg(0)
	fi, err := os.Stat(path)
	if err != nil {
		return exitUsage, usageError{fmt.Sprintf("contacts: %v", err)}
	}
	var body []byte
	if fi.Size() > contacts.MaxBytes {
		body = make([]byte, contacts.MaxBytes+1) // rejected as too large, unread
	} else if body, err = os.ReadFile(path); err != nil {
		return exitUsage, usageError{fmt.Sprintf("contacts: %v", err)}
	}
	rc, _ := contacts.Check(body, *province, ver)
	key := lake.ContactsKey(*province)
	rc.SourceKey, rc.ReceivedAt = key, now.UTC()
	rc.ID = contacts.ID(key, fmt.Sprint(now.UnixNano()))
	if *jsonOut {
		js, _ := json.MarshalIndent(rc, "", "  ")
		fmt.Fprintln(stdout, string(js))
	} else {
		fmt.Fprint(stdout, rc.Text())
	}
	if rc.Status != contacts.Accepted {
		return exitRejected, nil
	}
	if *put {
		if err := needLake(*lakeDir); err != nil {
			return exitUsage, err
		}
		st := local.New(*lakeDir)
		js, _ := json.MarshalIndent(rc, "", "  ")
		if err := st.Put(ctx, key, body, "text/csv"); err != nil {
			return exitRuntime, err
		}
		if err := st.Put(ctx, lake.ContactsReceiptKey(*province, rc.ReceivedAt, rc.ID), js, "application/json"); err != nil {
			return exitRuntime, err
		}
		if !*jsonOut {
			fmt.Fprintf(stdout, "Đã lưu: %s\n", abs(*lakeDir+"/"+key))
		}
	}
	return exitOK, nil
}
