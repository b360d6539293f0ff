package rolluptest

import (
	"context"
	"testing"
)

func BenchmarkGenerateNation2026(b *testing.B) {
	for b.Loop() {
		l, err := Generate(context.Background(), Dir(b.TempDir()), Options{Year: 2026, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(l.Rows), "rows")
	}
}

func BenchmarkGenerateNation2024(b *testing.B) {
	for b.Loop() {
		l, err := Generate(context.Background(), Dir(b.TempDir()), Options{Year: 2024, Seed: 1, MinHamlets: 3, MaxHamlets: 8})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(l.Rows), "rows")
	}
}
