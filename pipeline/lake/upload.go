package lake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// FirstYear is the first reporting year accepted: the movement's yearly
// reporting starts with the 2014 circulars. Ingest rejects earlier years in
// an upload key; the CLI, the roll-up function and the Glue projections use
// the same bound.
const FirstYear = 2014

// Key is a parsed upload key: <year>/<province>/<commune>/<file name>.
// Uploads live in their own bucket under this key; everything derived from
// them is written to the lake under the commune's Partition.
type Key struct {
	Year     int
	Province string // 2 digits
	Commune  string // 5 digits
	File     string
}

// UploadPrefix is the folder of a commune's uploads of a year in the
// uploads bucket: <year>/<province>/<commune>/. A commune may write only
// under it.
func UploadPrefix(year int, province, commune string) string {
	return fmt.Sprintf("%d/%s/%s/", year, province, commune)
}

// UploadKey is the key of an upload in the uploads bucket, the inverse of
// ParseKey.
func UploadKey(k Key) string { return UploadPrefix(k.Year, k.Province, k.Commune) + k.File }

var keyRe = regexp.MustCompile(`^(\d{4})/(\d{2})/(\d{5})/([^/]+)$`)

// ParseKey checks the key's shape. It does not check the registry.
func ParseKey(key string) (Key, error) {
	m := keyRe.FindStringSubmatch(key)
	if m == nil {
		return Key{}, fmt.Errorf("key %q is not <year>/<province code, 2 digits>/<commune code, 5 digits>/<file name>", key)
	}
	y, _ := strconv.Atoi(m[1])
	if strings.TrimSpace(m[4]) == "" {
		return Key{}, fmt.Errorf("key %q has an empty file name", key)
	}
	return Key{Year: y, Province: m[2], Commune: m[3], File: m[4]}, nil
}

// SubmissionID derives the id of an upload from where it is stored and
// nothing else, so processing the same upload again (S3 delivers events at
// least once) writes the same objects. version is the S3 version id, or
// the ETag when the bucket has no versioning. It names the upload's
// submission and receipt objects.
func SubmissionID(bucket, key, version string) string {
	h := sha256.New()
	for _, s := range []string{bucket, key, version} {
		fmt.Fprintf(h, "%d:%s;", len(s), s) // length-prefixed: no ambiguous joins
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Where ingest writes.
const (
	// SubmissionsPrefix holds the accepted rows of each upload, one Parquet
	// file per upload with the columns of SubmissionColumns.
	SubmissionsPrefix = "submissions/"
	// ReceiptsPrefix holds one receipt (receipt.Receipt as JSON) per upload,
	// accepted or not.
	ReceiptsPrefix = "receipts/"
	// UnplacedReceiptsPrefix holds receipts of uploads whose key is
	// malformed, so they cannot be put under a commune. Nothing is lost;
	// operators see them.
	UnplacedReceiptsPrefix = "receipts-unplaced/"
)

// SubmissionKey is where an upload's accepted rows go.
func SubmissionKey(k Key, id string) string {
	return SubmissionsPrefix + Partition(k.Year, k.Province, k.Commune) + "/" + id + ".parquet"
}

// ReceiptKey is where an upload's receipt goes.
func ReceiptKey(k Key, id string) string {
	return ReceiptsCommunePrefix(k.Year, k.Province, k.Commune) + id + ".json"
}

// UnplacedReceiptKey is the receipt of an upload whose key is malformed.
func UnplacedReceiptKey(id string) string { return UnplacedReceiptsPrefix + id + ".json" }

// SubmissionsYearPrefix lists the submissions of a year.
func SubmissionsYearPrefix(year int) string {
	return fmt.Sprintf("%syear=%d/", SubmissionsPrefix, year)
}

// ReceiptsYearPrefix lists the receipts of a year.
func ReceiptsYearPrefix(year int) string {
	return fmt.Sprintf("%syear=%d/", ReceiptsPrefix, year)
}

// ReceiptsCommunePrefix lists a commune's receipts of a year.
func ReceiptsCommunePrefix(year int, province, commune string) string {
	return ReceiptsPrefix + Partition(year, province, commune) + "/"
}
