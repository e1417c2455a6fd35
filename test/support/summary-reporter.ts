import type { Reporter, SerializedError, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain "N passed, N failed, N skipped" line that any CI log reader understands. Tests that
 * did not run because their file or suite failed (a failed beforeAll, an import error) count as failed, and so
 * does each unhandled error, so the line never reads "0 failed" for a failing run.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: readonly SerializedError[]): void {
    const counts = { passed: 0, failed: unhandledErrors.length, skipped: 0 };
    for (const module of testModules) {
      const moduleCounts = { passed: 0, failed: 0, skipped: 0 };
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') moduleCounts.passed++;
        else if (state === 'failed') moduleCounts.failed++;
        else moduleCounts.skipped++;
      }
      if (module.state() === 'failed' && moduleCounts.failed === 0) {
        moduleCounts.failed = Math.max(1, moduleCounts.skipped);
        moduleCounts.skipped = 0;
      }
      counts.passed += moduleCounts.passed;
      counts.failed += moduleCounts.failed;
      counts.skipped += moduleCounts.skipped;
    }
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
