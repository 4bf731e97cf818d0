package store

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"patchbay/connection"
	"patchbay/wizard"
)

// equalJSON compares two values as the store sees them: after a JSON round trip.
func equalJSON(t *testing.T, got, want any) bool {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	return string(g) == string(w)
}

func names(entries []Entry) []string {
	var list []string
	for _, e := range entries {
		list = append(list, e.Name)
	}
	return list
}

func TestConnectionRoundTrip(t *testing.T) {
	s := openTemp(t)
	c := connection.Connection{
		Name:    "  Jira  ",
		BaseURL: "https://jira.example/rest",
		Auth: connection.Auth{
			Type:    connection.AuthCustom,
			Headers: []connection.KV{{Key: "X-Token", Value: "secret"}},
			Query:   []connection.KV{{Key: "k", Value: "v"}},
		},
		Timeout:              5 * time.Second,
		CaseSensitiveHeaders: true,
		TestPath:             "/myself",
	}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 {
		t.Fatal("CreateConnection left ID 0")
	}
	if c.Name != "Jira" {
		t.Errorf("name stored as %q, want it trimmed", c.Name)
	}

	got, err := s.Connection(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("Connection: %+v, want %+v", got, c)
	}
	for _, name := range []string{"Jira", "jira", "JIRA", " jira "} {
		got, err := s.ConnectionByName(name)
		if err != nil || got.ID != c.ID {
			t.Errorf("ConnectionByName(%q): %d, %v", name, got.ID, err)
		}
	}

	c.BaseURL = "https://jira2.example"
	c.Auth = connection.Auth{Type: connection.AuthAPIKey, Key: "k", KeyHeader: "X-Key", Scheme: connection.SchemeRaw}
	if err := s.UpdateConnection(c); err != nil {
		t.Fatal(err)
	}
	got, err = s.Connection(c.ID)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("after update: %+v, %v; want %+v", got, err, c)
	}

	if err := s.DeleteConnection(c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Connection(c.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Connection after delete: %v, want ErrNotFound", err)
	}
	if _, err := s.ConnectionByName("jira"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ConnectionByName after delete: %v, want ErrNotFound", err)
	}
	if list, err := s.ConnectionNames(); err != nil || len(list) != 0 {
		t.Errorf("ConnectionNames after delete: %v, %v", list, err)
	}
	// The name is free again.
	again := connection.Connection{Name: "JIRA"}
	if err := s.CreateConnection(&again); err != nil {
		t.Errorf("reusing a deleted name: %v", err)
	}
}

func TestConnectionNotFound(t *testing.T) {
	s := openTemp(t)
	_, err := s.ConnectionByName("Nope")
	if !errors.Is(err, ErrNotFound) || err.Error() != "no connection named 'Nope'" {
		t.Errorf("ConnectionByName: %v", err)
	}
	if _, err := s.Connection(42); !errors.Is(err, ErrNotFound) {
		t.Errorf("Connection: %v", err)
	}
	if err := s.UpdateConnection(connection.Connection{ID: 42, Name: "x"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateConnection: %v", err)
	}
	if err := s.DeleteConnection(42); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteConnection: %v", err)
	}
	if list, err := s.ConnectionNames(); err != nil || len(list) != 0 {
		t.Errorf("UpdateConnection of a missing id indexed something: %v, %v", list, err)
	}
}

func TestConnectionNamesUnique(t *testing.T) {
	s := openTemp(t)
	jira := connection.Connection{Name: "Jira"}
	if err := s.CreateConnection(&jira); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Jira", "jira", " JIRA"} {
		c := connection.Connection{Name: name}
		err := s.CreateConnection(&c)
		if !errors.Is(err, ErrDuplicateName) {
			t.Errorf("create %q: %v, want ErrDuplicateName", name, err)
			continue
		}
		if err.Error() != "a connection named 'Jira' already exists" {
			t.Errorf("create %q: error text %q", name, err)
		}
		if c.ID != 0 {
			t.Errorf("failed create set ID %d", c.ID)
		}
	}

	gh := connection.Connection{Name: "GitHub"}
	if err := s.CreateConnection(&gh); err != nil {
		t.Fatal(err)
	}
	gh.Name = "jira"
	if err := s.UpdateConnection(gh); !errors.Is(err, ErrDuplicateName) {
		t.Errorf("rename onto another's name: %v, want ErrDuplicateName", err)
	}
	// Renaming to another case of its own name is fine and shows the new case.
	jira.Name = "JIRA"
	if err := s.UpdateConnection(jira); err != nil {
		t.Errorf("rename to another case: %v", err)
	}
	// A real rename frees the old name.
	gh.Name = "GitHub Enterprise"
	if err := s.UpdateConnection(gh); err != nil {
		t.Fatal(err)
	}
	list, err := s.ConnectionNames()
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{gh.ID, "GitHub Enterprise"}, {jira.ID, "JIRA"}}
	if !reflect.DeepEqual(list, want) {
		t.Errorf("ConnectionNames: %v, want %v", list, want)
	}
	if _, err := s.ConnectionByName("github"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old name still found after rename: %v", err)
	}
	old := connection.Connection{Name: "github"}
	if err := s.CreateConnection(&old); err != nil {
		t.Errorf("old name not free after rename: %v", err)
	}
}

