package openapi

import (
	"slices"
	"strings"
	"unicode"
)

// Find filters ops by a fuzzy query and ranks them best first. Each word
// of the query must appear, letters in order but not necessarily
// together, in the operation's path, summary, operationId, method or tags;
// a word found in the path counts most, then in the summary. Matches at
// the start of a word (after "/", a space or a lower-to-upper case change,
// as in findByStatus) and runs of adjacent letters score more. Ties keep
// the document's order. An empty query returns ops as they are.
func Find(ops []Operation, query string) []Operation {
	words := strings.Fields(strings.ToLower(query))
	if len(words) == 0 {
		return slices.Clone(ops)
	}
	type ranked struct {
		op    Operation
		score int
		at    int
	}
	var hits []ranked
	for i, op := range ops {
		fields := []struct {
			text   string
			weight int
		}{
			{op.Path, 3},
			{op.Summary, 2},
			{op.OperationID, 1},
			{op.Method, 1},
			{strings.Join(op.Tags, " "), 1},
		}
		total := 0
		for _, w := range words {
			best := 0
			for _, f := range fields {
				best = max(best, f.weight*fuzzyScore(w, f.text))
			}
			if best == 0 {
				total = 0
				break
			}
			total += best
		}
		if total > 0 {
			hits = append(hits, ranked{op, total, i})
		}
	}
	slices.SortStableFunc(hits, func(a, b ranked) int { return b.score - a.score })
	out := make([]Operation, len(hits))
	for i, h := range hits {
		out[i] = h.op
	}
	return out
}

// fuzzyScore scores word (lower case) as a subsequence of text, 0 when
// it is not one: the best of the greedy matches starting at each place
// where its first letter occurs.
func fuzzyScore(word, text string) int {
	w := []rune(word)
	t := []rune(text)
	if len(w) == 0 || len(w) > len(t) {
		return 0
	}
	best := 0
	for start := range t {
		if unicode.ToLower(t[start]) == w[0] {
			best = max(best, greedy(w, t, start))
		}
	}
	return best
}

// greedy matches w in t from start, each letter at its first occurrence.
func greedy(w, t []rune, start int) int {
	score, wi, prev := 0, 0, -2
	for i := start; i < len(t) && wi < len(w); i++ {
		if unicode.ToLower(t[i]) != w[wi] {
			continue
		}
		score++
		if i == prev+1 {
			score += 3 // adjacent to the previous letter
		}
		if wordStart(t, i) {
			score += 4
		}
		prev = i
		wi++
	}
	if wi < len(w) {
		return 0
	}
	// The fewer letters skipped between the first and the last, the better.
	gaps := prev - start + 1 - len(w)
	return max(score*4-gaps, 1)
}

// wordStart: t[i] begins a word — the text's start, after a separator,
// or an upper-case letter after a lower-case one.
func wordStart(t []rune, i int) bool {
	if i == 0 {
		return true
	}
	p := t[i-1]
	if !unicode.IsLetter(p) && !unicode.IsDigit(p) {
		return true
	}
	return unicode.IsUpper(t[i]) && unicode.IsLower(p)
}
