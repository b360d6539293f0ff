package rolluptest

import (
	"context"
	"testing"
)

// BenchmarkGenerateNation2026 is the cost of the 2026 lake of
// tests/rollupscale: every commune, 15–40 hamlets.
func BenchmarkGenerateNation2026(b *testing.B) {
	for b.Loop() {
		l, err := Generate(context.Background(), Dir(b.TempDir()), Options{Year: 2026, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(l.Rows), "rows")
	}
}

// BenchmarkGenerateNation2024 is the cost of its 2024 lake: 10,035
// communes, 3–8 hamlets; the cost is mostly per file.
func BenchmarkGenerateNation2024(b *testing.B) {
	for b.Loop() {
		l, err := Generate(context.Background(), Dir(b.TempDir()), Options{Year: 2024, Seed: 1, MinHamlets: 3, MaxHamlets: 8})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(l.Rows), "rows")
	}
}