func TestConnectionEmptyName(t *testing.T) {
	s := openTemp(t)
	for _, name := range []string{"", "   "} {
		c := connection.Connection{Name: name}
		if err := s.CreateConnection(&c); err == nil || !strings.Contains(err.Error(), "needs a name") {
			t.Errorf("create %q: %v", name, err)
		}
	}
	c := connection.Connection{Name: "x"}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	c.Name = " "
	if err := s.UpdateConnection(c); err == nil {
		t.Error("update to an empty name succeeded")
	}
}

func TestConnectionsSorted(t *testing.T) {
	s := openTemp(t)
	for _, name := range []string{"zeta", "Alpha", "beta", "Gamma"} {
		c := connection.Connection{Name: name, BaseURL: "https://" + name}
		if err := s.CreateConnection(&c); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"Alpha", "beta", "Gamma", "zeta"}
	list, err := s.ConnectionNames()
	if err != nil || !reflect.DeepEqual(names(list), want) {
		t.Errorf("ConnectionNames: %v, %v; want %v", names(list), err, want)
	}
	all, err := s.Connections()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range all {
		got = append(got, c.Name)
		if c.BaseURL != "https://"+c.Name {
			t.Errorf("connection %q has base URL %q", c.Name, c.BaseURL)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Connections: %v, want %v", got, want)
	}
}

// ConnectionNames reads the index only: a value it cannot decode does not
// stop it, while Connections, which decodes, reports it.
func TestConnectionNamesReadsNoValues(t *testing.T) {
	s := openTemp(t)
	c := connection.Connection{Name: "Jira"}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketConnections).Put(itob(c.ID), []byte("{not json\x00\xff"))
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ConnectionNames()
	if err != nil || !reflect.DeepEqual(list, []Entry{{c.ID, "Jira"}}) {
		t.Errorf("ConnectionNames with a corrupt value: %v, %v", list, err)
	}
	if _, err := s.Connections(); err == nil {
		t.Error("Connections decoded a corrupt value without error")
	}
	// A damaged record can still be deleted, index entry and all.
	if err := s.DeleteConnection(c.ID); err != nil {
		t.Fatalf("deleting a damaged connection: %v", err)
	}
	if list, err := s.ConnectionNames(); err != nil || len(list) != 0 {
		t.Errorf("after delete: %v, %v", list, err)
	}
}

func TestDeleteConnectionInUse(t *testing.T) {
	s := openTemp(t)
	c := connection.Connection{Name: "Jira"}
	other := connection.Connection{Name: "Other"}
	for _, conn := range []*connection.Connection{&c, &other} {
		if err := s.CreateConnection(conn); err != nil {
			t.Fatal(err)
		}
	}
	var mine []uint64
	for _, spec := range []struct {
		name string
		conn uint64
	}{{"search", c.ID}, {"elsewhere", other.ID}, {"Create issue", c.ID}} {
		a := newAction(spec.name, spec.conn)
		if err := s.CreateAction(&a); err != nil {
			t.Fatal(err)
		}
		if spec.conn == c.ID {
			mine = append(mine, a.ID)
		}
	}

	err := s.DeleteConnection(c.ID)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("DeleteConnection: %v, want ErrInUse", err)
	}
	want := "connection 'Jira' is used by 2 actions: Create issue, search — delete them first"
	if err.Error() != want {
		t.Errorf("error text %q, want %q", err, want)
	}
	if _, err := s.Connection(c.ID); err != nil {
		t.Errorf("refused delete removed the connection: %v", err)
	}

	if err := s.DeleteAction(mine[0]); err != nil {
		t.Fatal(err)
	}
	err = s.DeleteConnection(c.ID)
	want = "connection 'Jira' is used by 1 action: Create issue — delete it first"
	if err == nil || err.Error() != want {
		t.Errorf("with one action: %v, want %q", err, want)
	}
	if err := s.DeleteAction(mine[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteConnection(c.ID); err != nil {
		t.Errorf("delete once unused: %v", err)
	}
}

// The in-use check reads the actions' summaries; an action whose summary
// is missing or damaged is read whole, so it still keeps its connection.
func TestDeleteConnectionInUseWithoutSummary(t *testing.T) {
	s := openTemp(t)
	c := connection.Connection{Name: "Jira"}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	a, b := newAction("search", c.ID), newAction("Create issue", c.ID)
	for _, x := range []*wizard.Action{&a, &b} {
		if err := s.CreateAction(x); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		sums := tx.Bucket(bucketActionSummaries)
		if err := sums.Delete(itob(a.ID)); err != nil {
			return err
		}
		return sums.Put(itob(b.ID), []byte{0xff, 0x01})
	}); err != nil {
		t.Fatal(err)
	}
	err := s.DeleteConnection(c.ID)
	want := "connection 'Jira' is used by 2 actions: Create issue, search — delete them first"
	if !errors.Is(err, ErrInUse) || err.Error() != want {
		t.Errorf("DeleteConnection: %v, want %q", err, want)
	}
}
