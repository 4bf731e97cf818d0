package ui

import (
	"testing"
	"time"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Minute, "just now"}, // a clock that went back
		{59 * time.Second, "just now"},
		{time.Minute, "1m ago"},
		{59 * time.Minute, "59m ago"},
		{time.Hour, "1h ago"},
		{47 * time.Hour, "47h ago"},
		{48 * time.Hour, "2d ago"},
		{29 * 24 * time.Hour, "29d ago"},
		{40 * 24 * time.Hour, "on 14 Oct 2026"},
	} {
		if got := Ago(now.Add(-tc.d), now); got != tc.want {
			t.Errorf("Ago(now-%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
