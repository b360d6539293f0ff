package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xhht/xhht/pipeline/access"
	"github.com/xhht/xhht/pipeline/deadlines"
	"github.com/xhht/xhht/pipeline/lake"
	"github.com/xhht/xhht/pipeline/registry"
	"github.com/xhht/xhht/pipeline/storage"
	"github.com/xhht/xhht/pipeline/storage/local"
)

// accessExitRuntime is the exit status of a failure that is not the
// user's: the lake could not be read or written, the sheet not saved.
const accessExitRuntime = 3

// defaultPortalURL is printed on the sheet when neither --url nor
// XHHT_PORTAL_URL says where the portal is: `xhht serve` on this machine.
const defaultPortalURL = "http://127.0.0.1:8080/"

const accessHelp = `xhht access — mã truy cập cổng nộp số liệu của xã (commune access codes)

Cách dùng (usage):
  xhht access issue   --province MÃ_TỈNH --year NĂM [--role province [--holders "TÊN;TÊN"]] [-o FILE.xlsx] [--url ĐỊA_CHỈ_CỔNG] [--expires NGÀY] [--force] [--lake DIR | --s3 s3://bucket/prefix]
  xhht access revoke  --commune MÃ_XÃ --year NĂM [--lake DIR | --s3 …]
  xhht access revoke  --province MÃ_TỈNH --reviewer SỐ --year NĂM [--lake DIR | --s3 …]
  xhht access reissue --commune MÃ_XÃ --year NĂM [-o FILE.xlsx] [--url …] [--expires NGÀY] [--lake DIR | --s3 …]
  xhht access reissue --province MÃ_TỈNH --reviewer SỐ --year NĂM [-o FILE.xlsx] [--url …] [--expires NGÀY] [--lake DIR | --s3 …]

  issue    cấp một mã cho mỗi xã của tỉnh trong danh mục năm đó, ghi bảng in được (.xlsx);
           --role province: cấp mã cấp tỉnh cho cán bộ Sở duyệt số liệu (xem mọi xã của tỉnh, duyệt, trả lại)
  revoke   thu hồi mã của một xã, có hiệu lực ngay (cả phiên đang mở)
  reissue  cấp mã mới cho một xã; mã cũ hết hiệu lực ngay

Chỉ lưu bản băm (SHA-256) của mã, trong lake dưới access/; mã chỉ hiện một lần, trên bảng hoặc màn hình.
Mỗi lệnh có trợ giúp riêng: xhht access issue --help

Exit status: 0 ok, 1 refused (e.g. no code to revoke), 2 usage, 3 runtime failure (lake, file).
`

