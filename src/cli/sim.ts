// `brigade-operator sim`: the Kubernetes API simulator alone, for kubectl experiments and tests of
// other tools. It is not a real cluster: see docs/simulator.md.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../sim/index.ts';
import { untilSignalled, type Command } from './command.ts';

export const simCommand: Command = {
  summary: 'run the in-memory Kubernetes API simulator (no operator) and write a kubeconfig for it',
  usage: [
    'Usage: brigade-operator sim --kubeconfig FILE [--port N] [--data-dir DIR]',
    '',
    'Starts the simulator on 127.0.0.1 and prints one line naming the kubeconfig once it is ready.',
    'Stops cleanly on SIGINT/SIGTERM.',
    '',
    '  --kubeconfig FILE  where to write the kubeconfig (required)',
    '  --port N           API server port (default: any free port)',
    '  --data-dir DIR     where pod volumes and logs live (default: a temporary directory)',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { kubeconfig: { type: 'string' }, port: { type: 'string' }, 'data-dir': { type: 'string' } },
      strict: true,
    });
    if (!values.kubeconfig) {
      io.stderr.write('sim: --kubeconfig FILE is required\n');
      return 2;
    }
    const { stopped } = untilSignalled();
    const sim = await startSimulator({
      kubeconfigPath: resolve(values.kubeconfig),
      port: values.port ? Number(values.port) : 0,
      dataDir: values['data-dir'] ? resolve(values['data-dir']) : undefined,
    });
    io.stdout.write(`simulator ready: kubeconfig ${sim.kubeconfigPath} (API ${sim.url})\n`);
    await stopped;
    await sim.stop();
    return 0;
  },
};
