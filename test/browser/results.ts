/** What the browser scenario (webrtc-scenario.ts) reports, read by apps/gateway/test/browser.e2e-spec.ts. */
export interface PairResult {
  relay: boolean;
  connected: boolean;
  candidateTypes: (string | null)[];
  received: { a: string[]; b: string[] };
  /** Files page B received over the data channel: name and size. */
  files: { name: string; size: number }[];
  errors: string[];
}

export interface MeshResult {
  connectedPeers: number[];
  received: string[][];
  errors: string[];
}

export interface ScenarioOutcome {
  ok: boolean;
  error?: string;
  results?: PairResult[];
  mesh?: MeshResult;
}