const accessIssueHelp = `xhht access issue — cấp mã truy cập cho các xã của một tỉnh

  xhht access issue --province MÃ_TỈNH --year NĂM [-o FILE.xlsx] [--url ĐỊA_CHỈ_CỔNG]
                    [--role commune|province] [--holders "TÊN;TÊN"] [--reviewers N]
                    [--expires NGÀY] [--force] [--lake DIR | --s3 s3://bucket/prefix [--endpoint URL]]

Một mã cho mỗi xã của tỉnh trong danh mục đơn vị hành chính của năm. Bảng .xlsx (A4 ngang, in
được) có mỗi xã một dòng: mã truy cập, tên xã, địa chỉ cổng, hạn nộp của xã cho báo cáo 01/12
và 15/12 (schemas/deadlines), ngày hết hạn của mã. Tệp chứa mã bí mật: giữ kín, in rồi xoá.

Chạy lại: chỉ cấp mã cho các xã CHƯA có mã năm đó (ví dụ sau khi lệnh bị ngắt giữa chừng); xã đã
có mã (kể cả mã đã thu hồi hay hết hạn) được bỏ qua và liệt kê, mã đã phát vẫn dùng được.
--force cấp lại cho MỌI xã: mọi mã cũ hết hiệu lực ngay. Một xã: xhht access reissue.

--role province: mã cấp tỉnh, cho cán bộ Sở GD&ĐT duyệt số liệu: đăng nhập cùng cổng, xem bảng
theo dõi mọi xã của tỉnh (chỉ tỉnh đó), duyệt hoặc trả lại số liệu của xã. Mỗi người một mã
(số 01, 02 …), thu hồi riêng từng mã: --province 19 --reviewer 01. Với --holders, mỗi người chưa có
mã nhận số còn trống nhỏ nhất, theo thứ tự trong --holders (số đã có, kể cả mã không ghi tên của
make run, giữ nguyên); người đã có mã với đúng tên đó được bỏ qua và liệt kê; lệnh in ra ai nhận
số nào. Chạy lại cùng danh sách không cấp thêm gì. --force với --holders: mã mới cho đúng những
người trong danh sách (mã cũ của họ hết hiệu lực), không đụng đến mã của người khác.

Flags:
  --province   mã tỉnh 2 chữ số (bắt buộc)
  --year       năm báo cáo (bắt buộc)
  -o           tệp ra, mặc định ma-truy-cap-<tỉnh>-<năm>.xlsx; không ghi đè tệp đã có
  --url        địa chỉ cổng in trên bảng; mặc định $XHHT_PORTAL_URL, nếu không có: ` + defaultPortalURL + ` (xhht serve)
  --expires    ngày cuối cùng mã dùng được (YYYY-MM-DD, hết ngày đó giờ Việt Nam) hoặc thời điểm RFC 3339;
               mặc định: hết ngày 31/12 của năm báo cáo (sau báo cáo 15/12 và các tệp nộp muộn)
  --force      cấp lại cho cả các xã đã có mã
  --role       commune (mặc định: mã của xã) hoặc province (mã cấp tỉnh, cán bộ duyệt số liệu)
  --holders    --role province: tên người nhận, cách nhau bởi dấu ; (in trên bảng, ghi trong nhật ký)
  --reviewers  --role province: số mã khi không ghi --holders (mặc định 1)
  --lake       thư mục lake, mặc định ` + defaultLake + `
  --s3         lake trong S3 (s3://bucket/prefix), thay cho --lake; --endpoint cho máy chủ tương thích S3

Ví dụ (examples):
  xhht access issue --province 19 --year 2026 -o ma-truy-cap.xlsx --url https://nop.thainguyen.example.vn/
  xhht access issue --province 19 --year 2026 --s3 s3://xhht-lake/ --expires 2027-01-15
  xhht access issue --province 19 --year 2026 --role province --holders "Nguyễn Văn An;Trần Thị Bình" -o ma-tinh.xlsx
`

const accessRevokeHelp = `xhht access revoke — thu hồi mã truy cập của một xã, có hiệu lực ngay

  xhht access revoke --commune MÃ_XÃ --year NĂM [--lake DIR | --s3 s3://bucket/prefix [--endpoint URL]]
  xhht access revoke --province MÃ_TỈNH --reviewer SỐ --year NĂM [--lake DIR | --s3 …]   (mã cấp tỉnh)

Mã không đăng nhập được nữa, và các phiên đang mở bằng mã đó bị dừng ở yêu cầu kế tiếp. Xã nhận
mã mới bằng xhht access reissue. Thu hồi lần nữa không đổi gì. Xã chưa có mã: exit 1.

Ví dụ (examples):
  xhht access revoke --commune 05443 --year 2026
  xhht access revoke --commune 05443 --year 2026 --s3 s3://xhht-lake/
  xhht access revoke --province 19 --reviewer 02 --year 2026
`

const accessReissueHelp = `xhht access reissue — cấp mã mới cho một xã; mã cũ hết hiệu lực ngay

  xhht access reissue --commune MÃ_XÃ --year NĂM [-o FILE.xlsx] [--url ĐỊA_CHỈ_CỔNG] [--expires NGÀY]
                      [--lake DIR | --s3 s3://bucket/prefix [--endpoint URL]]
  xhht access reissue --province MÃ_TỈNH --reviewer SỐ --year NĂM [...]   (mã cấp tỉnh, giữ tên người nhận)

In mã mới ra màn hình (và, với -o, một bảng .xlsx một dòng như của issue). Dùng khi xã mất mã,
lộ mã, hoặc sau khi đã thu hồi. Xã chưa có mã thì được cấp mã đầu tiên. --expires mặc định: giữ
hạn của mã cũ (hoặc hết ngày 31/12 của năm báo cáo).

Ví dụ (examples):
  xhht access reissue --commune 05443 --year 2026
  xhht access reissue --commune 05443 --year 2026 -o ma-moi-05443.xlsx --url https://nop.thainguyen.example.vn/
  xhht access reissue --province 19 --reviewer 01 --year 2026
`

