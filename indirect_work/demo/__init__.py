"""Demo data for trying the product, and a bulk generator for benchmarks."""
