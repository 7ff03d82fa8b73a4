// The CI flow: a GitHub push builds and pushes an image with a privileged docker-in-docker job using
// the project's secrets; the registry's webhook then fires `image_push`, whose payload names the
// repository and tag, and a notify job posts the message to Slack.
const { events, Job } = require('brigadier');

events.on('push', (e, project) => {
  const driver = project.secrets.DOCKER_DRIVER || 'overlay';
  const docker = new Job('dind', 'docker:stable-dind');
  docker.privileged = true;
  docker.env = { DOCKER_DRIVER: driver };
  docker.tasks = [
    // In a real cluster the image has dockerd; the development simulator runs tasks on the host,
    // where there may be none, so the job says so instead of failing.
    'if ! command -v dockerd-entrypoint.sh >/dev/null; then echo "no docker daemon here: would build $DOCKER_REGISTRY/flask"; exit 0; fi',
    'dockerd-entrypoint.sh &',
    'sleep 20',
    // The sample project sets no repo.cloneURL (dev has no network to clone from), so there is no
    // /src to build on either dev ground; with a clone URL the pushed commit is there.
    'if [ ! -d /src ]; then echo "no source checkout (the project sets no repo.cloneURL): would build $DOCKER_REGISTRY/flask"; exit 0; fi',
    'cd /src',
    'docker build -t $DOCKER_REGISTRY/flask .',
  ];
  if (project.secrets.DOCKER_USER) {
    docker.env.DOCKER_USER = project.secrets.DOCKER_USER;
    docker.env.DOCKER_PASS = project.secrets.DOCKER_PASS;
    docker.env.DOCKER_REGISTRY = project.secrets.DOCKER_REGISTRY;
    docker.tasks.push('docker login -u $DOCKER_USER -p $DOCKER_PASS $DOCKER_REGISTRY');
    docker.tasks.push('docker push $DOCKER_REGISTRY/flask');
  } else {
    console.log('skipping push: DOCKER_USER is not set');
  }
  return docker.run();
});

events.on('image_push', (e, project) => {
  const pushed = JSON.parse(e.payload);
  const message = `New build ${pushed.target.repository}:${pushed.target.tag} available!`;
  console.log(message);
  const slack = new Job('slack-notify', 'technosophos/slack-notify:latest', [
    // The real image posts to Slack; on the simulator the task prints what it would send.
    'if [ -x /slack-notify ]; then /slack-notify; else echo "slack: $SLACK_TITLE: $SLACK_MESSAGE"; fi',
  ]);
  slack.storage.enabled = false;
  slack.env = {
    SLACK_WEBHOOK: project.secrets.SLACK_WEBHOOK,
    SLACK_USERNAME: 'BrigadeBot',
    SLACK_TITLE: 'Brigade Build Demo',
    SLACK_MESSAGE: message,
    SLACK_COLOR: '#0000ff',
  };
  return slack.run();
});
