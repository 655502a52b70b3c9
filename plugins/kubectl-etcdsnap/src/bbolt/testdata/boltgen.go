// Test fixture generator for the bbolt reader: writes a bbolt file with the real bbolt library
// (nested, inline and empty buckets, overflow values, a multi-level tree, freed pages) and prints
// every entry as JSON lines, so the TypeScript reader can be compared with bbolt itself.
// Usage: go run . <file> <persist-freelist: true|false>
package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

type entry struct {
	Path  []string `json:"path"`
	Key   string   `json:"key"`
	Value *string  `json:"value"`
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func noise(seed, n int) []byte {
	out := make([]byte, n)
	x := uint32(seed)
	for i := range out {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		out[i] = byte(x)
	}
	return out
}

func main() {
	path := os.Args[1]
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: os.Args[2] != "true"})
	must(err)
	must(db.Update(func(tx *bolt.Tx) error {
		big, err := tx.CreateBucket([]byte("big"))
		must(err)
		for i := 0; i < 20000; i++ {
			must(big.Put([]byte(fmt.Sprintf("key-%06d", i)), noise(i+1, 40+i%200)))
		}
		inline, err := tx.CreateBucket([]byte("inline"))
		must(err)
		must(inline.Put([]byte("a"), []byte("1")))
		must(inline.Put([]byte{0x00, 0xff}, []byte{}))
		_, err = tx.CreateBucket([]byte("empty"))
		must(err)
		over, err := tx.CreateBucket([]byte("overflow"))
		must(err)
		must(over.Put([]byte("10k"), noise(10, 10_000)))
		must(over.Put([]byte("300k"), noise(300, 300_000)))
		must(over.Put([]byte("small"), []byte("s")))
		nested, err := tx.CreateBucket([]byte("nested"))
		must(err)
		must(nested.Put([]byte("k"), []byte("v")))
		child, err := nested.CreateBucket([]byte("child"))
		must(err)
		for i := 0; i < 500; i++ {
			must(child.Put([]byte(fmt.Sprintf("c%04d", i)), noise(i+7, 100)))
		}
		grand, err := child.CreateBucket([]byte("grand"))
		must(err)
		must(grand.Put([]byte("deep"), []byte("value")))
		_, err = nested.CreateBucket([]byte("inline-child"))
		must(err)
		gone, err := tx.CreateBucket([]byte("gone"))
		must(err)
		for i := 0; i < 2000; i++ {
			must(gone.Put([]byte(fmt.Sprintf("g%05d", i)), noise(i, 64)))
		}
		return nil
	}))
	must(db.Update(func(tx *bolt.Tx) error {
		big := tx.Bucket([]byte("big"))
		for i := 0; i < 20000; i += 3 {
			must(big.Delete([]byte(fmt.Sprintf("key-%06d", i))))
		}
		return tx.DeleteBucket([]byte("gone"))
	}))
	enc := json.NewEncoder(os.Stdout)
	var walk func(b *bolt.Bucket, path []string)
	walk = func(b *bolt.Bucket, path []string) {
		must(b.ForEach(func(k, v []byte) error {
			e := entry{Path: path, Key: hex.EncodeToString(k)}
			if v != nil {
				s := hex.EncodeToString(v)
				e.Value = &s
			}
			must(enc.Encode(e))
			if v == nil {
				walk(b.Bucket(k), append(append([]string{}, path...), hex.EncodeToString(k)))
			}
			return nil
		}))
	}
	must(db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			panic(err)
		}
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			must(enc.Encode(entry{Path: []string{}, Key: hex.EncodeToString(name)}))
			walk(b, []string{hex.EncodeToString(name)})
			return nil
		})
	}))
	must(db.Close())
}
