// What each benchmark returns to the runner: its raw figures (for bench/results.json), its part of
// BENCHMARKS.md, and the targets it checks, each with the measured value, so the file says what was met.
export interface Target {
  readonly name: string;
  /** The target as written in the issue, e.g. "p99 ≤ 3× floor". */
  readonly target: string;
  /** What was measured, e.g. "2.1× (0.042 ms vs 0.020 ms)". */
  readonly measured: string;
  readonly met: boolean;
}

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly figures: Record<string, unknown>;
  readonly markdown: string;
  readonly targets: readonly Target[];
  /** Extra files written next to BENCHMARKS.md (a chart). */
  readonly files?: readonly { readonly name: string; readonly content: string }[];
}

export interface BenchOptions {
  readonly quick: boolean;
  readonly log: (line: string) => void;
}

export type Benchmark = (options: BenchOptions) => Promise<Section>;
