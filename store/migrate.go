package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Bucket names; the tree is drawn in the package comment.
var (
	bucketMeta            = []byte("meta")
	bucketConnections     = []byte("connections")
	bucketConnectionNames = []byte("connection_names")
	bucketActions         = []byte("actions")
	bucketActionNames     = []byte("action_names")
	bucketRuns            = []byte("runs")
	bucketRunsByAction    = []byte("runs_by_action")
	bucketTokens          = []byte("tokens")
	bucketTests           = []byte("tests")
	bucketActionSummaries = []byte("action_summaries")
	bucketOpenAPI         = []byte("openapi_specs")

	keySchemaVersion = []byte("schema_version")
)

// allBuckets must all exist once the migrations have run.
var allBuckets = [][]byte{
	bucketMeta,
	bucketConnections, bucketConnectionNames,
	bucketActions, bucketActionNames,
	bucketRuns, bucketRunsByAction,
	bucketTokens,
	bucketTests,
	bucketActionSummaries,
	bucketOpenAPI,
}

// migration brings a database from version-1 to version. Migrations run in
// order, inside Open's one Update transaction, so a failure leaves the file
// as it was.
type migration struct {
	version int
	name    string
	apply   func(tx *bolt.Tx) error
}

// migrations is ordered by version; the last one is the schema this binary
// writes. Append, never edit: a file in the wild may be at any version.
var migrations = []migration{
	{version: 1, name: "create buckets", apply: createBuckets},
	{version: 2, name: "tokens bucket", apply: tokensBucket},
	{version: 3, name: "connection tests bucket", apply: testsBucket},
	{version: 4, name: "runs by action index", apply: runsIndex},
	{version: 5, name: "action summaries", apply: summariesBucket},
	{version: 6, name: "OpenAPI documents bucket", apply: openAPIBucket},
}

func currentSchema() uint64 { return uint64(migrations[len(migrations)-1].version) }

func createBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{
		bucketMeta,
		bucketConnections, bucketConnectionNames,
		bucketActions, bucketActionNames,
		bucketRuns,
	} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// migrate runs every migration newer than from and records the new version.
func migrate(tx *bolt.Tx, from uint64) error {
	for _, m := range migrations {
		if uint64(m.version) <= from {
			continue
		}
		if err := m.apply(tx); err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	if from == currentSchema() {
		return nil
	}
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	return meta.Put(keySchemaVersion, itob(currentSchema()))
}

// schemaVersion reads meta/schema_version; ok is false when there is none
// (a new file, or not ours).
func schemaVersion(tx *bolt.Tx) (version uint64, ok bool) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0, false
	}
	v := meta.Get(keySchemaVersion)
	if len(v) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), true
}

func itob(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func btoi(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