// cmdAccess dispatches `xhht access issue|revoke|reissue`.
func cmdAccess(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, accessHelp)
		return exitOK, nil
	}
	var code int
	var err error
	var help string
	switch args[0] {
	case "issue":
		help = accessIssueHelp
		code, err = accessIssue(ctx, args[1:], stdout)
	case "revoke":
		help = accessRevokeHelp
		code, err = accessRevoke(ctx, args[1:], stdout)
	case "reissue":
		help = accessReissueHelp
		code, err = accessReissue(ctx, args[1:], stdout)
	default:
		return exitUsage, usageError{fmt.Sprintf("access: lệnh con không có: %q; dùng issue, revoke hoặc reissue (unknown subcommand)", args[0])}
	}
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, help)
		return exitOK, nil
	}
	var usage usageError
	switch {
	case err == nil:
	case errors.As(err, &usage):
		// Plain error, so run prints it with this command's help, not
		// the general one.
		return exitUsage, fmt.Errorf("%s\n\n%s", usage.msg, help)
	default:
		// run turns every error into exit 2; the status here says what
		// failed (1 refused, 3 lake or file), so print it and keep it.
		fmt.Fprintf(accessStderr, "xhht: %v\n", err)
		return code, nil
	}
	return code, nil
}

// accessStderr is where failures are printed; tests capture it.
var accessStderr io.Writer = os.Stderr

// accessFlags are the flags every subcommand shares.
type accessFlags struct {
	fs                    *flag.FlagSet
	year                  *int
	lake, s3url, endpoint *string
	out, url, expires     *string
	province, commune     *string
	force                 *bool
	role, holders         *string // issue
	reviewers             *int    // issue
	reviewer              *string // revoke, reissue: a province code's number
}

func newAccessFlags(name string, one bool) *accessFlags {
	a := &accessFlags{fs: newFlags("access " + name)}
	a.year = a.fs.Int("year", 0, "reporting year (required)")
	a.lake = a.fs.String("lake", defaultLake, "lake directory")
	a.s3url, a.endpoint = s3Flags(a.fs)
	if one {
		a.commune = a.fs.String("commune", "", "commune code, 5 digits (or --province and --reviewer)")
		a.province = a.fs.String("province", "", "province code, 2 digits, with --reviewer")
		a.reviewer = a.fs.String("reviewer", "", "number of a province code, 2 digits (01, 02 …)")
	} else {
		a.province = a.fs.String("province", "", "province code, 2 digits (required)")
		a.force = a.fs.Bool("force", false, "replace the codes of communes that already have one")
		a.role = a.fs.String("role", "commune", "commune or province (reviewer codes of the province)")
		a.holders = a.fs.String("holders", "", "--role province: holders' names, separated by ;")
		a.reviewers = a.fs.Int("reviewers", 0, "--role province: how many codes without --holders (default 1)")
	}
	if name != "revoke" {
		a.out = a.fs.String("o", "", "output .xlsx")
		a.url = a.fs.String("url", "", "portal address printed on the sheet")
		a.expires = a.fs.String("expires", "", "last day a code works (YYYY-MM-DD) or an RFC 3339 instant")
	}
	return a
}

