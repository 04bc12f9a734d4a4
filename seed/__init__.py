"""Demo data, synthetic data for benchmarks, and scorecard training."""
