/** The JSON log lines (pino) in a process's output; anything else (e.g. a crash trace) is skipped. */
export function logLinesOf(output: string): Record<string, any>[] {
  const lines: Record<string, any>[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, any>);
    } catch {
      // A line cut by the output cap, or not ours.
    }
  }
  return lines;
}
