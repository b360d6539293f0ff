// Package access issues, checks, revokes and reissues the access codes with
// which a commune signs in to the portal (issue 11).
//
// Beyond the portal contract (Role, Grant, ErrInvalid/ErrRevoked/ErrExpired,
// NewAuthority, Authority.Verify, Issue), unchanged, it adds:
// Authority.StillValid (re-check a session's grant on every request, so a
// revoke also ends open sessions), *Failure (the error of a revoked,
// replaced or expired code: unwraps to the sentinel and names the commune
// for the failed-sign-in log), Reissue, Revoke, IssueOne (the demo's
// code), DefaultExpiry, and WriteSheet (the printable list).
//
// # Codes
//
// A code is 16 symbols of a 32-symbol alphabet (digits 2-9, letters A-Z
// without I and O), printed in four groups: 7KQ4-M2XD-9PTA-W3RN. That is 80
// bits from crypto/rand. Verify accepts what a person types: lower case,
// spaces, missing or extra dashes. It never guesses a 0, O, 1 or I into
// another symbol: no code contains them, so such a code is simply wrong.
//
// # What is stored (the lake, under access/)
//
//	access/year=<Y>/province=<P>/commune=<C>.json   one record per (year, commune)
//	access/codes/<sha256 hex>.json                  one lookup object per code ever issued
//
// The record holds the SHA-256 of the commune's current code (never the
// code), its status (active or revoked), its expiry, the commune and
// province names for the portal, a generation counter and an audit trail
// of code ids (issue, reissue, revoke, with times). The lookup object of a
// code names the record it belongs to, nothing else.
//
// Why two objects: signing in must find a code's commune from the code
// alone (so a lookup keyed by the hash), while revoking and reissuing act
// on a commune (so a record keyed by the commune, at a key the province
// can compute, and which IAM can scope per year and province). The record
// is the single truth: every change to it is a compare-and-swap
// (storage.Writer.PutIf, an S3 conditional write; a file lock locally),
// retried on a lost race after re-reading, as the roll-up commits its
// manifests, so concurrent issue/reissue/revoke never lose an update. A
// code is valid only while its hash equals the record's current hash
// (compared in constant time, crypto/subtle), the record is active, and
// now is before the expiry. So a reissue invalidates the old code by the
// same write that installs the new one, and lookup objects never need
// updating: an old one points at a record whose hash is no longer its own
// (ErrRevoked). A new code's lookup object is written before its record,
// so a committed code can always be found; one left by a write that lost
// its race is deleted (and harmless if not).
//
// The hash is plain SHA-256 with a domain prefix, no salt or pepper: the
// lookup needs the same hash for the same code, and 80 random bits leave
// nothing to guess from a dictionary, so a copy of access/ does not reveal
// a usable code.
//
// # No cache
//
// An Authority reads the lake on every Verify (two GETs) and StillValid
// (one GET). Nothing is cached, so a revoke or reissue takes effect at the
// next request in every process. Portals call StillValid on each request
// of a session, so open sessions end at once too.
//
// # Expiry
//
// Codes expire at the end of the reporting season: by default at 00:00 in
// Vietnam on 1 January after the reporting year (DefaultExpiry), after the
// last report of the year (15/12) and its late uploads; the CLI's
// --expires sets another instant. A code expires at its ExpiresAt exactly.
//
// # Issuing again
//
// Issue without Replace skips every commune that already has a record for
// the year (active, revoked or expired) and reports it, so running `xhht
// access issue` again only creates the missing codes (for instance after a
// crash, or for a commune added to the register) and never invalidates
// codes already handed out; Replace (--force) replaces them all. One
// commune gets a new code with Reissue. The plaintext is returned once,
// by Issue or Reissue, and exists nowhere else.
package access
