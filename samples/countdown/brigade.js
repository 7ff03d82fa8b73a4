// Parallel vs sequential: 20 jobs each count 10 steps while one job counts all 200, every step
// sleeping one second. All 21 run at once on the virtual-kubelet node; the parallel ones finish
// in about 10 s, the sequential one after about 200 s.
const { events, Job, Group } = require('@azure/brigadier');

const parallelism = 20;
const countdown = 'for ((i=$COUNTDOWN_FROM; i<=$COUNTDOWN_TO; i++)); do echo counting $i; sleep 1; done';

function countdownJob(name, from, to) {
  const job = new Job(name);
  job.image = 'ubuntu';
  job.shell = 'bash';
  job.tasks = [countdown];
  job.env = { COUNTDOWN_FROM: String(from), COUNTDOWN_TO: String(to) };
  job.host.name = 'virtual-kubelet';
  job.resourceRequests.cpu = '1';
  job.resourceRequests.memory = '1G';
  return job;
}

events.on('exec', (brigadeEvent, project) => {
  const group = new Group();
  for (let i = 0; i < parallelism; i++) {
    group.add(countdownJob(`parallel-countdown-${i}`, i * 10, i * 10 + 9));
  }
  group.add(countdownJob('sequential-countdown', 0, 199));
  return group.runAll();
});
