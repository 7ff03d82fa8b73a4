// The hello job of the virtual-kubelet walkthrough: one job placed on the virtual-kubelet node
// (Azure Container Instances in a real cluster).
const { events, Job } = require('@azure/brigadier');

events.on('exec', (brigadeEvent, project) => {
  const hello = new Job('linux-job');
  hello.image = 'alpine:3.4';
  hello.tasks = ['echo Hello Brigade from Azure'];
  hello.host.name = 'virtual-kubelet';
  hello.resourceRequests.cpu = '1';
  hello.resourceRequests.memory = '1G';
  hello.run();
});