// parse reads the flags and checks what every subcommand needs.
func (a *accessFlags) parse(args []string) error {
	if err := parseFlags(a.fs, args); err != nil {
		return err
	}
	name := a.fs.Name()
	if a.fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: đối số thừa %q (unexpected argument)", name, a.fs.Arg(0))}
	}
	if *a.year == 0 {
		return usageError{name + ": thiếu --year (--year is required)"}
	}
	if last := time.Now().Year() + 1; *a.year < lake.FirstYear || *a.year > last {
		return usageError{fmt.Sprintf("%s: năm báo cáo %d ngoài khoảng %d–%d (year out of range)", name, *a.year, lake.FirstYear, last)}
	}
	if a.reviewer != nil && *a.reviewer != "" {
		if *a.commune != "" {
			return usageError{fmt.Sprintf("%s: dùng --commune HOẶC --province với --reviewer, không cả hai (one unit only)", name)}
		}
		if !isDigits(*a.reviewer, 2) {
			return usageError{fmt.Sprintf("%s: --reviewer %q: cần số mã 2 chữ số, ví dụ 01 (want 2 digits)", name, *a.reviewer)}
		}
		if *a.province == "" {
			return usageError{fmt.Sprintf("%s: --reviewer cần --province (which province)", name)}
		}
	} else if a.reviewer != nil && *a.province != "" {
		return usageError{fmt.Sprintf("%s: --province cần --reviewer (số mã cấp tỉnh); mã của xã: --commune", name)}
	}
	if a.commune != nil && *a.commune != "" && !isDigits(*a.commune, 5) {
		return usageError{fmt.Sprintf("%s: --commune %q: cần mã xã 5 chữ số, ví dụ 05443 (want a 5-digit code)", name, *a.commune)}
	}
	if a.role != nil && *a.role != string(access.RoleCommune) && *a.role != string(access.RoleProvince) {
		return usageError{fmt.Sprintf("%s: --role %q: dùng commune hoặc province (unknown role)", name, *a.role)}
	}
	if a.role != nil && *a.role != string(access.RoleProvince) && (*a.holders != "" || *a.reviewers != 0) {
		return usageError{fmt.Sprintf("%s: --holders và --reviewers chỉ dùng với --role province", name)}
	}
	if a.province != nil && (*a.province != "" || a.reviewer == nil) && !isDigits(*a.province, 2) {
		return usageError{fmt.Sprintf("%s: --province %q: cần mã tỉnh 2 chữ số, ví dụ 19 (want a 2-digit code)", name, *a.province)}
	}
	if a.out != nil && *a.out != "" && !strings.EqualFold(filepath.Ext(*a.out), ".xlsx") {
		return usageError{fmt.Sprintf("%s: tệp ra %q phải có đuôi .xlsx (the sheet is an .xlsx workbook)", name, *a.out)}
	}
	return nil
}

func isDigits(s string, n int) bool { return len(s) == n && strings.Trim(s, "0123456789") == "" }

// store opens the lake: --s3 or the --lake directory.
func (a *accessFlags) store(ctx context.Context) (storage.Store, string, error) {
	if *a.s3url != "" {
		s, err := s3Lake(ctx, *a.s3url, *a.endpoint)
		return s, *a.s3url, err
	}
	return local.New(*a.lake), *a.lake, nil
}

// expiry parses --expires: a day means the code works through that whole
// day in Vietnam (it expires at 00:00 ICT the next day); an RFC 3339
// instant is taken as is. Empty: zero (the package's default).
func (a *accessFlags) expiry() (time.Time, error) {
	v := *a.expires
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", v, deadlines.ICT)
	if err == nil {
		t = t.AddDate(0, 0, 1)
	} else {
		t, err = time.Parse(time.RFC3339, v)
	}
	if err == nil && !t.After(time.Now()) {
		return time.Time{}, usageError{fmt.Sprintf("%s: --expires %s: mã sẽ hết hạn ngay (%s); chọn một ngày sau hôm nay (expiry must be in the future)", a.fs.Name(), v, access.ExpiryText(t))}
	}
	if err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, usageError{fmt.Sprintf("%s: --expires %q: cần YYYY-MM-DD hoặc RFC 3339 (want a date or an RFC 3339 time)", a.fs.Name(), v)}
}

func (a *accessFlags) portalURL() string {
	if *a.url != "" {
		return *a.url
	}
	if u := os.Getenv("XHHT_PORTAL_URL"); u != "" {
		return u
	}
	return defaultPortalURL
}

// sheetFile is the output workbook, claimed before any code is made: the
// codes exist nowhere else, so a file that cannot be written must stop the
// command before the lake changes, not after.
type sheetFile struct {
	path string
	tmp  *os.File
}

