/** One measured figure; a baseline measured in the same run makes it a ratio (these machines are noisy). */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  note?: string;
}

export interface BenchCaseResult {
  case: string;
  rows: BenchRow[];
  error?: string;
  seconds: number;
}
