// The scripts the benchmarks run per job: Brigade 1.5's samples (hello, runAll, runEach, countdown).
export const SCRIPTS: Record<string, { jobs: number; script: string }> = {
  hello: {
    jobs: 1,
    script: `const { events, Job } = require('brigadier');
events.on('exec', () => new Job('hello', 'alpine:3.20', ['echo hello']).run());`,
  },
  'runAll-5': {
    jobs: 5,
    script: `const { events, Job, Group } = require('brigadier');
events.on('exec', () => Group.runAll([1, 2, 3, 4, 5].map((i) => new Job('all-' + i, 'alpine:3.20', ['echo ' + i]))));`,
  },
  'runEach-5': {
    jobs: 5,
    script: `const { events, Job, Group } = require('brigadier');
events.on('exec', () => Group.runEach([1, 2, 3, 4, 5].map((i) => new Job('each-' + i, 'alpine:3.20', ['echo ' + i]))));`,
  },
  'countdown-20+1': {
    jobs: 21,
    script: `const { events, Job, Group } = require('brigadier');
events.on('exec', async () => {
  const jobs = [];
  for (let i = 20; i > 0; i--) jobs.push(new Job('count-' + i, 'alpine:3.20', ['echo ' + i]));
  await Group.runEach(jobs);
  await new Job('liftoff', 'alpine:3.20', ['echo liftoff']).run();
});`,
  },
};
