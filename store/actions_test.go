package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"patchbay/connection"
	"patchbay/wizard"
)

func newAction(name string, connID uint64) wizard.Action {
	return wizard.Action{
		Name:         name,
		ConnectionID: connID,
		Method:       "GET",
		URL:          "/issues/{{key}}",
	}
}

// fixClock makes now return times one minute apart, starting at t0.
func fixClock(t *testing.T, t0 time.Time) {
	t.Helper()
	saved := now
	next := t0
	now = func() time.Time {
		at := next
		next = next.Add(time.Minute)
		return at
	}
	t.Cleanup(func() { now = saved })
}

func createConnection(t testing.TB, s *Store, name string) connection.Connection {
	t.Helper()
	c := connection.Connection{Name: name, BaseURL: "https://example.test"}
	if err := s.CreateConnection(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestActionRoundTrip(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	fixClock(t, t0)
	s := openTemp(t)
	c := createConnection(t, s, "Jira")
	a := wizard.Action{
		Name:         "Get issue",
		ConnectionID: c.ID,
		Method:       "POST",
		URL:          "/issues/{{key}}",
		Query:        []connection.KV{{Key: "expand", Value: "all"}},
		Headers:      []connection.KV{{Key: "Content-Type", Value: "application/json"}},
		BodyType:     wizard.BodyJSON,
		Body:         `{"a":1}`,
		Inputs:       []wizard.Field{{Path: "key", Type: "string", Source: "url"}},
		Outputs:      []wizard.Field{{Path: "fields.summary", Type: "string", Example: "hi"}},
		Sample: &connection.Response{
			Request:    connection.SentRequest{Method: "POST", URL: "https://example.test/issues/X-1", Body: []byte(`{"a":1}`)},
			Status:     200,
			StatusText: "200 OK",
			Headers:    []connection.KV{{Key: "Content-Type", Value: "application/json"}},
			Body:       []byte{0, 1, 2, 0xff},
			Size:       4,
			Duration:   15 * time.Millisecond,
		},
	}
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 || !a.CreatedAt.Equal(t0) || !a.UpdatedAt.Equal(t0) {
		t.Errorf("after create: id %d, created %v, updated %v", a.ID, a.CreatedAt, a.UpdatedAt)
	}
	got, err := s.Action(a.ID)
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Errorf("Action: %+v, %v; want %+v", got, err, a)
	}
	got, err = s.ActionByName("GET ISSUE")
	if err != nil || got.ID != a.ID {
		t.Errorf("ActionByName: %d, %v", got.ID, err)
	}

	a.Method = "GET"
	a.Body = ""
	a.BodyType = wizard.BodyNone
	a.CreatedAt = time.Time{} // the store keeps the original whatever the caller sends
	if err := s.UpdateAction(&a); err != nil {
		t.Fatal(err)
	}
	if t1 := t0.Add(time.Minute); !a.CreatedAt.Equal(t0) || !a.UpdatedAt.Equal(t1) {
		t.Errorf("after update: created %v, updated %v; want %v, %v", a.CreatedAt, a.UpdatedAt, t0, t1)
	}
	got, err = s.Action(a.ID)
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Errorf("after update: %+v, %v; want %+v", got, err, a)
	}

	if err := s.DeleteAction(a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Action(a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("Action after delete: %v", err)
	}
	if _, err := s.ActionByName("get issue"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ActionByName after delete: %v", err)
	}
	if list, err := s.ActionNames(); err != nil || len(list) != 0 {
		t.Errorf("ActionNames after delete: %v, %v", list, err)
	}
	if err := s.DeleteAction(a.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
}

func TestActionNeedsConnection(t *testing.T) {
	s := openTemp(t)
	a := newAction("orphan", 7)
	err := s.CreateAction(&a)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("CreateAction with a missing connection: %v", err)
	}
	if a.ID != 0 || !a.CreatedAt.IsZero() {
		t.Errorf("failed create changed the action: %+v", a)
	}
	if list, _ := s.ActionNames(); len(list) != 0 {
		t.Errorf("failed create indexed %v", list)
	}

	c := createConnection(t, s, "c")
	a.ConnectionID = c.ID
	if err := s.CreateAction(&a); err != nil {
		t.Fatal(err)
	}
	a.ConnectionID = c.ID + 100
	if err := s.UpdateAction(&a); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateAction to a missing connection: %v", err)
	}
}

func TestActionNamesUnique(t *testing.T) {
	s := openTemp(t)
	c := createConnection(t, s, "c")
	first := newAction("Search", c.ID)
	if err := s.CreateAction(&first); err != nil {
		t.Fatal(err)
	}
	dup := newAction("SEARCH ", c.ID)
	err := s.CreateAction(&dup)
	if !errors.Is(err, ErrDuplicateName) || err.Error() != "an action named 'Search' already exists" {
		t.Errorf("duplicate create: %v", err)
	}

	second := newAction("List", c.ID)
	if err := s.CreateAction(&second); err != nil {
		t.Fatal(err)
	}
	second.Name = "search"
	if err := s.UpdateAction(&second); !errors.Is(err, ErrDuplicateName) {
		t.Errorf("rename onto another's name: %v", err)
	}
	first.Name = "search"
	if err := s.UpdateAction(&first); err != nil {
		t.Errorf("rename to another case: %v", err)
	}
	list, err := s.ActionNames()
	want := []Entry{{second.ID, "List"}, {first.ID, "search"}}
	if err != nil || !reflect.DeepEqual(list, want) {
		t.Errorf("ActionNames: %v, %v; want %v", list, err, want)
	}
	all, err := s.Actions()
	if err != nil || len(all) != 2 || all[0].Name != "List" || all[1].Name != "search" {
		t.Errorf("Actions: %+v, %v", all, err)
	}
}
