package ui

import (
	"fmt"
	"time"
)

// Ago says how long before now at was, in the largest unit that fits:
// "just now", "5m ago", "3h ago", "2d ago", and past a month the date.
func Ago(at, now time.Time) string {
	d := now.Sub(at)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	case d < 30*24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
	}
	return "on " + at.Local().Format("2 Jan 2006")
}