func claimSheet(path string) (*sheetFile, int, error) {
	if _, err := os.Stat(path); err == nil {
		return nil, exitUsage, fmt.Errorf("tệp %s đã có; không ghi đè (chọn tên khác với -o) (file exists)", path)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, accessExitRuntime, fmt.Errorf("tạo thư mục %s (create directory): %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".ma-truy-cap-*.xlsx") // 0600: the sheet holds secrets
	if err != nil {
		return nil, accessExitRuntime, fmt.Errorf("không ghi được vào %s (cannot write): %w", dir, err)
	}
	return &sheetFile{path: path, tmp: tmp}, exitOK, nil
}

// commit writes the workbook and moves it into place; discard drops it.
func (s *sheetFile) commit(sheet access.Sheet) error {
	var buf bytes.Buffer
	if err := access.WriteSheet(&buf, sheet); err != nil {
		s.discard()
		return err
	}
	_, err := s.tmp.Write(buf.Bytes())
	if err == nil {
		err = s.tmp.Sync()
	}
	if cerr := s.tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(s.tmp.Name(), s.path) // fails rather than replace a file created meanwhile
	}
	os.Remove(s.tmp.Name())
	if err != nil {
		return fmt.Errorf("ghi tệp %s (write file): %w", s.path, err)
	}
	return nil
}

func (s *sheetFile) discard() {
	s.tmp.Close()
	os.Remove(s.tmp.Name())
}

func accessIssue(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	a := newAccessFlags("issue", false)
	if err := a.parse(args); err != nil {
		return exitUsage, err
	}
	if *a.province == "" {
		return exitUsage, usageError{"access issue: thiếu --province (--province is required)"}
	}
	expires, err := a.expiry()
	if err != nil {
		return exitUsage, err
	}
	reg, err := registry.Load()
	if err != nil {
		return accessExitRuntime, err
	}
	dl, err := deadlines.Load()
	if err != nil {
		return accessExitRuntime, err
	}
	v := reg.ForYear(*a.year)
	if v == nil || v.Provinces[*a.province] == nil {
		return exitUsage, fmt.Errorf("access issue: mã tỉnh %s không có trong danh mục năm %d (province not in the register)", *a.province, *a.year)
	}
	lake, where, err := a.store(ctx)
	if err != nil {
		return exitUsage, err
	}
	path := *a.out
	if path == "" {
		path = fmt.Sprintf("ma-truy-cap-%s-%d.xlsx", *a.province, *a.year)
	}
	out, code, err := claimSheet(path)
	if err != nil {
		return code, err
	}
	now := time.Now()
	opt := access.IssueOptions{
		Year: *a.year, Province: *a.province, Replace: *a.force, ExpiresAt: expires, Now: now, Registry: reg,
		Role: access.Role(*a.role), Reviewers: *a.reviewers,
	}
	if *a.holders != "" {
		opt.Holders = strings.Split(*a.holders, ";")
	}
	issued, issueErr := access.Issue(ctx, lake, opt)
	var fresh, replaced int
	var skipped []access.Issued
	for _, is := range issued {
		switch {
		case is.Code == "":
			skipped = append(skipped, is)
		case is.Replaced:
			replaced++
			fresh++
		default:
			fresh++
		}
	}
	prov := v.Provinces[*a.province].Name
	if fresh == 0 {
		out.discard()
	} else if err := out.commit(access.Sheet{Year: *a.year, ProvinceName: prov, PortalURL: a.portalURL(), Issued: issued, Deadlines: dl, Now: now}); err != nil {
		return accessExitRuntime, fmt.Errorf("%w\nCÁC MÃ ĐÃ CẤP NHƯNG KHÔNG GHI ĐƯỢC RA TỆP: chạy lại với --force (và -o tệp khác) để cấp mã mới cho %d xã (codes were stored but the sheet was not written: rerun with --force)", err, fresh)
	}
	fmt.Fprintf(stdout, "%s, năm %d: %d mã mới", prov, *a.year, fresh)
	if replaced > 0 {
		fmt.Fprintf(stdout, " (%d thay mã cũ, mã cũ đã hết hiệu lực)", replaced)
	}
	fmt.Fprintf(stdout, "; lake: %s\n", where)
	if fresh > 0 {
		fmt.Fprintf(stdout, "Bảng mã (giữ kín; in rồi xoá tệp): %s\n", abs(path))
	}
	// Province slots are reviewers, not communes: the messages say so.
	province := access.Role(*a.role) == access.RoleProvince
	if province && fresh > 0 {
		// Who got which number: a holder is placed in the first free slot
		// (access.IssueOptions.Holders), and revoking names the slot.
		fmt.Fprintln(stdout, "Mã mới (số mã, người nhận):")
		for _, is := range issued {
			if is.Code != "" {
				fmt.Fprintf(stdout, "  %s-%s %s\n", is.Grant.Province, is.Grant.Reviewer, holderText(is.Grant.Holder))
			}
		}
	}
	switch {
	case len(skipped) > 0 && province:
		// Each person who got no new code is named, with what to do if
		// their code does not work (review finding L-K).
		if len(skipped) == len(issued) {
			fmt.Fprintf(stdout, "Mọi người duyệt đã có mã cấp tỉnh năm %d: không cấp gì, mã đã phát vẫn như cũ:\n", *a.year)
		} else {
			fmt.Fprintf(stdout, "Không cấp mã mới cho %d người đã có mã cấp tỉnh năm %d (mã đã phát vẫn như cũ):\n", len(skipped), *a.year)
		}
		for _, is := range skipped {
			g := is.Grant
			fmt.Fprintf(stdout, "  %s-%s %-32s %s\n", g.Province, g.Reviewer, holderText(g.Holder), accessStatusVI(is.Skipped))
			if is.Skipped != access.StatusActive {
				// A revoked or expired code does not work: how to give
				// that person a working one without touching the others.
				fmt.Fprintf(stdout, "        → cấp lại mã %s-%s: xhht access reissue --province %s --year %d --reviewer %s\n",
					g.Province, g.Reviewer, g.Province, *a.year, g.Reviewer)
			}
		}
		if *a.holders != "" {
			fmt.Fprintln(stdout, "  (--force: cấp lại mã cho mọi người trong --holders; mã cũ của họ hết hiệu lực ngay)")
		} else {
			fmt.Fprintln(stdout, "  (--force: cấp lại các mã trên; mã cũ hết hiệu lực ngay)")
		}
	case len(skipped) > 0 && len(skipped) == len(issued):
		fmt.Fprintf(stdout, "Mọi xã đã có mã năm %d: không cấp gì, mã đã phát vẫn như cũ (--force để cấp lại tất cả, hoặc xhht access reissue --commune MÃ_XÃ).\n", *a.year)
	case len(skipped) > 0:
		fmt.Fprintf(stdout, "Bỏ qua %d xã đã có mã năm %d (mã đã phát vẫn như cũ; --force để cấp lại tất cả, hoặc xhht access reissue --commune MÃ_XÃ):\n", len(skipped), *a.year)
		for _, is := range skipped {
			fmt.Fprintf(stdout, "  %s %-32s %s\n", is.Grant.Commune, is.Grant.CommuneName, accessStatusVI(is.Skipped))
		}
	}
	if issueErr != nil && len(issued) == 0 {
		return accessExitRuntime, issueErr
	}
	if issueErr != nil {
		return accessExitRuntime, fmt.Errorf("một số xã chưa được cấp mã; chạy lại lệnh (chỉ cấp cho xã còn thiếu) (some communes failed; rerun): %w", issueErr)
	}
	return exitOK, nil
}

// holderText is a reviewer slot's holder as the messages print it.
func holderText(h string) string {
	if h == "" {
		return "(không ghi tên người nhận)"
	}
	return h
}

func accessStatusVI(s string) string {
	switch s {
	case access.StatusActive:
		return "mã đang dùng"
	case access.StatusRevoked:
		return "mã đã thu hồi"
	case "expired":
		return "mã đã hết hạn"
	}
	return s
}

func accessRevoke(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	a := newAccessFlags("revoke", true)
	if err := a.parse(args); err != nil {
		return exitUsage, err
	}
	if *a.commune == "" && *a.reviewer == "" {
		return exitUsage, usageError{"access revoke: thiếu --commune, hoặc --province và --reviewer (which code)"}
	}
	lake, _, err := a.store(ctx)
	if err != nil {
		return exitUsage, err
	}
	if *a.reviewer != "" {
		g, err := access.RevokeReviewer(ctx, lake, *a.year, *a.province, *a.reviewer, time.Now())
		if errors.Is(err, access.ErrNoCode) {
			return exitRejected, err
		}
		if err != nil {
			return accessExitRuntime, err
		}
		fmt.Fprintf(stdout, "Đã thu hồi mã cấp tỉnh %s-%s, năm %d (mã số %s): không đăng nhập được nữa, kể cả phiên đang mở.\n", g.Province, g.Reviewer, g.Year, g.CodeID)
		fmt.Fprintf(stdout, "Cấp mã mới: xhht access reissue --province %s --reviewer %s --year %d\n", g.Province, g.Reviewer, g.Year)
		return exitOK, nil
	}
	g, err := access.Revoke(ctx, lake, *a.year, *a.commune, time.Now())
	if errors.Is(err, access.ErrNoCode) {
		return exitRejected, err
	}
	if errors.Is(err, access.ErrUnknownUnit) {
		return exitUsage, err
	}
	if err != nil {
		return accessExitRuntime, err
	}
	fmt.Fprintf(stdout, "Đã thu hồi mã của %s (%s), năm %d (mã số %s): không đăng nhập được nữa, kể cả phiên đang mở.\n", g.CommuneName, g.Commune, g.Year, g.CodeID)
	fmt.Fprintf(stdout, "Cấp mã mới: xhht access reissue --commune %s --year %d\n", g.Commune, g.Year)
	return exitOK, nil
}

func accessReissue(ctx context.Context, args []string, stdout io.Writer) (int, error) {
	a := newAccessFlags("reissue", true)
	if err := a.parse(args); err != nil {
		return exitUsage, err
	}
	if *a.commune == "" && *a.reviewer == "" {
		return exitUsage, usageError{"access reissue: thiếu --commune, hoặc --province và --reviewer (which code)"}
	}
	expires, err := a.expiry()
	if err != nil {
		return exitUsage, err
	}
	dl, err := deadlines.Load()
	if err != nil {
		return accessExitRuntime, err
	}
	lake, _, err := a.store(ctx)
	if err != nil {
		return exitUsage, err
	}
	var out *sheetFile
	if *a.out != "" {
		var code int
		if out, code, err = claimSheet(*a.out); err != nil {
			return code, err
		}
	}
	now := time.Now()
	is, err := access.Reissue(ctx, lake, access.ReissueOptions{Year: *a.year, Commune: *a.commune,
		Province: *a.province, Reviewer: *a.reviewer, ExpiresAt: expires, Now: now})
	if err != nil {
		if out != nil {
			out.discard()
		}
		if errors.Is(err, access.ErrUnknownUnit) {
			return exitUsage, err
		}
		return accessExitRuntime, err
	}
	g := is.Grant
	if g.Role == access.RoleProvince {
		fmt.Fprintf(stdout, "Mã cấp tỉnh mới %s-%s (%s), %s, năm %d:\n\n    %s\n\n", g.Province, g.Reviewer, g.Holder, g.ProvinceName, g.Year, is.Code)
	} else {
		fmt.Fprintf(stdout, "Mã truy cập mới của %s (%s), %s, năm %d:\n\n    %s\n\n", g.CommuneName, g.Commune, g.ProvinceName, g.Year, is.Code)
	}
	fmt.Fprintf(stdout, "Dùng được %s. ", access.ExpiryText(g.ExpiresAt))
	if is.Replaced {
		fmt.Fprint(stdout, "Mã cũ đã hết hiệu lực.")
	}
	fmt.Fprintln(stdout)
	if out != nil {
		if err := out.commit(access.Sheet{Year: g.Year, ProvinceName: g.ProvinceName, PortalURL: a.portalURL(), Issued: []access.Issued{is}, Deadlines: dl, Now: now}); err != nil {
			return accessExitRuntime, err // the code is on the screen above
		}
		fmt.Fprintf(stdout, "Bảng mã: %s\n", abs(*a.out))
	}
	return exitOK, nil
}
