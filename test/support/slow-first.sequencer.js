// Jest orders test files by the durations it cached on earlier runs, and by file size when it has none
// (every CI run starts from a clean clone). Suites that wait on real timers for minutes are started first
// whatever the cache says, so that no worker begins one of them when the others are nearly done.
const Sequencer = require('@jest/test-sequencer').default;

// Measured on an idle machine, one worker: the suites over 30 s, longest first.
const SLOW_SUITES = [
  'test/scheduled-jobs-failover.e2e-spec.ts',
  'test/fleet-tasks.e2e-spec.ts',
  'test/data-scope.e2e-spec.ts',
  'test/scheduled-jobs.e2e-spec.ts',
  'test/task-dispatch.e2e-spec.ts',
  'test/worker-crash.e2e-spec.ts',
];

class SlowFirstSequencer extends Sequencer {
  async sort(tests) {
    const rank = (test) => {
      const index = SLOW_SUITES.findIndex((suite) => test.path.endsWith(suite));
      return index === -1 ? SLOW_SUITES.length : index;
    };
    // Array.prototype.sort is stable: past the slow suites, Jest's own order stays.
    return [...(await super.sort(tests))].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;
