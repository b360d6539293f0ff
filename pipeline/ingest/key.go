package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Key is a parsed upload key: <year>/<province>/<commune>/<file name>.
type Key struct {
	Year     int
	Province string // 2 digits
	Commune  string // 5 digits
	File     string
}

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
// the ETag when the bucket has no versioning.
func SubmissionID(bucket, key, version string) string {
	h := sha256.New()
	for _, s := range []string{bucket, key, version} {
		fmt.Fprintf(h, "%d:%s;", len(s), s) // length-prefixed: no ambiguous joins
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// Lake keys. Hive-style partitions so DuckDB and Athena prune by them.
func partition(y int, province, commune string) string {
	return fmt.Sprintf("year=%d/province=%s/commune=%s", y, province, commune)
}

// SubmissionKey is where accepted rows go.
func SubmissionKey(k Key, id string) string {
	return "submissions/" + partition(k.Year, k.Province, k.Commune) + "/" + id + ".parquet"
}

// ReceiptKey is where the receipt goes.
func ReceiptKey(k Key, id string) string {
	return "receipts/" + partition(k.Year, k.Province, k.Commune) + "/" + id + ".json"
}

// unplacedReceiptKey holds receipts of uploads whose key is malformed, so
// they cannot be put under a commune. Nothing is lost; operators see them.
func unplacedReceiptKey(id string) string { return "receipts-unplaced/" + id + ".json" }
